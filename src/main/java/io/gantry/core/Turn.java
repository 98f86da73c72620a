package io.gantry.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * One request to a model in canonical form: what every surface translates into and every dialect
 * translates out of.
 *
 * @param toolChoice the OpenAI chat-style tool choice ({@code "auto"}, {@code "required"}, {@code
 *     "none"} or a named function object); null for the backend default
 * @param extras request fields no surface understands; they reach the backend untouched
 */
public record Turn(
    String model,
    List<Message> messages,
    List<ToolSpec> tools,
    JsonNode toolChoice,
    Boolean parallelToolCalls,
    Sampling sampling,
    ResponseFormat responseFormat,
    String reasoningEffort,
    boolean stream,
    ObjectNode extras) {

  public Turn {
    messages = List.copyOf(messages);
    tools = tools == null ? List.of() : List.copyOf(tools);
    sampling = sampling == null ? Sampling.DEFAULTS : sampling;
    responseFormat = responseFormat == null ? ResponseFormat.TEXT : responseFormat;
  }

  public Turn withModel(String newModel) {
    return new Turn(
        newModel,
        messages,
        tools,
        toolChoice,
        parallelToolCalls,
        sampling,
        responseFormat,
        reasoningEffort,
        stream,
        extras);
  }
}
