package io.gantry.api.embeddings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.api.Admission;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.ApiException;
import io.gantry.edge.Endpoint;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.route.Route;
import io.gantry.upstream.Embeddings;
import io.gantry.upstream.UpstreamMeta;
import io.gantry.upstream.UpstreamResponse;
import io.helidon.http.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * {@code POST /v1/embeddings}: relayed as is to openai-dialect backends; for others the vectors are
 * rendered in OpenAI's shape, as floats or (what the SDKs ask for by default) base64 of
 * little-endian float32s.
 */
public final class EmbeddingsEndpoint implements Endpoint, Surface {
  private final Admission admission;

  public EmbeddingsEndpoint(Admission admission) {
    this.admission = admission;
  }

  @Override
  public void routes(Routes routes) {
    routes.route(Method.POST, "/v1/embeddings", "embeddings", Access.MODEL, this);
  }

  @Override
  public void handle(Exchange exchange) throws Exception {
    ObjectNode body = exchange.jsonBody();
    JsonNode model = body.get("model");
    if (model == null || !model.isTextual() || model.asText().isBlank()) {
      throw ApiException.invalid("model", "Missing required parameter: 'model' (a string).");
    }
    JsonNode input = body.get("input");
    if (input == null || input.isNull()) {
      throw ApiException.invalid("input", "Missing required parameter: 'input'.");
    }
    if (!(input.isTextual() || input.isArray())) {
      throw ApiException.invalid("input", "'input' must be a string or an array.");
    }
    exchange.checkRequestLimits(body, "input");
    String requested = model.asText();
    exchange.record().model(requested);
    UpstreamMeta meta = Admission.abortOnHangUp(exchange);
    // About four characters a token, as the input_tokens estimate counts.
    Route route = admission.admit(exchange, requested, () -> Json.text(input).length() / 4 + 1);
    if (route.backend().capabilities().relaysOpenAiApi()) {
      byte[] upstreamBody = exchange.body();
      if (route.aliased()) {
        body.put("model", route.model());
        upstreamBody = Json.bytes(body);
      }
      try (UpstreamResponse response = route.backend().relay("/embeddings", upstreamBody, meta)) {
        if (!response.isSuccess()) {
          throw response.toStatusException();
        }
        exchange.sendBytes(response.status(), response.contentType(), response.readAll());
      }
      return;
    }
    Embeddings result = route.backend().embed(route.model(), texts(input), meta);
    boolean base64 = "base64".equals(body.path("encoding_format").asText("float"));
    exchange.sendJson(200, render(result, requested, base64));
  }

  private static List<String> texts(JsonNode input) {
    List<String> out = new ArrayList<>();
    if (input.isTextual()) {
      out.add(input.asText());
      return out;
    }
    for (int i = 0; i < input.size(); i++) {
      if (!input.get(i).isTextual()) {
        throw ApiException.invalid(
            "input[" + i + "]",
            "This backend embeds text only; send 'input' as a string or an array of strings.");
      }
      out.add(input.get(i).asText());
    }
    if (out.isEmpty()) {
      throw ApiException.invalid("input", "'input' must not be empty.");
    }
    return out;
  }

  private static ObjectNode render(Embeddings result, String model, boolean base64) {
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (int i = 0; i < result.vectors().size(); i++) {
      float[] vector = result.vectors().get(i);
      ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
      if (base64) {
        ByteBuffer buffer = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : vector) {
          buffer.putFloat(v);
        }
        item.put("embedding", Base64.getEncoder().encodeToString(buffer.array()));
      } else {
        ArrayNode values = item.putArray("embedding");
        for (float v : vector) {
          values.add(v);
        }
      }
    }
    out.put("model", model);
    out.putObject("usage")
        .put("prompt_tokens", result.promptTokens())
        .put("total_tokens", result.promptTokens());
    return out;
  }
}
