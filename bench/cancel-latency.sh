#!/usr/bin/env bash
# Cancel latency (issue 6: a client hang-up or a cancel aborts the backend call within 100 ms):
# time from the client closing its connection (or POSTing /cancel) to the simulator seeing its
# request aborted, for a stream while tokens flow, a stream whose backend is silent, a blocking
# request while the backend generates, and a background cancel. Runs CancelLatencyTest with more
# runs and prints p50/p95/max per case. Loopback only, in-process (Gantry and simulator in one JVM).
# Then the watcher's cost: WATCH_REQUESTS (default 1000) blocking requests wait on a slow backend
# for 5 s while the hang-up watcher looks at each every 20 ms; prints its CPU share and cost per look.
# Usage: bench/cancel-latency.sh   (CANCEL_RUNS per case, default 50)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${CANCEL_RUNS:-50}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
mvn -o -B -q test -Dtest=CancelLatencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspotless.apply.skip=true -Dgantry.cancelRuns="$runs" >/dev/null 2>&1 || status=$?
grep -h '^cancel-latency' target/surefire-reports/io.gantry.route.CancelLatencyTest-output.txt
cp_file="$(mktemp)"
mvn -o -B -q dependency:build-classpath -Dmdep.outputFile="$cp_file" >/dev/null 2>&1
"$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat "$cp_file")" \
  io.gantry.route.ClientWatchCostBench "${WATCH_REQUESTS:-1000}" 5 2>/dev/null | grep '^client-watch'
rm -f "$cp_file"
exit "${status:-0}"
