package io.gantry.edge;

import io.gantry.observe.AccessLog;
import io.gantry.observe.GantryMetrics;
import io.gantry.observe.RequestRecord;
import io.gantry.observe.SessionTracker;
import io.gantry.observe.Tracing;

/**
 * What a request leaves behind once it ends: its access-log line, its metrics, its session's
 * outcome and its span (a child of the client's W3C {@code traceparent}). Polled routes (health,
 * metrics, dashboard) get a record for the steps below but leave none of these.
 */
final class RecordStep implements EdgeStep {
  private final GantryMetrics metrics;
  private final SessionTracker sessions;
  private final AccessLog accessLog;
  private final Tracing tracing;
  private final boolean logContent;

  RecordStep(
      GantryMetrics metrics,
      SessionTracker sessions,
      AccessLog accessLog,
      Tracing tracing,
      boolean logContent) {
    this.metrics = metrics;
    this.sessions = sessions;
    this.accessLog = accessLog;
    this.tracing = tracing;
    this.logContent = logContent;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    HttpRoute route = exchange.route();
    String surface = route == null ? "other" : route.surface();
    RequestRecord record = new RequestRecord(exchange.requestId(), exchange.clientAddress());
    record.surface(surface);
    exchange.record(record);
    if (route != null && !route.logged()) {
      next.handle(exchange);
      return;
    }
    record.tokenGaps(metrics.tokenGaps());
    metrics.requestStarted(surface);
    if (logContent) {
      record.captureContent();
    }
    String traceparent = exchange.header("traceparent");
    Tracing.RequestSpan span =
        tracing.startRequest(
            exchange.method(),
            route == null ? null : route.pattern(),
            traceparent,
            traceparent == null ? null : exchange.header("tracestate"));
    exchange.span(span);
    try {
      next.handle(exchange);
    } finally {
      if (record.capturesContent()) {
        record.input(exchange.bodyTextIfRead());
      }
      metrics.record(record);
      sessions.record(record);
      accessLog.write(record);
      span.end(record);
      // Last: a request no longer in flight has left its record (what a scrape sees agrees).
      metrics.requestEnded(surface);
    }
  }
}
