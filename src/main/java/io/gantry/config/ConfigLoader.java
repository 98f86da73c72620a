package io.gantry.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads the YAML file, applies {@code GANTRY_*} environment overrides, binds the result to {@link
 * GantryConfig} (unknown keys are errors) and validates it.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ConfigLoader() {}

  /** Loads {@code file} (may be null for "no file") with overrides from {@code env}. */
  public static GantryConfig load(Path file, Map<String, String> env) {
    ObjectNode tree = readTree(file);
    EnvOverrides.apply(tree, env);
    GantryConfig config = bind(tree, file == null ? "environment" : file.toString());
    ConfigValidator.validate(config);
    return config;
  }

  /** Validates a config changed after loading (by command-line flags). */
  public static GantryConfig revalidate(GantryConfig config) {
    ConfigValidator.validate(config);
    return config;
  }

  private static ObjectNode readTree(Path file) {
    if (file == null) {
      return YAML.createObjectNode();
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("Config file " + file + " does not exist or is not a file.");
    }
    try {
      JsonNode node = YAML.readTree(file.toFile());
      if (node == null || node.isMissingNode() || node.isNull()) {
        return YAML.createObjectNode();
      }
      if (!(node instanceof ObjectNode object)) {
        throw new ConfigException("Config file " + file + " must be a YAML mapping of keys.");
      }
      return object;
    } catch (JsonProcessingException e) {
      throw new ConfigException("Config file " + file + " is not valid YAML" + yamlProblem(e), e);
    } catch (IOException e) {
      throw new ConfigException("Cannot read config file " + file + ": " + e.getMessage(), e);
    }
  }

  private static GantryConfig bind(ObjectNode tree, String source) {
    try {
      return YAML.treeToValue(tree, GantryConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : e.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", "));
      throw new ConfigException(
          "Unknown config key '"
              + keyPath(e)
              + "' in "
              + source
              + ". Known keys here: "
              + known
              + ".",
          e);
    } catch (InvalidFormatException e) {
      throw new ConfigException(
          "Config key '"
              + keyPath(e)
              + "' has value '"
              + e.getValue()
              + "', which is not a valid "
              + e.getTargetType().getSimpleName()
              + ".",
          e);
    } catch (MismatchedInputException e) {
      throw new ConfigException(
          "Config key '"
              + keyPath(e)
              + "' has the wrong type: expected "
              + describe(e.getTargetType())
              + ".",
          e);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new ConfigException("Invalid configuration: " + e.getMessage(), e);
    }
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (java.util.List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (Map.class.isAssignableFrom(type) || type.isRecord()) {
      return "a mapping of keys";
    }
    return "a " + type.getSimpleName().toLowerCase(java.util.Locale.ROOT);
  }

  private static String keyPath(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (!out.isEmpty()) {
          out.append('.');
        }
        out.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  /**
   * The parser's problem on one line: where, and what was wrong (the parser's own message repeats
   * the source with a caret over several lines).
   */
  static String yamlProblem(JsonProcessingException e) {
    String problem = "";
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    for (String line : message.split("\\R")) {
      if (!line.isBlank() && !Character.isWhitespace(line.charAt(0))) {
        problem = line.strip();
      }
    }
    var where = e.getLocation();
    String at =
        where == null || where.getLineNr() < 1
            ? ""
            : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    return at + (problem.isEmpty() ? "" : ": " + problem);
  }
}
