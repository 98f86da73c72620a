package io.gantry.upstream.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.core.Json;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The relay's shortcut for token events: an event accepted because it matches the last checked
 * token event around its text is always one JSON object (never lets a malformed event through), and
 * ordinary tokens do match it (so the shortcut is taken).
 */
class TokenEventTemplateTest {
  private static final String BEFORE =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
          + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"";
  private static final String AFTER = "\"},\"logprobs\":null,\"finish_reason\":null}]}";

  private static TokenEventTemplate learned(String event) {
    byte[] bytes = event.getBytes(StandardCharsets.UTF_8);
    JsonObjectCheck check = JsonObjectCheck.check(bytes, 0, bytes.length);
    assertThat(check).as("the learned event is valid").isNotNull();
    TokenEventTemplate template = new TokenEventTemplate();
    template.learn(bytes, 0, bytes.length, check);
    return template;
  }

  private static boolean matches(TokenEventTemplate template, String event) {
    // Framed as the relay sees it: the data inside the event's raw bytes.
    byte[] raw = ("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8);
    return template.matches(raw, 6, raw.length - 2);
  }

  @Test
  void ordinaryTokensMatchAndOtherShapesDoNot() {
    TokenEventTemplate template = learned(BEFORE + "Hello" + AFTER);
    assertThat(matches(template, BEFORE + " world" + AFTER)).isTrue();
    assertThat(matches(template, BEFORE + "" + AFTER)).isTrue();
    assertThat(matches(template, BEFORE + "é \\\"q\\\" \\n \\u00e9" + AFTER)).isTrue();
    // What the shortcut must leave to the full check.
    assertThat(matches(template, BEFORE + "a\"b" + AFTER)).as("unescaped quote").isFalse();
    assertThat(matches(template, BEFORE + "a\\" + AFTER)).as("dangling escape").isFalse();
    assertThat(matches(template, BEFORE + "a\u0001" + AFTER)).as("control character").isFalse();
    assertThat(matches(template, BEFORE + "a\\x" + AFTER)).as("bad escape").isFalse();
    assertThat(matches(template, BEFORE + "x" + AFTER.replace("null}", "\"stop\"}")))
        .as("a finish reason")
        .isFalse();
    assertThat(matches(template, "{\"choices\":[{\"delta\":")).as("truncated").isFalse();
  }

  @Test
  void anEventWithoutTextLearnsNothing() {
    TokenEventTemplate template = learned("{\"choices\":[{\"index\":0,\"delta\":{}}]}");
    assertThat(matches(template, "{\"choices\":[{\"index\":0,\"delta\":{}}]}")).isFalse();
  }

  @Test
  void reasoningTokensHaveTheirOwnTemplate() {
    String before = "{\"choices\":[{\"delta\":{\"reasoning_content\":\"";
    TokenEventTemplate template = learned(before + "think" + "\"}}]}");
    assertThat(matches(template, before + "more" + "\"}}]}")).isTrue();
  }

  @Property(tries = 3000)
  void aMatchIsAlwaysOneJsonObject(@ForAll("texts") String text) {
    TokenEventTemplate template = learned(BEFORE + "seed" + AFTER);
    String event = BEFORE + text + AFTER;
    if (matches(template, event)) {
      assertThat(JsonObjectCheckTest.jackson(event)).as(event).isTrue();
    }
  }

  @Property(tries = 1000)
  void aMatchIsAlwaysOneJsonObjectWhateverWasChanged(@ForAll("mutatedEvents") String event) {
    TokenEventTemplate template = learned(BEFORE + "seed" + AFTER);
    if (matches(template, event)) {
      assertThat(JsonObjectCheckTest.jackson(event)).as(event).isTrue();
    }
  }

  @Property(tries = 1000)
  void anyProperlyEscapedTextMatches(@ForAll String text) throws Exception {
    TokenEventTemplate template = learned(BEFORE + "seed" + AFTER);
    String escaped = Json.MAPPER.writeValueAsString(text);
    String event = BEFORE + escaped.substring(1, escaped.length() - 1) + AFTER;
    assertThat(matches(template, event)).as(event).isTrue();
  }

  @Provide
  Arbitrary<String> texts() {
    return Arbitraries.of(
            "a", " ", "\"", "\\", "\\\"", "\\n", "\\u00e9", "\\u12g4", "\\x", "é", "\u0001", "\n",
            "}", "{", ",", ":")
        .list()
        .ofMaxSize(8)
        .map(parts -> String.join("", parts));
  }

  @Provide
  Arbitrary<String> mutatedEvents() {
    String event = BEFORE + "a\\\"b" + AFTER;
    return Arbitraries.integers()
        .between(0, event.length() - 1)
        .flatMap(at ->
            Arbitraries.of("", "{", "}", "\"", ",", ":", "x", "\\", "0", " ", "]")
                .map(ins -> event.substring(0, at) + ins + event.substring(at + 1)));
  }
}
