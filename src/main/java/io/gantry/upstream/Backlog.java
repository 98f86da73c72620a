package io.gantry.upstream;

import java.util.function.BooleanSupplier;

/**
 * Whether a backend's streamed answer has more bytes already arrived than its dialect has read yet.
 * The dialect reading the stream points it at its reader; whoever writes to the client asks it
 * before flushing, and holds the flush while the answer is true (the next event is only a read
 * away). Unset, or once the backend response is closed, the answer is false: flush. Used by the one
 * thread that reads the backend and writes to the client.
 */
public final class Backlog implements BooleanSupplier {
  private UpstreamResponse response;
  private BooleanSupplier waiting;

  /** From now on, {@code waiting} says whether more of {@code response} is already here. */
  public void readingFrom(UpstreamResponse response, BooleanSupplier waiting) {
    this.response = response;
    this.waiting = waiting;
  }

  @Override
  public boolean getAsBoolean() {
    return response != null && !response.closed() && waiting.getAsBoolean();
  }
}
