package io.gantry.api.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.DeliberateDelay;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The dashboard as a person sees it: traffic flows through the shared stack while {@code
 * compat/dashboard/check.mjs} opens {@code /dashboard} in Debian's headless Chromium (through
 * playwright-core), waits for the uPlot charts and the backend table, checks that the simulator's
 * backend is up and requests/s rose above zero, and saves a screenshot as {@code dashboard.png} in
 * the build directory. {@code .ci/run} installs Chromium and {@code scripts/test} the npm package;
 * this test refuses to pass without them.
 */
class DashboardBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  @Test
  void theDashboardShowsLiveTrafficInChromium() throws Exception {
    Path dir = Path.of("compat", "dashboard").toAbsolutePath();
    assertThat(dir.resolve("node_modules/playwright-core"))
        .as("npm packages missing: run `npm ci` in compat/dashboard/ (scripts/test does it)")
        .isDirectory();
    assertThat(CHROMIUM)
        .as("Chromium missing: apt-get install chromium (.ci/run does it)")
        .isExecutable();
    TestStack stack = TestStack.shared();
    String gateway = stack.gatewayUrl();
    Path screenshot = buildDir().resolve("dashboard.png");
    Files.deleteIfExists(screenshot);

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger sent = new AtomicInteger();
    ExecutorService traffic = Executors.newVirtualThreadPerTaskExecutor();
    List<Future<?>> clients = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      int client = c;
      clients.add(
          traffic.submit(() -> {
            // Bounded: stops when the check is over, and after 90 s or 3000 requests at most.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            for (int i = 0; running.get() && i < 1000 && System.nanoTime() < deadline; i++) {
              RawHttp.post(gateway + "/v1/chat/completions", chat(client, i));
              sent.incrementAndGet();
              DeliberateDelay.of(Duration.ofMillis(20)); // a paced client: steady live traffic
            }
            return null;
          }));
    }
    Path log = Files.createTempFile("dashboard-check", ".log");
    try {
      ProcessBuilder node =
          new ProcessBuilder("node", "check.mjs")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      node.environment().put("GANTRY_DASHBOARD_URL", gateway + "/dashboard");
      node.environment().put("SCREENSHOT_PATH", screenshot.toString());
      node.environment().put("GANTRY_EXPECT_BACKEND", "sim-openai");
      node.environment().put("CHROMIUM_PATH", CHROMIUM.toString());
      Process process = node.start();
      boolean finished = process.waitFor(2, TimeUnit.MINUTES);
      if (!finished) {
        process.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(output);
      assertThat(finished).as("dashboard check finished in time; output:%n%s", output).isTrue();
      assertThat(process.exitValue()).as("check.mjs exit code; output:%n%s", output).isZero();
      assertThat(output).contains("dashboard:").contains("\"canvases\":5");
    } finally {
      running.set(false);
      for (Future<?> client : clients) {
        client.get(60, TimeUnit.SECONDS);
      }
      traffic.shutdown();
    }
    assertThat(sent).hasPositiveValue();
    assertThat(screenshot).isRegularFile();
    byte[] png = Files.readAllBytes(screenshot);
    assertThat(png.length).isGreaterThan(10_000);
    assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  /** A mix: streamed and blocking answers on both dialects, and now and then a backend 500. */
  private static String chat(int client, int i) {
    String model = client == 2 ? TestStack.OLLAMA_MODEL : TestStack.OPENAI_MODEL;
    String prompt = i % 10 == 9 ? "sim:fail=500" : "dashboard traffic sim:tokens=" + (8 + i % 16);
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + (i % 2 == 0)
        + ",\"stream_options\":{\"include_usage\":true},"
        + "\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt
        + "\"}]}";
  }

  /** Where this build writes (target/, or gantry.build.dir): the parent of test-classes. */
  private static Path buildDir() throws Exception {
    Path classes =
        Path.of(
            DashboardBrowserTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return classes.getParent();
  }
}
