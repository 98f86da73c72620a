package io.gantry.api.files;

import static io.gantry.api.files.FilesClient.json;
import static io.gantry.testing.ResponsesClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.gantry.Gantry;
import io.gantry.config.FilesConfig;
import io.gantry.contract.OpenApiContract;
import io.gantry.core.Json;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code input_file} and {@code input_image} on the Responses API, on both backend dialects. The
 * simulator's {@code sim:history} reply lists every message it received, so it shows exactly what
 * Gantry made of a file ({@code [file: name]} and its text) or an image ({@code [image]}).
 */
class FileInputsTest {
  private static final String NON_VISION = "textonly-novision:latest";

  private final TestStack stack = TestStack.shared();
  private final ResponsesClient responses = new ResponsesClient(stack.gatewayUrl());
  private final FilesClient files = new FilesClient(stack.gatewayUrl());

  // A gateway of its own: an openai backend behind a recording proxy (to see the wire shape), an
  // Ollama with a text-only model, small input limits and one allowed image host.
  private static Simulator openaiSim;
  private static Simulator ollamaSim;
  private static RecordingProxy proxy;
  private static HttpServer images;
  private static Gantry gantry;
  private static int closedPort;

  @BeforeAll
  static void startOwnGateway() throws IOException {
    openaiSim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    ollamaSim =
        Simulator.start(
            SimulatorOptions.defaults(SimDialect.OLLAMA)
                .withModels(List.of(TestStack.OLLAMA_MODEL, NON_VISION)));
    proxy = new RecordingProxy(openaiSim.baseUrl());
    images = imageServer();
    closedPort = freePort();
    gantry =
        TestStack.startGantry(
            TestStack.config(
                    List.of(
                        TestStack.backend("recorded-openai", "openai", proxy.url() + "/v1"),
                        TestStack.backend("sim-ollama", "ollama", ollamaSim.baseUrl())),
                    Map.of())
                .withFiles(
                    new FilesConfig(
                        null,
                        2048L,
                        List.of(
                            "127.0.0.1:" + images.getAddress().getPort(),
                            "127.0.0.1:" + closedPort))));
  }

  @AfterAll
  static void stopOwnGateway() {
    gantry.close();
    images.stop(0);
    proxy.close();
    openaiSim.close();
    ollamaSim.close();
  }

  /** One user message: the given parts, then a text part asking for the history. */
  private static ObjectNode request(String model, ObjectNode... parts) {
    ObjectNode body = Json.object().put("model", model);
    ObjectNode message = body.putArray("input").addObject();
    message.put("type", "message").put("role", "user");
    ArrayNode content = message.putArray("content");
    for (ObjectNode part : parts) {
      content.add(part);
    }
    content.addObject().put("type", "input_text").put("text", "What do you see? sim:history");
    return body;
  }

  private static ObjectNode fileById(String id) {
    return Json.object().put("type", "input_file").put("file_id", id);
  }

  private static ObjectNode imageUrl(String url) {
    return Json.object().put("type", "input_image").put("image_url", url);
  }

  private static JsonNode error(HttpResponse<byte[]> response) {
    return json(response).path("error");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void uploadedTextFileReachesTheBackendAsText(String model) throws Exception {
    String id =
        files
            .uploaded(
                "notes.txt", "text/plain", "The launch code is 7-4-1.\n".getBytes(), "user_data")
            .get("id")
            .asText();
    String history = text(responses.create(request(model, fileById(id))));
    assertThat(history)
        .startsWith("user: [file: notes.txt]\nThe launch code is 7-4-1.\n\nWhat do you see?");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void uploadedPdfReachesTheBackendAsItsText(String model) throws Exception {
    byte[] pdf = FilesClient.pdf("Quarterly report", "Revenue grew 42 percent");
    String id =
        files.uploaded("report.pdf", "application/pdf", pdf, "user_data").get("id").asText();
    ObjectNode body = request(model, fileById(id));
    JsonNode response = responses.create(body);
    assertThat(text(response))
        .startsWith("user: [file: report.pdf]\nQuarterly report")
        .contains("Revenue grew 42 percent");
    // The stored input keeps the reference, not the text.
    String items = RawHttp.text(responses.get("/" + response.get("id").asText() + "/input_items"));
    assertThat(items).contains(id).doesNotContain("Revenue");
    OpenApiContract.assertValid("ResponseItemList", Json.MAPPER.readTree(items));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void inlineFileDataAsBase64OrDataUrl(String model) throws Exception {
    String csv = "city,temp\nParis,21\n";
    String base64 = Base64.getEncoder().encodeToString(csv.getBytes(StandardCharsets.UTF_8));
    ObjectNode plain =
        Json.object()
            .put("type", "input_file")
            .put("filename", "temps.csv")
            .put("file_data", base64);
    ObjectNode dataUrl =
        Json.object()
            .put("type", "input_file")
            .put("filename", "report.pdf")
            .put(
                "file_data",
                "data:application/pdf;base64,"
                    + Base64.getEncoder().encodeToString(FilesClient.pdf("Inline PDF text")));
    String history = text(responses.create(request(model, plain, dataUrl)));
    assertThat(history)
        .startsWith(
            "user: [file: temps.csv]\ncity,temp\nParis,21\n\n[file: report.pdf]\nInline PDF text");
  }

  @Test
  void unsupportedOrMissingFilesAreRefusedNamingTheParameter() throws Exception {
    String zip =
        files
            .uploaded("archive.zip", "application/zip", new byte[] {'P', 'K', 3, 4}, "user_data")
            .get("id")
            .asText();
    var unsupported = responses.raw(request(TestStack.OPENAI_MODEL, fileById(zip)));
    assertThat(unsupported.statusCode()).isEqualTo(400);
    assertThat(error(unsupported).get("param").asText()).isEqualTo("input[0].content[0].file_id");
    assertThat(error(unsupported).get("message").asText())
        .contains("application/zip", "archive.zip");

    var missing = responses.raw(request(TestStack.OLLAMA_MODEL, fileById("file-nope")));
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(error(missing).get("code").asText()).isEqualTo("file_not_found");

    ObjectNode noName = Json.object().put("type", "input_file").put("file_data", "aGVsbG8=");
    var unnamed = responses.raw(request(TestStack.OPENAI_MODEL, noName));
    assertThat(unnamed.statusCode()).isEqualTo(400);
    assertThat(error(unnamed).get("param").asText()).isEqualTo("input[0].content[0].filename");

    ObjectNode binary =
        Json.object()
            .put("type", "input_file")
            .put("filename", "x.txt")
            .put("file_data", Base64.getEncoder().encodeToString(new byte[] {(byte) 0xff, 0}));
    var notUtf8 = responses.raw(request(TestStack.OPENAI_MODEL, binary));
    assertThat(notUtf8.statusCode()).isEqualTo(400);
    assertThat(error(notUtf8).get("message").asText()).contains("UTF-8");

    ObjectNode remote =
        Json.object().put("type", "input_file").put("file_url", "https://example.com/a.pdf");
    var byUrl = responses.raw(request(TestStack.OPENAI_MODEL, remote));
    assertThat(byUrl.statusCode()).isEqualTo(400);
    assertThat(error(byUrl).get("param").asText()).isEqualTo("input[0].content[0].file_url");
  }

  @Test
  void inputFilesOverTheLimitGetA400() throws Exception {
    FilesClient own = new FilesClient(gantry.baseUrl());
    ResponsesClient ownResponses = new ResponsesClient(gantry.baseUrl());
    String big =
        own.uploaded("big.txt", "text/plain", new byte[4096], "user_data").get("id").asText();
    var tooBig = ownResponses.raw(request(TestStack.OPENAI_MODEL, fileById(big)));
    assertThat(tooBig.statusCode()).isEqualTo(400);
    assertThat(error(tooBig).get("message").asText())
        .contains("4096", "2048", "files.max_input_file_bytes");

    ObjectNode inline =
        Json.object()
            .put("type", "input_file")
            .put("filename", "big.md")
            .put("file_data", Base64.getEncoder().encodeToString(new byte[3000]));
    var inlineTooBig = ownResponses.raw(request(TestStack.OLLAMA_MODEL, inline));
    assertThat(inlineTooBig.statusCode()).isEqualTo(400);
    assertThat(error(inlineTooBig).get("param").asText())
        .isEqualTo("input[0].content[0].file_data");
  }

  @Test
  void imageDataUrlReachesOllamaAsImages() throws Exception {
    String history =
        text(
            responses.create(
                request(
                    TestStack.OLLAMA_MODEL,
                    imageUrl(FilesClient.pngDataUrl()),
                    imageUrl(FilesClient.pngDataUrl()))));
    assertThat(history).isEqualTo("user: What do you see? sim:history [image] [image]");
  }

  @Test
  void uploadedImageReachesOllamaByFileId() throws Exception {
    String id =
        files.uploaded("dot.png", "image/png", FilesClient.png(), "vision").get("id").asText();
    ObjectNode image = Json.object().put("type", "input_image").put("file_id", id);
    String history = text(responses.create(request(TestStack.OLLAMA_MODEL, image)));
    assertThat(history).isEqualTo("user: What do you see? sim:history [image]");

    // Stored as sent, with the documented default detail.
    var notAnImage =
        responses.raw(
            request(
                TestStack.OLLAMA_MODEL,
                Json.object()
                    .put("type", "input_image")
                    .put(
                        "file_id",
                        files
                            .uploaded("a.txt", "text/plain", "x".getBytes(), "user_data")
                            .get("id")
                            .asText())));
    assertThat(notAnImage.statusCode()).isEqualTo(400);
    assertThat(error(notAnImage).get("param").asText()).isEqualTo("input[0].content[0].file_id");
  }

  @Test
  void imagesReachTheOpenAiDialectAsImageUrlParts() throws Exception {
    FilesClient own = new FilesClient(gantry.baseUrl());
    ResponsesClient ownResponses = new ResponsesClient(gantry.baseUrl());
    String id =
        own.uploaded("dot.png", "image/png", FilesClient.png(), "vision").get("id").asText();
    String dataUrl = FilesClient.pngDataUrl();
    ObjectNode byFile =
        Json.object().put("type", "input_image").put("file_id", id).put("detail", "low");
    proxy.chatBodies.clear();
    String history =
        text(ownResponses.create(request(TestStack.OPENAI_MODEL, imageUrl(dataUrl), byFile)));
    assertThat(history).isEqualTo("user: [image] [image] What do you see? sim:history");

    JsonNode content = proxy.chatBodies.getLast().get("messages").get(0).get("content");
    assertThat(content.get(0).get("type").asText()).isEqualTo("image_url");
    assertThat(content.get(0).get("image_url").get("url").asText()).isEqualTo(dataUrl);
    assertThat(content.get(1).get("type").asText()).isEqualTo("image_url");
    assertThat(content.get(1).get("image_url").get("url").asText())
        .isEqualTo(dataUrl); // the same PNG, uploaded, comes back as a data URL
    assertThat(content.get(1).get("image_url").get("detail").asText()).isEqualTo("low");
    assertThat(content.get(2).get("type").asText()).isEqualTo("text");
  }

  @Test
  void remoteImageUrlsAreNotFetchedByDefault() {
    var refused =
        responses.raw(request(TestStack.OPENAI_MODEL, imageUrl("https://example.com/cat.png")));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(error(refused).get("param").asText()).isEqualTo("input[0].content[0].image_url");
    assertThat(error(refused).get("message").asText())
        .contains("example.com", "files.image_url_allowed_hosts", "data URL");

    var notAUrl = responses.raw(request(TestStack.OPENAI_MODEL, imageUrl("file:///etc/passwd")));
    assertThat(notAUrl.statusCode()).isEqualTo(400);
    assertThat(error(notAUrl).get("param").asText()).isEqualTo("input[0].content[0].image_url");
  }

  @Test
  void imagesOnAnAllowedHostAreFetchedAndSentAsDataUrls() throws Exception {
    ResponsesClient ownResponses = new ResponsesClient(gantry.baseUrl());
    String base = "http://127.0.0.1:" + images.getAddress().getPort();
    String history =
        text(ownResponses.create(request(TestStack.OLLAMA_MODEL, imageUrl(base + "/cat.png"))));
    assertThat(history).isEqualTo("user: What do you see? sim:history [image]");

    proxy.chatBodies.clear();
    ownResponses.create(request(TestStack.OPENAI_MODEL, imageUrl(base + "/redirect-same")));
    assertThat(proxy.chatBodies.getLast().at("/messages/0/content/0/image_url/url").asText())
        .isEqualTo(FilesClient.pngDataUrl());

    for (String path : List.of("/redirect-away", "/missing", "/not-an-image")) {
      var failed = ownResponses.raw(request(TestStack.OPENAI_MODEL, imageUrl(base + path)));
      assertThat(failed.statusCode()).as(path).isEqualTo(400);
      assertThat(error(failed).get("param").asText()).isEqualTo("input[0].content[0].image_url");
      assertThat(error(failed).get("message").asText()).startsWith("Could not fetch the image");
    }
  }

  @Test
  void theAllowListMatchesHostAndPort() {
    ResponsesClient ownResponses = new ResponsesClient(gantry.baseUrl());
    // 127.0.0.1 is allowed on the image server's port and one more, not on any other port.
    int otherPort = images.getAddress().getPort() == 9 ? 10 : 9;
    var refused =
        ownResponses.raw(
            request(TestStack.OPENAI_MODEL, imageUrl("http://127.0.0.1:" + otherPort + "/x.png")));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(error(refused).get("message").asText())
        .contains("127.0.0.1:" + otherPort, "files.image_url_allowed_hosts");
  }

  @Test
  void everyFetchFailureHasTheSameTextSoPortsCannotBeProbed() {
    ResponsesClient ownResponses = new ResponsesClient(gantry.baseUrl());
    String open = "http://127.0.0.1:" + images.getAddress().getPort();
    String closed = "http://127.0.0.1:" + closedPort;
    java.util.Set<String> texts = new java.util.HashSet<>();
    for (String url :
        List.of(closed + "/cat.png", open + "/missing", open + "/not-an-image", open + "/big")) {
      var failed = ownResponses.raw(request(TestStack.OPENAI_MODEL, imageUrl(url)));
      assertThat(failed.statusCode()).as(url).isEqualTo(400);
      texts.add(error(failed).get("message").asText().replace(url, "<url>"));
    }
    assertThat(texts)
        .as("one text for a closed port, a 404, a non-image, a too large image")
        .hasSize(1);
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void aModelWithoutVisionGetsA400() throws Exception {
    ResponsesClient ownResponses = new ResponsesClient(gantry.baseUrl());
    var refused = ownResponses.raw(request(NON_VISION, imageUrl(FilesClient.pngDataUrl())));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(error(refused).get("code").asText()).isEqualTo("model_not_vision_capable");
    assertThat(error(refused).get("message").asText()).contains(NON_VISION, "vision");
    // Text and files still work on it.
    assertThat(text(ownResponses.create(request(NON_VISION))))
        .isEqualTo("user: What do you see? sim:history");
  }

  @Test
  void chatCompletionsImagesReachOllamaAndNonVisionModelsAreRefused() throws Exception {
    String image = FilesClient.pngDataUrl();
    String body =
        "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
            + "\"image_url\":{\"url\":\""
            + image
            + "\"}},{\"type\":\"text\",\"text\":\"sim:history\"}]}]}";
    var seen =
        io.gantry.testing.RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions", String.format(body, TestStack.OLLAMA_MODEL));
    assertThat(seen.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(seen.body()).at("/choices/0/message/content").asText())
        .contains("[image]");
    var refused =
        io.gantry.testing.RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions", String.format(body, NON_VISION));
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(error(refused).get("code").asText()).isEqualTo("model_not_vision_capable");
  }

  @Test
  void inputTokensCountFileText() throws Exception {
    String id =
        files
            .uploaded("long.md", "text/markdown", "word ".repeat(400).getBytes(), "user_data")
            .get("id")
            .asText();
    long without = inputTokens(request(TestStack.OPENAI_MODEL));
    long with = inputTokens(request(TestStack.OPENAI_MODEL, fileById(id)));
    assertThat(with - without).isGreaterThan(400);
  }

  private long inputTokens(ObjectNode body) throws IOException {
    var response =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses/input_tokens", Json.bytes(body));
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    return Json.MAPPER.readTree(response.body()).get("input_tokens").asLong();
  }

  private static HttpServer imageServer() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    int port = server.getAddress().getPort();
    server.createContext(
        "/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          switch (path) {
            case "/cat.png" -> {
              byte[] png = FilesClient.png();
              exchange.getResponseHeaders().set("Content-Type", "image/png");
              exchange.sendResponseHeaders(200, png.length);
              exchange.getResponseBody().write(png);
            }
            case "/redirect-same" -> {
              exchange.getResponseHeaders().set("Location", "/cat.png");
              exchange.sendResponseHeaders(302, -1);
            }
            case "/redirect-away" -> {
              // Another host name, even if it resolves to the same machine.
              exchange
                  .getResponseHeaders()
                  .set("Location", "http://localhost:" + port + "/cat.png");
              exchange.sendResponseHeaders(302, -1);
            }
            case "/big" -> {
              byte[] big = java.util.Arrays.copyOf(FilesClient.png(), 4096); // over 2048
              exchange.getResponseHeaders().set("Content-Type", "image/png");
              exchange.sendResponseHeaders(200, big.length);
              exchange.getResponseBody().write(big);
            }
            case "/not-an-image" -> {
              byte[] html = "<html>hi</html>".getBytes(StandardCharsets.UTF_8);
              exchange.getResponseHeaders().set("Content-Type", "text/html");
              exchange.sendResponseHeaders(200, html.length);
              exchange.getResponseBody().write(html);
            }
            default -> exchange.sendResponseHeaders(404, -1);
          }
          exchange.close();
        });
    server.start();
    return server;
  }

  /** Forwards everything to a backend and keeps the chat request bodies it saw. */
  static final class RecordingProxy implements AutoCloseable {
    final List<JsonNode> chatBodies = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final HttpClient client = HttpClient.newHttpClient();

    RecordingProxy(String target) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.createContext(
          "/",
          exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
              chatBodies.add(Json.MAPPER.readTree(body));
            }
            HttpRequest.Builder forward =
                HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .method(
                        exchange.getRequestMethod(),
                        body.length == 0
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            if (type != null) {
              forward.header("Content-Type", type);
            }
            try {
              HttpResponse<InputStream> answer =
                  client.send(forward.build(), HttpResponse.BodyHandlers.ofInputStream());
              answer
                  .headers()
                  .firstValue("content-type")
                  .ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
              exchange.sendResponseHeaders(answer.statusCode(), 0);
              try (InputStream in = answer.body();
                  OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              exchange.close();
            }
          });
      server.start();
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
