package io.gantry.core;

import java.util.List;

/** Sampling settings; null means "backend default". */
public record Sampling(
    Double temperature, Double topP, Long maxOutputTokens, Long seed, List<String> stop) {

  public static final Sampling DEFAULTS = new Sampling(null, null, null, null, null);
}
