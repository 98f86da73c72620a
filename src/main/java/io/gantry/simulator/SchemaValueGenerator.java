package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes a JSON value that satisfies a JSON schema (the subset tool and structured-output schemas
 * use), or, on demand, one that violates it in the ways clients must catch.
 */
final class SchemaValueGenerator {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 8;
  private final JsonNode root;
  private final Prng rng;

  private SchemaValueGenerator(JsonNode root, Prng rng) {
    this.root = root == null ? F.objectNode() : root;
    this.rng = rng;
  }

  /** A value valid against {@code schema}; every property is present, enums take their first. */
  static JsonNode valid(JsonNode schema, Prng rng) {
    SchemaValueGenerator g = new SchemaValueGenerator(schema, rng);
    return g.value(g.root, 0);
  }

  /**
   * A value that breaks {@code schema}: one required property dropped and an enum property given a
   * value outside its enum; when the schema has neither, a property of the wrong type.
   */
  static JsonNode invalid(JsonNode schema, Prng rng) {
    SchemaValueGenerator g = new SchemaValueGenerator(schema, rng);
    JsonNode s = g.resolve(g.root);
    JsonNode value = g.value(s, 0);
    if (!(value instanceof ObjectNode obj)) {
      return F.objectNode().put("unexpected", true);
    }
    boolean broken = false;
    JsonNode required = s.path("required");
    if (required.isArray() && !required.isEmpty()) {
      obj.remove(required.get(0).asText());
      broken = true;
    }
    var props = s.path("properties").properties();
    for (var e : props) {
      JsonNode enumValues = g.resolve(e.getValue()).path("enum");
      if (enumValues.isArray() && !enumValues.isEmpty() && obj.has(e.getKey())) {
        obj.set(e.getKey(), outside(enumValues));
        return obj;
      }
    }
    if (!broken) {
      if (!props.isEmpty()) {
        var first = props.iterator().next();
        obj.set(first.getKey(), wrongType(g.resolve(first.getValue())));
      } else {
        obj.put("unexpected", true);
      }
    }
    return obj;
  }

  private JsonNode value(JsonNode schema, int depth) {
    JsonNode s = resolve(schema);
    if (s.has("const")) {
      return s.get("const").deepCopy();
    }
    if (s.path("enum").isArray() && !s.path("enum").isEmpty()) {
      return s.get("enum").get(0).deepCopy();
    }
    for (String combo : List.of("anyOf", "oneOf", "allOf")) {
      if (s.path(combo).isArray() && !s.path(combo).isEmpty()) {
        return value(firstNonNull(s.get(combo)), depth);
      }
    }
    if (depth > MAX_DEPTH) {
      return F.nullNode();
    }
    return switch (type(s)) {
      case "object" -> object(s, depth);
      case "array" -> array(s, depth);
      case "integer" -> F.numberNode(integer(s));
      case "number" -> {
        double n = number(s);
        yield n == Math.rint(n) && Math.abs(n) < 1e15 ? F.numberNode((long) n) : F.numberNode(n);
      }
      case "boolean" -> F.booleanNode(rng.nextBoolean());
      case "null" -> F.nullNode();
      default -> F.textNode(string(s));
    };
  }

  private ObjectNode object(JsonNode s, int depth) {
    ObjectNode obj = F.objectNode();
    for (var e : s.path("properties").properties()) {
      obj.set(e.getKey(), value(e.getValue(), depth + 1));
    }
    // A required name without a property schema still has to be present.
    for (JsonNode name : s.path("required")) {
      if (!obj.has(name.asText())) {
        obj.put(name.asText(), TextTokens.phrase(rng, 2));
      }
    }
    return obj;
  }

  private ArrayNode array(JsonNode s, int depth) {
    int min = s.path("minItems").asInt(1);
    int max = Math.max(min, s.path("maxItems").asInt(Math.max(min, 2)));
    ArrayNode arr = F.arrayNode();
    JsonNode items = s.path("items");
    int n = rng.between(min, Math.min(max, min + 2));
    for (int i = 0; i < n; i++) {
      arr.add(items.isObject() ? value(items, depth + 1) : F.textNode(TextTokens.phrase(rng, 1)));
    }
    return arr;
  }

  private long integer(JsonNode s) {
    long lo = s.has("minimum") ? (long) Math.ceil(s.get("minimum").asDouble()) : 0;
    if (s.has("exclusiveMinimum") && s.get("exclusiveMinimum").isNumber()) {
      lo = (long) Math.floor(s.get("exclusiveMinimum").asDouble()) + 1;
    }
    long hi = s.has("maximum") ? (long) Math.floor(s.get("maximum").asDouble()) : lo + 100;
    if (s.has("exclusiveMaximum") && s.get("exclusiveMaximum").isNumber()) {
      hi = (long) Math.ceil(s.get("exclusiveMaximum").asDouble()) - 1;
    }
    return hi <= lo ? lo : lo + Math.floorMod(rng.nextLong(), hi - lo + 1);
  }

  private double number(JsonNode s) {
    double lo = s.path("minimum").asDouble(s.path("exclusiveMinimum").asDouble(0));
    double hi = s.path("maximum").asDouble(s.path("exclusiveMaximum").asDouble(lo + 100));
    double v = lo + (hi - lo) * (0.1 + 0.8 * rng.nextDouble());
    // A whole number is a valid "number" too, and clients that parse numbers as integers
    // (Codex reads exec_command's yield_time_ms as usize) accept it.
    double whole = Math.round(v);
    return whole >= lo && whole <= hi ? whole : Math.round(v * 100) / 100.0;
  }

  private String string(JsonNode s) {
    String v =
        switch (s.path("format").asText("")) {
          case "date-time" -> "2026-01-15T10:30:00Z";
          case "date" -> "2026-01-15";
          case "time" -> "10:30:00";
          case "email" -> TextTokens.phrase(rng, 1) + "@example.com";
          case "uri", "url" -> "https://example.com/" + TextTokens.phrase(rng, 1);
          case "uuid" -> "123e4567-e89b-42d3-a456-" + String.format("%012d", rng.nextInt(1 << 30));
          default -> TextTokens.phrase(rng, rng.between(1, 3));
        };
    int min = s.path("minLength").asInt(0);
    int max = s.path("maxLength").asInt(Integer.MAX_VALUE);
    StringBuilder sb = new StringBuilder(v);
    while (sb.length() < min) {
      sb.append('x');
    }
    return sb.length() > max ? sb.substring(0, max) : sb.toString();
  }

  private static String type(JsonNode s) {
    JsonNode t = s.path("type");
    if (t.isTextual()) {
      return t.asText();
    }
    if (t.isArray()) {
      List<String> types = new ArrayList<>();
      t.forEach(x -> types.add(x.asText()));
      return types.stream().filter(x -> !x.equals("null")).findFirst().orElse("null");
    }
    if (s.has("properties")) {
      return "object";
    }
    return s.has("items") ? "array" : "string";
  }

  private static JsonNode firstNonNull(JsonNode options) {
    for (JsonNode o : options) {
      if (!"null".equals(o.path("type").asText())) {
        return o;
      }
    }
    return options.get(0);
  }

  /** Follows a local {@code $ref} such as {@code #/$defs/Address}. */
  private JsonNode resolve(JsonNode s) {
    for (int hops = 0; hops < MAX_DEPTH && s != null && s.path("$ref").isTextual(); hops++) {
      String ref = s.get("$ref").asText();
      s = ref.startsWith("#") ? root.at(ref.substring(1)) : null;
    }
    return s == null || s.isMissingNode() || !s.isObject() ? F.objectNode() : s;
  }

  private static JsonNode outside(JsonNode enumValues) {
    if (enumValues.get(0).isNumber()) {
      double max = 0;
      for (JsonNode v : enumValues) {
        max = Math.max(max, v.asDouble());
      }
      return F.numberNode((long) max + 1000);
    }
    return F.textNode("not-one-of-the-enum-values");
  }

  private static JsonNode wrongType(JsonNode s) {
    return "string".equals(type(s)) ? F.numberNode(12345) : F.textNode("wrong type");
  }
}
