package io.gantry.upstream.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Delta;
import io.gantry.core.FinishReason;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.core.Usage;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Ollama's NDJSON chat lines into deltas. Ollama sends each tool call whole, with arguments
 * as an object and often without an id, so calls get an index, an id and their arguments as JSON
 * text here. One instance per stream.
 */
final class OllamaLineParser {
  private int nextCallIndex;
  private boolean finished;

  List<Delta> parse(JsonNode line) {
    List<Delta> out = new ArrayList<>(2);
    if (line.hasNonNull("error")) {
      JsonNode error = line.get("error");
      String message = error.isTextual() ? error.asText() : error.path("message").asText();
      out.add(new Delta.Failure("upstream_error", message));
      return out;
    }
    JsonNode message = line.path("message");
    String thinking = message.path("thinking").asText("");
    if (!thinking.isEmpty()) {
      out.add(new Delta.Reasoning(thinking));
    }
    String content = message.path("content").asText("");
    if (!content.isEmpty()) {
      out.add(new Delta.Text(content));
    }
    for (JsonNode call : message.path("tool_calls")) {
      int index = nextCallIndex++;
      JsonNode function = call.path("function");
      String id = call.path("id").asText("");
      out.add(
          new Delta.ToolCallStart(
              index, id.isEmpty() ? Ids.toolCall() : id, function.path("name").asText()));
      JsonNode arguments = function.path("arguments");
      String text = arguments.isTextual() ? arguments.asText() : Json.text(arguments);
      out.add(new Delta.ToolCallArguments(index, arguments.isMissingNode() ? "{}" : text));
    }
    if (line.path("done").asBoolean(false)) {
      finished = true;
      out.add(
          new Delta.UsageReport(
              new Usage(
                  line.path("prompt_eval_count").asLong(0),
                  line.path("eval_count").asLong(0),
                  0,
                  0)));
      FinishReason reason =
          nextCallIndex > 0
              ? FinishReason.TOOL_CALLS
              : FinishReason.fromWire(line.path("done_reason").asText("stop"));
      out.add(new Delta.Finish(reason));
    }
    return out;
  }

  boolean finished() {
    return finished;
  }
}
