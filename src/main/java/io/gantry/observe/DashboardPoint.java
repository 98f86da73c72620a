package io.gantry.observe;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What changed in one sampling interval ending at {@code epochMillis}: counter increases (not
 * rates; divide by {@code seconds}) and histogram bucket increases, summed over the label sets the
 * dashboard does not split by.
 *
 * @param requestsByModel requests by the routed model ({@code none} when routing failed)
 * @param errorsByModel errors by model, then by kind
 * @param requestsByBackend requests by backend
 */
public record DashboardPoint(
    long epochMillis,
    double seconds,
    double requests,
    double outputTokens,
    double inputTokens,
    Buckets duration,
    Buckets timeToFirstToken,
    Map<String, Double> requestsByModel,
    Map<String, Map<String, Double>> errorsByModel,
    Map<String, Double> requestsByBackend) {

  public DashboardPoint {
    requestsByModel = Map.copyOf(requestsByModel);
    requestsByBackend = Map.copyOf(requestsByBackend);
    Map<String, Map<String, Double>> copy = new TreeMap<>();
    errorsByModel.forEach((model, kinds) -> copy.put(model, Map.copyOf(kinds)));
    errorsByModel = java.util.Collections.unmodifiableMap(copy);
  }

  public double errors() {
    return errorsByKind().values().stream().mapToDouble(Double::doubleValue).sum();
  }

  public Map<String, Double> errorsByKind() {
    Map<String, Double> kinds = new TreeMap<>();
    errorsByModel
        .values()
        .forEach(byKind -> byKind.forEach((k, v) -> kinds.merge(k, v, Double::sum)));
    return kinds;
  }

  /** Increase per second over this interval. */
  public double rate(double increase) {
    return seconds > 0 ? increase / seconds : 0;
  }

  /**
   * The points taken together, as one longer interval: rates, error ratio and quantiles over all of
   * them.
   */
  public static Summary summarize(List<DashboardPoint> points) {
    double seconds = 0;
    double requests = 0;
    double outputTokens = 0;
    double inputTokens = 0;
    Buckets duration = Buckets.EMPTY;
    Buckets ttft = Buckets.EMPTY;
    Map<String, Double> requestsByModel = new TreeMap<>();
    Map<String, Map<String, Double>> errorsByModel = new TreeMap<>();
    Map<String, Double> requestsByBackend = new TreeMap<>();
    for (DashboardPoint p : points) {
      seconds += p.seconds;
      requests += p.requests;
      outputTokens += p.outputTokens;
      inputTokens += p.inputTokens;
      duration = duration.plus(p.duration);
      ttft = ttft.plus(p.timeToFirstToken);
      p.requestsByModel.forEach((k, v) -> requestsByModel.merge(k, v, Double::sum));
      p.requestsByBackend.forEach((k, v) -> requestsByBackend.merge(k, v, Double::sum));
      p.errorsByModel.forEach((model, kinds) ->
          kinds.forEach((kind, v) ->
              errorsByModel
                  .computeIfAbsent(model, m -> new TreeMap<>())
                  .merge(kind, v, Double::sum)));
    }
    return new Summary(
        seconds,
        requests,
        outputTokens,
        inputTokens,
        duration,
        ttft,
        requestsByModel,
        errorsByModel,
        requestsByBackend);
  }

  /** Several intervals taken together. */
  public record Summary(
      double seconds,
      double requests,
      double outputTokens,
      double inputTokens,
      Buckets duration,
      Buckets timeToFirstToken,
      Map<String, Double> requestsByModel,
      Map<String, Map<String, Double>> errorsByModel,
      Map<String, Double> requestsByBackend) {

    public double perSecond(double increase) {
      return seconds > 0 ? increase / seconds : 0;
    }

    public double errors() {
      return errorsByModel.values().stream()
          .flatMap(kinds -> kinds.values().stream())
          .mapToDouble(Double::doubleValue)
          .sum();
    }

    public Map<String, Double> errorsByKind() {
      Map<String, Double> kinds = new TreeMap<>();
      errorsByModel
          .values()
          .forEach(byKind -> byKind.forEach((k, v) -> kinds.merge(k, v, Double::sum)));
      return kinds;
    }

    /** Errors over requests; NaN without requests. */
    public double errorRatio() {
      return requests > 0 ? Math.min(1, errors() / requests) : Double.NaN;
    }
  }
}
