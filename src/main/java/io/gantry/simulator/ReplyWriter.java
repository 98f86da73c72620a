package io.gantry.simulator;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Sends a planned reply, paced by the token delay and broken by the fault directives. Each stream
 * frame is written and flushed on its own: a simulator that buffered would hide the very latency
 * problems it exists to reveal.
 */
final class ReplyWriter {
  /** A stall ends after this long even if the client waits on. */
  static final long MAX_STALL_MS = 60_000;

  private final SimContext ctx;

  ReplyWriter(SimContext ctx) {
    this.ctx = ctx;
  }

  long tokenDelay(Directives d) {
    return d.delayMs() != null ? d.delayMs() : ctx.options().tokenDelayMs();
  }

  void stream(ServerRequest req, ServerResponse res, ChatEncoder enc, Reply reply, Directives d) {
    List<ChatEncoder.Frame> frames = enc.frames(reply);
    Directives.StreamFault fault = d.fault();
    long delay = tokenDelay(d);
    res.status(Status.OK_200);
    res.header(HeaderNames.CONTENT_TYPE, enc.streamContentType());
    res.header(HeaderNames.CACHE_CONTROL, "no-cache");
    res.header("X-Accel-Buffering", "no");
    OutputStream out = res.outputStream();
    int emitted = 0;
    boolean started = false;
    for (ChatEncoder.Frame f : frames) {
      if (f.kind() != ChatEncoder.Frame.Kind.HEAD) {
        if (!started) {
          started = true;
          pauseWatching(req, d.slowFirstMs());
        }
        // A fault fires after N tokens, or where the tokens run out when there are fewer.
        boolean tail = f.kind() == ChatEncoder.Frame.Kind.TAIL;
        if (fault != null && (tail || emitted >= fault.afterTokens())) {
          fail(req, out, enc, fault);
          return;
        }
        if (!tail) {
          ctx.pause(delay);
          emitted++;
        }
      }
      write(out, f.bytes());
      if (f.kind() == ChatEncoder.Frame.Kind.TOKEN) {
        ctx.stats().tokenStreamed();
      }
    }
    close(out);
  }

  private void fail(
      ServerRequest req, OutputStream out, ChatEncoder enc, Directives.StreamFault fault) {
    switch (fault.kind()) {
      case CUT -> throw new CloseConnectionException("sim:fail=cut-after");
      case MALFORMED -> {
        write(out, enc.malformedFrame());
        close(out);
      }
      case BAD_FRAMING -> {
        write(out, enc.badFraming());
        close(out);
      }
      case STALL -> stall(req);
    }
  }

  /** Sends nothing until the client hangs up (aborted) or the stall times out (cut). */
  private void stall(ServerRequest req) {
    if (DisconnectProbe.awaitHangUp(req, MAX_STALL_MS, ctx)) {
      throw new ClientGoneException(null);
    }
    throw new CloseConnectionException("sim:fail=stall-after timed out");
  }

  void blocking(ServerRequest req, ServerResponse res, ChatEncoder enc, Reply reply, Directives d) {
    pauseWatching(req, d.slowFirstMs());
    long delay = tokenDelay(d);
    int tokens = reply.completionTokens();
    Directives.StreamFault fault = d.fault();
    if (fault != null) {
      pauseWatching(req, delay * Math.min(tokens, fault.afterTokens()));
      switch (fault.kind()) {
        case CUT -> throw new CloseConnectionException("sim:fail=cut-after");
        case STALL -> stall(req);
        case MALFORMED -> {
          byte[] body = enc.blockingBody(reply);
          SimHttp.send(res, 200, SimHttp.JSON, Arrays.copyOf(body, body.length / 2));
          return;
        }
        case BAD_FRAMING -> {
          // A proxy's error page where JSON was due.
          SimHttp.send(
              res,
              200,
              SimHttp.JSON,
              "<html><body>502 Bad Gateway</body></html>\n"
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
          return;
        }
      }
    }
    pauseWatching(req, delay * tokens);
    SimHttp.send(res, 200, SimHttp.JSON, enc.blockingBody(reply));
  }

  /** Waits as {@link SimContext#pause} does, but ends as aborted when the client hangs up. */
  private void pauseWatching(ServerRequest req, long millis) {
    long deadline = System.nanoTime() + millis * 1_000_000;
    for (long left = millis; left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
      ctx.pause(Math.min(left, HANG_UP_CHECK_MS));
      if (DisconnectProbe.hungUp(req)) {
        throw new ClientGoneException(null);
      }
    }
  }

  /** How often a waiting reply checks whether its client is still there. */
  private static final long HANG_UP_CHECK_MS = 5;

  private static void write(OutputStream out, byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException | RuntimeException e) {
      throw new ClientGoneException(e);
    }
  }

  private static void close(OutputStream out) {
    try {
      out.close();
    } catch (IOException | RuntimeException e) {
      throw new ClientGoneException(e);
    }
  }
}
