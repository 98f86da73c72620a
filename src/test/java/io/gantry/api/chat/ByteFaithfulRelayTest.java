package io.gantry.api.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The chat fast path: what a client receives through Gantry is byte for byte what the
 * openai-dialect backend sent, ids and timestamps included (the simulator is deterministic, so two
 * identical requests give identical bytes).
 */
class ByteFaithfulRelayTest {
  private final TestStack stack = TestStack.shared();

  private void assertSameBytes(String body) {
    HttpResponse<byte[]> direct =
        RawHttp.post(stack.openaiSim.baseUrl() + "/v1/chat/completions", body);
    HttpResponse<byte[]> relayed = RawHttp.post(stack.gatewayUrl() + "/v1/chat/completions", body);
    assertThat(relayed.statusCode()).isEqualTo(direct.statusCode()).isEqualTo(200);
    assertThat(new String(relayed.body(), StandardCharsets.UTF_8))
        .isEqualTo(new String(direct.body(), StandardCharsets.UTF_8));
    assertThat(relayed.body()).isEqualTo(direct.body());
    assertThat(relayed.headers().firstValue("content-type"))
        .isEqualTo(direct.headers().firstValue("content-type"));
  }

  @Test
  void blockingBodyIsUnchanged() {
    assertSameBytes(
        "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"hello sim:tokens=7\"}],"
            + "\"unknown_field\":{\"kept\":[1,2.50,\"x\"]}}");
  }

  @Test
  void streamIsUnchangedEventForEvent() {
    assertSameBytes(
        "{\"model\":\"gantry-sim\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"hello sim:tokens=12 sim:reason=3\"}]}");
  }

  @Test
  void streamedToolCallsAreUnchanged() {
    assertSameBytes(
        "{\"model\":\"gantry-sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"sim:tools=2\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"parameters\":"
            + "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}},\"required\":[\"q\"]}}}]}");
  }
}
