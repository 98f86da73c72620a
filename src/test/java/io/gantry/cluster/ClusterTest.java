package io.gantry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.testing.GatewayProcess;
import io.gantry.testing.NginxProxy;
import io.gantry.testing.PostgresTestDatabase;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three replicas (separate processes) behind nginx on one PostgreSQL schema and the simulator: a
 * mixed load (blocking, streamed, background, background streams followed through another replica,
 * cancels sent to any replica), and one replica SIGKILLed while it owns jobs. Every accepted
 * response reaches a final state within the lease plus 10 s; a job the dead replica had started
 * without output runs again and completes, one with output fails {@code replica_lost}; no job's
 * output is generated twice; every cancel takes effect; what a blocking client was told is what the
 * store keeps.
 */
class ClusterTest {
  private static final int LEASE_SECONDS = 2;
  private static final String MODEL = TestStack.OPENAI_MODEL;
  private static final Set<String> FINAL = Set.of("completed", "incomplete", "failed", "cancelled");

  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  private static ObjectNode body(String input, boolean background) {
    ObjectNode body = Json.object().put("model", MODEL).put("input", input);
    if (background) {
      body.put("background", true);
    }
    return body;
  }

  private static JsonNode post(String base, String path, ObjectNode body) throws Exception {
    HttpResponse<byte[]> r = RawHttp.post(base + path, Json.bytes(body));
    assertThat(r.statusCode()).as("%s %s", path, RawHttp.text(r)).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  private static JsonNode get(String base, String id) throws Exception {
    return Json.MAPPER.readTree(RawHttp.get(base + "/v1/responses/" + id).body());
  }

  @Test
  void aMixedLoadSurvivesOneReplicaKilled() throws Exception {
    String store = postgres.newSchemaUrl();
    String sim = TestStack.shared().openaiSim.baseUrl() + "/v1";
    List<GatewayProcess> replicas = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      replicas.add(
          GatewayProcess.start(
              "256m",
              Map.of(
                  "GANTRY_STORE_URL",
                  store,
                  "GANTRY_CLUSTER_REPLICA_ID",
                  "r" + i,
                  "GANTRY_CLUSTER_LEASE_SECONDS",
                  String.valueOf(LEASE_SECONDS),
                  "GANTRY_BACKGROUND_WORKERS",
                  "4"),
              "--backend",
              "openai=" + sim));
    }
    replicas.forEach(GatewayProcess::awaitReady);
    GatewayProcess victim = replicas.get(2);
    List<String> survivors = List.of(replicas.get(0).base, replicas.get(1).base);
    try (NginxProxy nginx = NginxProxy.roundRobin(replicas.stream().map(r -> r.port).toList());
        ExecutorService clients = Executors.newFixedThreadPool(8)) {
      String lb = nginx.base();
      await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> RawHttp.get(lb + "/livez").statusCode() == 200);

      Map<String, String> background = new ConcurrentHashMap<>(); // id -> kind
      Set<String> cancelled = ConcurrentHashMap.newKeySet();
      Map<String, JsonNode> blocking = new ConcurrentHashMap<>();
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < 160; i++) {
        int kind = i % 5;
        work.add(
            clients.submit(() -> {
              switch (kind) {
                case 0 -> {
                  JsonNode r = post(lb, "/v1/responses", body("hi sim:tokens=5", false));
                  blocking.put(r.path("id").asText(), r);
                }
                case 1 -> {
                  ObjectNode streamed = body("hi sim:tokens=8", false).put("stream", true);
                  String sse =
                      RawHttp.text(RawHttp.post(lb + "/v1/responses", Json.bytes(streamed)));
                  assertThat(sse).contains("response.completed");
                }
                case 2 -> {
                  JsonNode r =
                      post(lb, "/v1/responses", body("bg sim:tokens=20 sim:delay=10", true));
                  background.put(r.path("id").asText(), "plain");
                }
                case 3 -> {
                  JsonNode r =
                      post(lb, "/v1/responses", body("follow sim:tokens=30 sim:delay=10", true));
                  String id = r.path("id").asText();
                  background.put(id, "followed");
                  // Followed on a replica that is not behind nginx's choice: any replica.
                  String other = survivors.get(ThreadLocalRandom.current().nextInt(2));
                  List<ResponsesClient.Event> events =
                      ResponsesClient.parse(
                          RawHttp.text(
                              RawHttp.get(other + "/v1/responses/" + id + "?stream=true")));
                  assertThat(events).isNotEmpty();
                  assertNumbered(events);
                  assertThat(events.getLast().type())
                      .isIn("response.completed", "error", "response.incomplete");
                }
                default -> {
                  JsonNode r =
                      post(
                          lb, "/v1/responses", body("cancel me sim:tokens=400 sim:delay=20", true));
                  String id = r.path("id").asText();
                  background.put(id, "cancelled");
                  String anyReplica = survivors.get(ThreadLocalRandom.current().nextInt(2));
                  JsonNode answer =
                      post(anyReplica, "/v1/responses/" + id + "/cancel", Json.object());
                  assertThat(answer.path("status").asText()).isEqualTo("cancelled");
                  cancelled.add(id);
                }
              }
              return null;
            }));
      }
      for (Future<?> f : work) {
        f.get();
      }

      // Jobs the victim owns when it dies: some with output, some still waiting for a first token.
      // Any replica may claim a job: more are sent until the victim holds both kinds.
      List<String> slow = new ArrayList<>();
      for (int round = 0; round < 30 && !holdsBothKinds(store, "r3"); round++) {
        String slowId =
            post(
                    victim.base,
                    "/v1/responses",
                    body("slow sim:fail=slow-first:3000 sim:tokens=3", true))
                .path("id")
                .asText();
        slow.add(slowId);
        background.put(slowId, "slow-first");
        String longId =
            post(victim.base, "/v1/responses", body("long sim:tokens=600 sim:delay=10", true))
                .path("id")
                .asText();
        background.put(longId, "long");
        try {
          await().atMost(Duration.ofSeconds(1)).until(() -> holdsBothKinds(store, "r3"));
        } catch (org.awaitility.core.ConditionTimeoutException notYet) {
          // Send another pair.
        }
      }
      assertThat(holdsBothKinds(store, "r3")).as("the victim holds jobs of both kinds").isTrue();
      Map<String, Boolean> owned = ownedBy(store, "r3");
      victim.kill();
      long killedAt = System.nanoTime();

      // The dead replica's jobs end, on the survivors, within the lease + 10 s of its death.
      for (String id : owned.keySet()) {
        await()
            .atMost(
                Duration.ofNanos(
                    Duration.ofSeconds(LEASE_SECONDS + 10).toNanos()
                        - (System.nanoTime() - killedAt)))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(() -> FINAL.contains(get(survivors.get(0), id).path("status").asText()));
      }
      System.out.printf(
          "cluster: the %d jobs of the killed replica ended %.1f s after the kill (lease %d s)%n",
          owned.size(), (System.nanoTime() - killedAt) / 1e9, LEASE_SECONDS);
      // Every other accepted background response ends too (they run their own length).
      for (String id : background.keySet()) {
        await()
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .ignoreExceptions()
            .until(() -> FINAL.contains(get(survivors.get(0), id).path("status").asText()));
      }

      assertThat(owned).as("the killed replica owned jobs when it died").isNotEmpty();
      for (String id : background.keySet()) {
        JsonNode response = get(survivors.get(1), id);
        String status = response.path("status").asText();
        List<ResponsesClient.Event> events =
            ResponsesClient.parse(
                RawHttp.text(
                    RawHttp.get(survivors.get(0) + "/v1/responses/" + id + "?stream=true")));
        assertNumbered(events);
        assertNoOutputGeneratedTwice(events);
        if (cancelled.contains(id)) {
          assertThat(status).as("cancelled %s", id).isEqualTo("cancelled");
        } else if (owned.containsKey(id) && owned.get(id)) {
          assertThat(status).as("lost with output %s", id).isEqualTo("failed");
          assertThat(events.getLast().data().path("code").asText()).isEqualTo("replica_lost");
        } else if (status.equals("failed")) {
          // Only a job that had output on the killed replica may fail.
          assertThat(owned).containsKey(id);
        } else {
          assertThat(status).as("%s (%s)", id, background.get(id)).isEqualTo("completed");
        }
      }
      for (String id : slow) {
        if (owned.containsKey(id) && !owned.get(id)) {
          assertThat(get(survivors.get(0), id).path("status").asText())
              .as("a job without output is run again by a survivor")
              .isEqualTo("completed");
        }
      }
      // What blocking clients were told is what the store keeps, on any replica.
      for (Map.Entry<String, JsonNode> told : blocking.entrySet()) {
        assertThat(get(survivors.get(1), told.getKey())).isEqualTo(told.getValue());
      }
      assertThat(jobsLeft(store)).as("no job stays in the queue").isZero();
    } finally {
      replicas.forEach(GatewayProcess::close);
    }
  }

  /** Events numbered from 0 without gaps or repeats, one terminal event, last. */
  private static void assertNumbered(List<ResponsesClient.Event> events) {
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).data().path("sequence_number").asLong()).isEqualTo(i);
    }
  }

  /** A job run again after its replica died may announce itself twice, but not its output. */
  private static void assertNoOutputGeneratedTwice(List<ResponsesClient.Event> events) {
    Set<String> items = new HashSet<>();
    for (ResponsesClient.Event e : events) {
      if (e.type().equals("response.output_item.added")) {
        assertThat(items.add(e.data().at("/item/id").asText())).isTrue();
      }
    }
    long textDone =
        events.stream().filter(e -> e.type().equals("response.output_text.done")).count();
    assertThat(textDone).isLessThanOrEqualTo(1);
  }

  private static boolean holdsBothKinds(String store, String replica) throws Exception {
    Map<String, Boolean> now = ownedBy(store, replica);
    return now.containsValue(true) && now.containsValue(false);
  }

  /** The jobs {@code replica} owns now, and whether each has produced output. */
  private static Map<String, Boolean> ownedBy(String store, String replica) throws Exception {
    Map<String, Boolean> out = new java.util.HashMap<>();
    try (Connection c = DriverManager.getConnection(jdbc(store));
        PreparedStatement s =
            c.prepareStatement(
                "SELECT j.response_id, EXISTS (SELECT 1 FROM response_events e WHERE e.response_id"
                    + " = j.response_id AND e.type NOT IN ('response.created','response.queued',"
                    + "'response.in_progress')) FROM background_jobs j WHERE j.owner = ?")) {
      s.setString(1, replica);
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          out.put(rows.getString(1), rows.getBoolean(2));
        }
      }
    }
    return out;
  }

  private static long jobsLeft(String store) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbc(store));
        ResultSet rows = c.createStatement().executeQuery("SELECT count(*) FROM background_jobs")) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String jdbc(String url) {
    return url.startsWith("jdbc:") ? url : "jdbc:" + url;
  }
}
