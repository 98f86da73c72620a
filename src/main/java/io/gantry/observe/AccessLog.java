package io.gantry.observe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code gantry.access} logger. Never holds prompt or output text
 * and never a credential: only ids, names, numbers.
 */
public final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("gantry.access");

  public void write(RequestRecord record) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    long now = System.nanoTime();
    ObjectNode line = Json.object();
    line.put("time", Instant.now().toString());
    line.put("request_id", record.requestId());
    line.put("session", record.session());
    line.put("surface", record.surface());
    line.put("model", record.model());
    line.put("backend", record.backend());
    line.put("status", record.status());
    line.put("error_kind", record.errorKind() == null ? null : record.errorKind().label());
    line.put("duration_ms", (now - record.startNanos()) / 1_000_000.0);
    long ttft = record.timeToFirstTokenNanos();
    if (ttft >= 0) {
      line.put("ttft_ms", ttft / 1_000_000.0);
    } else {
      line.putNull("ttft_ms");
    }
    if (record.usage() != null) {
      line.put("tokens_in", record.usage().inputTokens());
      line.put("tokens_out", record.usage().outputTokens());
    } else {
      line.putNull("tokens_in");
      line.putNull("tokens_out");
    }
    line.put("stream", record.stream());
    line.put("client", record.clientAddress());
    if (record.capturesContent()) {
      line.put("input", record.input());
      line.put("output", record.output());
    }
    LOG.info(Json.text(line));
  }
}
