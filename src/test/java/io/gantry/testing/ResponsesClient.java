package io.gantry.testing;

import static io.gantry.contract.OpenApiContract.assertValid;
import static io.gantry.contract.OpenApiContract.assertValidStreamEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw Responses API calls that check what Gantry emits against the OpenAI spec on the way: every
 * Response object, every streamed event (and its framing and numbering).
 */
public final class ResponsesClient {
  private final String baseUrl;

  public ResponsesClient(String gatewayUrl) {
    this.baseUrl = gatewayUrl + "/v1/responses";
  }

  public record Event(String name, JsonNode data) {
    public String type() {
      return data.path("type").asText();
    }
  }

  public static ObjectNode body(String model, Object input) {
    ObjectNode body = Json.object().put("model", model);
    body.set("input", Json.MAPPER.valueToTree(input));
    return body;
  }

  /** A blocking create that must succeed; the Response is validated against the spec. */
  public JsonNode create(ObjectNode body) throws Exception {
    HttpResponse<byte[]> response = RawHttp.post(baseUrl, Json.bytes(body));
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    JsonNode json = Json.MAPPER.readTree(response.body());
    assertValid("Response", json);
    return json;
  }

  public HttpResponse<byte[]> raw(ObjectNode body) {
    return RawHttp.post(baseUrl, Json.bytes(body));
  }

  /** A streamed create: every event validated, numbered from 0, framed with its type. */
  public List<Event> stream(ObjectNode body) throws Exception {
    ObjectNode streaming = body.deepCopy().put("stream", true);
    HttpResponse<byte[]> response = RawHttp.post(baseUrl, Json.bytes(streaming));
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
    List<Event> events = parse(RawHttp.text(response));
    long expected = 0;
    int terminal = 0;
    for (Event event : events) {
      assertThat(event.name()).isEqualTo(event.type());
      assertThat(event.data().path("sequence_number").asLong(-1)).isEqualTo(expected++);
      assertValidStreamEvent(event.data());
      if (event.type().equals("response.completed")
          || event.type().equals("response.failed")
          || event.type().equals("response.incomplete")) {
        terminal++;
      }
    }
    assertThat(terminal).as("exactly one terminal event").isEqualTo(1);
    return events;
  }

  public static List<Event> parse(String sse) throws Exception {
    List<Event> events = new ArrayList<>();
    String name = null;
    for (String line : sse.split("\n")) {
      if (line.startsWith("event: ")) {
        name = line.substring(7);
      } else if (line.startsWith("data: ")) {
        events.add(new Event(name, Json.MAPPER.readTree(line.substring(6))));
        name = null;
      }
    }
    return events;
  }

  public HttpResponse<byte[]> get(String path) {
    return RawHttp.get(baseUrl + path);
  }

  public HttpResponse<byte[]> delete(String id) {
    try {
      return java.net.http.HttpClient.newHttpClient()
          .send(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl + "/" + id))
                  .DELETE()
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String text(JsonNode response) {
    return response.path("output_text").asText();
  }

  public static JsonNode outputOfType(JsonNode response, String type) {
    for (JsonNode item : response.path("output")) {
      if (item.path("type").asText().equals(type)) {
        return item;
      }
    }
    throw new AssertionError("no " + type + " item in " + response.path("output"));
  }
}
