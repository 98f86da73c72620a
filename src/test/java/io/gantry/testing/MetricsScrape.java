package io.gantry.testing;

import java.util.Map;
import java.util.TreeMap;

/** A Prometheus text exposition, as a map from {@code name{sorted labels}} to value. */
public final class MetricsScrape {
  private final Map<String, Double> samples = new TreeMap<>();
  private final String text;

  public MetricsScrape(String text) {
    this.text = text;
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String key = line.substring(0, space);
      samples.put(normalize(key), Double.parseDouble(line.substring(space + 1)));
    }
  }

  public static MetricsScrape of(String gatewayUrl) {
    return new MetricsScrape(RawHttp.text(RawHttp.get(gatewayUrl + "/metrics")));
  }

  /** Scraped with the admin token (a gateway bound beyond loopback with keys asks for it). */
  public static MetricsScrape of(String gatewayUrl, String adminToken) {
    return new MetricsScrape(
        RawHttp.text(
            RawHttp.get(gatewayUrl + "/metrics", "Authorization", "Bearer " + adminToken)));
  }

  public String text() {
    return text;
  }

  /** A sample's value, 0 when absent; labels as alternating name, value. */
  public double value(String name, String... labels) {
    StringBuilder key = new StringBuilder(name);
    if (labels.length > 0) {
      Map<String, String> sorted = new TreeMap<>();
      for (int i = 0; i + 1 < labels.length; i += 2) {
        sorted.put(labels[i], labels[i + 1]);
      }
      key.append('{');
      sorted.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
      key.setLength(key.length() - 1);
      key.append('}');
    }
    return samples.getOrDefault(key.toString(), 0.0);
  }

  /** The sum of every series of {@code name} that has the label {@code label="value"}. */
  public double sum(String name, String label, String value) {
    String pair = label + "=\"" + value + "\"";
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(name + "{") && e.getKey().contains(pair))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  /** How many series of Gantry's own metrics (not the JVM's) exist. */
  public long gantrySeries() {
    return samples.keySet().stream().filter(k -> k.startsWith("gantry_")).count();
  }

  private static String normalize(String key) {
    int brace = key.indexOf('{');
    if (brace < 0) {
      return key;
    }
    String name = key.substring(0, brace);
    String body = key.substring(brace + 1, key.length() - 1);
    Map<String, String> sorted = new TreeMap<>();
    for (String pair : body.split(",(?=[a-zA-Z_]+=\")")) {
      int eq = pair.indexOf('=');
      sorted.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
    }
    StringBuilder out = new StringBuilder(name).append('{');
    sorted.forEach((k, v) -> out.append(k).append("=\"").append(v).append("\","));
    out.setLength(out.length() - 1);
    return out.append('}').toString();
  }
}
