import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * WebSocket mode vs SSE for a chain of sequential turns (bench/websocket.sh runs it): each turn
 * continues the previous one by previous_response_id, as an agent loop does. Per mode: the time to
 * the first event of each turn (p50, p90) and the gateway's CPU per turn (read from /proc).
 *
 * <p>Modes: sse (a new POST per turn on a kept-alive connection, store on), ws-store (one socket,
 * store on) and ws-memory (one socket, store off: continued from the connection's memory).
 *
 * <p>Usage: java bench/SocketTurnsBench.java GATEWAY_URL GANTRY_PID MODEL TURNS CHAINS
 */
public class SocketTurnsBench {
  private static final Pattern ID = Pattern.compile("\"id\":\"(resp_[A-Za-z0-9]+)\"");

  record Result(List<Long> firstEventNanos, double cpuSecondsPerTurn) {}

  public static void main(String[] args) throws Exception {
    String url = args[0];
    long pid = Long.parseLong(args[1]);
    String model = args[2];
    int turns = Integer.parseInt(args[3]);
    int chains = Integer.parseInt(args[4]);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String[] modes = {"sse", "ws-store", "ws-memory"};
    // Warm-up: every path through the JIT before anything is measured.
    for (int i = 0; i < 3; i++) {
      for (String mode : modes) {
        run(mode, http, url, pid, model, turns, Math.max(1, chains / 4));
      }
    }
    System.out.println("| mode | turns | first event p50 (ms) | p90 (ms) | gateway CPU per turn (ms) |");
    System.out.println("|---|---|---|---|---|");
    // Interleaved rounds, so drift on a shared machine hits every mode alike.
    java.util.Map<String, List<Long>> firsts = new java.util.HashMap<>();
    java.util.Map<String, Double> cpu = new java.util.HashMap<>();
    for (int round = 0; round < 3; round++) {
      for (String mode : modes) {
        Result r = run(mode, http, url, pid, model, turns, chains);
        firsts.computeIfAbsent(mode, m -> new ArrayList<>()).addAll(r.firstEventNanos());
        cpu.merge(mode, r.cpuSecondsPerTurn() / 3, Double::sum);
      }
    }
    for (String mode : modes) {
      List<Long> f = firsts.get(mode);
      Collections.sort(f);
      System.out.printf(
          "| %s | %d | %.3f | %.3f | %.3f |%n",
          mode,
          f.size(),
          f.get(f.size() / 2) / 1e6,
          f.get(f.size() * 9 / 10) / 1e6,
          cpu.get(mode) * 1e3);
    }
  }

  static Result run(
      String mode, HttpClient http, String url, long pid, String model, int turns, int chains)
      throws Exception {
    List<Long> firsts = new ArrayList<>();
    double cpuBefore = cpuSeconds(pid);
    for (int c = 0; c < chains; c++) {
      if (mode.equals("sse")) {
        sseChain(http, url, model, turns, firsts);
      } else {
        socketChain(http, url, model, turns, mode.equals("ws-store"), firsts);
      }
    }
    double cpu = cpuSeconds(pid) - cpuBefore;
    return new Result(firsts, cpu / (turns * chains));
  }

  static String body(String model, String previous, int turn, boolean store, boolean socket) {
    return "{"
        + (socket ? "\"type\":\"response.create\"," : "\"stream\":true,")
        + "\"model\":\"" + model + "\",\"store\":" + store + ","
        + (previous == null ? "" : "\"previous_response_id\":\"" + previous + "\",")
        + "\"input\":\"turn " + turn + " sim:tokens=20\"}";
  }

  static void sseChain(HttpClient http, String url, String model, int turns, List<Long> firsts)
      throws Exception {
    String previous = null;
    for (int t = 0; t < turns; t++) {
      long start = System.nanoTime();
      HttpResponse<java.io.InputStream> response =
          http.send(
              HttpRequest.newBuilder(URI.create(url + "/v1/responses"))
                  .header("content-type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body(model, previous, t, true, false)))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      var reader = new java.io.BufferedReader(new java.io.InputStreamReader(response.body()));
      String line;
      boolean first = true;
      String id = null;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("data:")) {
          if (first) {
            firsts.add(System.nanoTime() - start);
            first = false;
            Matcher m = ID.matcher(line);
            if (m.find()) {
              id = m.group(1);
            }
          }
        }
      }
      previous = id;
    }
  }

  static void socketChain(
      HttpClient http, String url, String model, int turns, boolean store, List<Long> firsts)
      throws Exception {
    BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    StringBuilder partial = new StringBuilder();
    WebSocket ws =
        http.newWebSocketBuilder()
            .buildAsync(
                URI.create(url.replaceFirst("^http", "ws") + "/v1/responses"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket w, CharSequence d, boolean last) {
                    partial.append(d);
                    if (last) {
                      messages.add(partial.toString());
                      partial.setLength(0);
                    }
                    w.request(1);
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    String previous = null;
    for (int t = 0; t < turns; t++) {
      long start = System.nanoTime();
      ws.sendText(body(model, previous, t, store, true), true).join();
      String first = messages.poll(30, TimeUnit.SECONDS);
      firsts.add(System.nanoTime() - start);
      Matcher m = ID.matcher(first);
      previous = m.find() ? m.group(1) : null;
      String next = first;
      while (!next.contains("\"type\":\"response.completed\"")) {
        next = messages.poll(30, TimeUnit.SECONDS);
        if (next == null || next.contains("\"type\":\"error\"")) {
          throw new IllegalStateException("turn " + t + " failed: " + next);
        }
      }
    }
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
  }

  static double cpuSeconds(long pid) throws Exception {
    String[] stat = Files.readString(Path.of("/proc/" + pid + "/stat")).split("\\) ", 2)[1].split(" ");
    long ticks = Long.parseLong(stat[11]) + Long.parseLong(stat[12]);
    return ticks / 100.0;
  }
}
