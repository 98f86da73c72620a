package io.gantry.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maps {@code GANTRY_*} environment variables onto config keys: {@code GANTRY_SERVER_PORT} sets
 * {@code server.port}, {@code GANTRY_BACKENDS_0_URL} sets {@code backends[0].url}, and a variable
 * naming a list or mapping ({@code GANTRY_ALIASES}) takes a YAML value. The key names come from the
 * config records, so every key is overridable and the two can never drift apart. A {@code GANTRY_*}
 * variable that names no key is an error that names the closest real one: a misspelt variable
 * ({@code GANTRY_LIMIT_REDIS_URL}) must not start a gateway on defaults without a word. Only the
 * variables of Gantry's own launcher, logging and test harness are exempt ({@link #NOT_CONFIG}).
 */
final class EnvOverrides {
  private static final String PREFIX = "GANTRY_";

  /** Variables that are not config keys: read by the launcher, logging or the test harness. */
  static final java.util.Set<String> NOT_CONFIG =
      java.util.Set.of(
          "GANTRY_LOG_LEVEL", "GANTRY_ACCESS_LOG_LEVEL", "GANTRY_JAVA_OPTS", "GANTRY_JAR");

  /** Prefixes of the test and benchmark harness's own variables. */
  private static final List<String> HARNESS_PREFIXES =
      List.of("GANTRY_REQUIRE_", "GANTRY_TEST_", "GANTRY_BENCH_");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private EnvOverrides() {}

  static void apply(ObjectNode tree, Map<String, String> env) {
    // Sorted so list indexes are created in order and the result never depends on map order.
    for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
      String name = entry.getKey();
      if (!name.startsWith(PREFIX) || name.length() == PREFIX.length()) {
        continue;
      }
      if (NOT_CONFIG.contains(name) || HARNESS_PREFIXES.stream().anyMatch(name::startsWith)) {
        continue;
      }
      List<String> tokens =
          Arrays.asList(name.substring(PREFIX.length()).toLowerCase(Locale.ROOT).split("_"));
      if (!setPath(tree, GantryConfig.class, tokens, entry.getValue(), name)) {
        throw new ConfigException(unknown(name));
      }
    }
  }

  /** The error for a variable that names no key, with the closest variable that does. */
  static String unknown(String name) {
    String shape = name.replaceAll("_[0-9]+(?=_|$)", "_N");
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String path : keyPaths()) {
      String candidate = envName(path);
      int d = distance(shape, candidate);
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    java.util.regex.Matcher index = java.util.regex.Pattern.compile("_([0-9]+)_").matcher(name);
    String n = index.find() ? index.group(1) : "0";
    String suggestion =
        best == null
            ? ""
            : " Did you mean "
                + best.replace("_N_", "_" + n + "_")
                + " (config key '"
                + keyOf(best)
                + "')?";
    return "Environment variable "
        + name
        + " names no config key, so it would be ignored."
        + suggestion
        + " Every GANTRY_* variable must name a key (see the README's Configuration).";
  }

  /** {@code backends[].timeouts.connect_ms} as {@code GANTRY_BACKENDS_N_TIMEOUTS_CONNECT_MS}. */
  private static String envName(String path) {
    return PREFIX + path.replace("[]", ".n").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  private static String keyOf(String envName) {
    for (String path : keyPaths()) {
      if (envName(path).equals(envName)) {
        return path;
      }
    }
    return envName;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static boolean setPath(
      ObjectNode node, Class<?> recordType, List<String> tokens, String value, String envName) {
    for (RecordComponent component : recordType.getRecordComponents()) {
      String key = snake(component.getName());
      List<String> keyTokens = Arrays.asList(key.split("_"));
      if (tokens.size() < keyTokens.size()
          || !tokens.subList(0, keyTokens.size()).equals(keyTokens)) {
        continue;
      }
      List<String> rest = tokens.subList(keyTokens.size(), tokens.size());
      if (setComponent(node, key, component.getGenericType(), rest, value, envName)) {
        return true;
      }
    }
    return false;
  }

  private static boolean setComponent(
      ObjectNode parent, String key, Type type, List<String> rest, String value, String envName) {
    Class<?> raw = rawClass(type);
    if (rest.isEmpty()) {
      parent.set(key, parseValue(value, raw, envName));
      return true;
    }
    if (raw.isRecord()) {
      ObjectNode child = parent.get(key) instanceof ObjectNode o ? o : parent.putObject(key);
      return setPath(child, raw, rest, value, envName);
    }
    if (List.class.isAssignableFrom(raw) && type instanceof ParameterizedType p) {
      int index;
      try {
        index = Integer.parseInt(rest.get(0));
      } catch (NumberFormatException e) {
        return false;
      }
      ArrayNode list = parent.get(key) instanceof ArrayNode a ? a : parent.putArray(key);
      while (list.size() <= index) {
        list.addObject();
      }
      Class<?> element = rawClass(p.getActualTypeArguments()[0]);
      List<String> after = rest.subList(1, rest.size());
      if (after.isEmpty()) {
        list.set(index, parseValue(value, element, envName));
        return true;
      }
      if (element.isRecord() && list.get(index) instanceof ObjectNode item) {
        return setPath(item, element, after, value, envName);
      }
      return false;
    }
    if (Map.class.isAssignableFrom(raw)) {
      ObjectNode map = parent.get(key) instanceof ObjectNode o ? o : parent.putObject(key);
      map.set(String.join("_", rest), TextNode.valueOf(value));
      return true;
    }
    return false;
  }

  private static JsonNode parseValue(String value, Class<?> target, String envName) {
    if (target == String.class) {
      return TextNode.valueOf(value);
    }
    try {
      JsonNode parsed = YAML.readTree(value);
      return parsed == null || parsed.isMissingNode() ? TextNode.valueOf(value) : parsed;
    } catch (Exception e) {
      throw new ConfigException(
          "Environment variable " + envName + " is not a valid YAML value: " + e.getMessage(), e);
    }
  }

  private static Class<?> rawClass(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  static String snake(String camel) {
    StringBuilder out = new StringBuilder();
    for (char c : camel.toCharArray()) {
      if (Character.isUpperCase(c)) {
        out.append('_').append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Every config key path, for documentation and tests. */
  static List<String> keyPaths() {
    List<String> out = new ArrayList<>();
    collect(GantryConfig.class, "", out);
    return out;
  }

  private static void collect(Class<?> recordType, String prefix, List<String> out) {
    for (RecordComponent c : recordType.getRecordComponents()) {
      String path = prefix + snake(c.getName());
      Class<?> raw = rawClass(c.getGenericType());
      if (raw.isRecord()) {
        collect(raw, path + ".", out);
      } else if (List.class.isAssignableFrom(raw)
          && c.getGenericType() instanceof ParameterizedType p
          && rawClass(p.getActualTypeArguments()[0]).isRecord()) {
        collect(rawClass(p.getActualTypeArguments()[0]), path + "[].", out);
      } else {
        out.add(path);
      }
    }
  }
}
