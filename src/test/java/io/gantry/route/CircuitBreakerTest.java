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

  private CircuitBreaker rateBreaker() {
    // Consecutive rule out of the way (100); 50% of at least 4 attempts in 10 s opens it.
    return new CircuitBreaker(
        new io.gantry.config.CircuitConfig(100, 1, 0.5, 10, 4), 1000, now::get);
  }

  @Test
  void opensOnTheFailureRateOnceTheWindowHasEnoughAttempts() {
    CircuitBreaker rate = rateBreaker();
    rate.failure();
    rate.success();
    rate.failure();
    // 2 of 3 failed, but 3 < min_requests.
    assertThat(rate.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    rate.success();
    assertThat(rate.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    // 3 of 5 failed (60% >= 50%): the failure that crosses the rate opens it.
    assertThat(rate.failure()).isTrue();
    assertThat(rate.state()).isEqualTo(CircuitBreaker.State.OPEN);
  }

  @Test
  void aLowFailureRateKeepsItClosed() {
    CircuitBreaker rate = rateBreaker();
    for (int i = 0; i < 30; i++) {
      rate.success();
      rate.success();
      rate.success();
      assertThat(rate.failure()).isFalse(); // 25%
    }
    assertThat(rate.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void failuresOlderThanTheWindowNoLongerCount() {
    CircuitBreaker rate = rateBreaker();
    rate.failure();
    rate.failure();
    rate.failure();
    advanceMs(11_000); // the three failures slide out of the 10 s window
    rate.success();
    rate.success();
    rate.success();
    assertThat(rate.failure()).isFalse(); // 1 of 4 within the window
    assertThat(rate.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void theRateRuleIsOffByDefault() {
    CircuitBreaker plain =
        new CircuitBreaker(new io.gantry.config.CircuitConfig(100, 1), 1000, now::get);
    for (int i = 0; i < 50; i++) {
      plain.success();
      plain.failure();
    }
    assertThat(plain.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void aClosedCircuitStartsItsWindowAfresh() {
    CircuitBreaker rate = rateBreaker();
    for (int i = 0; i < 4; i++) {
      rate.failure();
    }
    assertThat(rate.state()).isEqualTo(CircuitBreaker.State.OPEN);
    advanceMs(1000);
    assertThat(rate.tryPass()).isTrue();
    rate.success(); // the trial closes it; the old failures must not reopen it at once
    assertThat(rate.failure()).isFalse();
    assertThat(rate.state()).isEqualTo(CircuitBreaker.State.CLOSED);
  }

  @Test
  void tellsHowLongUntilTheNextTrial() {
    for (int i = 0; i < 3; i++) {
      breaker.failure();
    }
    advanceMs(400);
    assertThat(breaker.nanosUntilTrial()).isEqualTo(600_000_000L);
    advanceMs(700);
    assertThat(breaker.nanosUntilTrial()).isZero();
  }
}
