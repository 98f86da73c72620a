package io.gantry.upstream.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gantry.core.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The relay's event check agrees with Jackson on what one JSON object is. */
class JsonObjectCheckTest {

  /** Jackson's answer: exactly one object, fully tokenized, nothing after it. */
  static boolean jackson(String text) {
    try (JsonParser parser = Json.MAPPER.getFactory().createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      Json.MAPPER.readTree(parser);
      return parser.nextToken() == null;
    } catch (Exception e) {
      return false;
    }
  }

  @Test
  void realChunksAndObviousCases() {
    String chunk =
        "{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
            + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"h\\u00e9 \\\"x\\\"\\n\"},"
            + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":{\"a\":-1.5e+3,\"b\":0.25}}";
    assertThat(JsonObjectCheck.isObject(chunk)).isTrue();
    assertThat(JsonObjectCheck.isObject(" {} ")).isTrue();
    assertThat(JsonObjectCheck.isObject("{\"a\":[1,[],{},\"x\",true,false,null]}")).isTrue();
    for (String bad :
        new String[] {
          "",
          "[]",
          "{",
          "{}}",
          "{} {}",
          "{\"a\"}",
          "{\"a\":}",
          "{\"a\":1,}",
          "{\"a\":01}",
          "{\"a\":1.}",
          "{\"a\":\"\\x\"}",
          "{\"a\":\"\u0001\"}",
          "{\"a\":tru}",
          "{'a':1}",
          "{\"a\":[1,]}",
          "{\"a\":\"\\u12g4\"}",
          "{\"a\":-}",
          "{a:1}",
          "{\"a\":1}x"
        }) {
      assertThat(JsonObjectCheck.isObject(bad)).as(bad).isFalse();
    }
  }

  @Test
  void deepNestingIsBoundedNotAStackOverflow() {
    String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertThat(JsonObjectCheck.isObject(deep)).isFalse();
    String fine = "{\"a\":" + "[".repeat(500) + "]".repeat(500) + "}";
    assertThat(JsonObjectCheck.isObject(fine)).isTrue();
  }

  @Property(tries = 3000)
  void agreesWithJackson(@ForAll("jsonish") String text) {
    assertThat(JsonObjectCheck.isObject(text)).as(text).isEqualTo(jackson(text));
  }

  @Property(tries = 1000)
  void agreesWithJacksonOnMutatedChunks(@ForAll("mutatedChunks") String text) {
    assertThat(JsonObjectCheck.isObject(text)).as(text).isEqualTo(jackson(text));
  }

  @Provide
  Arbitrary<String> jsonish() {
    return Arbitraries.oneOf(
            Arbitraries.of(
                "{",
                "}",
                "[",
                "]",
                ",",
                ":",
                "\"",
                "\"a\"",
                "\"\\u00e9\"",
                "\\",
                "1",
                "-0",
                "0.5",
                "1e5",
                "01",
                "true",
                "null",
                "fals",
                " ",
                "\n",
                "é",
                "\u0001",
                "\"k\":",
                "{}",
                "[]"))
        .list()
        .ofMaxSize(14)
        .map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> mutatedChunks() {
    String chunk =
        "{\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\\\"b\"},"
            + "\"finish_reason\":null}],\"n\":-12.5e-3}";
    return Arbitraries.integers()
        .between(0, chunk.length() - 1)
        .flatMap(at ->
            Arbitraries.of("", "{", "}", "\"", ",", ":", "x", "\\", "0", " ", "]")
                .map(ins -> chunk.substring(0, at) + ins + chunk.substring(at + 1)));
  }
}
