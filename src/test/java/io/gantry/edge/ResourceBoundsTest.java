package io.gantry.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.GatewayProcess;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.TestStack;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The attack suite's resource bounds, against a gateway in its own process with a fixed 192 MB
 * heap, as the launcher runs it: a flood of session ids, slow headers beyond the connection cap, a
 * flood of large background requests, and clients that stop reading their streams. After each, the
 * gateway answers {@code /livez} and {@code /v1/models} within a second, and its heap after a full
 * collection stays under {@value #HEAP_BOUND_MB} MB.
 */
class ResourceBoundsTest {
  static final String ADMIN = "admin-token-of-the-resource-bounds-test-42";
  static final int HEAP_BOUND_MB = 64;
  static final int MAX_CONNECTIONS = 300;

  private static Simulator sim;
  private static GatewayProcess gateway;
  private static String key;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeAll
  static void start() throws Exception {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    gateway =
        GatewayProcess.start(
            "192m",
            Map.of(
                "GANTRY_ADMIN_TOKEN", ADMIN,
                "GANTRY_SERVER_HEADER_TIMEOUT_MS", "1000",
                "GANTRY_SERVER_CLIENT_WRITE_TIMEOUT_MS", "1000",
                "GANTRY_SERVER_MAX_CONNECTIONS", String.valueOf(MAX_CONNECTIONS),
                "GANTRY_OBSERVE_MAX_OPEN_SESSIONS", "1000",
                "GANTRY_BACKGROUND_WORKERS", "1",
                "GANTRY_BACKGROUND_MAX_QUEUED_PER_TENANT", "20"),
            "--backend",
            "openai=" + sim.baseUrl() + "/v1");
    HttpResponse<String> created =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(gateway.base + "/admin/keys"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"bounds\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    key = Json.MAPPER.readTree(created.body()).path("key").asText();
  }

  @AfterAll
  static void stop() {
    gateway.close();
    sim.close();
  }

  @Test
  void aFloodOfSessionIdsLeavesNoTrace() throws Exception {
    // Refused requests with 8 KB session ids: not one session is kept for them.
    AtomicInteger refused = new AtomicInteger();
    flood(
        5_000,
        i ->
            request("/v1/models")
                .header("x-session-id", UUID.randomUUID() + "x".repeat(8_000))
                .build(),
        status -> {
          if (status == 401) {
            refused.incrementAndGet();
          }
        });
    assertThat(refused.get()).isEqualTo(5_000);
    assertThat(metric("gantry_sessions_open")).isZero();

    // With a key: an oversized id is a 400, and distinct valid ids fill at most the table.
    HttpResponse<String> oversized =
        HTTP.send(
            request("/v1/models")
                .header("Authorization", "Bearer " + key)
                .header("x-session-id", "s".repeat(129))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(oversized.statusCode()).isEqualTo(400);
    assertThat(oversized.body()).contains("invalid_session_id");
    flood(
        3_000,
        i ->
            request("/v1/models")
                .header("Authorization", "Bearer " + key)
                .header("x-session-id", "session-" + i)
                .build(),
        status -> assertThat(status).isEqualTo(200));
    assertThat(metric("gantry_sessions_open")).isEqualTo(1000);
    assertThat(metric("gantry_sessions_untracked_total")).isGreaterThanOrEqualTo(2000);
    assertStillServing();
  }

  @Test
  void slowHeadersAreCutOffAndConnectionsAreCapped() throws Exception {
    int connections = 2 * MAX_CONNECTIONS;
    double before = metric("gantry_connections_closed_total", "reason", "header_timeout");
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> closed = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        closed.add(pool.submit(ResourceBoundsTest::dripHeadersUntilClosed));
      }
      int cut = 0;
      for (Future<Boolean> f : closed) {
        cut += f.get() ? 1 : 0;
      }
      assertThat(cut).as("every slow connection was closed by the gateway").isEqualTo(connections);
    }
    assertThat(metric("gantry_connections_closed_total", "reason", "header_timeout") - before)
        .isGreaterThanOrEqualTo(connections);
    assertStillServing();
  }

  @Test
  void aFloodOfLargeBackgroundRequestsIsBoundedPerTenant() throws Exception {
    String big = "word ".repeat(200_000); // 1 MB of input each
    List<String> accepted = new ArrayList<>();
    int full = 0;
    for (int i = 0; i < 60; i++) {
      String body =
          "{\"model\":\""
              + TestStack.OPENAI_MODEL
              + "\",\"background\":true,\"input\":\""
              + big
              + " sim:tokens=100 sim:delay=100\"}"; // 10 s each: one runs while all arrive
      HttpResponse<String> reply =
          HTTP.send(
              request("/v1/responses")
                  .header("Authorization", "Bearer " + key)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (reply.statusCode() == 200) {
        accepted.add(Json.MAPPER.readTree(reply.body()).path("id").asText());
      } else {
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(429);
        assertThat(reply.body()).contains("background_queue_full");
        assertThat(Long.parseLong(reply.headers().firstValue("retry-after").orElseThrow()))
            .isGreaterThanOrEqualTo(1);
        full++;
      }
    }
    // One running, 20 waiting: the rest were refused at once (one more may slip in while the
    // worker takes the first job).
    assertThat(full).isBetween(60 - 20 - 2, 60 - 20 - 1);
    assertThat(metric("gantry_background_refused_total", "scope", "tenant")).isEqualTo(full);
    assertStillServing();
    for (String id : accepted) {
      HTTP.send(
          request("/v1/responses/" + id + "/cancel")
              .header("Authorization", "Bearer " + key)
              .POST(HttpRequest.BodyPublishers.noBody())
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }
  }

  @Test
  void clientsThatStopReadingAreCutOffAndFreeTheirBackendSlots() throws Exception {
    double before = metric("gantry_connections_closed_total", "reason", "write_timeout");
    List<Socket> unread = new ArrayList<>();
    try {
      for (int i = 0; i < 20; i++) {
        unread.add(startUnreadStream(i));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> sim.stats().inFlight() >= 1);
      // Each stream fills the socket buffers, its writes block, and the write timeout (1 s) ends
      // it: the backend request is aborted and the slot comes back.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() ->
              sim.stats().inFlight() == 0
                  && metric("gantry_upstream_inflight", "backend", "openai-" + simPort()) == 0);
      assertThat(metric("gantry_connections_closed_total", "reason", "write_timeout") - before)
          .isEqualTo(20);
      assertStillServing();
    } finally {
      for (Socket s : unread) {
        s.close();
      }
    }
  }

  private static Socket startUnreadStream(int i) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port));
    String body =
        "{\"model\":\""
            + TestStack.OPENAI_MODEL
            + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"unread "
            + i
            + " sim:tokens=40000\"}]}";
    OutputStream out = socket.getOutputStream();
    out.write(
        ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + key
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length()
                + "\r\n\r\n"
                + body)
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
    return socket; // never read
  }

  /**
   * Sends a request line, then one header line every 300 ms; true once the gateway closes the
   * connection (within 20 s), false if it never does.
   */
  private static boolean dripHeadersUntilClosed() {
    try (Socket socket = new Socket("127.0.0.1", gateway.port)) {
      socket.setSoTimeout(300);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /v1/models HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      long deadline = System.nanoTime() + 20_000_000_000L;
      for (int i = 0; System.nanoTime() < deadline; i++) {
        try {
          if (in.read() < 0) {
            return true;
          }
        } catch (SocketTimeoutException stillOpen) {
          out.write(("X-Slow-" + i + ": y\r\n").getBytes(StandardCharsets.US_ASCII));
        }
      }
      return false;
    } catch (IOException reset) {
      return true; // closed under the writer
    }
  }

  private static int simPort() {
    return URI.create(sim.baseUrl()).getPort();
  }

  /** {@code count} requests, 32 at a time, each status handed to {@code check}. */
  private static void flood(
      int count,
      java.util.function.IntFunction<HttpRequest> requests,
      java.util.function.IntConsumer check)
      throws Exception {
    Semaphore inFlight = new Semaphore(32);
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int n = i;
        inFlight.acquire();
        statuses.add(
            pool.submit(() -> {
              try {
                return HTTP.send(requests.apply(n), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
              } finally {
                inFlight.release();
              }
            }));
      }
      for (Future<Integer> f : statuses) {
        check.accept(f.get());
      }
    }
  }

  private static HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(gateway.base + path)).timeout(Duration.ofSeconds(30));
  }

  private static double metric(String name, String... labels) {
    return MetricsScrape.of(gateway.base).value(name, labels);
  }

  /** Alive, answering within a second, and back under the heap bound after a collection. */
  private static void assertStillServing() throws Exception {
    assertThat(gateway.alive()).as("the gateway process is alive").isTrue();
    assertThat(gateway.get("/livez", null, Duration.ofSeconds(1)).statusCode()).isEqualTo(200);
    HttpResponse<String> models = gateway.get("/v1/models", key, Duration.ofSeconds(1));
    assertThat(models.statusCode()).isEqualTo(200);
    JsonNode list = Json.MAPPER.readTree(models.body());
    assertThat(list.path("data")).isNotEmpty();
    long heap = gateway.heapAfterGc();
    System.out.println("heap after GC: " + heap / (1024 * 1024) + " MB");
    assertThat(heap / (1024 * 1024)).as("heap after a full GC, MB").isLessThan(HEAP_BOUND_MB);
  }
}
