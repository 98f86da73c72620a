package io.gantry.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The relay's flush decision rests on knowing what Helidon's client has already received; this
 * fails when a Helidon upgrade moves the internals {@link ReceivedBytes} reads.
 */
class ReceivedBytesTest {

  @Test
  void helidonInternalsAreFound() {
    assertThat(ReceivedBytes.supported()).isTrue();
  }

  @Test
  void countsChunksReceivedButNotYetRead() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual()
          .start(() -> {
            try (Socket s = server.accept()) {
              InputStream in = s.getInputStream();
              byte[] buf = new byte[4096];
              int n = in.read(buf); // the request (small, one read)
              assertThat(n).isPositive();
              OutputStream out = s.getOutputStream();
              out.write(
                  ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                          + "Transfer-Encoding: chunked\r\n\r\n"
                          + "5\r\nfirst\r\n6\r\nsecond\r\n5\r\nthird\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              release.await(10, TimeUnit.SECONDS);
              out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
              out.flush();
            } catch (Exception ignored) {
              // the test fails on the client side
            }
          });
      WebClient client =
          WebClient.builder().baseUri("http://127.0.0.1:" + server.getLocalPort()).build();
      try (HttpClientResponse response = client.get("/").request()) {
        InputStream entity = response.inputStream();
        byte[] buf = new byte[64];
        assertThat(new String(buf, 0, entity.read(buf), StandardCharsets.US_ASCII))
            .isEqualTo("first");
        // "6\r\nsecond\r\n5\r\nthird\r\n" is in Helidon's buffer (or the kernel's).
        assertThat(ReceivedBytes.of(response, entity)).isGreaterThanOrEqualTo(11);
        assertThat(entity.read(buf)).isEqualTo(6);
        assertThat(entity.read(buf)).isEqualTo(5);
        assertThat(ReceivedBytes.of(response, entity)).as("nothing more sent yet").isZero();
        release.countDown();
        assertThat(entity.read(buf)).isEqualTo(-1);
      }
    }
  }

  @Test
  void aStreamWithoutHelidonInsideCountsNothing() {
    InputStream plain = new ByteArrayInputStream(new byte[10]);
    assertThat(ReceivedBytes.of(new Object(), plain)).isZero();
  }
}
