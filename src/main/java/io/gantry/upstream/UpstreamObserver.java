package io.gantry.upstream;

/** Told when a backend connection opens and closes, for the in-flight gauge per backend. */
public interface UpstreamObserver {
  UpstreamObserver NONE =
      new UpstreamObserver() {
        @Override
        public void opened(String backend) {}

        @Override
        public void closed(String backend) {}
      };

  void opened(String backend);

  void closed(String backend);

  /** A request to {@code backend} is retried; {@code reason} is the status or failure kind. */
  default void retried(String backend, String reason) {}

  /**
   * One attempt at {@code backend} ended (feeds the router's circuit breakers): {@code failed} when
   * the backend was unavailable, timed out, answered HTTP 5xx, or its 2xx answer broke off after
   * the headers (cut, idle or total timeout, malformed). A 2xx answer is judged when it is closed;
   * an attempt the client cancelled is not reported.
   */
  default void attempted(String backend, boolean failed) {}
}
