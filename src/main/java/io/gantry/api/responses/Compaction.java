package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Delta;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.core.Message;
import io.gantry.core.Role;
import io.gantry.core.Turn;
import io.gantry.core.Usage;
import io.gantry.edge.ApiException;
import io.gantry.observe.AnswerTap;
import io.gantry.observe.RequestRecord;
import io.gantry.route.Route;
import io.gantry.translate.FileResolver;
import io.gantry.translate.InputItems;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import java.util.ArrayList;
import java.util.List;

/**
 * Compaction of a long conversation on the local model: the model writes a summary of the older
 * turns, the last turn is kept verbatim, and the summary travels as a {@code compaction} item whose
 * {@code encrypted_content} only this gateway can open ({@link ReasoningSealer}). A request that
 * sends the item back gets the summary in its place ({@link #expand}).
 */
final class Compaction {
  /** What the model is asked to write. */
  static final String INSTRUCTIONS =
      "You are compacting a conversation so it can continue in a smaller context. Write a"
          + " concise summary of the conversation above for the assistant that will continue it:"
          + " keep every fact, name, number, decision, open task and tool result it will need;"
          + " leave out pleasantries. Answer with the summary only.";

  /** How an expanded summary reads to the model. */
  static final String SUMMARY_HEADER = "Summary of the earlier conversation (compacted):\n";

  private final ReasoningSealer sealer;

  Compaction(ReasoningSealer sealer) {
    this.sealer = sealer;
  }

  /** The items to summarise and the ones kept verbatim: the last user turn and what follows. */
  record Split(List<JsonNode> older, List<JsonNode> recent) {
    static Split of(List<JsonNode> items) {
      int lastUser = -1;
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        if ("message".equals(item.path("type").asText())
            && "user".equals(item.path("role").asText())) {
          lastUser = i;
        }
      }
      // With one turn only, there is nothing older: the summary covers it all.
      int cut = lastUser <= 0 ? items.size() : lastUser;
      return new Split(items.subList(0, cut), items.subList(cut, items.size()));
    }
  }

  /** The backend's summary of {@code older} and what it cost. */
  record Summary(String text, Usage usage) {}

  /** The turn that asks the model for the summary. */
  static Turn summaryTurn(
      String upstreamModel, String instructions, List<JsonNode> older, FileResolver files) {
    List<Message> messages = new ArrayList<>();
    if (instructions != null) {
      messages.add(Message.text(Role.SYSTEM, instructions));
    }
    messages.addAll(InputItems.toMessages(older, older.size(), files));
    messages.add(Message.text(Role.USER, INSTRUCTIONS));
    return new Turn(
        upstreamModel, messages, List.of(), null, null, null, null, null, false, Json.object());
  }

  /** Runs the summary turn on {@code route}; a backend failure is the request's failure. */
  static Summary summarise(Route route, Turn turn, UpstreamMeta meta, RequestRecord record) {
    StringBuilder text = new StringBuilder();
    Usage[] usage = {Usage.NONE};
    try {
      route
          .backend()
          .chat(
              turn,
              meta,
              AnswerTap.around(
                  record,
                  delta -> {
                    switch (delta) {
                      case Delta.Text t -> text.append(t.text());
                      case Delta.UsageReport u -> usage[0] = u.usage();
                      default -> {}
                    }
                  }));
    } catch (UpstreamException e) {
      throw ApiException.of(e.reply());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return new Summary(text.toString().strip(), usage[0]);
  }

  /**
   * A response that compacts its context before it runs: the turn that asks for the summary, how
   * many items of the context the summary replaces ({@code covers}), and the turn to run once the
   * summary is known ({@code then}; null when the response is the compaction alone, as Codex asks
   * with a {@code compaction_trigger} item).
   */
  record Plan(Turn summaryTurn, int covers, java.util.function.Function<String, Turn> then) {}

  /**
   * The {@code compaction} item carrying {@code summary}, sealed together with {@code covers}: how
   * many items before it the summary stands for (0 when it starts a new context).
   */
  ObjectNode item(String summary, int covers) {
    String sealed = Json.text(Json.object().put("summary", summary).put("covers", covers));
    return Json.object()
        .put("id", Ids.random("cmp_", 48))
        .put("type", "compaction")
        .put("encrypted_content", sealer.seal(sealed));
  }

  /** The user message the model reads in place of a compaction item. */
  static ObjectNode summaryMessage(String summary) {
    ObjectNode message = Json.object().put("type", "message").put("role", "user");
    message
        .putArray("content")
        .addObject()
        .put("type", "input_text")
        .put("text", SUMMARY_HEADER + summary);
    return message;
  }

  /**
   * The items with each {@code compaction} item replaced by the summary it seals, so the backend
   * reads what it stands for: in its place, or, when it covers the items before it (a compaction
   * made inside a chain), in place of those. A blob this gateway did not seal is a 400.
   */
  List<JsonNode> expand(List<JsonNode> items, int inputStart) {
    List<JsonNode> out = new ArrayList<>(items.size());
    // How many expanded items came before each item: what "the items before it" are in `out`.
    int[] before = new int[items.size() + 1];
    for (int i = 0; i < items.size(); i++) {
      before[i] = out.size();
      JsonNode item = items.get(i);
      if (!"compaction".equals(item.path("type").asText())) {
        out.add(item);
        continue;
      }
      String at =
          i >= inputStart
              ? "input[" + (i - inputStart) + "].encrypted_content"
              : "previous input item " + item.path("id").asText() + " encrypted_content";
      JsonNode sealed = opened(item.path("encrypted_content").asText(null), at);
      ObjectNode message = summaryMessage(sealed.path("summary").asText());
      int covers = sealed.path("covers").asInt(0);
      if (covers > 0 && covers <= i) {
        List<JsonNode> kept = new ArrayList<>(out.subList(before[covers], out.size()));
        out.clear();
        out.add(message);
        out.addAll(kept);
      } else {
        out.add(message);
      }
    }
    return out;
  }

  private JsonNode opened(String blob, String at) {
    String plain = sealer.open(blob, at);
    try {
      return Json.MAPPER.readTree(plain);
    } catch (java.io.IOException e) {
      throw new io.gantry.core.InvalidTurnException(at, "encrypted_content is not a compaction.");
    }
  }
}
