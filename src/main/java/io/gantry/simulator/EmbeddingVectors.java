package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Deterministic unit vectors: the same text and seed always give the same embedding. */
final class EmbeddingVectors {
  static final int DIMENSION = 16;

  private EmbeddingVectors() {}

  /** One input: its text (token arrays are spelled out) and its size in tokens. */
  record Input(String text, int tokens) {}

  static float[] vector(String text, long seed) {
    Prng rng = Prng.of(seed, Prng.hash(text), 7);
    double[] raw = new double[DIMENSION];
    double norm = 0;
    for (int i = 0; i < DIMENSION; i++) {
      raw[i] = rng.nextGaussian();
      norm += raw[i] * raw[i];
    }
    norm = Math.sqrt(norm);
    float[] v = new float[DIMENSION];
    for (int i = 0; i < DIMENSION; i++) {
      v[i] = (float) (raw[i] / norm);
    }
    return v;
  }

  static ArrayNode json(float[] v) {
    ArrayNode arr = Json.MAPPER.createArrayNode();
    for (float f : v) {
      arr.add(f);
    }
    return arr;
  }

  /** What the OpenAI SDKs ask for by default: little-endian float32s, base64-encoded. */
  static String base64(float[] v) {
    ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      buf.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(buf.array());
  }

  /** A string, an array of strings, a token array or an array of token arrays. */
  static List<Input> inputs(JsonNode input) {
    List<Input> out = new ArrayList<>();
    if (input == null || input.isMissingNode() || input.isNull()) {
      throw SimRequestException.invalid("'input' is required");
    }
    if (input.isTextual()) {
      out.add(text(input.asText()));
    } else if (input.isArray() && !input.isEmpty() && input.get(0).isNumber()) {
      out.add(tokens(input));
    } else if (input.isArray() && !input.isEmpty()) {
      for (JsonNode item : input) {
        if (item.isTextual()) {
          out.add(text(item.asText()));
        } else if (item.isArray()) {
          out.add(tokens(item));
        } else {
          throw SimRequestException.invalid("'input' items must be strings or token arrays");
        }
      }
    } else {
      throw SimRequestException.invalid("'input' must be a non-empty string or array");
    }
    return out;
  }

  private static Input text(String s) {
    return new Input(s, Math.max(1, TextTokens.countWords(s)));
  }

  private static Input tokens(JsonNode arr) {
    StringBuilder sb = new StringBuilder("tokens:");
    for (JsonNode t : arr) {
      if (!t.canConvertToInt()) {
        throw SimRequestException.invalid("token arrays must hold integers");
      }
      sb.append(' ').append(t.asInt());
    }
    return new Input(sb.toString(), arr.size());
  }
}
