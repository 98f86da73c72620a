package io.gantry.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Locale;

/**
 * The ollama dialect: {@code /api/chat}, {@code /api/tags}, {@code /api/embed}, version, and the
 * OpenAI-compatible {@code /v1} endpoints real Ollama serves beside them.
 */
final class OllamaSimHandler {
  static final String VERSION = "0.12.0";
  private final SimContext ctx;
  private final ReplyWriter writer;
  private final OpenAiSimHandler compatible;

  OllamaSimHandler(SimContext ctx) {
    this.ctx = ctx;
    this.writer = new ReplyWriter(ctx);
    this.compatible = new OpenAiSimHandler(ctx, OpenAiFlavour.OLLAMA);
  }

  void routing(HttpRouting.Builder routing) {
    compatible.compatibleRoutes(routing);
    routing
        .post("/api/chat", this::chat)
        .get("/api/tags", this::tags)
        .post("/api/show", this::show)
        .post("/api/embed", this::embed)
        .get(
            "/api/version",
            (req, res) -> SimHttp.json(res, 200, Json.object().put("version", VERSION)))
        .get("/", (req, res) -> SimHttp.text(res, 200, "Ollama is running"))
        .any((req, res) -> SimHttp.text(res, 404, "404 page not found"));
  }

  private void chat(ServerRequest req, ServerResponse res) throws Exception {
    byte[] body = SimHttp.body(req);
    SimHttp.counted(
        ctx.stats(),
        tracker -> {
          try {
            ObjectNode root = Json.parseObject(body);
            String model = OllamaRequestReader.model(root);
            checkModel(model);
            if (OllamaRequestReader.isLoadOnly(root)) {
              SimHttp.send(res, 200, SimHttp.JSON, encoder(model, 0).loadBody());
              return;
            }
            ChatRequest chat = OllamaRequestReader.read(root);
            Directives d = directives(chat);
            if (d.failStatus() != null) {
              SimHttp.retryAfterFor(res, d.failStatus());
              error(res, d.failStatus(), "simulated failure (sim:fail=" + d.failStatus() + ")");
              return;
            }
            if (ctx.failsFirst(d, body)) {
              int status = d.failFirst().status();
              SimHttp.retryAfterFor(res, status);
              error(res, status, "simulated failure (sim:fail-first, status " + status + ")");
              return;
            }
            long seed = ctx.options().seed();
            Reply reply = ReplyPlanner.plan(chat, d, seed, new Ids(seed, body));
            ChatEncoder enc = encoder(model, writer.tokenDelay(d));
            if (chat.stream()) {
              writer.stream(req, res, enc, reply, d);
            } else {
              writer.blocking(req, res, enc, reply, d);
            }
          } catch (SimRequestException e) {
            error(res, e.status(), e.getMessage());
          }
        });
  }

  private void embed(ServerRequest req, ServerResponse res) throws Exception {
    byte[] body = SimHttp.body(req);
    SimHttp.counted(
        ctx.stats(),
        tracker -> {
          try {
            ObjectNode root = Json.parseObject(body);
            String model = OllamaRequestReader.model(root);
            checkModel(model);
            List<EmbeddingVectors.Input> inputs = EmbeddingVectors.inputs(root.get("input"));
            ObjectNode out = Json.object().put("model", model);
            ArrayNode embeddings = out.putArray("embeddings");
            int tokens = 0;
            for (EmbeddingVectors.Input in : inputs) {
              embeddings.add(
                  EmbeddingVectors.json(EmbeddingVectors.vector(in.text(), ctx.options().seed())));
              tokens += in.tokens();
            }
            long load = 1_000_000L;
            out.put("total_duration", load + tokens * 200_000L)
                .put("load_duration", load)
                .put("prompt_eval_count", tokens);
            SimHttp.json(res, 200, out);
          } catch (SimRequestException e) {
            error(res, e.status(), e.getMessage());
          }
        });
  }

  private void tags(ServerRequest req, ServerResponse res) {
    ObjectNode out = Json.object();
    ArrayNode models = out.putArray("models");
    for (String name : ctx.options().models()) {
      ObjectNode m =
          models
              .addObject()
              .put("name", name)
              .put("model", name)
              .put("modified_at", ctx.createdIso())
              .put("size", 4_109_865_159L)
              .put("digest", Ids.sha256Hex(name));
      m.putObject("details")
          .put("parent_model", "")
          .put("format", "gguf")
          .put("family", "llama")
          .put("parameter_size", "7B")
          .put("quantization_level", "Q4_0");
    }
    SimHttp.json(res, 200, out);
  }

  /**
   * A model's details and capabilities. Every simulated model can see images, except one whose name
   * contains {@code -novision}, so clients can try what a text-only model does.
   */
  private void show(ServerRequest req, ServerResponse res) {
    try {
      ObjectNode root = Json.parseObject(SimHttp.body(req));
      // Ollama takes "model"; older clients send "name".
      String model = root.path("model").asText(root.path("name").asText(""));
      checkModel(model);
      ObjectNode out = Json.object();
      out.put("modelfile", "FROM " + model)
          .put("parameters", "")
          .put("template", "{{ .Prompt }}")
          .put("modified_at", ctx.createdIso());
      out.putObject("details")
          .put("parent_model", "")
          .put("format", "gguf")
          .put("family", "llama")
          .put("parameter_size", "7B")
          .put("quantization_level", "Q4_0");
      ArrayNode capabilities =
          out.putArray("capabilities").add("completion").add("tools").add("thinking");
      if (!model.toLowerCase(Locale.ROOT).contains("-novision")) {
        capabilities.add("vision");
      }
      SimHttp.json(res, 200, out);
    } catch (SimRequestException e) {
      error(res, e.status(), e.getMessage());
    }
  }

  private OllamaChatEncoder encoder(String model, long tokenDelayMs) {
    return new OllamaChatEncoder(model, ctx.createdIso(), tokenDelayMs);
  }

  private static Directives directives(ChatRequest chat) {
    try {
      return ReplyPlanner.directives(chat);
    } catch (IllegalArgumentException e) {
      throw SimRequestException.invalid(e.getMessage());
    }
  }

  private void checkModel(String model) {
    OpenAiFlavour.OLLAMA.checkModel(ctx.options().models(), model);
  }

  /** Ollama's error body: {"error":"..."}. */
  static void error(ServerResponse res, int status, String message) {
    SimHttp.json(res, status, Json.object().put("error", message));
  }
}
