package io.gantry.testing;

import io.gantry.core.DeltaSink;
import io.gantry.core.Turn;
import io.gantry.upstream.Backend;
import io.gantry.upstream.BackendCapabilities;
import io.gantry.upstream.Embeddings;
import io.gantry.upstream.ProbeResult;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import java.io.IOException;
import java.util.List;

/**
 * A backend with only a name, for tests without HTTP: it can do nothing, probes as down and refuses
 * every call. A test that needs an answer overrides {@link #chat} to feed the deltas it scripts.
 */
public class StubBackend implements Backend {
  private final String name;

  public StubBackend(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String dialect() {
    return "openai";
  }

  @Override
  public String url() {
    return "http://127.0.0.1:1/v1";
  }

  @Override
  public BackendCapabilities capabilities() {
    return new BackendCapabilities(false, false, false, false, false, false, "test");
  }

  @Override
  public ProbeResult probe() {
    return ProbeResult.down("not a real backend", 0);
  }

  @Override
  public void chat(Turn turn, UpstreamMeta meta, DeltaSink sink)
      throws UpstreamException, IOException {
    throw new UnsupportedOperationException(name + " is a stub");
  }

  @Override
  public Embeddings embed(String model, List<String> inputs, UpstreamMeta meta) {
    throw new UnsupportedOperationException(name + " is a stub");
  }

  @Override
  public void close() {}
}
