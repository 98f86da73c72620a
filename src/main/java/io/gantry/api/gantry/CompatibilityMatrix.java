package io.gantry.api.gantry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.helidon.http.Method;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * What Gantry supports, one row per feature with the test that proves it. The one source is {@code
 * compatibility.json}; the endpoint serves it and the README's table is rendered from it (a test
 * keeps the two equal and checks every named test exists).
 */
public final class CompatibilityMatrix implements Surface {
  private final ArrayNode rows;

  public CompatibilityMatrix() {
    try (InputStream in = CompatibilityMatrix.class.getResourceAsStream("/compatibility.json")) {
      if (in == null) {
        throw new IllegalStateException("compatibility.json is missing from the jar");
      }
      rows = (ArrayNode) Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ArrayNode rows() {
    return rows.deepCopy();
  }

  @Override
  public void routes(Routes routes) {
    routes.route(Method.GET, "/v1/gantry/compatibility", "gantry", Access.KEY, this::serve);
  }

  /** {@code GET /v1/gantry/compatibility} */
  public void serve(Exchange exchange) {
    ObjectNode out = Json.object().put("object", "list");
    out.set("data", rows());
    exchange.sendJson(200, out);
  }

  /** The README table. */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| feature | surface | status | proven by |\n");
    out.append("|---|---|---|---|\n");
    for (JsonNode row : rows) {
      String test = row.get("test").asText();
      String shortTest = test.substring(test.lastIndexOf('.', test.indexOf('#')) + 1);
      out.append("| ")
          .append(row.get("feature").asText().replace("|", "\\|"))
          .append(" (`")
          .append(row.get("id").asText())
          .append("`) | ")
          .append(row.get("surface").asText())
          .append(" | ")
          .append(row.get("status").asText())
          .append(" | `")
          .append(shortTest)
          .append("` |\n");
    }
    return out.toString();
  }
}
