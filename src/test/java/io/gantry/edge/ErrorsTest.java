package io.gantry.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.TimeoutsConfig;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every bad input and every backend failure gets an OpenAI-shaped error and a request id. */
class ErrorsTest {
  private final TestStack stack = TestStack.shared();

  private String chatUrl() {
    return stack.gatewayUrl() + "/v1/chat/completions";
  }

  static JsonNode assertError(HttpResponse<byte[]> response, int status, String param, String code)
      throws Exception {
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(status);
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    JsonNode error = Json.MAPPER.readTree(response.body()).get("error");
    assertThat(error).as(RawHttp.text(response)).isNotNull();
    assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code"))
        .isTrue();
    assertThat(error.get("message").asText())
        .isNotBlank()
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    if (param != null) {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
    if (code != null) {
      assertThat(error.get("code").asText()).isEqualTo(code);
    }
    return error;
  }

  @Test
  void malformedJson() throws Exception {
    assertError(
        RawHttp.post(chatUrl(), "{\"model\": \"gantry-sim\", "), 400, null, "invalid_request");
  }

  @Test
  void bodyThatIsNotAnObject() throws Exception {
    assertError(RawHttp.post(chatUrl(), "[1,2]"), 400, null, null);
  }

  @Test
  void missingModel() throws Exception {
    assertError(
        RawHttp.post(chatUrl(), "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        400,
        "model",
        null);
  }

  @Test
  void missingMessages() throws Exception {
    assertError(RawHttp.post(chatUrl(), "{\"model\":\"gantry-sim\"}"), 400, "messages", null);
  }

  @Test
  void wrongTypes() throws Exception {
    assertError(RawHttp.post(chatUrl(), "{\"model\":42,\"messages\":[]}"), 400, "model", null);
    assertError(
        RawHttp.post(chatUrl(), "{\"model\":\"gantry-sim\",\"messages\":\"hi\"}"),
        400,
        "messages",
        null);
    assertError(
        RawHttp.post(
            chatUrl(),
            "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":\"five\"}"),
        400,
        "max_tokens",
        null);
    assertError(
        RawHttp.post(
            chatUrl(),
            "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"),
        400,
        "messages[0].role",
        null);
  }

  @Test
  void unknownModelListsAvailableOnes() throws Exception {
    JsonNode error =
        assertError(
            RawHttp.post(
                chatUrl(),
                "{\"model\":\"gpt-99\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
            404,
            "model",
            "model_not_found");
    assertThat(error.get("message").asText()).contains("gpt-99").contains(TestStack.OPENAI_MODEL);
  }

  @Test
  void requestIdIsEchoedOrMadeAndSentUpstream() {
    HttpResponse<byte[]> echoed =
        RawHttp.post(
            chatUrl(),
            "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "x-request-id",
            "trace-abc-123");
    assertThat(echoed.headers().firstValue("x-request-id")).hasValue("trace-abc-123");
    HttpResponse<byte[]> made = RawHttp.get(stack.gatewayUrl() + "/v1/models");
    assertThat(made.headers().firstValue("x-request-id"))
        .hasValueSatisfying(id -> assertThat(id).startsWith("req_"));
  }

  @Test
  void unknownPathIsAnOpenAiError() throws Exception {
    assertError(RawHttp.get(stack.gatewayUrl() + "/v1/nothing-here"), 404, null, "unknown_url");
  }

  @Test
  void backendErrorIsPassedThroughWithItsStatus() throws Exception {
    for (String model : List.of(TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL)) {
      JsonNode error =
          assertError(
              RawHttp.post(
                  chatUrl(),
                  "{\"model\":\""
                      + model
                      + "\",\"messages\":[{\"role\":\"user\",\"content\":\"sim:fail=500\"}]}"),
              500,
              null,
              null);
      assertThat(error.get("type").asText()).isNotBlank();
    }
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    Gantry small =
        Gantry.start(
            stack
                .openaiSimConfig()
                .withServer(new io.gantry.config.ServerConfig("127.0.0.1", 0, 1024L, 1)));
    try {
      String big =
          "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\""
              + "x".repeat(4096)
              + "\"}]}";
      assertError(
          RawHttp.post(small.baseUrl() + "/v1/chat/completions", big),
          413,
          null,
          "request_too_large");
      HttpResponse<byte[]> fits =
          RawHttp.post(
              small.baseUrl() + "/v1/chat/completions",
              "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
      assertThat(fits.statusCode()).isEqualTo(200);
    } finally {
      small.close();
    }
  }

  @Test
  void unreachableBackendIs503NamingIt() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Gantry gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    TestStack.backend(
                        "gpu-box",
                        "openai",
                        "http://127.0.0.1:" + closedPort + "/v1",
                        List.of("big-model"),
                        null)),
                Map.of()));
    try {
      JsonNode error =
          assertError(
              RawHttp.post(
                  gantry.baseUrl() + "/v1/chat/completions",
                  "{\"model\":\"big-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
              503,
              null,
              "backend_unavailable");
      assertThat(error.get("message").asText()).contains("gpu-box");
    } finally {
      gantry.close();
    }
  }

  @Test
  void slowFirstByteTimesOutWith504() throws Exception {
    Gantry gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    TestStack.backend(
                        "slow",
                        "openai",
                        stack.openaiSim.baseUrl() + "/v1",
                        List.of(),
                        new TimeoutsConfig(1000L, 300L, 300L, 0L))),
                Map.of()));
    try {
      long start = System.nanoTime();
      assertError(
          RawHttp.post(
              gantry.baseUrl() + "/v1/chat/completions",
              "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"sim:fail=slow-first:3000\"}]}"),
          504,
          null,
          "upstream_first_token_timeout");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2500);
    } finally {
      gantry.close();
    }
  }

  @Test
  void headersOverTheLimitGetAnOpenAiError() {
    io.gantry.testing.RawSocket.Reply reply =
        io.gantry.testing.RawSocket.send(
            stack.gatewayUrl(), "GET", "/v1/models", null, "X-Big", "a".repeat(20_000));
    assertThat(reply.status()).isEqualTo(431);
    assertThat(reply.header("x-request-id")).isNotBlank();
    assertThat(reply.json().at("/error/code").asText())
        .isEqualTo("request_header_fields_too_large");
  }

  @Test
  void aUrlOverTheLimitGetsAnOpenAiErrorNotAClosedConnection() {
    for (int length : new int[] {9_000, 20_000}) {
      io.gantry.testing.RawSocket.Reply reply =
          io.gantry.testing.RawSocket.send(
              stack.gatewayUrl(), "GET", "/v1/models?x=" + "a".repeat(length), null);
      assertThat(reply.status()).as("%d characters", length).isEqualTo(414);
      assertThat(reply.header("x-request-id")).isNotBlank();
      assertThat(reply.json().at("/error/code").asText()).isEqualTo("uri_too_long");
    }
  }

  @Test
  void aBodyThatIsNotDeclaredAsJsonIsA415() throws Exception {
    String body = "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    for (String type : java.util.List.of("text/plain", "application/x-www-form-urlencoded")) {
      HttpResponse<byte[]> response =
          RawHttp.post(chatUrl(), body.getBytes(), "Content-Type", type);
      assertError(response, 415, null, "unsupported_media_type");
    }
    assertThat(
            RawHttp.post(
                    chatUrl(), body.getBytes(), "Content-Type", "application/json; charset=utf-8")
                .statusCode())
        .isEqualTo(200);
  }
}
