#!/usr/bin/env bash
# Stateful Responses create (store on, SQLite) vs the Chat Completions relay, both through Gantry
# to the same simulator, at 50 connections, interleaved, in one run. Prints the cost ratio.
# Usage: bench/responses.sh   (BENCH_SECONDS per run, default 10; loopback only; stops by itself)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
seconds="${BENCH_SECONDS:-10}"
conns="${BENCH_CONNS:-50}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
"$root/gantry" --version >/dev/null
work="$(mktemp -d)"
cp "$root/target/gantry.jar" "$work/gantry.jar"
java_bin="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
sim=$(free_port); gw=$(free_port)
"$java_bin" -jar "$work/gantry.jar" simulate --dialect openai --port "$sim" >"$work/sim.log" 2>&1 & pids+=($!)
GANTRY_ACCESS_LOG_LEVEL=OFF "$java_bin" -jar "$work/gantry.jar" serve --port "$gw" --no-discovery \
  --data-dir "$work/data" --backend "openai=http://127.0.0.1:$sim/v1" >"$work/gw.log" 2>&1 & pids+=($!)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$gw/readyz" >/dev/null && break; sleep 0.2; done

rate() { # script seconds -> requests/s
  wrk -t2 -c"$conns" -d"${2}s" -s "$here/$1" "http://127.0.0.1:$gw" 2>/dev/null |
    awk '/^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                    printf "%.0f\n", v["requests"] / (v["duration_us"] / 1e6) }'
}
echo "warming up (JIT) ..." >&2
for s in chat.lua responses.lua chat_stream.lua responses_stream.lua; do rate "$s" 5 >/dev/null; done
declare -A r
for round in 1 2; do
  for s in chat.lua responses.lua chat_stream.lua responses_stream.lua; do
    v=$(rate "$s" "$seconds"); r[$s]=$(( ${r[$s]:-0} + v ))
  done
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "| scenario ($conns connections) | chat relay req/s | responses (store on) req/s | cost ratio (chat/responses) |"
echo "|---|---|---|---|"
echo "| blocking, 16 tokens | $(( r[chat.lua] / 2 )) | $(( r[responses.lua] / 2 )) | $(ratio "${r[chat.lua]}" "${r[responses.lua]}")x |"
echo "| streaming, 50 tokens | $(( r[chat_stream.lua] / 2 )) | $(( r[responses_stream.lua] / 2 )) | $(ratio "${r[chat_stream.lua]}" "${r[responses_stream.lua]}")x |"
echo "target: cost ratio <= 1.5x at 50 connections"
