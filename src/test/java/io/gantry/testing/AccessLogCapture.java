package io.gantry.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The access log's lines ({@code gantry.access}) as a test class sees them, captured from its first
 * test to its last: {@code @RegisterExtension static final AccessLogCapture log = new
 * AccessLogCapture();}.
 */
public final class AccessLogCapture implements BeforeAllCallback, AfterAllCallback {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @Override
  public void beforeAll(ExtensionContext context) {
    appender.start();
    logger().addAppender(appender);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    logger().detachAppender(appender);
  }

  private static Logger logger() {
    return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("gantry.access");
  }

  /** How many lines were written so far. */
  public int size() {
    synchronized (appender) {
      return appender.list.size();
    }
  }

  /** The lines written after the first {@code from}. */
  public List<String> linesSince(int from) {
    synchronized (appender) {
      return appender.list.subList(from, appender.list.size()).stream()
          .map(ILoggingEvent::getFormattedMessage)
          .toList();
    }
  }

  /** The raw events (for tests that read their level or arguments). */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }
}
