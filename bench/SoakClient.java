// Mixed traffic for bench/soak.sh. Single-file program (java bench/SoakClient.java):
//
//   java bench/SoakClient.java --base http://127.0.0.1:PORT --seconds 600 [--workers 24]
//        [--fault-percent 5] [--ids FILE]
//
// Workers (virtual threads) send, back to back, a weighted mix: chat blocking (20%), chat streaming
// (30%), Responses blocking (20%), Responses streaming (20%), Responses background (10%, then polled
// until it ends). A share of requests (--fault-percent) carries a simulator fault directive: HTTP
// 500, a stream cut after a few tokens, a malformed event. Every Responses request that got an id
// (accepted) is written to --ids; at the end each is fetched (GET /v1/responses/{id}) and must be in
// a final state: that is the accounting the soak checks.
//
// Prints:
//   SOAK sent=N chat=N responses=N faults_injected=N ok=N http_errors=N stream_errors=N
//        transport_errors=N accepted=N unaccounted=N not_final=N
//   KINDS <kind>=<count> ...   (status / error codes the client saw)

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public class SoakClient {
  static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"(resp_[A-Za-z0-9]+)\"");
  static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z_]+)\"");
  static final Pattern CODE = Pattern.compile("\"code\"\\s*:\\s*\"([a-z_0-9]+)\"");
  static final String[] FAULTS = {"sim:fail=500", "sim:fail=cut-after:3", "sim:fail=malformed-after:3"};

  static final LongAdder sent = new LongAdder();
  static final LongAdder chat = new LongAdder();
  static final LongAdder responses = new LongAdder();
  static final LongAdder faults = new LongAdder();
  static final LongAdder ok = new LongAdder();
  static final LongAdder httpErrors = new LongAdder();
  static final LongAdder streamErrors = new LongAdder();
  static final LongAdder transportErrors = new LongAdder();
  static final Map<String, LongAdder> kinds = new ConcurrentHashMap<>();
  static final ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();

  static HttpClient http;
  static String base;
  static int faultPercent = 5;

  public static void main(String[] args) throws Exception {
    int seconds = 600;
    int workers = 24;
    Path idsFile = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--base" -> base = args[++i];
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--fault-percent" -> faultPercent = Integer.parseInt(args[++i]);
        case "--ids" -> idsFile = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
            .build();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (System.nanoTime() < end) {
                      one();
                    }
                  }));
    }
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(seconds + 180L));
    }
    // Accounting: every accepted Responses request is stored, in a final state.
    long unaccounted = 0;
    long notFinal = 0;
    List<String> ids = new ArrayList<>(accepted);
    for (String id : ids) {
      String status = finalStatus(id, 60);
      if (status == null) {
        unaccounted++;
      } else if (!List.of("completed", "failed", "incomplete", "cancelled").contains(status)) {
        notFinal++;
      }
    }
    if (idsFile != null) {
      Files.write(idsFile, ids);
    }
    System.out.printf(
        "SOAK sent=%d chat=%d responses=%d faults_injected=%d ok=%d http_errors=%d"
            + " stream_errors=%d transport_errors=%d accepted=%d unaccounted=%d not_final=%d%n",
        sent.sum(), chat.sum(), responses.sum(), faults.sum(), ok.sum(), httpErrors.sum(),
        streamErrors.sum(), transportErrors.sum(), ids.size(), unaccounted, notFinal);
    StringBuilder line = new StringBuilder("KINDS");
    new TreeMap<>(kinds).forEach((k, v) -> line.append(' ').append(k).append('=').append(v.sum()));
    System.out.println(line);
    System.exit(0);
  }

  static void kind(String k) {
    kinds.computeIfAbsent(k, x -> new LongAdder()).increment();
  }

  static void one() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String directive = "sim:tokens=" + (8 + random.nextInt(40)) + " sim:delay=2";
    if (random.nextInt(100) < faultPercent) {
      directive = "sim:tokens=20 sim:delay=2 " + FAULTS[random.nextInt(FAULTS.length)];
      faults.increment();
    }
    int pick = random.nextInt(100);
    sent.increment();
    try {
      if (pick < 50) {
        chat.increment();
        boolean stream = pick >= 20;
        String body =
            "{\"model\":\"gantry-sim\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"soak " + directive + "\"}]}";
        HttpResponse<String> r = post("/v1/chat/completions", body);
        judge(r, stream);
      } else {
        responses.increment();
        boolean stream = pick >= 70 && pick < 90;
        boolean background = pick >= 90;
        String body =
            "{\"model\":\"gantry-sim\",\"input\":\"soak " + directive + "\",\"stream\":" + stream
                + (background ? ",\"background\":true" : "") + "}";
        HttpResponse<String> r = post("/v1/responses", body);
        if (r.statusCode() == 200) {
          Matcher id = ID.matcher(r.body());
          if (id.find()) {
            accepted.add(id.group(1));
          }
        }
        if (background && r.statusCode() == 200) {
          Matcher id = ID.matcher(r.body());
          String status = id.find() ? finalStatus(id.group(1), 120) : null;
          kind("background_" + status);
          if ("completed".equals(status)) {
            ok.increment();
          } else {
            streamErrors.increment();
          }
          return;
        }
        judge(r, stream);
      }
    } catch (IOException e) {
      transportErrors.increment();
      kind("transport_" + e.getClass().getSimpleName());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void judge(HttpResponse<String> r, boolean stream) {
    String body = r.body();
    if (r.statusCode() != 200) {
      httpErrors.increment();
      Matcher code = CODE.matcher(body);
      kind("http_" + r.statusCode() + (code.find() ? "_" + code.group(1) : ""));
      return;
    }
    // A chat stream's error event is data: {"error":...}; a Responses stream's is response.failed
    // then error (its response objects carry "error":null all along).
    int failed =
        Math.max(
            body.indexOf("data: {\"error\""),
            Math.max(body.indexOf("event: response.failed"), body.indexOf("event: error")));
    if (stream && failed >= 0) {
      streamErrors.increment();
      Matcher code = CODE.matcher(body.substring(failed));
      kind("stream_" + (code.find() ? code.group(1) : "error"));
      return;
    }
    if (stream && !(body.contains("[DONE]") || body.contains("response.completed"))) {
      streamErrors.increment();
      kind("stream_unterminated");
      return;
    }
    ok.increment();
  }

  static HttpResponse<String> post(String path, String body)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(120))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The response's status once final (waiting up to maxSeconds), its last status, or null. */
  static String finalStatus(String id, int maxSeconds) {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    String status = null;
    while (true) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + "/v1/responses/" + id))
                    .timeout(Duration.ofSeconds(30))
                    .GET()
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 404) {
          return null;
        }
        Matcher m = STATUS.matcher(r.body());
        status = m.find() ? m.group(1) : "unknown";
        if (!status.equals("queued") && !status.equals("in_progress")) {
          return status;
        }
      } catch (IOException e) {
        // try again below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return status;
      }
      if (System.nanoTime() > until) {
        return status;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return status;
      }
    }
  }
}
