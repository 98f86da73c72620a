package io.gantry.upstream.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.config.BackendConfig;
import io.gantry.core.Delta;
import io.gantry.core.DeltaSink;
import io.gantry.core.Json;
import io.gantry.core.Turn;
import io.gantry.upstream.Backend;
import io.gantry.upstream.BackendCapabilities;
import io.gantry.upstream.BackendHttp;
import io.gantry.upstream.BackendJson;
import io.gantry.upstream.Embeddings;
import io.gantry.upstream.ProbeResult;
import io.gantry.upstream.RelayedAnswer;
import io.gantry.upstream.SseEvent;
import io.gantry.upstream.SseEventReader;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import io.gantry.upstream.UpstreamObserver;
import io.gantry.upstream.UpstreamResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A backend speaking the OpenAI Chat Completions dialect over SSE: vLLM, llama.cpp's server, LM
 * Studio, SGLang, LocalAI. Chat clients get its bytes relayed as they are ({@link #post}); other
 * surfaces get canonical deltas ({@link #chat}).
 */
public final class OpenAiBackend implements Backend {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  private final String name;
  private final BackendHttp http;

  public OpenAiBackend(BackendConfig config) {
    this(config, UpstreamObserver.NONE);
  }

  public OpenAiBackend(BackendConfig config, UpstreamObserver observer) {
    this.name = config.name();
    this.http =
        new BackendHttp(
            name, config.url(), config.apiKey(), config.timeouts(), config.retries(), observer);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String dialect() {
    return "openai";
  }

  @Override
  public String url() {
    return io.gantry.core.Urls.redact(http.baseUrl());
  }

  private static final BackendCapabilities CAPABILITIES =
      new BackendCapabilities(true, true, true, false, false, true, "openai-compatible");

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public UpstreamResponse relay(String path, byte[] body, UpstreamMeta meta)
      throws UpstreamException {
    return http.postJson(path, body, meta);
  }

  @Override
  public RelayedAnswer relayChat(
      byte[] body, UpstreamMeta meta, DeltaSink tap, boolean hideUsage, boolean decodeAll)
      throws UpstreamException {
    UpstreamResponse response = http.postJson("/chat/completions", body, meta);
    if (!response.isSuccess()) {
      try (response) {
        throw response.toStatusException();
      }
    }
    return new OpenAiRelay(response, name, tap, hideUsage, decodeAll);
  }

  @Override
  public ProbeResult probe() {
    return http.probe(
        "/models",
        PROBE_TIMEOUT,
        body -> {
          List<String> models = new ArrayList<>();
          for (JsonNode model : body.path("data")) {
            if (model.hasNonNull("id")) {
              models.add(model.get("id").asText());
            }
          }
          return models;
        });
  }

  @Override
  public void chat(Turn turn, UpstreamMeta meta, DeltaSink sink)
      throws UpstreamException, IOException {
    byte[] body = Json.bytes(OpenAiChatRequestWriter.write(turn));
    try (UpstreamResponse response = http.postJson("/chat/completions", body, meta)) {
      response.successful();
      if (!turn.stream() && !response.contentType().startsWith("text/event-stream")) {
        for (Delta delta : new ChatChunkParser().parseCompletion(response.readJson())) {
          sink.accept(delta);
        }
        return;
      }
      SseEventReader reader = new SseEventReader(response.body());
      meta.backlog().readingFrom(response, reader::hasBufferedBytes);
      ChatChunkParser parser = new ChatChunkParser();
      boolean finished = false;
      while (true) {
        SseEvent event = response.read(reader::next);
        if (event == null) {
          break;
        }
        if (event.isDone()) {
          response.drain();
          break;
        }
        if (event.data() == null) {
          continue; // comment ping
        }
        if (!event.complete()) {
          break;
        }
        for (Delta delta : parser.parseChunk(response.json(event.data(), "an event"))) {
          response.firstToken();
          sink.accept(delta);
          if (delta instanceof Delta.Failure) {
            return;
          }
          finished |= delta instanceof Delta.Finish;
        }
      }
      if (!finished) {
        throw response.failed(
            new UpstreamException(
                UpstreamException.Kind.INTERRUPTED,
                name,
                "backend '" + name + "' ended the stream before the answer was finished",
                null));
      }
    }
  }

  @Override
  public Embeddings embed(String model, List<String> inputs, UpstreamMeta meta)
      throws UpstreamException {
    var body = BackendJson.embeddingRequest(model, inputs);
    body.put("encoding_format", "float");
    JsonNode answer = http.postForJson("/embeddings", Json.bytes(body), meta);
    List<float[]> vectors = new ArrayList<>();
    for (JsonNode item : answer.path("data")) {
      vectors.add(vector(item.path("embedding")));
    }
    return new Embeddings(
        answer.path("model").asText(model),
        vectors,
        answer.path("usage").path("prompt_tokens").asLong(0));
  }

  private static float[] vector(JsonNode embedding) {
    if (embedding.isTextual()) {
      byte[] bytes = Base64.getDecoder().decode(embedding.asText());
      java.nio.FloatBuffer floats =
          java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
      float[] out = new float[floats.remaining()];
      floats.get(out);
      return out;
    }
    float[] out = new float[embedding.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) embedding.get(i).asDouble();
    }
    return out;
  }

  @Override
  public void close() {
    http.close();
  }
}
