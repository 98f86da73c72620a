package io.gantry.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.testing.AttackTarget;
import io.gantry.testing.RawSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The attack suite's access matrix, derived from the route table: every route that is not public,
 * called with every other spelling of its path and without, with a wrong, another tenant's or a
 * model-less credential, gets the documented refusal and never a 2xx. A route added later is
 * covered without editing this test (a path parameter or model body it has not seen fails loudly
 * below until a sample is added).
 */
class AttackSuiteTest {
  private static AttackTarget target;

  /** What each path parameter is filled with: an object of tenant A where it names one. */
  private static Map<String, String> samples;

  @BeforeAll
  static void start() {
    target = AttackTarget.start();
    samples = new LinkedHashMap<>();
    samples.put("/v1/responses/{id}", target.responseA);
    samples.put("/v1/conversations/{conversationId}", target.conversationA);
    samples.put("{itemId}", target.itemA);
    samples.put("/v1/files/{id}", target.fileA);
    samples.put("{model}", AttackTarget.MODEL);
    samples.put("/admin/keys/{id}", target.keyAId);
    samples.put("{file}", "dashboard.js");
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  @Test
  void accessIsDeclaredOnEveryRouteAndMatchesItsPlace() {
    List<HttpRoute> routes = target.gantry.routes().routes();
    assertThat(routes).hasSizeGreaterThan(30);
    for (HttpRoute route : routes) {
      String where = route.method() + " " + route.pattern();
      assertThat(route.access()).as(where).isNotNull();
      if (route.pattern().startsWith("/v1/")) {
        assertThat(route.access()).as(where).isIn(Access.KEY, Access.MODEL);
      } else if (route.pattern().startsWith("/admin")) {
        assertThat(route.access()).as(where).isEqualTo(Access.ADMIN);
      } else if (route.access() == Access.PUBLIC) {
        assertThat(route.pattern()).as(where).isIn("/livez", "/readyz");
      } else {
        assertThat(route.access()).as(where).isEqualTo(Access.OPERATOR);
      }
    }
  }

  @TestFactory
  Stream<DynamicTest> everyProtectedRouteRefusesEveryCredentialItDoesNotAccept() {
    return protectedRoutes()
        .map(route ->
            DynamicTest.dynamicTest(
                route.method() + " " + route.pattern(),
                () -> {
                  String path = fill(route);
                  String body = body(route);
                  List<String> wrong = new ArrayList<>();
                  expect(wrong, route, path, body, null, 401);
                  expect(wrong, route, path, body, "Bearer sk-gantry-not-a-key", 401);
                  expect(wrong, route, path, body, "Basic " + AttackTarget.ADMIN, 401);
                  switch (route.access()) {
                    case ADMIN, OPERATOR -> {
                      // A data-plane key is never an admin credential.
                      expect(wrong, route, path, body, "Bearer " + target.keyA, 401);
                    }
                    case MODEL -> {
                      expect(wrong, route, path, body, "Bearer " + target.keyWithoutModel, 403);
                    }
                    case KEY -> {
                      if (namesAnObjectOfTenantA(route)) {
                        expect(wrong, route, path, body, "Bearer " + target.keyB, 404);
                      }
                    }
                    default -> {}
                  }
                  assertThat(wrong).isEmpty();
                }));
  }

  @TestFactory
  Stream<DynamicTest> noOtherSpellingOfAPathReachesItsRoute() {
    Set<String> canonical = new java.util.HashSet<>();
    target.gantry.routes().routes().forEach(r -> canonical.add(r.method() + " " + fill(r)));
    return protectedRoutes()
        .map(route ->
            DynamicTest.dynamicTest(
                route.method() + " " + route.pattern(),
                () -> {
                  String path = fill(route);
                  String body = body(route);
                  String good = goodCredential(route);
                  List<String> wrong = new ArrayList<>();
                  for (String variant : variants(path)) {
                    if (canonical.contains(route.method() + " " + variant)) {
                      continue; // another route's own path (/dashboard and /dashboard/)
                    }
                    for (String credential : new String[] {null, good}) {
                      RawSocket.Reply reply = call(route.method(), variant, body, credential);
                      if (!(reply.status() == 400 || reply.status() == 404)
                          || !wellFormedError(reply)) {
                        wrong.add(
                            variant
                                + (credential == null ? " without credential" : " with one")
                                + " -> "
                                + reply.status()
                                + " "
                                + abbreviate(reply.text()));
                      }
                    }
                  }
                  // An absolute-form target is the same path, so it gets the same refusal.
                  RawSocket.Reply absolute =
                      call(route.method(), "http://127.0.0.1" + path, body, null);
                  if (absolute.status() != 401) {
                    wrong.add("absolute form -> " + absolute.status());
                  }
                  assertThat(wrong).isEmpty();
                }));
  }

  @Test
  void theAdminApiCannotBeReachedAroundItsTokenAndTheAuditSaysSo() {
    int keysBefore = keys();
    for (String path :
        List.of(
            "//admin/keys",
            "/./admin/keys",
            "/x/../admin/keys",
            "/admin;x/keys",
            "/%61dmin/keys",
            "/admin//keys",
            "/admin/keys/",
            "/ADMIN/keys")) {
      RawSocket.Reply reply =
          RawSocket.send(
              target.base,
              "POST",
              path,
              "{\"name\":\"intruder\",\"tenant\":\"team-a\"}",
              "Content-Type",
              "application/json");
      assertThat(reply.status()).as(path).isIn(400, 404);
    }
    assertThat(keys()).as("no key was created around the admin token").isEqualTo(keysBefore);
    JsonNode audit =
        AttackTarget.json(
            target.send(
                "GET", "/admin/audit?action=key.create", "Bearer " + AttackTarget.ADMIN, null));
    for (JsonNode entry : audit.path("data")) {
      assertThat(entry.path("detail").path("name").asText()).isNotEqualTo("intruder");
    }
  }

  @Test
  void operatorViewsNeedTheAdminTokenBeyondLoopback() {
    for (String path : List.of("/metrics", "/dashboard/data", "/dashboard")) {
      assertThat(call("GET", path, null, null).status()).as(path).isEqualTo(401);
      assertThat(call("GET", path, null, "Bearer " + AttackTarget.ADMIN).status())
          .as(path)
          .isEqualTo(200);
    }
    assertThat(call("GET", "/livez", null, null).status()).isEqualTo(200);
  }

  private static int keys() {
    return AttackTarget.json(
            target.send("GET", "/admin/keys", "Bearer " + AttackTarget.ADMIN, null))
        .path("data")
        .size();
  }

  private static Stream<HttpRoute> protectedRoutes() {
    return target.gantry.routes().routes().stream().filter(r -> r.access() != Access.PUBLIC);
  }

  private static void expect(
      List<String> wrong,
      HttpRoute route,
      String path,
      String body,
      String credential,
      int status) {
    RawSocket.Reply reply = call(route.method(), path, body, credential);
    if (reply.status() != status || !wellFormedError(reply)) {
      wrong.add(
          (credential == null ? "no credential" : credential.substring(0, 10) + "...")
              + " -> "
              + reply.status()
              + " (expected "
              + status
              + ") "
              + abbreviate(reply.text()));
    }
  }

  private static RawSocket.Reply call(String method, String path, String body, String credential) {
    List<String> headers = new ArrayList<>();
    if (body != null) {
      headers.add("Content-Type");
      headers.add("application/json");
    }
    if (credential != null) {
      headers.add("Authorization");
      headers.add(credential);
    }
    return RawSocket.send(target.base, method, path, body, headers.toArray(String[]::new));
  }

  /** An OpenAI-shaped error with a request id. */
  private static boolean wellFormedError(RawSocket.Reply reply) {
    if (reply.header("x-request-id") == null) {
      return false;
    }
    try {
      JsonNode error = reply.json().path("error");
      return error.has("message") && error.has("type") && error.has("param") && error.has("code");
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  /** The other spellings of {@code path} a client could send. */
  static List<String> variants(String path) {
    String rest = path.substring(1);
    int slash = rest.indexOf('/');
    String first = slash < 0 ? rest : rest.substring(0, slash);
    String after = slash < 0 ? "" : rest.substring(slash);
    char c = first.charAt(0);
    String encodedFirst = String.format("%%%02X", (int) c) + first.substring(1);
    List<String> out = new ArrayList<>();
    out.add("/" + path); // //v1/models
    out.add("/./" + rest); // /./v1/models
    out.add("/x/../" + rest); // /x/../v1/models
    out.add("/" + first + ";x" + after); // /v1;x/models
    out.add("/" + encodedFirst + after); // /%761/models
    out.add("/%2e/" + rest); // /%2e/v1/models
    out.add("/" + first + "/%2e%2e/" + rest); // /v1/%2e%2e/v1/models
    out.add(path + "/"); // /v1/models/
    out.add("/" + first.toUpperCase() + after); // /V1/models
    if (!after.isEmpty()) {
      out.add("/" + first + "/" + after); // /v1//models
      out.add("/" + first + "%2F" + after.substring(1)); // /v1%2Fmodels
      out.add("/" + first + "/." + after); // /v1/./models
    }
    out.add(path + "/.."); // /v1/models/..
    out.add(path.replace('/', '\\')); // \v1\models
    out.add(path + "%00"); // an encoded NUL
    out.add(path + "%zz"); // a broken escape
    return out.stream().distinct().filter(v -> !v.equals(path)).toList();
  }

  private static String fill(HttpRoute route) {
    StringBuilder out = new StringBuilder();
    for (String segment : route.pattern().substring(1).split("/", -1)) {
      out.append('/');
      if (segment.startsWith("{")) {
        out.append(sample(route, segment));
      } else {
        out.append(segment);
      }
    }
    return out.toString();
  }

  private static String sample(HttpRoute route, String parameter) {
    String prefix =
        route.pattern().substring(0, route.pattern().indexOf(parameter) + parameter.length());
    String value = samples.get(prefix);
    if (value == null) {
      value = samples.get(parameter);
    }
    if (value == null) {
      throw new AssertionError(
          "No sample value for "
              + parameter
              + " of "
              + route.pattern()
              + ": add one to AttackSuiteTest.samples, so the new route is attacked too.");
    }
    return value;
  }

  private static boolean namesAnObjectOfTenantA(HttpRoute route) {
    return route.pattern().startsWith("/v1/responses/{")
        || route.pattern().startsWith("/v1/conversations/{")
        || route.pattern().startsWith("/v1/files/{");
  }

  /** A body that gets past parsing, so a model route reaches its model check. */
  private static String body(HttpRoute route) {
    if (!route.method().equals("POST") && !route.method().equals("PATCH")) {
      return null;
    }
    if (route.access() != Access.MODEL) {
      return "{}";
    }
    String model = "\"model\":\"" + AttackTarget.MODEL + "\"";
    return switch (route.pattern()) {
      case "/v1/chat/completions" ->
          "{" + model + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi sim:tokens=1\"}]}";
      case "/v1/embeddings" -> "{" + model + ",\"input\":\"hi\"}";
      case "/v1/responses", "/v1/responses/compact" ->
          "{" + model + ",\"input\":\"hi sim:tokens=1\"}";
      default ->
          throw new AssertionError(
              "No model body for " + route.pattern() + ": add one to AttackSuiteTest.body.");
    };
  }

  private static String goodCredential(HttpRoute route) {
    return switch (route.access()) {
      case ADMIN, OPERATOR -> "Bearer " + AttackTarget.ADMIN;
      default -> "Bearer " + target.keyA;
    };
  }

  private static String abbreviate(String text) {
    return text.length() <= 160 ? text : text.substring(0, 160) + "...";
  }
}
