package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Decides the reply of a chat request: a pure function of the request, directives and seed. */
final class ReplyPlanner {
  static final int DEFAULT_TOKENS = 12;

  private ReplyPlanner() {}

  /** The directives of the last message when it is the user's; none otherwise. */
  static Directives directives(ChatRequest req) {
    SimMessage last = req.last();
    return last != null && "user".equals(last.role())
        ? Directives.parse(last.text())
        : Directives.NONE;
  }

  static Reply plan(ChatRequest req, Directives d, long seed, Ids ids) {
    long conv = req.conversationHash();
    List<String> reasoning = TextTokens.words(Prng.of(seed, conv, 1), d.reason());
    List<String> content = List.of();
    List<Reply.Call> calls = List.of();
    SimMessage last = req.last();
    Prng rng = Prng.of(seed, conv, 2);
    // Priority: a tool result ends the agent loop; then echo, history, calls, plain text.
    boolean toolResult = last != null && "tool".equals(last.role());
    if (!toolResult && !d.echo() && !d.history()) {
      calls = calls(req, d, seed, ids);
    }
    if (toolResult) {
      content = TextTokens.split(HistoryRenderer.toolResults(req.messages()));
    } else if (d.echo()) {
      content = TextTokens.split(last.text());
    } else if (d.history()) {
      content = TextTokens.split(HistoryRenderer.render(req.messages()));
    } else if (!calls.isEmpty()) {
      content = List.of();
    } else if (d.tokens() != null) {
      content = TextTokens.words(rng, d.tokens());
    } else if (req.format() != null) {
      content = jsonDocument(req.format(), rng);
    } else {
      content = TextTokens.words(rng, DEFAULT_TOKENS);
    }
    content = applyStop(content, req.stop());
    return cap(new Reply(reasoning, content, calls, false, promptTokens(req)), req.maxTokens());
  }

  private static List<Reply.Call> calls(ChatRequest req, Directives d, long seed, Ids ids) {
    List<String> names = new ArrayList<>();
    List<ChatRequest.Tool> tools = req.tools();
    if (d.wantsTools()) {
      int count = d.toolCount() == null ? 1 : d.toolCount();
      boolean named = d.tool() != null && !"auto".equals(d.tool());
      for (int i = 0; i < count && (named || !tools.isEmpty()); i++) {
        names.add(named ? d.tool() : tools.get(i % tools.size()).name());
      }
    } else if (d.tokens() == null) {
      switch (req.toolChoice().mode()) {
        case REQUIRED -> {
          if (!tools.isEmpty()) {
            names.add(tools.get(0).name());
          }
        }
        case NAMED -> names.add(req.toolChoice().name());
        case AUTO -> {
          ChatRequest.Tool asked = askedFor(req);
          if (asked != null) {
            names.add(asked.name());
          }
        }
        default -> {}
      }
    }
    List<Reply.Call> calls = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      Prng rng = Prng.of(seed, req.conversationHash(), 100 + i);
      ChatRequest.Tool tool = req.tool(names.get(i));
      JsonNode args = arguments(tool == null ? null : tool.parameters(), rng, d.badArgs());
      String json = Json.write(args);
      calls.add(
          new Reply.Call(
              ids.toolCallId(i), names.get(i), args, json, TextTokens.fragments(json, rng, 3, 7)));
    }
    return calls;
  }

  /** Verbs of tool names that say nothing about what the tool is for. */
  private static final Set<String> GENERIC_WORDS =
      Set.of("get", "set", "fetch", "list", "find", "call", "run", "do", "make", "lookup", "tool");

  /**
   * The tool the user's message asks for, as a model would pick it: the first tool a word of whose
   * name (get_weather: "weather") the message mentions; null when it mentions none.
   */
  static ChatRequest.Tool askedFor(ChatRequest req) {
    SimMessage last = req.last();
    if (last == null || !"user".equals(last.role()) || last.text() == null) {
      return null;
    }
    Set<String> said = new HashSet<>();
    for (String word : last.text().toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
      said.add(word);
    }
    for (ChatRequest.Tool tool : req.tools()) {
      for (String word :
          tool.name().toLowerCase(Locale.ROOT).split("[^a-z0-9]+|(?<=[a-z])(?=[0-9])")) {
        if (word.length() > 2 && !GENERIC_WORDS.contains(word) && said.contains(word)) {
          return tool;
        }
      }
    }
    return null;
  }

  private static JsonNode arguments(JsonNode schema, Prng rng, boolean bad) {
    if (schema == null || !schema.isObject() || schema.isEmpty()) {
      var empty = JsonNodeFactory.instance.objectNode();
      return bad ? empty.put("unexpected", true) : empty;
    }
    return bad
        ? SchemaValueGenerator.invalid(schema, rng)
        : SchemaValueGenerator.valid(schema, rng);
  }

  private static List<String> jsonDocument(ChatRequest.OutputFormat format, Prng rng) {
    JsonNode doc =
        format.schema() == null
            ? JsonNodeFactory.instance.objectNode().put("answer", TextTokens.phrase(rng, 6))
            : SchemaValueGenerator.valid(format.schema(), rng);
    return TextTokens.fragments(Json.write(doc), rng, 3, 6);
  }

  /** Cuts the answer just before the first stop sequence, as a server does. */
  static List<String> applyStop(List<String> tokens, List<String> stops) {
    String text = String.join("", tokens);
    int cut = -1;
    for (String s : stops) {
      int at = s.isEmpty() ? -1 : text.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) {
        cut = at;
      }
    }
    if (cut < 0) {
      return tokens;
    }
    List<String> kept = new ArrayList<>();
    int pos = 0;
    for (String t : tokens) {
      if (pos >= cut) {
        break;
      }
      kept.add(pos + t.length() <= cut ? t : t.substring(0, cut - pos));
      pos += t.length();
    }
    return kept;
  }

  /** Applies max_tokens: reasoning first, then the answer, then whole tool calls only. */
  static Reply cap(Reply r, Integer maxTokens) {
    if (maxTokens == null || r.completionTokens() <= maxTokens) {
      return r;
    }
    int budget = maxTokens;
    List<String> reasoning = r.reasoning().subList(0, Math.min(budget, r.reasoning().size()));
    budget -= reasoning.size();
    List<String> content = r.content().subList(0, Math.min(budget, r.content().size()));
    budget -= content.size();
    List<Reply.Call> calls = new ArrayList<>();
    for (Reply.Call c : r.calls()) {
      if (c.fragments().size() > budget) {
        break; // llama.cpp drops a call cut by the cap instead of sending half of it
      }
      calls.add(c);
      budget -= c.fragments().size();
    }
    return new Reply(reasoning, content, calls, true, r.promptTokens());
  }

  /** Words of every message plus 4 per message: a stand-in for a tokenizer. */
  static int promptTokens(ChatRequest req) {
    int n = 0;
    for (SimMessage m : req.messages()) {
      n += 4 + TextTokens.countWords(m.text());
      for (SimMessage.ToolCall c : m.toolCalls()) {
        n += TextTokens.countWords(c.name() + " " + c.arguments());
      }
    }
    return n;
  }
}
