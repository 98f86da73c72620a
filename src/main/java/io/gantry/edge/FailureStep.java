package io.gantry.edge;

import io.gantry.core.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns any failure of the steps below into an answer in the route's own error envelope (OpenAI's
 * unless the route says otherwise), with its status and headers, unless the response had already
 * begun. A client that hung up gets nothing and counts as disconnected. Either way the exchange
 * ends here: its client watch stops and what it held (a replica's lease) is released.
 */
final class FailureStep implements EdgeStep {
  private static final Logger LOG = LoggerFactory.getLogger(FailureStep.class);

  @Override
  public void handle(Exchange exchange, Next next) {
    try {
      next.handle(exchange);
    } catch (Throwable failure) {
      if (exchange.clientGone() || (exchange.started() && isDisconnect(failure))) {
        exchange.record().fail(ErrorKind.CLIENT_DISCONNECTED);
        return;
      }
      ApiException error = ErrorMapper.map(failure, exchange.requestId());
      exchange.record().fail(error.kind());
      if (exchange.started()) {
        LOG.debug(
            "request {} failed after its response began: {}",
            exchange.requestId(),
            error.getMessage());
        return;
      }
      error.headers().forEach(exchange::responseHeader);
      ErrorEnvelope envelope =
          exchange.route() == null ? ErrorEnvelope.OPENAI : exchange.route().envelope();
      exchange.sendJson(error.status(), envelope.render(error.reply()));
    } finally {
      exchange.endWatch();
      exchange.end();
    }
  }

  private static boolean isDisconnect(Throwable failure) {
    return failure instanceof java.io.IOException
        || failure instanceof java.io.UncheckedIOException
        || failure instanceof io.helidon.webserver.ServerConnectionException;
  }
}
