package io.gantry.upstream.openai;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.core.Message;
import io.gantry.core.Part;
import io.gantry.core.ResponseFormat;
import io.gantry.core.Sampling;
import io.gantry.core.ToolCall;
import io.gantry.core.ToolSpec;
import io.gantry.core.Turn;

/**
 * Writes a canonical turn as a Chat Completions request: streamed when someone watches the answer
 * arrive, whole otherwise (one JSON body is far cheaper to read than an event per token).
 */
final class OpenAiChatRequestWriter {
  private OpenAiChatRequestWriter() {}

  static ObjectNode write(Turn turn) {
    ObjectNode body = Json.object();
    body.put("model", turn.model());
    ArrayNode messages = body.putArray("messages");
    for (Message message : turn.messages()) {
      messages.add(message(message));
    }
    if (!turn.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolSpec tool : turn.tools()) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.put("name", tool.name());
        if (tool.description() != null) {
          function.put("description", tool.description());
        }
        if (tool.parameters() != null) {
          function.set("parameters", tool.parameters());
        }
        if (tool.strict() != null) {
          function.put("strict", tool.strict());
        }
      }
    }
    if (turn.toolChoice() != null) {
      body.set("tool_choice", turn.toolChoice());
    }
    if (turn.parallelToolCalls() != null) {
      body.put("parallel_tool_calls", turn.parallelToolCalls());
    }
    sampling(turn.sampling(), body);
    responseFormat(turn.responseFormat(), body);
    if (turn.reasoningEffort() != null) {
      body.put("reasoning_effort", turn.reasoningEffort());
    }
    body.put("stream", turn.stream());
    if (turn.stream()) {
      body.putObject("stream_options").put("include_usage", true);
    }
    if (turn.extras() != null) {
      turn.extras().properties().forEach(e -> body.set(e.getKey(), e.getValue()));
    }
    return body;
  }

  private static ObjectNode message(Message message) {
    ObjectNode out = Json.object().put("role", message.role().wireName());
    boolean onlyText = message.parts().stream().allMatch(p -> p instanceof Part.TextPart);
    if (onlyText) {
      if (!message.parts().isEmpty() || message.toolCalls().isEmpty()) {
        out.put("content", message.joinedText());
      } else {
        out.putNull("content");
      }
    } else {
      ArrayNode parts = out.putArray("content");
      for (Part part : message.parts()) {
        switch (part) {
          case Part.TextPart(String text) ->
              parts.addObject().put("type", "text").put("text", text);
          case Part.ImagePart(String url, String detail) -> {
            ObjectNode image =
                parts.addObject().put("type", "image_url").putObject("image_url").put("url", url);
            if (detail != null) {
              image.put("detail", detail);
            }
          }
        }
      }
    }
    if (!message.toolCalls().isEmpty()) {
      ArrayNode calls = out.putArray("tool_calls");
      for (ToolCall call : message.toolCalls()) {
        ObjectNode c = calls.addObject().put("id", call.id()).put("type", "function");
        c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
      }
    }
    if (message.toolCallId() != null) {
      out.put("tool_call_id", message.toolCallId());
    }
    return out;
  }

  private static void sampling(Sampling sampling, ObjectNode body) {
    if (sampling.temperature() != null) {
      body.put("temperature", sampling.temperature());
    }
    if (sampling.topP() != null) {
      body.put("top_p", sampling.topP());
    }
    if (sampling.maxOutputTokens() != null) {
      body.put("max_tokens", sampling.maxOutputTokens());
    }
    if (sampling.seed() != null) {
      body.put("seed", sampling.seed());
    }
    if (sampling.stop() != null && !sampling.stop().isEmpty()) {
      ArrayNode stop = body.putArray("stop");
      sampling.stop().forEach(stop::add);
    }
  }

  private static void responseFormat(ResponseFormat format, ObjectNode body) {
    switch (format.kind()) {
      case TEXT -> {}
      case JSON_OBJECT -> body.putObject("response_format").put("type", "json_object");
      case JSON_SCHEMA -> {
        ObjectNode schema =
            body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
        schema.put("name", format.name() == null ? "response" : format.name());
        schema.set("schema", format.schema());
        if (format.strict() != null) {
          schema.put("strict", format.strict());
        }
      }
    }
  }
}
