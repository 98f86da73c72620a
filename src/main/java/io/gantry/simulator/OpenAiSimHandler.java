package io.gantry.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;

/**
 * The openai dialect: chat completions, models, embeddings and health, as llama.cpp serves them.
 */
final class OpenAiSimHandler {
  private final SimContext ctx;
  private final ReplyWriter writer;

  OpenAiSimHandler(SimContext ctx) {
    this.ctx = ctx;
    this.writer = new ReplyWriter(ctx);
  }

  void routing(HttpRouting.Builder routing) {
    routing
        .post("/v1/chat/completions", this::chat)
        .get("/v1/models", this::models)
        .post("/v1/embeddings", this::embeddings)
        .get("/health", (req, res) -> SimHttp.json(res, 200, Json.object().put("status", "ok")))
        .any((req, res) -> error(res, 404, "not_found_error", "File Not Found"));
  }

  private void chat(ServerRequest req, ServerResponse res) throws Exception {
    byte[] body = SimHttp.body(req);
    SimHttp.counted(
        ctx.stats(),
        tracker -> {
          try {
            ObjectNode root = Json.parseObject(body);
            checkModel(OpenAiRequestReader.model(root, defaultModel()));
            ChatRequest chat = OpenAiRequestReader.read(root, defaultModel());
            Directives d = directives(chat);
            if (d.failStatus() != null) {
              simulatedFailure(res, d.failStatus());
              return;
            }
            if (ctx.failsFirst(d, body)) {
              simulatedFailure(res, d.failFirst().status());
              return;
            }
            Ids ids = new Ids(ctx.options().seed(), Ids.answerDefining(root));
            Reply reply = ReplyPlanner.plan(chat, d, ctx.options().seed(), ids);
            ChatEncoder enc =
                new OpenAiChatEncoder(
                    ids.completionId(),
                    ctx.createdEpochSeconds(),
                    chat.model(),
                    chat.includeUsage());
            if (chat.stream()) {
              writer.stream(req, res, enc, reply, d);
            } else {
              writer.blocking(req, res, enc, reply, d);
            }
          } catch (SimRequestException e) {
            error(res, e.status(), e.type(), e.getMessage());
          }
        });
  }

  private void embeddings(ServerRequest req, ServerResponse res) throws Exception {
    byte[] body = SimHttp.body(req);
    SimHttp.counted(
        ctx.stats(),
        tracker -> {
          try {
            ObjectNode root = Json.parseObject(body);
            String model = OpenAiRequestReader.model(root, defaultModel());
            checkModel(model);
            List<EmbeddingVectors.Input> inputs = EmbeddingVectors.inputs(root.get("input"));
            boolean base64 = "base64".equals(root.path("encoding_format").asText());
            ObjectNode out = Json.object().put("object", "list");
            ArrayNode data = out.putArray("data");
            int tokens = 0;
            for (int i = 0; i < inputs.size(); i++) {
              float[] v = EmbeddingVectors.vector(inputs.get(i).text(), ctx.options().seed());
              ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
              if (base64) {
                item.put("embedding", EmbeddingVectors.base64(v));
              } else {
                item.set("embedding", EmbeddingVectors.json(v));
              }
              tokens += inputs.get(i).tokens();
            }
            out.put("model", model);
            out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
            SimHttp.json(res, 200, out);
          } catch (SimRequestException e) {
            error(res, e.status(), e.type(), e.getMessage());
          }
        });
  }

  private void models(ServerRequest req, ServerResponse res) {
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (String m : ctx.options().models()) {
      data.addObject()
          .put("id", m)
          .put("object", "model")
          .put("created", ctx.createdEpochSeconds())
          .put("owned_by", "gantry-sim");
    }
    SimHttp.json(res, 200, out);
  }

  private Directives directives(ChatRequest chat) {
    try {
      return ReplyPlanner.directives(chat);
    } catch (IllegalArgumentException e) {
      throw SimRequestException.invalid(e.getMessage());
    }
  }

  private void checkModel(String model) {
    if (!ctx.options().models().contains(model)) {
      throw new SimRequestException(404, "not_found_error", "model '" + model + "' not found");
    }
  }

  private String defaultModel() {
    return ctx.options().models().get(0);
  }

  private static void simulatedFailure(ServerResponse res, int status) {
    SimHttp.retryAfterFor(res, status);
    error(res, status, errorType(status), "simulated failure (sim:fail=" + status + ")");
  }

  static String errorType(int status) {
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      case 501 -> "not_supported_error";
      case 503 -> "unavailable_error";
      default -> status < 500 ? "invalid_request_error" : "server_error";
    };
  }

  /** llama.cpp's error envelope: {"error":{"code","message","type"}}. */
  static void error(ServerResponse res, int status, String type, String message) {
    ObjectNode body = Json.object();
    body.putObject("error").put("code", status).put("message", message).put("type", type);
    SimHttp.json(res, status, body);
  }
}
