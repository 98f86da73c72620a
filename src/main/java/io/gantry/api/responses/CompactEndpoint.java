package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.api.Admission;
import io.gantry.api.inputs.InputFiles;
import io.gantry.core.Ids;
import io.gantry.core.InputTokenEstimate;
import io.gantry.core.Json;
import io.gantry.core.Turn;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.route.Route;
import io.gantry.store.ResponseStore;
import io.gantry.translate.InputItems;
import io.gantry.upstream.UpstreamMeta;
import java.util.ArrayList;
import java.util.List;

/** {@code POST /v1/responses/compact}, on the Responses surface's route table. */
final class CompactEndpoint {
  private final Admission admission;
  private final ResponseStore store;
  private final InputFiles files;
  private final Compaction compaction;

  CompactEndpoint(
      Admission admission, ResponseStore store, InputFiles files, Compaction compaction) {
    this.admission = admission;
    this.store = store;
    this.files = files;
    this.compaction = compaction;
  }

  /**
   * {@code POST /v1/responses/compact}: the conversation ({@code previous_response_id} and/or
   * {@code input}) as a sealed summary of its older turns, written by the model, and its last turn
   * verbatim ({@link Compaction}).
   */
  public void compact(Exchange exchange) throws Exception {
    ObjectNode body = exchange.jsonBody();
    exchange.checkRequestLimits(body, "input", "max_output_tokens");
    io.gantry.api.Owned.references(exchange, body);
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      throw ApiException.invalid("model", "Missing required parameter: 'model'.");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw ApiException.invalid("model", "'model' must be a non-empty string.");
    }
    JsonNode instructions = body.get("instructions");
    if (instructions != null && !instructions.isNull() && !instructions.isTextual()) {
      throw ApiException.invalid("instructions", "'instructions' must be a string.");
    }
    JsonNode previous = body.get("previous_response_id");
    if (previous != null && !previous.isNull() && !previous.isTextual()) {
      throw ApiException.invalid(
          "previous_response_id", "'previous_response_id' must be a string.");
    }
    List<JsonNode> items =
        new ArrayList<>(
            previous == null || previous.isNull()
                ? List.of()
                : ResponseHistory.items(store, previous.asText()));
    int inputStart = items.size();
    items.addAll(InputItems.normalize(body.get("input")));
    if (items.isEmpty()) {
      throw ApiException.invalid(
          "input", "Nothing to compact: send 'input', 'previous_response_id' or both.");
    }
    Compaction.Split split = Compaction.Split.of(items);
    UpstreamMeta meta = Admission.abortOnHangUp(exchange);
    Route chosen = admission.choose(exchange, model.asText());
    exchange.closeAtEnd(chosen);
    Turn turn =
        Compaction.summaryTurn(
            chosen.model(),
            instructions == null || instructions.isNull() ? null : instructions.asText(),
            compaction.expand(split.older(), Math.min(inputStart, split.older().size())),
            files.forModel(chosen.backend(), chosen.model(), exchange::owns));
    admission.check(exchange, model.asText(), chosen, () -> InputTokenEstimate.of(turn));
    Route route = admission.lease(exchange, chosen);
    exchange.record().model(model.asText());
    Compaction.Summary summary = Compaction.summarise(route, turn, meta, exchange.record());
    ObjectNode out = Json.object();
    out.put("id", Ids.random("resp_", 48));
    out.put("object", "response.compaction");
    out.put("created_at", System.currentTimeMillis() / 1000);
    ArrayNode output = out.putArray("output");
    output.add(compaction.item(summary.text(), 0));
    split.recent().forEach(output::add);
    out.set("usage", ResponseJson.usage(summary.usage()));
    exchange.sendJson(200, out);
  }
}
