package io.gantry.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * What differs between the servers that speak the OpenAI dialect: llama.cpp's own endpoints and the
 * OpenAI-compatible {@code /v1} endpoints real Ollama serves beside its native API. Names,
 * fingerprints and error envelopes follow each server, so a client sees what it would see there.
 */
enum OpenAiFlavour {
  LLAMA_CPP("gantry-sim", "gantry-sim"),
  OLLAMA("library", "fp_ollama");

  private final String ownedBy;
  private final String fingerprint;

  OpenAiFlavour(String ownedBy, String fingerprint) {
    this.ownedBy = ownedBy;
    this.fingerprint = fingerprint;
  }

  String ownedBy() {
    return ownedBy;
  }

  String fingerprint() {
    return fingerprint;
  }

  /** The served model a request names, or a 404 in this server's words. */
  void checkModel(List<String> served, String model) {
    if (this == LLAMA_CPP) {
      if (!served.contains(model)) {
        throw new SimRequestException(404, "not_found_error", "model '" + model + "' not found");
      }
      return;
    }
    String wanted = withTag(model);
    if (served.stream().noneMatch(m -> withTag(m).equals(wanted))) {
      throw new SimRequestException(
          404, "not_found_error", "model \"" + model + "\" not found, try pulling it first");
    }
  }

  /** Ollama names without a tag mean ":latest". */
  static String withTag(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains(":") ? n : n + ":latest";
  }

  String errorType(int status) {
    if (this == OLLAMA) {
      return switch (status) {
        case 400 -> "invalid_request_error";
        case 404 -> "not_found_error";
        default -> "api_error";
      };
    }
    return switch (status) {
      case 400 -> "invalid_request_error";
      case 401 -> "authentication_error";
      case 403 -> "permission_error";
      case 404 -> "not_found_error";
      case 429 -> "rate_limit_error";
      case 501 -> "not_supported_error";
      case 503 -> "unavailable_error";
      default -> status < 500 ? "invalid_request_error" : "server_error";
    };
  }

  /**
   * The error envelope: llama.cpp's {@code {"error":{"code":status,"message","type"}}}, Ollama's
   * {@code {"error":{"message","type","param":null,"code":null}}}.
   */
  ObjectNode errorBody(int status, String type, String message) {
    ObjectNode body = Json.object();
    ObjectNode error = body.putObject("error");
    if (this == LLAMA_CPP) {
      error.put("code", status).put("message", message).put("type", type);
    } else {
      error.put("message", message).put("type", errorType(status)).putNull("param").putNull("code");
    }
    return body;
  }
}
