package io.gantry.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.testing.DeliberateDelay;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A watched body is read with the socket timeout off, and the timeout is back before Helidon pools
 * the connection: its idle watch reads a pooled connection with the timeout it finds, and with none
 * it drops the connection after 101 ms, so the next request would need a new one.
 */
class DirectBodyTest {
  /** The timeout of each read of Helidon's idle watch on a pooled connection. */
  private static final int IDLE_WATCH_READ_MS = 101;

  private static final byte[] FIRST_PART =
      ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "5\r\nfirst\r\n")
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LAST_PART =
      "6\r\nsecond\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SMALL_ANSWER =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

  @Test
  void readsUntimedAndPutsTheTimeoutBackBeforeTheConnectionIsReused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      WebClient client = clientOf(server, accepted, answered, release);

      Socket socket;
      try (HttpClientResponse response = client.get("/stream").request()) {
        InputStream body = DirectBody.of(response, response.inputStream(), true);
        assertThat(body).isInstanceOf(DirectBody.class);
        socket = ReceivedBytes.socketOf(response);
        assertThat(socket).isNotNull();
        assertThat(((DirectBody) body).untimed()).isTrue();
        assertThat(socket.getSoTimeout()).as("reads wait untimed").isZero();

        byte[] buf = new byte[64];
        assertThat(new String(buf, 0, body.read(buf), StandardCharsets.US_ASCII))
            .isEqualTo("first");
        release.countDown();
        assertThat(new String(buf, 0, body.read(buf), StandardCharsets.US_ASCII))
            .isEqualTo("second");
        assertThat(body.read(buf)).isEqualTo(-1);
        // The timeout is put back before Helidon pools the connection; its idle watch then sets
        // its own, so the value cannot be read back here. What it protects is checked below: a
        // connection pooled with no timeout is failed by the idle watch and never reused.
      }

      // Pooled: the idle watch has begun once it has set its own read timeout on the socket.
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> socket.getSoTimeout() == IDLE_WATCH_READ_MS);
      // What is checked: the connection stays idle in the pool through several of the watch's
      // reads (had no timeout been put back, the first read to time out would fail it).
      DeliberateDelay.of(Duration.ofMillis(3 * IDLE_WATCH_READ_MS));
      try (HttpClientResponse again = client.get("/again").request()) {
        assertThat(again.as(String.class)).isEqualTo("ok");
      }
      assertThat(answered.get()).isEqualTo(2);
      assertThat(accepted.get()).as("the pooled connection was reused").isEqualTo(1);
    }
  }

  @Test
  void anUnwatchedBodyKeepsItsTimeout() throws Exception {
    AtomicInteger accepted = new AtomicInteger();
    AtomicInteger answered = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    release.countDown();
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      WebClient client = clientOf(server, accepted, answered, release);
      try (HttpClientResponse response = client.get("/stream").request()) {
        InputStream body = DirectBody.of(response, response.inputStream(), false);
        assertThat(ReceivedBytes.socketOf(response).getSoTimeout()).isEqualTo(7_000);
        assertThat(body.readAllBytes())
            .asString(StandardCharsets.US_ASCII)
            .isEqualTo("firstsecond");
      }
    }
  }

  /** Starts answering on {@code server}; a client of it whose read timeout is 7 s. */
  private static WebClient clientOf(
      ServerSocket server, AtomicInteger accepted, AtomicInteger answered, CountDownLatch release) {
    Thread.ofVirtual().start(() -> serve(server, accepted, answered, release));
    return WebClient.builder()
        .baseUri("http://127.0.0.1:" + server.getLocalPort())
        .readTimeout(Duration.ofSeconds(7))
        .build();
  }

  /** Answers requests on each accepted connection: a chunked stream first, then a small body. */
  private static void serve(
      ServerSocket server, AtomicInteger accepted, AtomicInteger answered, CountDownLatch release) {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      Thread.ofVirtual()
          .start(() -> {
            try (s) {
              InputStream in = s.getInputStream();
              OutputStream out = s.getOutputStream();
              while (readHead(in)) {
                if (answered.getAndIncrement() == 0) {
                  out.write(FIRST_PART);
                  out.flush();
                  release.await(10, TimeUnit.SECONDS);
                  out.write(LAST_PART);
                } else {
                  out.write(SMALL_ANSWER);
                }
                out.flush();
              }
            } catch (IOException | InterruptedException e) {
              // the connection ends; the client side asserts
            }
          });
    }
  }

  /** Reads one request head (GET: no body); false at the end of the connection. */
  private static boolean readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      byte[] h = head.toByteArray();
      int n = h.length;
      if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
        return true;
      }
    }
    return false;
  }
}
