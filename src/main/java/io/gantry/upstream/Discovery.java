package io.gantry.upstream;

import io.gantry.config.BackendConfig;
import java.util.List;

/**
 * The default addresses local inference servers listen on. Discovery registers each as a backend
 * that is probed like any other, so a server started after Gantry is picked up by the next probe.
 * Port 8080 is shared by llama.cpp's server and LocalAI; both speak the openai dialect.
 */
public final class Discovery {
  private Discovery() {}

  public record Candidate(String name, String dialect, String url, String servers) {
    public BackendConfig toBackendConfig() {
      return new BackendConfig(name, dialect, url, null, List.of(), null);
    }
  }

  public static List<Candidate> candidates() {
    return List.of(
        new Candidate("ollama", "ollama", "http://127.0.0.1:11434", "Ollama"),
        new Candidate("llama-server", "openai", "http://127.0.0.1:8080/v1", "llama.cpp, LocalAI"),
        new Candidate("vllm", "openai", "http://127.0.0.1:8000/v1", "vLLM"),
        new Candidate("lmstudio", "openai", "http://127.0.0.1:1234/v1", "LM Studio"),
        new Candidate("sglang", "openai", "http://127.0.0.1:30000/v1", "SGLang"));
  }
}
