package io.gantry.edge;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.testing.AttackTarget;
import io.gantry.testing.RawSocket;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The attack suite's fuzz: random paths, header values, query strings and request bodies, sent raw
 * to a gateway with keys on. Whatever arrives, the answer comes (no hang), is never a 5xx, and
 * every error is OpenAI-shaped with a request id.
 */
class EdgeFuzzTest {
  private static AttackTarget target;

  private static synchronized AttackTarget target() {
    if (target == null) {
      target = AttackTarget.start();
      AttackTarget started = target;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close));
    }
    return target;
  }

  private static final List<String> ROUTES_WITH_QUERIES =
      List.of(
          "/v1/files",
          "/v1/models",
          "/v1/responses/@response@",
          "/v1/responses/@response@/input_items",
          "/v1/conversations/@conversation@/items",
          "/admin/audit",
          "/admin/usage");

  private static final List<String> POST_ROUTES =
      List.of(
          "/v1/chat/completions",
          "/v1/responses",
          "/v1/responses/input_tokens",
          "/v1/embeddings",
          "/v1/conversations",
          "/v1/conversations/@conversation@",
          "/v1/conversations/@conversation@/items",
          "/admin/keys");

  @Property(tries = 300)
  void randomPaths(@ForAll("paths") String path) {
    check(
        RawSocket.send(
            target().base, "GET", path, null, "Authorization", "Bearer " + target().keyA));
  }

  @Property(tries = 200)
  void randomHeaders(@ForAll("headerNames") String name, @ForAll("headerValues") String value) {
    check(
        RawSocket.send(
            target().base,
            "GET",
            "/v1/models",
            null,
            "Authorization",
            "Bearer " + target().keyA,
            name,
            value));
  }

  @Property(tries = 300)
  void randomQueries(@ForAll("queries") String target, @ForAll("queryStrings") String query) {
    String path = resolve(target) + "?" + query;
    String credential = path.startsWith("/admin") ? AttackTarget.ADMIN : target().keyA;
    check(
        RawSocket.send(target().base, "GET", path, null, "Authorization", "Bearer " + credential));
  }

  @Property(tries = 300)
  void randomBodies(@ForAll("posts") String route, @ForAll("bodies") String body) {
    String path = resolve(route);
    String credential = path.startsWith("/admin") ? AttackTarget.ADMIN : target().keyA;
    check(
        RawSocket.send(
            target().base,
            "POST",
            path,
            body,
            "Authorization",
            "Bearer " + credential,
            "Content-Type",
            "application/json"));
  }

  private static void check(RawSocket.Reply reply) {
    assertThat(reply.status()).as(reply.text()).isLessThan(500);
    assertThat(reply.header("x-request-id")).isNotNull();
    if (reply.status() >= 400) {
      JsonNode error = reply.json().path("error");
      assertThat(
              error.has("message") && error.has("type") && error.has("param") && error.has("code"))
          .as(reply.text())
          .isTrue();
    }
  }

  private static String resolve(String route) {
    return route
        .replace("@response@", target().responseA)
        .replace("@conversation@", target().conversationA);
  }

  @Provide
  Arbitrary<String> paths() {
    Arbitrary<String> segment =
        Arbitraries.oneOf(
            Arbitraries.of(
                "v1",
                "models",
                "responses",
                "files",
                "admin",
                "keys",
                "..",
                ".",
                "",
                "%2e",
                "%2F",
                "%00",
                "%zz",
                "%",
                ";x",
                "%76%31",
                "dashboard",
                "assets",
                "livez",
                "metrics",
                "conversations",
                "items",
                "cancel",
                "input_items",
                "content"),
            Arbitraries.strings().withChars("abcXYZ019-._~!$&'()*+,=:@%;").ofMaxLength(12),
            Arbitraries.strings().withCharRange('\u00a0', '\u00ff').ofMaxLength(3));
    return segment.list().ofMaxSize(6).map(s -> "/" + String.join("/", s));
  }

  @Provide
  Arbitrary<String> headerNames() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "x-session-id",
            "x-request-id",
            "content-type",
            "api-key",
            "traceparent",
            "tracestate",
            "accept",
            "x-gantry-output-policy"),
        Arbitraries.strings().withChars("abcdefghij-_").ofMinLength(1).ofMaxLength(20));
  }

  @Provide
  Arbitrary<String> headerValues() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300),
        Arbitraries.strings().withCharRange(' ', '~').ofMinLength(120).ofMaxLength(9000),
        Arbitraries.strings().withCharRange('\u0080', '\u00ff').ofMaxLength(20));
  }

  @Provide
  Arbitrary<String> queries() {
    return Arbitraries.of(ROUTES_WITH_QUERIES);
  }

  @Provide
  Arbitrary<String> queryStrings() {
    Arbitrary<String> name =
        Arbitraries.oneOf(
            Arbitraries.of(
                "limit",
                "order",
                "after",
                "purpose",
                "stream",
                "starting_after",
                "action",
                "key_id",
                "tenant",
                "period",
                "include"),
            Arbitraries.strings().alpha().ofMaxLength(8));
    Arbitrary<String> value =
        Arbitraries.oneOf(
            Arbitraries.of(
                "-1",
                "0",
                "1",
                "100",
                "101",
                "99999999999999999999",
                "asc",
                "desc",
                "true",
                "%",
                "%zz",
                "%00",
                "1e9",
                "NaN",
                "day",
                "month",
                ""),
            Arbitraries.strings().withChars("abc019-_.~%+=&;").ofMaxLength(20));
    return Combinators.combine(name, value)
        .as((n, v) -> n + "=" + v)
        .list()
        .ofMaxSize(4)
        .map(pairs -> String.join("&", pairs));
  }

  @Provide
  Arbitrary<String> posts() {
    return Arbitraries.of(POST_ROUTES);
  }

  @Provide
  Arbitrary<String> bodies() {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.of(
                "null",
                "true",
                "false",
                "0",
                "-1",
                "1.5",
                "1e999",
                "18446744073709551617",
                "\"\"",
                "\"gantry-sim\"",
                "\"user\"",
                "\"input_file\"",
                "\"function\"",
                "[]",
                "{}"),
            Arbitraries.strings().alpha().ofMaxLength(10).map(s -> "\"" + s + "\""));
    Arbitrary<String> key =
        Arbitraries.of(
            "model",
            "messages",
            "input",
            "role",
            "content",
            "type",
            "tools",
            "stream",
            "max_tokens",
            "max_output_tokens",
            "previous_response_id",
            "conversation",
            "items",
            "file_id",
            "text",
            "metadata",
            "background",
            "tool_choice",
            "name",
            "parameters",
            "stream_options",
            "n_predict",
            "options",
            "num_predict",
            "rpm",
            "budget");
    Arbitrary<String> object =
        Combinators.combine(key, scalar)
            .as((k, v) -> "\"" + k + "\":" + v)
            .list()
            .ofMaxSize(6)
            .map(fields -> "{" + String.join(",", fields) + "}");
    Arbitrary<String> nested =
        Combinators.combine(key, object.list().ofMaxSize(3))
            .as((k, items) ->
                "{\"model\":\"gantry-sim\",\"" + k + "\":[" + String.join(",", items) + "]}");
    Arbitrary<String> broken = Arbitraries.strings().withChars("{}[]\":,abc0 \\").ofMaxLength(40);
    return Arbitraries.oneOf(object, nested, broken);
  }
}
