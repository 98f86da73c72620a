package io.gantry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** How failures of an HTTP call are reported, and which are retried. */
class UpstreamFailuresTest {

  /** The exception Helidon 4.5 throws when its idle watch on a pooled connection ran out. */
  private static RuntimeException idleWatchFailure() {
    RuntimeException e =
        new RuntimeException(
            "Exception in socket monitor thread.",
            new ExecutionException(
                new UncheckedIOException(new SocketTimeoutException("Read timed out"))));
    e.setStackTrace(
        new StackTraceElement[] {
          new StackTraceElement(
              "io.helidon.common.socket.IdleInputStream", "endIdle", "IdleInputStream.java", 176),
          new StackTraceElement(
              "io.helidon.common.socket.IdleInputStream", "read", "IdleInputStream.java", 84)
        });
    return e;
  }

  @Test
  void aConnectionThatBrokeWhileIdleIsRetriedNotATimeout() {
    UpstreamException failure = UpstreamFailures.classify("b", idleWatchFailure());
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
  void theIdleWatchIsRecognisedByWhereItFailed() {
    RuntimeException elsewhere =
        new RuntimeException(
            "Exception in socket monitor thread.",
            new UncheckedIOException(new SocketTimeoutException("Read timed out")));
    assertThat(UpstreamFailures.brokeWhileIdle(idleWatchFailure())).isTrue();
    assertThat(UpstreamFailures.brokeWhileIdle(elsewhere)).isFalse();
  }
}
