package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;

/** Small HTTP helpers shared by both dialects. */
final class SimHttp {
  static final String JSON = "application/json; charset=utf-8";

  private SimHttp() {}

  /** Work of one generation request, counted in the stats. */
  interface Generation {
    void run(StatsCounter.Tracker tracker) throws Exception;
  }

  /**
   * Runs a generation request under the stats: in flight while it runs, then completed or (when the
   * client hung up) aborted. A connection we cannot finish properly is closed.
   */
  static void counted(StatsCounter stats, Generation work) throws Exception {
    try (StatsCounter.Tracker tracker = stats.begin()) {
      try {
        work.run(tracker);
      } catch (ClientGoneException e) {
        tracker.abort();
        throw new CloseConnectionException("client went away", e);
      } catch (SimContext.SimulatorClosingException e) {
        throw new CloseConnectionException("simulator closing", e);
      }
    }
  }

  static byte[] body(ServerRequest req) {
    return req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
  }

  static void json(ServerResponse res, int status, JsonNode body) {
    send(res, status, JSON, Json.bytes(body));
  }

  static void text(ServerResponse res, int status, String body) {
    send(res, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  static void send(ServerResponse res, int status, String contentType, byte[] body) {
    res.status(Status.create(status));
    res.header(HeaderNames.CONTENT_TYPE, contentType);
    try {
      res.send(body);
    } catch (RuntimeException e) {
      throw new ClientGoneException(e);
    }
  }

  /** 429 tells the client when to retry, as real servers and gateways do. */
  static void retryAfterFor(ServerResponse res, int status) {
    if (status == 429) {
      res.header(HeaderNames.RETRY_AFTER, "1");
    }
  }
}
