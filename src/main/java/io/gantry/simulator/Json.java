package io.gantry.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** The simulator's one ObjectMapper and the few helpers around it. */
final class Json {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass(), e);
    }
  }

  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass(), e);
    }
  }

  /** Parses a request body; anything but a JSON object is a client error. */
  static ObjectNode parseObject(byte[] body) {
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw SimRequestException.invalid("invalid JSON in request body: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw SimRequestException.invalid("unreadable request body: " + e.getMessage());
    }
    if (!(node instanceof ObjectNode obj)) {
      throw SimRequestException.invalid("request body must be a JSON object");
    }
    return obj;
  }
}
