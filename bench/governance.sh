#!/usr/bin/env bash
# The cost of governance: the same chat traffic through three gateways in front of one simulator,
# interleaved in one run:
#   off    - no keys (open on loopback), no limiter in the way
#   memory - an API key required on every request, RPM/TPM buckets and a monthly budget in memory
#   redis  - the same, with buckets and budget counters in Redis (a private redis-server started here)
# The key's limits are far above what the run can reach, so nothing is refused: what is measured
# is the work of checking, not the effect of refusing. Prints requests/s and the loss against off.
# Usage: bench/governance.sh   (BENCH_SECONDS per run, default 10; BENCH_CONNS, default 50;
#        BENCH_ROUNDS, default 2; GANTRY_JAR to use a jar already built; loopback only)
# Results: the table on stdout and in bench/results/governance.md.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
seconds="${BENCH_SECONDS:-10}"
conns="${BENCH_CONNS:-50}"
rounds="${BENCH_ROUNDS:-2}"
admin="bench-admin-token-$RANDOM$RANDOM$RANDOM"
log() { printf '[governance %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }
work="$(mktemp -d -t gantry-governance.XXXXXX)"
if [ -n "${GANTRY_JAR:-}" ]; then
  cp "$GANTRY_JAR" "$work/gantry.jar"
else
  "$root/gantry" --version >/dev/null
  cp "$root/target/gantry.jar" "$work/gantry.jar"
fi
java_bin="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ "${BENCH_KEEP_TMP:-0}" = 1 ] && log "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
sim=$(free_port); off=$(free_port); mem=$(free_port); red=$(free_port); redis_port=$(free_port)

redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no \
  >"$work/redis.log" 2>&1 & pids+=($!)
"$java_bin" -jar "$work/gantry.jar" simulate --dialect openai --host 127.0.0.1 --port "$sim" \
  >"$work/sim.log" 2>&1 & pids+=($!)
serve() { # port data-dir [VAR=value ...]
  local port="$1" data="$2"; shift 2
  env "$@" "$java_bin" -jar "$work/gantry.jar" serve --host 127.0.0.1 --port "$port" --no-discovery \
    --data-dir "$work/$data" --backend "openai=http://127.0.0.1:$sim/v1" \
    >"$work/$data.log" 2>"$work/$data.err" &
  pids+=($!)
}
serve "$off" off
serve "$mem" memory GANTRY_ADMIN_TOKEN="$admin"
serve "$red" redis GANTRY_ADMIN_TOKEN="$admin" GANTRY_LIMITS_REDIS_URL="redis://127.0.0.1:$redis_port/0"
for port in "$sim" "$off" "$mem" "$red"; do
  path=/readyz; [ "$port" = "$sim" ] && path=/sim/stats
  for i in $(seq 1 150); do curl -sf "http://127.0.0.1:$port$path" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port$path" >/dev/null || die "nothing answers on port $port (BENCH_KEEP_TMP=1 keeps the logs)"
done

# One key per governed gateway (each has its own store), with limits nothing here can reach.
declare -A key
for port in "$mem" "$red"; do
  reply="$(curl -sS -X POST "http://127.0.0.1:$port/admin/keys" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' \
    -d '{"name":"bench","tenant":"bench","rpm":1000000000,"tpm":1000000000000,"budget":{"tokens":1000000000000000,"period":"month"}}')"
  key[$port]="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$reply" 2>/dev/null)" \
    || die "could not create a key on port $port: $reply"
  # The limiter must really be in the path: a keyed request carries its headers.
  headers="$(curl -sS -D - -o /dev/null "http://127.0.0.1:$port/v1/chat/completions" \
    -H "Authorization: Bearer ${key[$port]}" -H 'Content-Type: application/json' \
    -d '{"model":"gantry-sim","messages":[{"role":"user","content":"hi"}]}')"
  grep -qi '^x-ratelimit-remaining-requests' <<<"$headers" || die "no x-ratelimit headers on port $port: $headers"
  # And a request without the key is refused, so auth is on.
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/chat/completions" \
    -H 'Content-Type: application/json' -d '{"model":"gantry-sim","messages":[{"role":"user","content":"hi"}]}')"
  [ "$code" = 401 ] || die "port $port answered $code to a request without a key (expected 401)"
done
key[$off]=""

rate() { # script port seconds -> requests/s (dies on any error)
  local out
  out="$(GANTRY_BENCH_KEY="${key[$2]}" wrk -t2 -c"$conns" -d"${3}s" --timeout 10s -s "$here/$1" "http://127.0.0.1:$2" 2>&1)"
  awk '/^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                  errs = v["err_connect"] + v["err_read"] + v["err_write"] + v["err_status"] + v["err_timeout"]
                  if (errs > 0) { print "errors=" errs; exit 1 }
                  printf "%.0f\n", v["requests"] / (v["duration_us"] / 1e6) }' <<<"$out" \
    || die "wrk against port $2 ($1) saw errors: $out"
}
ports=("$off" "$mem" "$red")
declare -A name=([$off]=off [$mem]=memory [$red]=redis)
log "warming up (JIT): 2 x 5 s per gateway and script"
for _ in 1 2; do
  for s in chat_keyed.lua chat_stream_keyed.lua; do for p in "${ports[@]}"; do rate "$s" "$p" 5 >/dev/null; done; done
done
declare -A r
for round in $(seq 1 "$rounds"); do
  for s in chat_keyed.lua chat_stream_keyed.lua; do
    # Rotate who goes first, so no gateway always runs on the coldest or hottest machine.
    for k in 0 1 2; do
      p="${ports[$(( (round + k) % 3 ))]}"
      v=$(rate "$s" "$p" "$seconds")
      log "round $round $s ${name[$p]}: $v req/s"
      r[$s,$p]=$(( ${r[$s,$p]:-0} + v ))
    done
  done
done

loss() { awk -v on="$1" -v off="$2" 'BEGIN { printf "%.1f%%", (1 - on / off) * 100 }'; }
ratio() { awk -v on="$1" -v off="$2" 'BEGIN { printf "%.2f", on / off }'; }
mkdir -p "$here/results"
{
  echo "# Governance overhead (bench/governance.sh)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(nproc) CPUs; wrk, the simulator, Redis and the three gateways share them; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- wrk: $conns connections, 2 threads, ${seconds}s per run, $rounds interleaved rounds (rotating order), after 2 warm-up rounds"
  echo "- off: no keys; memory / redis: Bearer key checked, RPM + TPM buckets and a monthly budget per request (limits never reached), usage settled and stored"
  echo
  echo "| scenario ($conns connections) | off req/s | memory req/s | memory/off | loss | redis req/s | redis/off | loss |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for s in chat_keyed.lua chat_stream_keyed.lua; do
    label="non-streaming chat, 16 tokens"; [ "$s" = chat_stream_keyed.lua ] && label="streaming chat, 50 tokens"
    echo "| $label | $(( r[$s,$off] / rounds )) | $(( r[$s,$mem] / rounds )) | $(ratio "${r[$s,$mem]}" "${r[$s,$off]}") | $(loss "${r[$s,$mem]}" "${r[$s,$off]}") | $(( r[$s,$red] / rounds )) | $(ratio "${r[$s,$red]}" "${r[$s,$off]}") | $(loss "${r[$s,$red]}" "${r[$s,$off]}") |"
  done
  echo
  echo "targets: loss <= 10% in memory, <= 25% with Redis"
} | tee "$here/results/governance.md"
