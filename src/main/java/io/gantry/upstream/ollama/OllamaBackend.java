package io.gantry.upstream.ollama;

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
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import io.gantry.upstream.UpstreamObserver;
import io.gantry.upstream.UpstreamResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** A backend speaking Ollama's native API ({@code /api/chat} NDJSON, {@code /api/embed}). */
public final class OllamaBackend implements Backend {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  /** How long a model's capabilities are trusted before asking again (a model can be re-pulled). */
  private static final long CAPABILITIES_TTL_NANOS = Duration.ofMinutes(5).toNanos();

  private final String name;
  private final BackendHttp http;
  private final ConcurrentHashMap<String, Vision> visionByModel = new ConcurrentHashMap<>();

  private record Vision(boolean capable, long checkedAtNanos) {}

  public OllamaBackend(BackendConfig config) {
    this(config, UpstreamObserver.NONE);
  }

  public OllamaBackend(BackendConfig config, UpstreamObserver observer) {
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
    return "ollama";
  }

  @Override
  public String url() {
    return io.gantry.core.Urls.redact(http.baseUrl());
  }

  private static final BackendCapabilities CAPABILITIES =
      new BackendCapabilities(false, false, true, false, false, true, "ollama");

  @Override
  public BackendCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public boolean canSeeImages(String model) {
    return supportsVision(model);
  }

  @Override
  public ProbeResult probe() {
    return http.probe(
        "/api/tags",
        PROBE_TIMEOUT,
        body -> {
          List<String> models = new ArrayList<>();
          for (JsonNode model : body.path("models")) {
            String id = model.path("name").asText(model.path("model").asText(""));
            if (!id.isEmpty()) {
              models.add(id);
            }
          }
          return models;
        });
  }

  @Override
  public void chat(Turn turn, UpstreamMeta meta, DeltaSink sink)
      throws UpstreamException, IOException {
    byte[] body = Json.bytes(OllamaRequestWriter.write(turn));
    try (UpstreamResponse response = http.postJson("/api/chat", body, meta)) {
      response.successful();
      BufferedReader lines =
          new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
      meta.backlog().readingFrom(response, () -> ready(lines));
      OllamaLineParser parser = new OllamaLineParser();
      while (!parser.finished()) {
        String line = response.read(lines::readLine);
        if (line == null) {
          throw response.failed(
              new UpstreamException(
                  UpstreamException.Kind.INTERRUPTED,
                  name,
                  "backend '" + name + "' ended the stream before the answer was finished",
                  null));
        }
        if (line.isBlank()) {
          continue;
        }
        for (Delta delta : parser.parse(response.json(line, "a line"))) {
          response.firstToken();
          sink.accept(delta);
          if (delta instanceof Delta.Failure) {
            return;
          }
        }
      }
      response.drain();
    }
  }

  /** Whether another line has already arrived (read ahead, or received and not yet read). */
  private static boolean ready(BufferedReader lines) {
    try {
      return lines.ready();
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public Embeddings embed(String model, List<String> inputs, UpstreamMeta meta)
      throws UpstreamException {
    var body = BackendJson.embeddingRequest(model, inputs);
    JsonNode answer = http.postForJson("/api/embed", Json.bytes(body), meta);
    List<float[]> vectors = new ArrayList<>();
    for (JsonNode embedding : answer.path("embeddings")) {
      float[] vector = new float[embedding.size()];
      for (int i = 0; i < vector.length; i++) {
        vector[i] = (float) embedding.get(i).asDouble();
      }
      vectors.add(vector);
    }
    return new Embeddings(
        answer.path("model").asText(model), vectors, answer.path("prompt_eval_count").asLong(0));
  }

  /**
   * Whether {@code model} can take images: {@code vision} in the {@code capabilities} that {@code
   * POST /api/show} lists, remembered per model for a few minutes. When Ollama does not say (a
   * server too old to list capabilities, an error), the answer is yes and the backend judges the
   * request itself.
   */
  boolean supportsVision(String model) {
    long now = System.nanoTime();
    Vision known = visionByModel.get(model);
    if (known != null && now - known.checkedAtNanos() < CAPABILITIES_TTL_NANOS) {
      return known.capable();
    }
    Boolean capable = lookUpVision(model);
    if (capable == null) {
      return true;
    }
    visionByModel.put(model, new Vision(capable, now));
    return capable;
  }

  private Boolean lookUpVision(String model) {
    byte[] body = Json.bytes(Json.object().put("model", model));
    try (UpstreamResponse response = http.postJson("/api/show", body, new UpstreamMeta(null))) {
      if (!response.isSuccess()) {
        return null;
      }
      JsonNode capabilities = Json.MAPPER.readTree(response.readAll()).get("capabilities");
      if (capabilities == null || !capabilities.isArray()) {
        return null;
      }
      for (JsonNode capability : capabilities) {
        if ("vision".equals(capability.asText())) {
          return true;
        }
      }
      return false;
    } catch (UpstreamException | IOException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    http.close();
  }
}
