package io.gantry.upstream.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Delta;
import io.gantry.core.FinishReason;
import io.gantry.core.Json;
import io.gantry.testing.Transcripts;
import io.gantry.upstream.SseEvent;
import io.gantry.upstream.SseEventReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The tap parser against what a real llama.cpp server sent. */
class ChatChunkParserTest {

  private static List<Delta> parseStream(String transcript) throws Exception {
    SseEventReader reader =
        new SseEventReader(new ByteArrayInputStream(Transcripts.body(transcript)));
    ChatChunkParser parser = new ChatChunkParser();
    List<Delta> out = new ArrayList<>();
    for (SseEvent e = reader.next(); e != null; e = reader.next()) {
      if (e.data() != null && !e.isDone()) {
        out.addAll(parser.parseChunk(Json.MAPPER.readTree(e.data())));
      }
    }
    return out;
  }

  @Test
  void plainStreamGivesTextFinishAndUsage() throws Exception {
    List<Delta> deltas = parseStream("b2_chat_stream");
    String text =
        deltas.stream()
            .filter(d -> d instanceof Delta.Text)
            .map(d -> ((Delta.Text) d).text())
            .reduce("", String::concat);
    assertThat(text).isNotEmpty();
    assertThat(deltas).contains(new Delta.Finish(FinishReason.STOP));
    Delta.UsageReport usage =
        (Delta.UsageReport)
            deltas.stream().filter(d -> d instanceof Delta.UsageReport).findFirst().orElseThrow();
    assertThat(usage.usage().outputTokens()).isEqualTo(6);
    assertThat(usage.usage().inputTokens()).isEqualTo(28);
    assertThat(usage.usage().cachedTokens()).isEqualTo(27);
  }

  @Test
  void toolCallsWithUnprefixedIdsAndFragmentsReassembleToJson() throws Exception {
    List<Delta> deltas = parseStream("c8_tools_required_multi_stream");
    Map<Integer, StringBuilder> args = new TreeMap<>();
    Map<Integer, String> ids = new TreeMap<>();
    for (Delta d : deltas) {
      if (d instanceof Delta.ToolCallStart s) {
        assertThat(ids).doesNotContainKey(s.index());
        ids.put(s.index(), s.id());
        assertThat(s.name()).isEqualTo("get_weather");
      } else if (d instanceof Delta.ToolCallArguments a) {
        args.computeIfAbsent(a.index(), i -> new StringBuilder()).append(a.fragment());
      }
    }
    assertThat(ids).hasSize(5);
    assertThat(ids.values()).doesNotHaveDuplicates().allMatch(id -> !id.isEmpty());
    for (StringBuilder a : args.values()) {
      JsonNode parsed = Json.MAPPER.readTree(a.toString());
      assertThat(parsed.isObject()).isTrue();
    }
    assertThat(deltas).contains(new Delta.Finish(FinishReason.TOOL_CALLS));
  }

  @Test
  void contentBeforeARequiredCallIsKept() throws Exception {
    List<Delta> deltas = parseStream("c2_tools_required_stream");
    int firstText = -1;
    int firstCall = -1;
    for (int i = 0; i < deltas.size(); i++) {
      if (deltas.get(i) instanceof Delta.Text && firstText < 0) {
        firstText = i;
      }
      if (deltas.get(i) instanceof Delta.ToolCallStart && firstCall < 0) {
        firstCall = i;
      }
    }
    assertThat(firstText).isNotNegative().isLessThan(firstCall);
  }

  @Test
  void inBandErrorsBecomeFailures() throws Exception {
    List<Delta> first = parseStream("e16_invalid_utf8_error_as_first_event");
    assertThat(first).hasSize(1);
    assertThat(first.get(0)).isInstanceOf(Delta.Failure.class);
    assertThat(((Delta.Failure) first.get(0)).message()).contains("peg-native");
    List<Delta> mid = parseStream("e15_invalid_utf8_midstream_error");
    assertThat(mid.get(mid.size() - 1)).isInstanceOf(Delta.Failure.class);
  }

  @Test
  void reasoningContentIsReasoning() throws Exception {
    List<Delta> deltas = parseStream("r2_reasoning_stream");
    assertThat(deltas).anyMatch(d -> d instanceof Delta.Reasoning);
  }

  @Test
  void wholeCompletionWithToolCalls() throws Exception {
    JsonNode completion = Json.MAPPER.readTree(Transcripts.body("c1_tools_required_nonstream"));
    List<Delta> deltas = new ChatChunkParser().parseCompletion(completion);
    assertThat(deltas)
        .anyMatch(d -> d instanceof Delta.ToolCallStart s && s.name().equals("get_weather"));
    assertThat(deltas).anyMatch(d -> d instanceof Delta.UsageReport);
    assertThat(deltas.get(deltas.size() - 1)).isEqualTo(new Delta.Finish(FinishReason.TOOL_CALLS));
  }
}
