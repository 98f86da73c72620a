package io.gantry.upstream;

import io.gantry.core.DeltaSink;
import io.gantry.core.Turn;
import java.io.IOException;
import java.util.List;

/**
 * One inference server in one wire dialect ({@code upstream.openai} or {@code upstream.ollama}).
 * Both produce canonical deltas; the OpenAI dialect also offers chat clients a byte-for-byte fast
 * path. (Not sealed: sealing across packages needs a named module.)
 */
public interface Backend {

  String name();

  /** {@code openai} or {@code ollama}. */
  String dialect();

  /**
   * The base URL as it may be shown: credentials in it are redacted ({@link io.gantry.core.Urls}).
   */
  String url();

  /** What it can do; surfaces ask this rather than which class the backend is. */
  BackendCapabilities capabilities();

  /**
   * Whether {@code model} can take images. Yes unless the backend knows better (Ollama lists each
   * model's capabilities); otherwise the backend's own error reaches the client.
   */
  default boolean canSeeImages(String model) {
    return true;
  }

  /**
   * The chat fast path, for a backend whose capabilities say it speaks the OpenAI API: the body
   * goes as it is, and the answer comes back as its own bytes, checked and tapped event by event.
   *
   * @param tap receives the answer's deltas as they pass (metrics, records, checks)
   * @param hideUsage the client did not ask for usage; the usage chunk is tapped and not relayed
   * @param decodeAll parse every event into deltas (the answer's text is being logged)
   * @throws UpstreamException the backend failed before its answer began (an error status, too)
   */
  default RelayedAnswer relayChat(
      byte[] body, UpstreamMeta meta, DeltaSink tap, boolean hideUsage, boolean decodeAll)
      throws UpstreamException {
    throw new UnsupportedOperationException(name() + " does not relay OpenAI requests");
  }

  /**
   * Sends an OpenAI API request as it is ({@code /embeddings}), for a backend that speaks the API;
   * the status is not checked.
   */
  default UpstreamResponse relay(String path, byte[] body, UpstreamMeta meta)
      throws UpstreamException {
    throw new UnsupportedOperationException(name() + " does not relay OpenAI requests");
  }

  /** Checks the backend answers and lists its models. Never throws. */
  ProbeResult probe();

  /** Runs one turn, feeding the answer to {@code sink} as it arrives. */
  void chat(Turn turn, UpstreamMeta meta, DeltaSink sink) throws UpstreamException, IOException;

  /** Embeds each input text. */
  Embeddings embed(String model, List<String> inputs, UpstreamMeta meta) throws UpstreamException;

  void close();
}
