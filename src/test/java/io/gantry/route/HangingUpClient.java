package io.gantry.route;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A client that sends a request over a plain socket and hangs up when the test says, so a test can
 * time how long Gantry takes to abort the backend call.
 */
final class HangingUpClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final StringBuilder received = new StringBuilder();

  private HangingUpClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  static HangingUpClient post(String baseUrl, String path, String json) throws IOException {
    URI uri = URI.create(baseUrl);
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    socket.setSoTimeout(10_000);
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: "
            + uri.getHost()
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return new HangingUpClient(socket);
  }

  /** Reads until {@code marker} was received {@code times} times. */
  void readUntil(String marker, int times) throws IOException {
    byte[] buffer = new byte[8192];
    while (count(received, marker) < times) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("connection closed after: " + received);
      }
      received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
  }

  String received() {
    return received.toString();
  }

  /** Hangs up now; returns when, on {@link System#nanoTime()}. */
  long hangUp() throws IOException {
    long at = System.nanoTime();
    socket.close();
    return at;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private static int count(CharSequence text, String marker) {
    int n = 0;
    for (int at = text.toString().indexOf(marker);
        at >= 0;
        at = text.toString().indexOf(marker, at + 1)) {
      n++;
    }
    return n;
  }
}
