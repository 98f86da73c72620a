package io.gantry.simulator;

/**
 * Counters of the generation endpoints (chat and embeddings).
 *
 * @param requests requests received since start or the last reset
 * @param inFlight requests being answered right now (a live gauge: a reset leaves it alone)
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
    long completed,
    long aborted,
    long lastAbortUnixMicros,
    long lastAbortNanos) {}
