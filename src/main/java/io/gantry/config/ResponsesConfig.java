package io.gantry.config;

/**
 * Responses API behaviour.
 *
 * @param hostedTools what to do with tools only OpenAI's servers run (web search, file search, code
 *     interpreter, computer use, image generation): {@code drop} them and say so in the {@code
 *     x-gantry-dropped-tools} header, or {@code reject} the request with a 400
 */
public record ResponsesConfig(String hostedTools) {
  public ResponsesConfig {
    hostedTools = hostedTools == null ? "drop" : hostedTools;
  }

  public boolean rejectHostedTools() {
    return "reject".equals(hostedTools);
  }
}
