package io.gantry.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import org.junit.jupiter.api.Test;

/** The hand-written access-log JSON stays valid JSON whatever a field holds. */
class AccessLogLineTest {
  @Test
  void awkwardValuesStayValidJson() throws Exception {
    AccessLog.JsonLine line = new AccessLog.JsonLine();
    String awkward = "quote\" backslash\\ newline\n tab\t bell\u0007 unicode é漢 emoji 🙂";
    line.field("text", awkward);
    line.field("missing", null);
    line.number("count", 42L);
    line.number("none", null);
    line.millis("ms", 1_500_000L);
    line.millis("tiny", 100L);
    line.bool("flag", true);
    JsonNode json = Json.MAPPER.readTree(line.end());
    assertThat(json.get("text").asText()).isEqualTo(awkward);
    assertThat(json.get("missing").isNull()).isTrue();
    assertThat(json.get("count").asLong()).isEqualTo(42);
    assertThat(json.get("none").isNull()).isTrue();
    assertThat(json.get("ms").asDouble()).isEqualTo(1.5);
    assertThat(json.get("tiny").asDouble()).isEqualTo(0.0001);
    assertThat(json.get("flag").asBoolean()).isTrue();
  }
}
