package io.gantry.simulator;

/**
 * Counters of the generation endpoints (chat and embeddings).
 *
 * @param requests requests received since start or the last reset
 * @param inFlight requests being answered right now (a live gauge: a reset leaves it alone)
 * @param peakInFlight the most requests answered at once since start or the last reset (a reset
 *     starts it again from {@code inFlight}), so a test can prove a concurrency bound without
 *     sampling; in-process only, not in {@code /sim/stats}
 * @param streamedTokens token frames written to streams since start or the last reset, so a test
 *     can act once an answer is flowing; in-process only, not in {@code /sim/stats}
 * @param completed requests answered to the end, faults included
 * @param aborted requests whose client went away before the end
 * @param lastAbortUnixMicros when the simulator last noticed a client going away (microseconds
 *     since the epoch), 0 if none since the last reset
 * @param lastAbortNanos the same moment on this JVM's {@link System#nanoTime()} clock, for
 *     in-process latency measurements
 */
public record SimStats(
    long requests,
    long inFlight,
    long peakInFlight,
    long streamedTokens,
    long completed,
    long aborted,
    long lastAbortUnixMicros,
    long lastAbortNanos) {}
