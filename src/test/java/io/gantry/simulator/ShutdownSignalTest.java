package io.gantry.simulator;

import static io.gantry.simulator.SimTestClient.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShutdownSignalTest {

  @Test
  void closingWakesAPauseAtOnce() throws Exception {
    ShutdownSignal signal = new ShutdownSignal();
    CompletableFuture<Throwable> ended = new CompletableFuture<>();
    Thread pausing =
        Thread.ofVirtual()
            .start(() -> {
              try {
                signal.sleep(60_000);
                ended.complete(null);
              } catch (Throwable t) {
                ended.complete(t);
              }
            });
    // In its pause: the thread sleeps (timed waiting) until woken.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> pausing.getState() == Thread.State.TIMED_WAITING);
    long start = System.nanoTime();
    signal.close();
    assertThat(ended.get(5, TimeUnit.SECONDS))
        .isInstanceOf(SimContext.SimulatorClosingException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
    pausing.join();
  }

  @Test
  void aPauseAfterCloseEndsAtOnce() {
    ShutdownSignal signal = new ShutdownSignal();
    signal.close();
    long start = System.nanoTime();
    assertThatThrownBy(() -> signal.sleep(60_000))
        .isInstanceOf(SimContext.SimulatorClosingException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
  }

  @Test
  void aPauseSleepsItsTimeAndLeavesNoInterruptBehind() {
    ShutdownSignal signal = new ShutdownSignal();
    long start = System.nanoTime();
    signal.sleep(30);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(30);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  /** Many short pauses at once, as thousands of slow streams make: every one ends on time. */
  @Test
  void concurrentPausesAllEnd() throws Exception {
    ShutdownSignal signal = new ShutdownSignal();
    AtomicInteger done = new AtomicInteger();
    try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 2_000; i++) {
        threads.submit(() -> {
          for (int k = 0; k < 5; k++) {
            signal.sleep(5);
          }
          done.incrementAndGet();
        });
      }
    }
    assertThat(done.get()).isEqualTo(2_000);
  }

  /** A stream waiting between tokens ends when the simulator closes, not when its delay is up. */
  @Test
  void closingTheSimulatorEndsADelayedStream() throws Exception {
    Simulator sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    SimTestClient client = new SimTestClient(sim);
    HttpRequest req =
        client
            .request("/v1/chat/completions")
            .timeout(Duration.ofSeconds(30))
            .header("content-type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    chat("hello sim:delay=60000", "\"stream\":true")))
            .build();
    HttpResponse<InputStream> res =
        client.http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.statusCode()).isEqualTo(200);
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8));
    assertThat(lines.readLine()).startsWith("data: "); // the role chunk; the first token waits
    long start = System.nanoTime();
    sim.close();
    CompletableFuture<Void> drained =
        CompletableFuture.runAsync(() -> {
          try {
            while (lines.readLine() != null) {
              // the rest, if any, until the connection ends
            }
          } catch (java.io.IOException e) {
            // cut: ended, as it should
          }
        });
    drained.get(10, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
  }
}
