#!/usr/bin/env bash
# Cancel latency (issue 6: a client hang-up or a cancel aborts the backend call within 100 ms):
# time from the client closing its connection (or POSTing /cancel) to the simulator seeing its
# request aborted, for a stream while tokens flow, a stream whose backend is silent, a blocking
# request while the backend generates, and a background cancel. Runs CancelLatencyTest with more
# runs and prints p50/p95/max per case. Loopback only, in-process (Gantry and simulator in one JVM).
# Usage: bench/cancel-latency.sh   (CANCEL_RUNS per case, default 50)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${CANCEL_RUNS:-50}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$root"
mvn -o -B -q test -Dtest=CancelLatencyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dspotless.apply.skip=true -Dgantry.cancelRuns="$runs" >/dev/null 2>&1 || status=$?
grep -h '^cancel-latency' target/surefire-reports/io.gantry.route.CancelLatencyTest-output.txt
exit "${status:-0}"
