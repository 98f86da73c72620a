#!/usr/bin/env bash
# The cost of observability: the same chat traffic through two gateways in front of one
# simulator, one with metrics, access log and tracing (to a local OTLP sink) on, one with all
# three off, interleaved in one run. Prints throughput of each and the loss as a ratio.
# A third gateway samples 10% of traces (OTEL_TRACES_SAMPLER_ARG=0.1), the usual production setting.
# Usage: bench/observability.sh   (BENCH_SECONDS per run, default 10; loopback only)
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
sim=$(free_port); on=$(free_port); sampled=$(free_port); off=$(free_port); sink=$(free_port)
# An OTLP/HTTP sink that accepts span exports and drops them.
python3 - "$sink" >/dev/null 2>&1 <<'PY' &
import sys, http.server
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
pids+=($!)
"$java_bin" -jar "$work/gantry.jar" simulate --dialect openai --port "$sim" >"$work/sim.log" 2>&1 & pids+=($!)
GANTRY_OBSERVE_OTLP_ENDPOINT="http://127.0.0.1:$sink" \
  "$java_bin" -jar "$work/gantry.jar" serve --port "$on" --no-discovery --data-dir "$work/on" \
  --backend "openai=http://127.0.0.1:$sim/v1" >"$work/on.log" 2>&1 & pids+=($!)
OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.1 \
  GANTRY_OBSERVE_OTLP_ENDPOINT="http://127.0.0.1:$sink" \
  "$java_bin" -jar "$work/gantry.jar" serve --port "$sampled" --no-discovery --data-dir "$work/sampled" \
  --backend "openai=http://127.0.0.1:$sim/v1" >"$work/sampled.log" 2>&1 & pids+=($!)
GANTRY_OBSERVE_METRICS=false GANTRY_ACCESS_LOG_LEVEL=OFF \
  "$java_bin" -jar "$work/gantry.jar" serve --port "$off" --no-discovery --data-dir "$work/off" \
  --backend "openai=http://127.0.0.1:$sim/v1" >"$work/off.log" 2>&1 & pids+=($!)
for port in "$on" "$sampled" "$off"; do
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
done

rate() { # script port seconds -> requests/s
  wrk -t2 -c"$conns" -d"${3}s" -s "$here/$1" "http://127.0.0.1:$2" 2>/dev/null |
    awk '/^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                    printf "%.0f\n", v["requests"] / (v["duration_us"] / 1e6) }'
}
echo "warming up (JIT) ..." >&2
for s in chat.lua chat_stream.lua; do for p in "$on" "$sampled" "$off"; do rate "$s" "$p" 5 >/dev/null; done; done
declare -A r
for round in 1 2; do
  for s in chat.lua chat_stream.lua; do
    for p in "$on" "$sampled" "$off"; do v=$(rate "$s" "$p" "$seconds"); r[$s,$p]=$(( ${r[$s,$p]:-0} + v )); done
  done
done
loss() { awk -v on="$1" -v off="$2" 'BEGIN { printf "%.1f%%", (1 - on / off) * 100 }'; }
echo "| scenario ($conns connections) | all off req/s | metrics + log + every trace req/s | loss | metrics + log + 10% of traces req/s | loss |"
echo "|---|---|---|---|---|---|"
for s in chat.lua chat_stream.lua; do
  label="non-streaming chat, 16 tokens"; [ "$s" = chat_stream.lua ] && label="streaming chat, 50 tokens"
  echo "| $label | $(( r[$s,$off] / 2 )) | $(( r[$s,$on] / 2 )) | $(loss "${r[$s,$on]}" "${r[$s,$off]}") | $(( r[$s,$sampled] / 2 )) | $(loss "${r[$s,$sampled]}" "${r[$s,$off]}") |"
done
echo "target: loss <= 10%"
