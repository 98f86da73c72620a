package io.gantry.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.TimeoutsConfig;
import io.gantry.core.Json;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.DeliberateDelay;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 6: a client hang-up (or a cancel) aborts the backend call within 100 ms, measured from the
 * hang-up to the moment the simulator sees its request aborted. Each case runs several times; the
 * median must be under the bound (the watcher looks every 20 ms; a loaded machine may delay
 * single runs, hence the median). {@code bench/cancel-latency.sh} runs more and reports p50/p95.
 */
class CancelLatencyTest {
  static final int RUNS = Integer.getInteger("gantry.cancelRuns", 9);
  static final long BOUND_MS = 100;

  static Simulator sim;
  static Gantry gantry;

  enum Case {
    /** Hang up while tokens flow: the next writes fail. */
    STREAM_FLOWING,
    /** Hang up while the backend is silent mid-stream: nothing is written, the watch notices. */
    STREAM_STALLED,
    /** Hang up while a blocking request waits for the whole answer. */
    BLOCKING,
    /** {@code POST /v1/responses/{id}/cancel} on a running background response. */
    BACKGROUND_CANCEL
  }

  @BeforeAll
  static void start() {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    new BackendConfig(
                        "sim",
                        "openai",
                        sim.baseUrl() + "/v1",
                        null,
                        List.of(),
                        // Long limits: only the hang-up may end these requests.
                        new TimeoutsConfig(1000L, 10_000L, 10_000L, 0L))),
                Map.of()));
  }

  @AfterAll
  static void stop() {
    gantry.close();
    sim.close();
  }

  @ParameterizedTest
  @EnumSource(Case.class)
  void backendCallIsAbortedPromptly(Case c) throws Exception {
    List<Long> latencies = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      latencies.add(once(c, run));
    }
    List<Long> sorted = latencies.stream().sorted().toList();
    long p50 = sorted.get(sorted.size() / 2);
    long p95 = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.95) - 1));
    System.out.printf(
        "cancel-latency %s runs=%d p50=%dms p95=%dms max=%dms%n",
        c, sorted.size(), p50, p95, sorted.get(sorted.size() - 1));
    assertThat(p50).as("median hang-up to abort, ms: %s", sorted).isLessThan(BOUND_MS);
  }

  /**
   * The client hangs up some time into a silence (nothing is written to it), not at its first
   * instant: the case measured is a client giving up on a wait, and the latency is timed from the
   * hang-up on. Part of the scenario, not a wait for anything: what has to have happened first (the
   * last event read, the request at the backend) is awaited before.
   */
  private static void someTimeIntoTheSilence() {
    DeliberateDelay.of(Duration.ofMillis(60));
  }

  /** One hang-up; returns milliseconds from it to the simulator's abort. */
  private static long once(Case c, int run) throws Exception {
    sim.resetStats();
    String model = TestStack.OPENAI_MODEL;
    long hungUp;
    switch (c) {
      case STREAM_FLOWING, STREAM_STALLED -> {
        String prompt =
            c == Case.STREAM_FLOWING
                ? "sim:tokens=500 sim:delay=10 run " + run
                : "sim:tokens=50 sim:fail=stall-after:2 run " + run;
        try (HangingUpClient client =
            HangingUpClient.post(
                gantry.baseUrl(),
                "/v1/chat/completions",
                SurfaceCall.chatBody(model, prompt, true))) {
          client.readUntil("data: ", 3);
          if (c == Case.STREAM_STALLED) {
            someTimeIntoTheSilence();
          }
          hungUp = client.hangUp();
        }
      }
      case BLOCKING -> {
        try (HangingUpClient client =
            HangingUpClient.post(
                gantry.baseUrl(),
                "/v1/chat/completions",
                SurfaceCall.chatBody(model, "sim:tokens=300 sim:delay=10 run " + run, false))) {
          await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().inFlight() == 1);
          someTimeIntoTheSilence(); // nothing is written while it waits
          hungUp = client.hangUp();
        }
      }
      case BACKGROUND_CANCEL -> {
        String id =
            Json.MAPPER
                .readTree(
                    RawHttp.post(
                            gantry.baseUrl() + "/v1/responses",
                            Json.bytes(
                                SurfaceCall.responsesBody(
                                        model, "sim:tokens=500 sim:delay=10 run " + run)
                                    .put("background", true)))
                        .body())
                .path("id")
                .asText();
        // Running: its answer is flowing from the backend.
        await()
            .atMost(Duration.ofSeconds(2))
            .until(() -> sim.stats().inFlight() == 1 && sim.stats().streamedTokens() >= 3);
        hungUp = System.nanoTime();
        assertThat(
                RawHttp.post(gantry.baseUrl() + "/v1/responses/" + id + "/cancel", "").statusCode())
            .isEqualTo(200);
      }
      default -> throw new IllegalStateException();
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> sim.stats().aborted() == 1 && sim.stats().inFlight() == 0);
    return (sim.stats().lastAbortNanos() - hungUp) / 1_000_000;
  }
}
