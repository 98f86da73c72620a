package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A thin java.net.http client for the simulator tests. */
final class SimTestClient {
  static final ObjectMapper MAPPER = new ObjectMapper();
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final String base;

  SimTestClient(Simulator sim) {
    this.base = sim.baseUrl();
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
  }

  HttpResponse<String> post(String path, String json) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build());
  }

  HttpResponse<byte[]> postBytes(String path, String json) {
    try {
      return http.send(
          request(path)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json))
              .build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> get(String path) {
    return send(request(path).GET().build());
  }

  HttpResponse<String> send(HttpRequest req) {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  JsonNode stats() {
    return json(get("/sim/stats").body());
  }

  static JsonNode json(String s) {
    try {
      return MAPPER.readTree(s);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + s, e);
    }
  }

  /** The payloads of the SSE {@code data:} frames, in order ({@code [DONE]} included). */
  static List<String> sseData(String body) {
    List<String> out = new ArrayList<>();
    for (String frame : body.split("\n\n")) {
      if (frame.startsWith("data: ")) {
        out.add(frame.substring(6));
      }
    }
    return out;
  }

  /** The chunks of a complete stream, [DONE] excluded, parsed. */
  static List<JsonNode> chunks(String body) {
    List<JsonNode> out = new ArrayList<>();
    for (String d : sseData(body)) {
      if (!d.equals("[DONE]")) {
        out.add(json(d));
      }
    }
    return out;
  }

  /** The concatenated content deltas of a stream. */
  static String streamedContent(String body) {
    StringBuilder sb = new StringBuilder();
    for (JsonNode c : chunks(body)) {
      JsonNode content = c.path("choices").path(0).path("delta").path("content");
      if (content.isTextual()) {
        sb.append(content.asText());
      }
    }
    return sb.toString();
  }

  static String chat(String userText, String extra) {
    return "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":"
        + quote(userText)
        + "}]"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  static String quote(String s) {
    try {
      return MAPPER.writeValueAsString(s);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
