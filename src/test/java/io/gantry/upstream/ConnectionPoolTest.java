package io.gantry.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.config.RetriesConfig;
import io.gantry.config.TimeoutsConfig;
import io.gantry.testing.DeliberateDelay;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kept-alive connections to a backend: reused however long they idled (within the pool's
 * limit), replaced without a failure when the backend closed one meanwhile, and not reused past the
 * idle limit. The backend is a raw socket server, so what happens on the wire is what is counted.
 */
class ConnectionPoolTest {
  private static final byte[] BODY = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
  private static final TimeoutsConfig LIMITS = new TimeoutsConfig(2_000L, 5_000L, 5_000L, 0L);

  private final RawBackend backend = new RawBackend();
  private BackendHttp http;

  @AfterEach
  void stop() throws IOException {
    if (http != null) {
      http.close();
    }
    backend.close();
  }

  private static final class Attempts implements UpstreamObserver {
    final List<Boolean> failed = new CopyOnWriteArrayList<>();

    @Override
    public void opened(String name) {}

    @Override
    public void closed(String name) {}

    @Override
    public void attempted(String name, boolean failedAttempt) {
      failed.add(failedAttempt);
    }
  }

  private String post() throws UpstreamException {
    try (UpstreamResponse response = http.postJson("/v1/chat/completions", BODY, null)) {
      return new String(response.successful().readAll(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void anIdleConnectionIsReusedLongAfterItsLastAnswer() throws Exception {
    http = new BackendHttp("b", backend.url(), null, LIMITS);
    assertThat(post()).isEqualTo("{\"n\":1}");
    // Idle three times as long as Helidon's own pool watched a connection before failing it.
    DeliberateDelay.of(Duration.ofMillis(350));
    assertThat(post()).isEqualTo("{\"n\":2}");
    assertThat(backend.accepted.get()).as("one connection for both requests").isEqualTo(1);
  }

  @Test
  void aConnectionTheBackendClosedWhileIdleIsReplacedWithoutAFailure() throws Exception {
    Attempts attempts = new Attempts();
    http = new BackendHttp("b", backend.url(), null, LIMITS, RetriesConfig.DEFAULTS, attempts);
    backend.closeAfterAnswer = true;
    assertThat(post()).isEqualTo("{\"n\":1}");
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.closed.get() == 1);
    // Idle past the point where a failure may be the backend's idle close, not a failed answer.
    DeliberateDelay.of(Duration.ofNanos(ConnectionPool.STALE_AFTER_NANOS + 100_000_000L));

    assertThat(post()).isEqualTo("{\"n\":2}");
    assertThat(backend.accepted.get()).isEqualTo(2);
    assertThat(attempts.failed)
        .as("a connection closed while idle is not the backend failing")
        .containsOnly(false);
  }

  @Test
  void aConnectionReusedAtOnceThatEndsBeforeItsAnswerIsAFailedAttempt() throws Exception {
    Attempts attempts = new Attempts();
    RetriesConfig once = new RetriesConfig(1, 10L, 100L, 1.0, 1000);
    http = new BackendHttp("b", backend.url(), null, LIMITS, once, attempts);
    assertThat(post()).isEqualTo("{\"n\":1}");
    backend.hangUpBeforeAnswer = true;
    org.assertj.core.api.Assertions.assertThatThrownBy(this::post)
        .isInstanceOf(UpstreamException.class);
    System.err.println(
        +backend.accepted.get()
            + " received="
            + backend.received.get()
            + " attempts="
            + attempts.failed);
    assertThat(backend.received.get()).as("sent once, not again as if stale").isEqualTo(2);
    assertThat(attempts.failed).containsExactly(false, true);
  }

  @Test
  void aConnectionIdleBeyondTheLimitIsClosedNotReused() throws Exception {
    io.helidon.webclient.api.WebClient client =
        io.helidon.webclient.api.WebClient.builder().build();
    ConnectionPool pool = new ConnectionPool(client, java.net.URI.create(backend.url()), 8, 0);
    ConnectionPool.Taken first = pool.take();
    assertThat(first.reused()).isFalse();
    try (var response =
        client
            .post()
            .uri(backend.url() + "/v1/chat/completions")
            .connection(first.connection())
            .submit(BODY)) {
      assertThat(response.as(String.class)).isEqualTo("{\"n\":1}");
    }
    assertThat(pool.idleConnections()).isEqualTo(1);

    ConnectionPool.Taken second = pool.take();
    assertThat(second.reused()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> backend.closed.get() == 1);
    second.connection().closeResource();
    pool.close();
  }

  /** Answers each request with {@code {"n":<count>}}; optionally closes the connection after. */
  private static final class RawBackend implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger answered = new AtomicInteger();
    final AtomicInteger received = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    volatile boolean closeAfterAnswer;
    volatile boolean hangUpBeforeAnswer;

    RawBackend() {
      try {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      Thread.ofVirtual().start(this::acceptLoop);
    }

    String url() {
      return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    private void acceptLoop() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          Thread.ofVirtual().start(() -> serve(s));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s;
          InputStream in = s.getInputStream();
          OutputStream out = s.getOutputStream()) {
        while (true) {
          int length = readHead(in);
          if (length < 0) {
            break; // the client closed it
          }
          in.readNBytes(length);
          received.incrementAndGet();
          if (hangUpBeforeAnswer) {
            break; // as a backend that crashed on the request
          }
          byte[] body =
              ("{\"n\":" + answered.incrementAndGet() + "}").getBytes(StandardCharsets.UTF_8);
          out.write(
              ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                      + body.length
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.write(body);
          out.flush();
          if (closeAfterAnswer) {
            break; // as a server whose keep-alive timeout fired: no "Connection: close" said
          }
        }
      } catch (IOException ignored) {
        // the client went away
      } finally {
        closed.incrementAndGet();
      }
    }

    /** Reads a request head; its Content-Length, or -1 at the end of the stream. */
    private static int readHead(InputStream in) throws IOException {
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      int b;
      while (matched < 4 && (b = in.read()) >= 0) {
        head.write(b);
        matched = (b == '\r' || b == '\n') ? matched + 1 : 0;
      }
      if (matched < 4) {
        return -1;
      }
      for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          return Integer.parseInt(line.substring(15).trim());
        }
      }
      return 0;
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
