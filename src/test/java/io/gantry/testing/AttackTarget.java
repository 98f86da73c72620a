package io.gantry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.AdminConfig;
import io.gantry.config.GantryConfig;
import io.gantry.core.Json;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.imageio.ImageIO;

/**
 * A gateway set up the way an attacker would meet it: bound beyond loopback (0.0.0.0), with the
 * admin API on, three API keys (tenant A, tenant B, and a key of A's tenant that may not use the
 * simulator's model) and stored objects of tenant A to aim at: a response, a background response, a
 * conversation with an item, a text file holding a secret and an image file.
 */
public final class AttackTarget implements AutoCloseable {
  public static final String ADMIN = "admin-token-of-the-attack-suite-0123456789";
  public static final String MODEL = TestStack.OPENAI_MODEL;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public final Simulator sim;
  public final Gantry gantry;

  /** {@code http://127.0.0.1:port} of the gateway (bound to every interface). */
  public final String base;

  public final String keyA;
  public final String keyAId;
  public final String keyB;
  public final String keyWithoutModel;
  public final String responseA;
  public final String backgroundA;
  public final String conversationA;
  public final String itemA;
  public final String fileA;
  public final String imageA;

  /** A text only tenant A's file holds: it must never reach anyone else. */
  public final String secret = "SECRET-OF-TENANT-A-" + UUID.randomUUID();

  private AttackTarget(UnaryOperator<GantryConfig> tweak) {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    GantryConfig config =
        TestStack.config(
                List.of(TestStack.backend("sim", "openai", sim.baseUrl() + "/v1")), Map.of())
            .withAdmin(new AdminConfig(ADMIN));
    config = config.withServer(config.server().withHost("0.0.0.0").withAllowUnauthenticated(true));
    gantry = Gantry.start(tweak.apply(config));
    base = "http://127.0.0.1:" + gantry.port();

    JsonNode a = createKey("{\"name\":\"tenant-a\",\"tenant\":\"team-a\"}");
    keyA = a.path("key").asText();
    keyAId = a.path("id").asText();
    keyB = createKey("{\"name\":\"tenant-b\",\"tenant\":\"team-b\"}").path("key").asText();
    keyWithoutModel =
        createKey("{\"name\":\"no-model\",\"tenant\":\"team-a\",\"allowed_models\":[\"other-*\"]}")
            .path("key")
            .asText();

    responseA =
        json(post(
                "/v1/responses",
                keyA,
                "{\"model\":\"" + MODEL + "\",\"input\":\"hello sim:tokens=3\"}"))
            .path("id")
            .asText();
    backgroundA =
        json(post(
                "/v1/responses",
                keyA,
                "{\"model\":\"" + MODEL + "\",\"input\":\"bg sim:tokens=3\",\"background\":true}"))
            .path("id")
            .asText();
    JsonNode conversation =
        json(
            post(
                "/v1/conversations",
                keyA,
                "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"note\"}]}"));
    conversationA = conversation.path("id").asText();
    itemA =
        json(get("/v1/conversations/" + conversationA + "/items", keyA))
            .path("data")
            .path(0)
            .path("id")
            .asText();
    fileA = upload(keyA, "secret.txt", "text/plain", secret.getBytes(StandardCharsets.UTF_8));
    imageA = upload(keyA, "pixel.png", "image/png", png());
  }

  public static AttackTarget start() {
    return new AttackTarget(UnaryOperator.identity());
  }

  /** With other settings (bounds made small enough for a test to reach). */
  public static AttackTarget start(UnaryOperator<GantryConfig> tweak) {
    return new AttackTarget(tweak);
  }

  public JsonNode createKey(String body) {
    HttpResponse<String> r = send("POST", "/admin/keys", "Bearer " + ADMIN, body);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("cannot create a key: " + r.body());
    }
    return json(r);
  }

  public HttpResponse<String> get(String path, String key) {
    return send("GET", path, key == null ? null : "Bearer " + key, null);
  }

  public HttpResponse<String> post(String path, String key, String body) {
    return send("POST", path, key == null ? null : "Bearer " + key, body);
  }

  public HttpResponse<String> send(String method, String path, String authorization, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Uploads a file as {@code key}; its id. */
  public String upload(String key, String filename, String contentType, byte[] content) {
    String boundary = "----attack-suite-" + UUID.randomUUID();
    ByteArrayOutputStream form = new ByteArrayOutputStream();
    form.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                + filename
                + "\"\r\nContent-Type: "
                + contentType
                + "\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    form.writeBytes(content);
    form.writeBytes(
        ("\r\n--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nuser_data\r\n--"
                + boundary
                + "--\r\n")
            .getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + "/v1/files"))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(HttpRequest.BodyPublishers.ofByteArray(form.toByteArray()))
            .build();
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("upload failed: " + r.statusCode() + " " + r.body());
      }
      return json(r).path("id").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(
          "not JSON (" + response.statusCode() + "): " + response.body(), e);
    }
  }

  /** A 2 x 2 PNG. */
  public static byte[] png() {
    try {
      BufferedImage image = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    gantry.close();
    sim.close();
  }
}
