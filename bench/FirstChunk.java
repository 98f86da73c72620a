// Time-to-first-chunk probe for bench/run.sh. Single-file program (JDK 11+ source launch):
//
//   java bench/FirstChunk.java [--requests N] [--warmup N] [--tokens N] NAME=http://HOST:PORT/PATH ...
//
// An API key goes in the URL's user part (NAME=http://KEY@HOST:PORT/PATH) and is sent as a bearer
// token.
//
// Sends streaming chat completions over one kept-alive HTTP/1.1 connection per target, targets
// interleaved request by request (so a noisy moment hits them all alike), and measures the time
// from writing the request to having the first complete server-sent `data:` event. The rest of
// each stream is read to its end so the connection can be reused and the stream is checked to
// end with `data: [DONE]`. Raw sockets, not java.net.http, so the client adds as little as possible.
//
// Prints one line per target:
//   TTFC <name> n=<N> p50_ms=<x> p90_ms=<x> p99_ms=<x> mean_ms=<x> min_ms=<x> failures=<k>

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

public class FirstChunk {
  public static void main(String[] args) throws Exception {
    int requests = 200;
    int warmup = 50;
    int tokens = 50;
    List<Target> targets = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--requests" -> requests = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--tokens" -> tokens = Integer.parseInt(args[++i]);
        default -> {
          int eq = args[i].indexOf('=');
          if (eq <= 0) {
            throw new IllegalArgumentException("expected NAME=URL, got " + args[i]);
          }
          targets.add(new Target(args[i].substring(0, eq), URI.create(args[i].substring(eq + 1))));
        }
      }
    }
    if (targets.isEmpty()) {
      System.err.println(
          "usage: FirstChunk [--requests N] [--warmup N] [--tokens N] NAME=http://HOST:PORT/PATH ...");
      System.exit(2);
    }
    byte[] body =
        ("{\"model\":\"gantry-sim\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"first chunk probe sim:tokens="
                + tokens
                + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    for (Target t : targets) {
      t.samples = new long[requests];
    }
    for (int i = 0; i < warmup + requests; i++) {
      // Rotate the order so no target is always measured first (or right after another).
      for (int k = 0; k < targets.size(); k++) {
        Target t = targets.get((i + k) % targets.size());
        long nanos;
        try {
          nanos = t.once(body);
        } catch (IOException e) {
          t.failures++;
          t.disconnect();
          if (t.failures > 20) {
            throw new IOException("target " + t.name + " keeps failing: " + e.getMessage(), e);
          }
          nanos = -1;
        }
        if (i >= warmup) {
          t.samples[i - warmup] = nanos;
        }
      }
    }
    for (Target t : targets) {
      long[] ok = Arrays.stream(t.samples).filter(v -> v >= 0).sorted().toArray();
      if (ok.length == 0) {
        System.out.printf("TTFC %s n=0 failures=%d%n", t.name, t.failures);
        continue;
      }
      double mean = Arrays.stream(ok).average().orElse(0);
      System.out.printf(
          Locale.ROOT,
          "TTFC %s n=%d p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f mean_ms=%.3f min_ms=%.3f failures=%d%n",
          t.name,
          ok.length,
          ms(pct(ok, 50)),
          ms(pct(ok, 90)),
          ms(pct(ok, 99)),
          mean / 1e6,
          ms(ok[0]),
          t.failures);
      t.disconnect();
    }
  }

  private static long pct(long[] sorted, double p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  static final class Target {
    final String name;
    final URI uri;
    long[] samples;
    int failures;
    Socket socket;
    InputStream in;
    OutputStream out;

    Target(String name, URI uri) {
      this.name = name;
      this.uri = uri;
    }

    void connect() throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(10_000);
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      out = socket.getOutputStream();
    }

    void disconnect() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      socket = null;
    }

    /** One request; returns nanoseconds until the first complete data event. */
    long once(byte[] body) throws IOException {
      if (socket == null) {
        connect();
      }
      String head =
          "POST "
              + uri.getRawPath()
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\n"
              + (uri.getUserInfo() == null ? "" : "Authorization: Bearer " + uri.getUserInfo() + "\r\n")
              + "Content-Length: "
              + body.length
              + "\r\n\r\n";
      byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
      byte[] request = new byte[headBytes.length + body.length];
      System.arraycopy(headBytes, 0, request, 0, headBytes.length);
      System.arraycopy(body, 0, request, headBytes.length, body.length);

      long start = System.nanoTime();
      out.write(request);
      out.flush();

      String status = line();
      if (!status.startsWith("HTTP/1.1 200")) {
        throw new IOException(name + ": unexpected status line: " + status);
      }
      boolean chunked = false;
      long contentLength = -1;
      boolean close = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        String lower = h.toLowerCase(Locale.ROOT);
        if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("content-length:")) {
          contentLength = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      EventWatch watch = new EventWatch(start);
      if (chunked) {
        while (true) {
          String sizeLine = line();
          int semi = sizeLine.indexOf(';');
          int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
          if (size == 0) {
            for (String t = line(); !t.isEmpty(); t = line()) {
              // trailers: ignore
            }
            break;
          }
          watch.feed(in.readNBytes(size), size);
          line(); // CRLF after the chunk data
        }
      } else if (contentLength >= 0) {
        watch.feed(in.readNBytes((int) contentLength), (int) contentLength);
      } else {
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) > 0; ) {
          watch.feed(Arrays.copyOf(buf, n), n);
        }
        close = true;
      }
      if (close) {
        disconnect();
      }
      if (watch.firstEventNanos < 0) {
        throw new IOException(name + ": no data event in the response");
      }
      if (!watch.endsWithDone()) {
        throw new IOException(name + ": stream did not end with data: [DONE]");
      }
      return watch.firstEventNanos;
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      while (true) {
        int c = in.read();
        if (c < 0) {
          throw new IOException(name + ": connection closed mid-response");
        }
        if (c == '\n') {
          break;
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.US_ASCII);
    }
  }

  /** Watches the decoded body for the end of its first data event. */
  static final class EventWatch {
    final long start;
    final ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
    long firstEventNanos = -1;

    EventWatch(long start) {
      this.start = start;
    }

    void feed(byte[] bytes, int n) {
      body.write(bytes, 0, n);
      if (firstEventNanos < 0) {
        String text = body.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\n\n");
        int endCr = text.indexOf("\r\n\r\n");
        if (end < 0 || (endCr >= 0 && endCr < end)) {
          end = endCr;
        }
        if (end >= 0 && text.substring(0, end).contains("data:")) {
          firstEventNanos = System.nanoTime() - start;
        }
      }
    }

    boolean endsWithDone() {
      return body.toString(StandardCharsets.UTF_8).strip().endsWith("data: [DONE]");
    }
  }
}
