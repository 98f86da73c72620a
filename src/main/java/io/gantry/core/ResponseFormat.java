package io.gantry.core;

import com.fasterxml.jackson.databind.JsonNode;

/** The shape the answer must take: free text, any JSON object, or JSON matching a schema. */
public record ResponseFormat(Kind kind, String name, JsonNode schema, Boolean strict) {

  public enum Kind {
    TEXT,
    JSON_OBJECT,
    JSON_SCHEMA
  }

  public static final ResponseFormat TEXT = new ResponseFormat(Kind.TEXT, null, null, null);
}
