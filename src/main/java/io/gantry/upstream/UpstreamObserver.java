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
   * One attempt at {@code backend} ended before its body was read: {@code failed} when the backend
   * was unavailable, timed out or answered HTTP 5xx (feeds the router's circuit breakers).
   */
  default void attempted(String backend, boolean failed) {}
}
