// Many concurrent slow streams, for bench/load.sh. Single-file program (java bench/LoadClient.java):
//
//   java bench/LoadClient.java --url http://127.0.0.1:PORT/v1/chat/completions --connections 2000
//        [--seconds 30] [--ramp-seconds 5] [--prompt "x sim:delay=20 sim:tokens=200"]
//
// One virtual thread per connection (raw socket, HTTP/1.1 kept alive), each sending streaming chat
// completions back to back until --seconds have passed since the start; connections open evenly
// over --ramp-seconds so the streams' phases spread out. Per stream it times, from writing the
// request: the first data event (TTFC) and the first event with content (TTFT). It reads the rest
// to the chunked body's end and checks the stream ended with [DONE]. Streams that started before the
// ramp ended are counted but their times are left out (the ramp is a warm-up).
//
// Prints one line:
//   LOAD streams=N ok=N errors=N err_connect=N err_status=N err_incomplete=N err_timeout=N
//        ttfc_p50_ms=.. ttfc_p90_ms=.. ttfc_p99_ms=.. ttft_p50_ms=.. ttft_p90_ms=.. ttft_p99_ms=..
//        peak_concurrent=N
// Bounded: every socket has a 60 s read timeout and the program exits after seconds + 90 s at most.

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

public class LoadClient {
  static final LongAdder streams = new LongAdder();
  static final LongAdder ok = new LongAdder();
  static final LongAdder errConnect = new LongAdder();
  static final LongAdder errStatus = new LongAdder();
  static final LongAdder errIncomplete = new LongAdder();
  static final LongAdder errTimeout = new LongAdder();
  static final AtomicInteger concurrent = new AtomicInteger();
  static final AtomicInteger peak = new AtomicInteger();
  static final ConcurrentLinkedQueue<long[]> times = new ConcurrentLinkedQueue<>();
  static final ConcurrentLinkedQueue<String> firstErrors = new ConcurrentLinkedQueue<>();

  public static void main(String[] args) throws Exception {
    String url = null;
    int connections = 2000;
    int seconds = 30;
    int rampSeconds = 5;
    String prompt = "load sim:delay=20 sim:tokens=200";
    String model = "gantry-sim";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--url" -> url = args[++i];
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--ramp-seconds" -> rampSeconds = Integer.parseInt(args[++i]);
        case "--prompt" -> prompt = args[++i];
        case "--model" -> model = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (url == null) {
      throw new IllegalArgumentException("--url is required");
    }
    URI uri = URI.create(url);
    byte[] body =
        ("{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] request =
        ("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] whole = new byte[request.length + body.length];
    System.arraycopy(request, 0, whole, 0, request.length);
    System.arraycopy(body, 0, whole, request.length, body.length);

    long start = System.nanoTime();
    long rampEnd = start + TimeUnit.SECONDS.toNanos(rampSeconds);
    long end = start + TimeUnit.SECONDS.toNanos(seconds);
    CountDownLatch done = new CountDownLatch(connections);
    InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort());
    for (int c = 0; c < connections; c++) {
      long openAt = start + TimeUnit.SECONDS.toNanos(rampSeconds) * c / connections;
      Thread.ofVirtual()
          .start(
              () -> {
                try {
                  sleepUntil(openAt);
                  connection(address, whole, rampEnd, end);
                } finally {
                  done.countDown();
                }
              });
    }
    boolean finished = done.await(seconds + 90L, TimeUnit.SECONDS);
    List<Long> ttfc = new ArrayList<>();
    List<Long> ttft = new ArrayList<>();
    for (long[] t : times) {
      ttfc.add(t[0]);
      ttft.add(t[1]);
    }
    long errors = errConnect.sum() + errStatus.sum() + errIncomplete.sum() + errTimeout.sum();
    System.out.println(
        String.format(
            Locale.ROOT,
            "LOAD streams=%d ok=%d errors=%d err_connect=%d err_status=%d err_incomplete=%d"
                + " err_timeout=%d measured=%d ttfc_p50_ms=%.3f ttfc_p90_ms=%.3f ttfc_p99_ms=%.3f"
                + " ttft_p50_ms=%.3f ttft_p90_ms=%.3f ttft_p99_ms=%.3f peak_concurrent=%d"
                + " finished=%s",
            streams.sum(), ok.sum(), errors, errConnect.sum(), errStatus.sum(),
            errIncomplete.sum(), errTimeout.sum(), ttfc.size(), pct(ttfc, 50), pct(ttfc, 90),
            pct(ttfc, 99), pct(ttft, 50), pct(ttft, 90), pct(ttft, 99), peak.get(), finished));
    for (String e : firstErrors) {
      System.out.println("ERROR " + e);
    }
    System.exit(0);
  }

  static void sleepUntil(long nanoTime) {
    long wait;
    while ((wait = nanoTime - System.nanoTime()) > 0) {
      try {
        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  static void connection(InetSocketAddress address, byte[] request, long rampEnd, long end) {
    Socket socket = null;
    try {
      while (System.nanoTime() < end) {
        if (socket == null) {
          socket = new Socket();
          socket.setTcpNoDelay(true);
          socket.setSoTimeout(60_000);
          try {
            socket.connect(address, 10_000);
          } catch (IOException e) {
            errConnect.increment();
            note("connect: " + e);
            socket.close();
            socket = null;
            Thread.sleep(100);
            continue;
          }
        }
        int now = concurrent.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        streams.increment();
        try {
          if (!stream(socket, request, System.nanoTime() >= rampEnd)) {
            socket.close();
            socket = null;
          }
        } catch (java.net.SocketTimeoutException e) {
          errTimeout.increment();
          note("timeout: " + e);
          socket.close();
          socket = null;
        } catch (IOException e) {
          errIncomplete.increment();
          note("io: " + e);
          socket.close();
          socket = null;
        } finally {
          concurrent.decrementAndGet();
        }
      }
    } catch (Exception e) {
      errIncomplete.increment();
      note("unexpected: " + e);
    } finally {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // done
        }
      }
    }
  }

  static void note(String error) {
    if (firstErrors.size() < 5) {
      firstErrors.add(error);
    }
  }

  /** One stream on a kept-alive connection; false when the connection cannot be reused. */
  static boolean stream(Socket socket, byte[] request, boolean measured) throws IOException {
    long sent = System.nanoTime();
    OutputStream out = socket.getOutputStream();
    out.write(request);
    out.flush();
    Reader in = new Reader(socket.getInputStream());
    String status = in.line();
    boolean chunked = false;
    boolean close = false;
    for (String h = in.line(); !h.isEmpty(); h = in.line()) {
      String lower = h.toLowerCase(Locale.ROOT);
      chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
      close |= lower.startsWith("connection:") && lower.contains("close");
    }
    if (!status.startsWith("HTTP/1.1 200") || !chunked) {
      errStatus.increment();
      note("status: " + status);
      return false;
    }
    long firstData = 0;
    long firstContent = 0;
    // Scan the body for the first event, the first content and the end, without parsing JSON.
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    while (true) {
      int size = Integer.parseInt(in.line().strip(), 16);
      if (size == 0) {
        in.line();
        break;
      }
      byte[] chunk = in.bytes(size);
      in.line();
      if (firstContent == 0) {
        String text = new String(chunk, StandardCharsets.UTF_8);
        long now = System.nanoTime();
        if (firstData == 0 && text.contains("data:")) {
          firstData = now;
        }
        int at = text.indexOf("\"content\":\"");
        if (at >= 0 && at + 11 < text.length() && text.charAt(at + 11) != '"') {
          firstContent = now;
        }
      }
      tail.reset();
      tail.write(chunk, Math.max(0, chunk.length - 32), Math.min(chunk.length, 32));
    }
    if (!tail.toString(StandardCharsets.UTF_8).contains("[DONE]")) {
      errIncomplete.increment();
      note("no [DONE] at the end: ..." + tail.toString(StandardCharsets.UTF_8));
      return !close;
    }
    ok.increment();
    if (measured && firstData != 0 && firstContent != 0) {
      times.add(new long[] {firstData - sent, firstContent - sent});
    }
    return !close;
  }

  static double pct(List<Long> nanos, int p) {
    if (nanos.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(nanos);
    sorted.sort(null);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, index)) / 1e6;
  }

  /** A small buffered reader of lines and byte runs over one response. */
  static final class Reader {
    private final InputStream in;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;

    Reader(InputStream in) {
      this.in = in;
    }

    private boolean fill() throws IOException {
      int n = in.read(buffer, 0, buffer.length);
      if (n < 0) {
        throw new IOException("connection closed mid-response");
      }
      position = 0;
      limit = n;
      return true;
    }

    String line() throws IOException {
      StringBuilder line = new StringBuilder();
      while (true) {
        if (position >= limit) {
          fill();
        }
        byte b = buffer[position++];
        if (b == '\n') {
          int len = line.length();
          if (len > 0 && line.charAt(len - 1) == '\r') {
            line.setLength(len - 1);
          }
          return line.toString();
        }
        line.append((char) b);
      }
    }

    byte[] bytes(int n) throws IOException {
      byte[] out = new byte[n];
      int got = 0;
      while (got < n) {
        if (position >= limit) {
          fill();
        }
        int take = Math.min(n - got, limit - position);
        System.arraycopy(buffer, position, out, got, take);
        position += take;
        got += take;
      }
      return out;
    }
  }
}
