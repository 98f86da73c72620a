package io.gantry.govern.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DurationsTest {
  /** The pattern Codex CLI reads a rate-limit message's wait with (codex-rs). */
  private static final Pattern CODEX =
      Pattern.compile("(?i)try again in\\s*(\\d+(?:\\.\\d+)?)\\s*(s|ms|seconds?)");

  @Test
  void resetHeadersUseOpenAisDurationFormat() {
    assertThat(Durations.header(0)).isEqualTo("0s");
    assertThat(Durations.header(0.02)).isEqualTo("20ms");
    assertThat(Durations.header(0.0201)).isEqualTo("21ms");
    assertThat(Durations.header(1)).isEqualTo("1s");
    assertThat(Durations.header(1.5)).isEqualTo("1.5s");
    assertThat(Durations.header(59.999)).isEqualTo("59.999s");
    assertThat(Durations.header(60)).isEqualTo("1m0s");
    assertThat(Durations.header(360)).isEqualTo("6m0s");
    assertThat(Durations.header(90.25)).isEqualTo("1m30.25s");
    assertThat(Durations.header(3723)).isEqualTo("1h2m3s");
  }

  @Test
  void messageWaitsAreWhatCodexParsesAndNeverShorterThanTheRealWait() {
    assertThat(seconds("Please try again in " + Durations.message(1.5) + ".")).isEqualTo(1.5);
    assertThat(seconds("Please try again in " + Durations.message(0.0201) + ".")).isEqualTo(0.021);
    assertThat(seconds("Please try again in " + Durations.message(42) + ".")).isEqualTo(42);
    // Minutes would not match Codex's pattern, so long waits stay in seconds.
    assertThat(Durations.message(90)).isEqualTo("90s");
    assertThat(seconds("Please try again in " + Durations.message(90.0004) + "."))
        .isGreaterThanOrEqualTo(90.0004);
  }

  @Test
  void retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
    assertThat(Durations.retryAfter(0.001)).isEqualTo(1);
    assertThat(Durations.retryAfter(1)).isEqualTo(1);
    assertThat(Durations.retryAfter(1.2)).isEqualTo(2);
    assertThat(Durations.retryAfter(42)).isEqualTo(42);
  }

  private static double seconds(String message) {
    Matcher m = CODEX.matcher(message);
    assertThat(m.find()).as("Codex finds a wait in: %s", message).isTrue();
    double value = Double.parseDouble(m.group(1));
    return m.group(2).equalsIgnoreCase("ms") ? value / 1000 : value;
  }
}
