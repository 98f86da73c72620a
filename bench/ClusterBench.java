import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures the cluster's cross-replica paths (bench/cluster.sh runs it against replicas A, B and a
 * victim C on one PostgreSQL): the latency of a cancel sent to B for a job running on A, the time a
 * follower on B receives each event later than a follower on A (the owner), and, after C is
 * killed (SIGKILL), how long until its jobs are ended by a survivor.
 *
 * <p>Usage: java bench/ClusterBench.java URL_A URL_B URL_C PID_C MODEL TRIALS SCHEMA REPLICA_ID_C
 */
public class ClusterBench {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static final Pattern ID = Pattern.compile("\"id\":\"(resp_[A-Za-z0-9]+)\"");
  private static final Pattern STATUS = Pattern.compile("\"status\":\"([a-z_]+)\"");
  private static final Pattern SEQ = Pattern.compile("\"sequence_number\":(\\d+)");

  public static void main(String[] args) throws Exception {
    String a = args[0], b = args[1], c = args[2];
    long victim = Long.parseLong(args[3]);
    String model = args[4];
    int trials = Integer.parseInt(args[5]);

    List<Double> cancels = new ArrayList<>();
    for (int i = 0; i < trials + 3; i++) {
      String id = create(a, model, "cancel sim:tokens=2000 sim:delay=10");
      while (!status(a, id).equals("in_progress")) {
        Thread.sleep(20); // polling the bench's own precondition
      }
      Thread.sleep(100);
      long t = System.nanoTime();
      String answer = post(b, "/v1/responses/" + id + "/cancel", "{}");
      double ms = (System.nanoTime() - t) / 1e6;
      if (!answer.contains("\"cancelled\"")) {
        throw new IllegalStateException("cancel did not take effect: " + answer);
      }
      if (i >= 3) {
        cancels.add(ms); // the first ones warm the JIT
      }
    }

    List<Double> added = new ArrayList<>();
    for (int i = 0; i < trials; i++) {
      String id = create(a, model, "follow sim:tokens=60 sim:delay=15");
      Map<Long, Long> atOwner = new ConcurrentHashMap<>();
      Map<Long, Long> atOther = new ConcurrentHashMap<>();
      Thread owner = Thread.ofVirtual().start(() -> follow(a, id, atOwner));
      Thread other = Thread.ofVirtual().start(() -> follow(b, id, atOther));
      owner.join();
      other.join();
      for (Map.Entry<Long, Long> e : atOther.entrySet()) {
        Long o = atOwner.get(e.getKey());
        if (o != null) {
          added.add((e.getValue() - o) / 1e6);
        }
      }
    }

    // Jobs owned by C when it dies: polled on A until each has a final status.
    List<String> submitted = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      submitted.add(create(c, model, "takeover sim:tokens=3000 sim:delay=10"));
    }
    for (String id : submitted) {
      while (status(a, id).equals("queued")) {
        Thread.sleep(20);
      }
    }
    Thread.sleep(500);
    // Any replica may have claimed them: only C's count.
    List<String> jobs = ownedBy(args[6], args[7]);
    ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
    long killed = System.nanoTime();
    List<Double> takeover = new ArrayList<>();
    List<String> open = new ArrayList<>(jobs);
    while (!open.isEmpty() && System.nanoTime() - killed < 120_000_000_000L) {
      for (String id : List.copyOf(open)) {
        String s = status(a, id);
        if (s.equals("failed") || s.equals("completed") || s.equals("cancelled")) {
          takeover.add((System.nanoTime() - killed) / 1e6);
          open.remove(id);
        }
      }
      Thread.sleep(20);
    }

    System.out.println("| measure | samples | p50 | p95 |");
    System.out.println("|---|---:|---:|---:|");
    row("cross-replica cancel, answer with the final object (ms)", cancels);
    row("follower on another replica, added per event (ms)", added);
    row("SIGKILL to the job ended by a survivor (ms), jobs C owned", takeover);
    if (!open.isEmpty()) {
      System.out.println("jobs never ended: " + open);
    }
  }

  /** The jobs {@code replica} owns, read with psql from the bench's schema. */
  static List<String> ownedBy(String schema, String replica) throws Exception {
    Process p =
        new ProcessBuilder(
                "psql", "-At", "-h", "127.0.0.1", "-U", "postgres", "test", "-c",
                "SET search_path = " + schema + "; SELECT response_id FROM background_jobs WHERE owner = '" + replica + "'")
            .redirectErrorStream(true)
            .start();
    List<String> out = new ArrayList<>();
    for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
      if (line.startsWith("resp_")) {
        out.add(line.strip());
      }
    }
    p.waitFor();
    return out;
  }

  static void row(String what, List<Double> xs) {
    Collections.sort(xs);
    if (xs.isEmpty()) {
      System.out.printf("| %s | 0 | - | - |%n", what);
      return;
    }
    System.out.printf(
        "| %s | %d | %.1f | %.1f |%n",
        what, xs.size(), xs.get(xs.size() / 2), xs.get(Math.min(xs.size() - 1, (int) (xs.size() * 0.95))));
  }

  static String create(String base, String model, String input) throws Exception {
    String body = "{\"model\":\"" + model + "\",\"background\":true,\"input\":\"" + input + "\"}";
    Matcher m = ID.matcher(post(base, "/v1/responses", body));
    if (!m.find()) {
      throw new IllegalStateException("no id");
    }
    return m.group(1);
  }

  static String status(String base, String id) throws Exception {
    Matcher m = STATUS.matcher(get(base, "/v1/responses/" + id));
    return m.find() ? m.group(1) : "";
  }

  static void follow(String base, String id, Map<Long, Long> arrivals) {
    try {
      HttpResponse<java.io.InputStream> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/v1/responses/" + id + "?stream=true")).build(),
              HttpResponse.BodyHandlers.ofInputStream());
      var reader = new java.io.BufferedReader(new java.io.InputStreamReader(r.body()));
      String line;
      while ((line = reader.readLine()) != null) {
        Matcher m = SEQ.matcher(line);
        if (line.startsWith("data:") && m.find()) {
          arrivals.put(Long.parseLong(m.group(1)), System.nanoTime());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String post(String base, String path, String body) throws Exception {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  static String get(String base, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }
}
