package io.gantry.simulator;

import java.util.List;

/** Turns a {@link Reply} into one dialect's bytes, as stream frames or as one blocking body. */
interface ChatEncoder {

  /** One event of a stream. */
  record Frame(byte[] bytes, Kind kind) {
    enum Kind {
      /** before any token (OpenAI's role chunk) */
      HEAD,
      /** one generated token, fragment or call: delays and faults count these */
      TOKEN,
      /** the end: finish chunk, usage, [DONE] or the done line */
      TAIL
    }
  }

  String streamContentType();

  List<Frame> frames(Reply reply);

  /** A frame cut short, for {@code sim:fail=malformed-after}. */
  byte[] malformedFrame();

  /**
   * Output in the wrong framing for {@code sim:fail=bad-framing-after}: valid JSON, but not as this
   * dialect frames it (a bare JSON line in an event stream, an SSE event in NDJSON), as from a
   * misconfigured proxy or server.
   */
  byte[] badFraming();

  byte[] blockingBody(Reply reply);
}
