package io.gantry.upstream;

/**
 * A backend's answer passed on as its own bytes (the chat fast path): each event is checked to be
 * something a client can parse, and tapped into deltas as it passes, but never rewritten. The
 * surface writes what {@link #next()} gives to its client; what a client could not parse is thrown
 * instead, for the surface to end the stream with an error event.
 */
public interface RelayedAnswer extends AutoCloseable {
  int status();

  String contentType();

  /** Whether the answer is a stream of events (else one body: {@link #whole()}). */
  boolean streamed();

  /** The whole body of an answer that is not streamed, checked and tapped. */
  byte[] whole() throws UpstreamException;

  /**
   * The next event to pass on; null once the stream ended after the backend reported an error in it
   * (the error event was passed on already, nothing more to write).
   *
   * @throws UpstreamException the stream broke (cut short, malformed): end it with an error event
   */
  Event next() throws UpstreamException;

  /** Whether more of the answer has already arrived: its next event need not wait for a flush. */
  boolean moreArrived();

  /** Reads the (empty) rest of a finished stream so its connection can be reused. */
  void finish();

  /** Closing before the end aborts the backend's generation. */
  @Override
  void close();

  /**
   * One event as it arrived.
   *
   * @param relay false for an event the client did not ask for (a usage chunk Gantry asked for)
   * @param done the stream's last event ({@code [DONE]})
   */
  record Event(byte[] raw, boolean relay, boolean done) {}
}
