package io.gantry.govern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.config.LimitsConfig;
import io.gantry.core.Json;
import io.gantry.testing.GatewayFixture;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Output-token parameters are integers from 1 to the limit on every surface, compared exactly
 * whatever their size: no negative "unlimited", no wrap past 2^63, and with {@code
 * limits.max_output_tokens} set, no backend-native spelling that walks around it.
 */
class OutputTokenLimitsTest {
  private static final LimitsConfig LIMIT_100 = new LimitsConfig(null, null, null, null, null, 100);

  @RegisterExtension
  static final GatewayFixture limited =
      GatewayFixture.overSharedSimulators(c -> c.withLimits(LIMIT_100));

  @ParameterizedTest
  @ValueSource(
      strings = {"-1", "0", "-9223372036854775808", "18446744073709551617", "2147483648", "1.5"})
  void everySurfaceRefusesTokenCountsOutOfRange(String value) throws Exception {
    String url = TestStack.shared().gatewayUrl();
    for (String field : List.of("max_tokens", "max_completion_tokens")) {
      HttpResponse<byte[]> chat =
          RawHttp.post(
              url + "/v1/chat/completions",
              "{\"model\":\"gantry-sim\",\""
                  + field
                  + "\":"
                  + value
                  + ",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
      assertRefused(chat, field, "invalid_request");
    }
    for (String model : List.of(TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL)) {
      HttpResponse<byte[]> responses =
          RawHttp.post(
              url + "/v1/responses",
              "{\"model\":\"" + model + "\",\"max_output_tokens\":" + value + ",\"input\":\"x\"}");
      assertRefused(responses, "max_output_tokens", "invalid_request");
    }
  }

  @Test
  void theLimitCannotBeWalkedAroundByABackendsOwnSpelling() throws Exception {
    String chat = limited.url() + "/v1/chat/completions";
    String messages = ",\"messages\":[{\"role\":\"user\",\"content\":\"x sim:tokens=2\"}]}";
    assertRefused(
        RawHttp.post(chat, "{\"model\":\"gantry-sim\",\"max_tokens\":101" + messages),
        "max_tokens",
        "max_output_tokens_too_large");
    assertRefused(
        RawHttp.post(chat, "{\"model\":\"gantry-sim\",\"n_predict\":-1" + messages),
        "n_predict",
        "invalid_request");
    assertRefused(
        RawHttp.post(
            chat,
            "{\"model\":\""
                + TestStack.OLLAMA_MODEL
                + "\",\"options\":{\"num_predict\":-1}"
                + messages),
        "options.num_predict",
        "invalid_request");
    assertRefused(
        RawHttp.post(
            limited.url() + "/v1/responses",
            "{\"model\":\"gantry-sim\",\"max_output_tokens\":18446744073709551716,\"input\":\"x\"}"),
        "max_output_tokens",
        "max_output_tokens_too_large");
    // Within the limit, every spelling passes.
    assertThat(
            RawHttp.post(chat, "{\"model\":\"gantry-sim\",\"max_tokens\":100" + messages)
                .statusCode())
        .isEqualTo(200);
    assertThat(
            RawHttp.post(
                    chat,
                    "{\"model\":\""
                        + TestStack.OLLAMA_MODEL
                        + "\",\"options\":{\"num_predict\":50}"
                        + messages)
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void theCheckComparesExactly() throws Exception {
    assertThatThrownBy(() ->
            RequestLimits.outputTokens(Json.MAPPER.readTree("18446744073709551616"), "f", null))
        .isInstanceOf(GovernException.class)
        .hasMessageContaining("at most 2147483647");
    assertThatThrownBy(
            () -> RequestLimits.outputTokens(Json.MAPPER.readTree("9223372036854775808"), "f", 100))
        .isInstanceOf(GovernException.class)
        .hasMessageContaining("limits.max_output_tokens");
    RequestLimits.outputTokens(Json.MAPPER.readTree("100"), "f", 100);
    RequestLimits.outputTokens(Json.MAPPER.readTree("2147483647"), "f", null);
    RequestLimits.outputTokens(Json.MAPPER.readTree("null"), "f", 1);
  }

  private static void assertRefused(HttpResponse<byte[]> response, String param, String code)
      throws Exception {
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(400);
    var error = Json.MAPPER.readTree(response.body()).path("error");
    assertThat(error.path("param").asText()).isEqualTo(param);
    assertThat(error.path("code").asText()).isEqualTo(code);
  }
}
