package io.gantry.api.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.core.Usage;

/** Usage in the Chat Completions shape. */
final class ChatUsageJson {
  private ChatUsageJson() {}

  static ObjectNode write(Usage usage) {
    ObjectNode out = Json.object();
    out.put("prompt_tokens", usage.inputTokens());
    out.put("completion_tokens", usage.outputTokens());
    out.put("total_tokens", usage.totalTokens());
    out.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
    out.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
    return out;
  }
}
