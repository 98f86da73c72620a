package io.gantry.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {
  private final AtomicLong now = new AtomicLong();
  private final CircuitBreaker breaker = new CircuitBreaker(3, 1000, now::get);

  private void advanceMs(long ms) {
    now.addAndGet(ms * 1_000_000L);
  }

  @Test
  void opensAfterConsecutiveFailuresOnly() {
    breaker.failure();
    breaker.failure();
    breaker.success();
    breaker.failure();
    breaker.failure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    breaker.failure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(breaker.available()).isFalse();
    assertThat(breaker.tryPass()).isFalse();
  }

  @Test
  void halfOpensAndLetsOneTrialPass() {
    for (int i = 0; i < 3; i++) {
      breaker.failure();
    }
    advanceMs(1000);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
    assertThat(breaker.tryPass()).isTrue();
    assertThat(breaker.tryPass()).isFalse(); // one trial at a time
    breaker.success();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.tryPass()).isTrue();
  }

  @Test
  void aFailedTrialReopensAndALostTrialIsReplaced() {
    for (int i = 0; i < 3; i++) {
      breaker.failure();
    }
    advanceMs(1000);
    assertThat(breaker.tryPass()).isTrue();
    breaker.failure();
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    advanceMs(1000);
    assertThat(breaker.tryPass()).isTrue();
    // That trial never reports; after open_seconds another one may pass.
    advanceMs(999);
    assertThat(breaker.tryPass()).isFalse();
    advanceMs(1);
    assertThat(breaker.tryPass()).isTrue();
  }
}
