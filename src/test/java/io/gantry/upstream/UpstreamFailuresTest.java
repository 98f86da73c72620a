package io.gantry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

/** How failures of an HTTP call are reported, and which are retried. */
class UpstreamFailuresTest {

  /** What a request on a kept-alive connection the backend had closed fails with. */
  private static RuntimeException staleConnection() {
    return new ConnectionPool.StaleConnection(
        new UncheckedIOException(new java.io.EOFException("connection closed")));
  }

  @Test
  void aConnectionThatBrokeWhileIdleIsRetriedNotATimeout() {
    UpstreamException failure = UpstreamFailures.classify("b", staleConnection());
    assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.INTERRUPTED);
    assertThat(failure.getMessage()).contains("broke while idle");
  }

  @Test
  void aRealReadTimeoutIsStillATimeout() {
    UpstreamException failure =
        UpstreamFailures.classify(
            "b", new UncheckedIOException(new SocketTimeoutException("Read timed out")));
    assertThat(failure.kind()).isEqualTo(UpstreamException.Kind.TIMEOUT);
  }

  @Test
  void onlyAStaleConnectionCountsAsBrokenWhileIdle() {
    RuntimeException elsewhere =
        new RuntimeException(
            "connection reset", new UncheckedIOException(new java.io.IOException("reset")));
    assertThat(UpstreamFailures.brokeWhileIdle(staleConnection())).isTrue();
    assertThat(UpstreamFailures.brokeWhileIdle(new RuntimeException(staleConnection()))).isTrue();
    assertThat(UpstreamFailures.brokeWhileIdle(elsewhere)).isFalse();
  }
}
