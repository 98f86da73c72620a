package io.gantry.api.metrics;

import io.gantry.edge.Access;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.observe.GantryMetrics;
import io.helidon.http.Method;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /metrics}: Prometheus text format, or OpenMetrics when the scraper asks for it in
 * {@code Accept}. Gauges that are read rather than kept up to date are refreshed first.
 */
public final class MetricsEndpoint implements Surface {
  private final GantryMetrics metrics;
  private final Runnable beforeScrape;
  private final ExpositionFormats formats = ExpositionFormats.init();

  public MetricsEndpoint(GantryMetrics metrics, Runnable beforeScrape) {
    this.metrics = metrics;
    this.beforeScrape = beforeScrape;
  }

  @Override
  public void routes(Routes routes) {
    routes.quietRoute(Method.GET, "/metrics", Access.OPERATOR, this::scrape);
  }

  public void scrape(Exchange exchange) throws IOException {
    beforeScrape.run();
    ExpositionFormatWriter writer = formats.findWriter(exchange.header("Accept"));
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
    writer.write(out, metrics.registry().scrape());
    exchange.sendBytes(200, writer.getContentType(), out.toByteArray());
  }
}
