package io.gantry.upstream;

import java.util.List;

/** Vectors for each input, in input order, and the tokens the backend counted. */
public record Embeddings(String model, List<float[]> vectors, long promptTokens) {}
