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

  /** Checks the backend answers and lists its models. Never throws. */
  ProbeResult probe();

  /** Runs one turn, feeding the answer to {@code sink} as it arrives. */
  void chat(Turn turn, UpstreamMeta meta, DeltaSink sink) throws UpstreamException, IOException;

  /** Embeds each input text. */
  Embeddings embed(String model, List<String> inputs, UpstreamMeta meta) throws UpstreamException;

  void close();
}
