package io.gantry.observe;

import io.gantry.core.DeltaSink;

/**
 * The one point every delta of every answer passes on its way to the client: it feeds the request's
 * record (time to first token, gaps between tokens, usage, failures; from there metrics, sessions,
 * traces and the access log). Renderers never call it; it wraps what they are given.
 */
public final class AnswerTap {
  private AnswerTap() {}

  /** A sink that only observes, for answers relayed as the backend's own bytes. */
  public static DeltaSink of(RequestRecord record) {
    return record::observe;
  }

  /** {@code renderer}, with every delta observed first. */
  public static DeltaSink around(RequestRecord record, DeltaSink renderer) {
    return delta -> {
      record.observe(delta);
      renderer.accept(delta);
    };
  }
}
