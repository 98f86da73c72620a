#!/usr/bin/env bash
# WebSocket mode vs SSE for chains of sequential Responses turns through Gantry to the simulator:
# time to the first event per turn and Gantry's CPU per turn, the three modes interleaved in one
# run after a warm-up (bench/SocketTurnsBench.java). Loopback only; stops everything it started.
#
#   bench/websocket.sh                    # 20 turns a chain, 20 chains a round, 3 rounds
#   BENCH_TURNS=20 BENCH_CHAINS=40 bench/websocket.sh
set -euo pipefail
bench_name=websocket
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
trap cleanup EXIT INT TERM
java="$(find_java)"
snapshot_jar
sim_port="$(free_port)"; gw_port="$(free_port)"
start_simulator "$sim_port"
start_gantry "$tmp/gantry.jar" "$gw_port" "$sim_port" "$tmp/data"
gantry_pid="$(pgrep -P "$spawned" java || echo "$spawned")"
log "Gantry pid $gantry_pid on port $gw_port; JVM flags: $(gantry_jvm_flags)"
"$java" "$bench_dir/SocketTurnsBench.java" "http://127.0.0.1:$gw_port" "$gantry_pid" gantry-sim \
  "${BENCH_TURNS:-20}" "${BENCH_CHAINS:-20}" | tee "$results/websocket-latest.md"
