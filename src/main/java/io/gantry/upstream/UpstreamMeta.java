package io.gantry.upstream;

/** What a backend call carries besides its body: the request id to log on both sides. */
public record UpstreamMeta(String requestId) {}
