#!/usr/bin/env bash
# Cancel latency (issue 6: a client hang-up or a cancel aborts the backend call within 100 ms):
# time from the client closing its connection (or POSTing /cancel) to the simulator seeing its
# request aborted, for a stream while tokens flow, a stream whose backend is silent, a blocking
# request while the backend generates, and a background cancel. Runs CancelLatencyTest with more
# runs and prints p50/p95/max per case. Loopback only, in-process (Gantry and simulator in one JVM).
# Then the watcher's cost: WATCH_REQUESTS (default 1000) blocking requests wait on a slow backend
# for 5 s while the hang-up watcher looks at each every 20 ms; prints its CPU share and cost per look.
# Usage: bench/cancel-latency.sh   (CANCEL_RUNS per case, default 50; WATCH_REQUESTS; GANTRY_JAR
#        to measure the watcher in a jar already built)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${CANCEL_RUNS:-50}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
mvn -o -B -q test -Dtest=CancelLatencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspotless.apply.skip=true -Dgantry.cancelRuns="$runs" >/dev/null 2>&1 || status=$?
grep -h '^cancel-latency' target/surefire-reports/io.gantry.route.CancelLatencyTest-output.txt
# The watcher's cost: bench/ClientWatchCostBench.java, a single-file program run against a private
# copy of the jar (GANTRY_JAR, or this tree's, built by the launcher when missing or stale).
work="$(mktemp -d -t gantry-cancel-latency.XXXXXX)"
trap 'rm -rf "$work"' EXIT
if [ -n "${GANTRY_JAR:-}" ]; then
  cp "$GANTRY_JAR" "$work/gantry.jar"
else
  "$root/gantry" --version >/dev/null
  cp "$root/target/gantry.jar" "$work/gantry.jar"
fi
"$JAVA_HOME/bin/java" -cp "$work/gantry.jar" "$root/bench/ClientWatchCostBench.java" \
  --requests "${WATCH_REQUESTS:-1000}" --seconds 5 2>/dev/null | grep '^client-watch'
exit "${status:-0}"
