package io.gantry.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.api.Admission;
import io.gantry.core.ErrorKind;
import io.gantry.core.Json;
import io.gantry.core.Turn;
import io.gantry.edge.Access;
import io.gantry.edge.ApiException;
import io.gantry.edge.Endpoint;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.observe.AnswerTap;
import io.gantry.route.Route;
import io.gantry.upstream.Backend;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import io.helidon.http.Method;
import java.io.IOException;

/**
 * {@code POST /v1/chat/completions}: validates, routes by model, then relays byte for byte to an
 * openai-dialect backend or translates through canonical deltas for any other.
 */
public final class ChatCompletionsEndpoint implements Endpoint, Surface {
  private final Admission admission;

  public ChatCompletionsEndpoint(Admission admission) {
    this.admission = admission;
  }

  @Override
  public void routes(Routes routes) {
    routes.route(Method.POST, "/v1/chat/completions", "chat", Access.MODEL, this);
  }

  private static boolean hasImages(Turn turn) {
    return turn.messages().stream()
        .flatMap(m -> m.parts().stream())
        .anyMatch(p -> p instanceof io.gantry.core.Part.ImagePart);
  }

  /** Input tokens for the rate limiter, without a tokenizer. */
  private static long estimate(ObjectNode body, String model) {
    try {
      return io.gantry.core.InputTokenEstimate.of(ChatTurnParser.parse(body, model));
    } catch (RuntimeException unparsable) {
      return Json.bytes(body).length / 4;
    }
  }

  @Override
  public void handle(Exchange exchange) throws Exception {
    ObjectNode body = exchange.jsonBody();
    ChatRequestValidator.validate(body);
    exchange.checkRequestLimits(body, "messages", "max_tokens", "max_completion_tokens");
    io.gantry.api.Owned.references(exchange, body);
    String requested = body.get("model").asText();
    boolean stream = body.path("stream").asBoolean(false);
    exchange.record().model(requested);
    exchange.record().stream(stream);
    // Watched from the start, so a client that hangs up while queued for a slot leaves the queue.
    UpstreamMeta meta = Admission.abortOnHangUp(exchange);
    Route route = admission.admit(exchange, requested, () -> estimate(body, requested));
    Backend backend = route.backend();
    if (backend.capabilities().relaysOpenAiApi()) {
      byte[] upstreamBody = exchange.body();
      boolean changed = false;
      if (route.aliased()) {
        body.put("model", route.model());
        changed = true;
      }
      // Every answer is counted against limits and budgets: a stream carries usage only when
      // asked, so it is asked for, and the usage chunk the client did not ask for is not relayed.
      boolean hideUsage =
          stream && !body.path("stream_options").path("include_usage").asBoolean(false);
      if (hideUsage) {
        JsonNode options = body.get("stream_options");
        (options instanceof ObjectNode o ? o : body.putObject("stream_options"))
            .put("include_usage", true);
        changed = true;
      }
      if (changed) {
        upstreamBody = Json.bytes(body);
      }
      ChatRelay.relay(exchange, backend, upstreamBody, hideUsage);
      return;
    }
    Turn turn = ChatTurnParser.parse(body, route.model());
    if (hasImages(turn) && !backend.canSeeImages(route.model())) {
      throw new ApiException(
          400,
          "invalid_request_error",
          "model_not_vision_capable",
          "messages",
          "The model '"
              + requested
              + "' on backend '"
              + backend.name()
              + "' cannot take images (its capabilities have no vision); send text only or use a"
              + " vision model.",
          ErrorKind.CLIENT_INVALID);
    }
    if (stream) {
      boolean includeUsage = body.path("stream_options").path("include_usage").asBoolean(false);
      ChatStreamRenderer renderer =
          new ChatStreamRenderer(exchange, requested, includeUsage, meta.backlog());
      try {
        backend.chat(turn, meta, AnswerTap.around(exchange.record(), renderer));
      } catch (UpstreamException e) {
        if (!renderer.started()) {
          throw e;
        }
        exchange.record().fail(ApiException.of(e.reply()).kind());
        renderer.fail(ApiException.of(e.reply()));
      } catch (IOException clientGone) {
        exchange.record().fail(ErrorKind.CLIENT_DISCONNECTED);
      }
      return;
    }
    ChatCompletionAssembler assembler = new ChatCompletionAssembler(requested);
    backend.chat(turn, meta, AnswerTap.around(exchange.record(), assembler));
    exchange.sendJson(200, assembler.completion());
  }
}
