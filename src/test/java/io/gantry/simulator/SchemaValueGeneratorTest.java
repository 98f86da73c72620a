package io.gantry.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class SchemaValueGeneratorTest {
  static final JsonNode SCHEMA =
      SimTestClient.json(
          """
          {"type":"object",
           "properties":{
             "name":{"type":"string","minLength":3,"maxLength":8},
             "count":{"type":"integer","minimum":10,"maximum":12},
             "ratio":{"type":"number","minimum":0,"maximum":1},
             "ok":{"type":"boolean"},
             "mode":{"type":"string","enum":["fast","slow"]},
             "tags":{"type":"array","items":{"type":"string"},"minItems":2},
             "address":{"$ref":"#/$defs/Address"},
             "maybe":{"type":["null","integer"]}
           },
           "required":["name","count","address"],
           "$defs":{"Address":{"type":"object","properties":{"city":{"type":"string"}},
                               "required":["city"]}}}
          """);

  @Test
  void validValuesSatisfyTheSchema() {
    for (long seed = 0; seed < 20; seed++) {
      JsonNode v = SchemaValueGenerator.valid(SCHEMA, new Prng(seed));
      assertThat(v.path("name").asText().length()).isBetween(3, 8);
      assertThat(v.path("count").isIntegralNumber()).isTrue();
      assertThat(v.path("count").asInt()).isBetween(10, 12);
      assertThat(v.path("ratio").asDouble()).isBetween(0.0, 1.0);
      assertThat(v.path("ok").isBoolean()).isTrue();
      assertThat(v.path("mode").asText()).isEqualTo("fast");
      assertThat(v.path("tags").size()).isGreaterThanOrEqualTo(2);
      assertThat(v.path("address").path("city").isTextual()).isTrue();
      assertThat(v.path("maybe").isIntegralNumber()).isTrue();
    }
  }

  @Test
  void invalidValuesBreakRequiredAndEnum() {
    JsonNode v = SchemaValueGenerator.invalid(SCHEMA, new Prng(1));
    assertThat(v.has("name")).isFalse();
    assertThat(v.path("mode").asText()).isNotIn("fast", "slow");
    assertThat(v.has("count")).isTrue();
  }

  @Test
  void sameSeedSameValue() {
    assertThat(SchemaValueGenerator.valid(SCHEMA, new Prng(3)))
        .isEqualTo(SchemaValueGenerator.valid(SCHEMA, new Prng(3)));
  }
}
