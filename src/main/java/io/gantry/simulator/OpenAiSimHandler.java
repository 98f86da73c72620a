package io.gantry.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;

/**
 * The openai dialect: chat completions, models and embeddings, as llama.cpp serves them (or as
 * Ollama serves them beside its native API, by {@link OpenAiFlavour}).
 */
final class OpenAiSimHandler {
  private final SimContext ctx;
  private final ReplyWriter writer;
  private final OpenAiFlavour flavour;

  OpenAiSimHandler(SimContext ctx, OpenAiFlavour flavour) {
    this.ctx = ctx;
    this.writer = new ReplyWriter(ctx);
    this.flavour = flavour;
  }

  /** llama.cpp's server: the OpenAI endpoints, health, and its 404 for anything else. */
  void routing(HttpRouting.Builder routing) {
    compatibleRoutes(routing);
    routing
        .get("/health", (req, res) -> SimHttp.json(res, 200, Json.object().put("status", "ok")))
        .any((req, res) -> error(res, 404, "not_found_error", "File Not Found"));
  }

  /** The OpenAI-compatible endpoints alone, for a server that serves them beside its own API. */
  void compatibleRoutes(HttpRouting.Builder routing) {
    routing
        .post("/v1/chat/completions", this::chat)
        .get("/v1/models", this::models)
        .post("/v1/embeddings", this::embeddings);
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
                    chat.includeUsage(),
                    flavour.fingerprint());
            if (chat.stream()) {
              writer.stream(req, res, enc, reply, d);
            } else {
              writer.blocking(req, res, enc, reply, d);
            }
          } catch (SimRequestException e) {
            error(e.status(), e.type(), e.getMessage(), res);
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
            error(e.status(), e.type(), e.getMessage(), res);
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
          .put("owned_by", flavour.ownedBy());
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
    flavour.checkModel(ctx.options().models(), model);
  }

  private String defaultModel() {
    return ctx.options().models().get(0);
  }

  private void simulatedFailure(ServerResponse res, int status) {
    SimHttp.retryAfterFor(res, status);
    error(status, flavour.errorType(status), "simulated failure (sim:fail=" + status + ")", res);
  }

  private void error(int status, String type, String message, ServerResponse res) {
    SimHttp.json(res, status, flavour.errorBody(status, type, message));
  }

  private static void error(ServerResponse res, int status, String type, String message) {
    SimHttp.json(res, status, OpenAiFlavour.LLAMA_CPP.errorBody(status, type, message));
  }
}
