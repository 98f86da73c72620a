package io.gantry.simulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 exchange on a plain socket, read to EOF: shows exactly what reached the wire,
 * including a stream cut before its terminating chunk (which HttpClient hides behind an error).
 */
final class RawHttp {
  private RawHttp() {}

  static String post(Simulator sim, String path, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", sim.port())) {
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      String head =
          "POST "
              + path
              + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
              + "Content-Length: "
              + body.length
              + "\r\nConnection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      try {
        for (int n; (n = in.read(buf)) >= 0; ) {
          received.write(buf, 0, n);
        }
      } catch (java.net.SocketException e) {
        // a reset after the data: what was read still counts
      }
      return received.toString(StandardCharsets.UTF_8);
    }
  }
}
