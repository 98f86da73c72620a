#!/usr/bin/env bash
# The cost of governance: the same chat traffic through three gateways in front of one simulator,
# interleaved in one run, as four targets:
#   off    - a gateway without keys (open on loopback): no auth, no limiter
#   auth   - a gateway with keys, using a key without limits: auth, usage recording, no limiter
#   memory - the same gateway with a key with RPM, TPM and a monthly budget: buckets in memory
#   redis  - a third gateway, the same limited key, buckets and budget counters in Redis (a
#            private redis-server started here)
# The limits are far above what the run can reach, so nothing is refused: what is measured is the
# work of checking, not the effect of refusing. Prints requests/s and the loss against off.
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

declare -A pid_of
redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --daemonize no \
  >"$work/redis-server.log" 2>&1 & pids+=($!)
pid_of[redis-server]=$!
"$java_bin" -jar "$work/gantry.jar" simulate --dialect openai --host 127.0.0.1 --port "$sim" \
  >"$work/sim.log" 2>&1 & pids+=($!)
serve() { # port data-dir [VAR=value ...]
  local port="$1" data="$2"; shift 2
  # Through the launcher, so each gateway runs with its default JVM flags (or GANTRY_JAVA_OPTS).
  env "$@" GANTRY_JAR="$work/gantry.jar" JAVA_HOME="$(dirname "$(dirname "$java_bin")")" \
    "$root/gantry" serve --host 127.0.0.1 --port "$port" --no-discovery \
    --data-dir "$work/$data" --backend "openai=http://127.0.0.1:$sim/v1" \
    >"$work/$data.log" 2>"$work/$data.err" &
  pids+=($!)
  pid_of[$data]=$!
}
serve "$off" off
serve "$mem" memory GANTRY_ADMIN_TOKEN="$admin"
serve "$red" redis GANTRY_ADMIN_TOKEN="$admin" GANTRY_LIMITS_REDIS_URL="redis://127.0.0.1:$redis_port/0"
for port in "$sim" "$off" "$mem" "$red"; do
  path=/readyz; [ "$port" = "$sim" ] && path=/sim/stats
  for i in $(seq 1 450); do curl -sf "http://127.0.0.1:$port$path" >/dev/null && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port$path" >/dev/null || die "nothing answers on port $port (BENCH_KEEP_TMP=1 keeps the logs)"
done

# Keys on the governed gateways (each has its own store), with limits nothing here can reach.
limited='{"name":"bench","tenant":"bench","rpm":1000000000,"tpm":1000000000000,"budget":{"tokens":1000000000000000,"period":"month"}}'
create_key() { # port body -> secret
  local reply
  reply="$(curl -sS -X POST "http://127.0.0.1:$1/admin/keys" -H "Authorization: Bearer $admin" \
    -H 'Content-Type: application/json' -d "$2")"
  python3 -c 'import json,sys; print(json.loads(sys.argv[1])["key"])' "$reply" 2>/dev/null \
    || die "could not create a key on port $1: $reply"
}
declare -A port key
port[off]="$off"; key[off]=""
port[auth]="$mem"; key[auth]="$(create_key "$mem" '{"name":"bench-unlimited","tenant":"bench"}')"
port[memory]="$mem"; key[memory]="$(create_key "$mem" "$limited")"
port[redis]="$red"; key[redis]="$(create_key "$red" "$limited")"
for t in memory redis; do
  # The limiter must really be in the path: a keyed request carries its headers.
  headers="$(curl -sS -D - -o /dev/null "http://127.0.0.1:${port[$t]}/v1/chat/completions" \
    -H "Authorization: Bearer ${key[$t]}" -H 'Content-Type: application/json' \
    -d '{"model":"gantry-sim","messages":[{"role":"user","content":"hi"}]}')"
  grep -qi '^x-ratelimit-remaining-requests' <<<"$headers" || die "no x-ratelimit headers from $t: $headers"
  # And a request without the key is refused, so auth is on.
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port[$t]}/v1/chat/completions" \
    -H 'Content-Type: application/json' -d '{"model":"gantry-sim","messages":[{"role":"user","content":"hi"}]}')"
  [ "$code" = 401 ] || die "$t answered $code to a request without a key (expected 401)"
done

errors_seen=0
# CPU time (user + system, clock ticks) used so far by the processes that serve a target: its
# gateway, and for redis also the redis-server. Less sensitive than req/s to other work on the
# machine, since it counts what each request costs rather than how much CPU the target was given.
declare -A serves=([off]="off" [auth]="memory" [memory]="memory" [redis]="redis redis-server")
cpu_ticks() {
  local total=0 p t
  for p in ${serves[$1]}; do
    t="$(awk '{print $14 + $15}' "/proc/${pid_of[$p]}/stat" 2>/dev/null || echo 0)"
    total=$((total + t))
  done
  echo "$total"
}
clk_tck="$(getconf CLK_TCK)"
rate() { # script target seconds -> "requests/s errors cpu-us-per-request"; > 1% errors ends the run
  local out cpu0 cpu1
  cpu0="$(cpu_ticks "$2")"
  out="$(GANTRY_BENCH_KEY="${key[$2]}" wrk -t2 -c"$conns" -d"${3}s" --timeout 10s -s "$here/$1" "http://127.0.0.1:${port[$2]}" 2>&1)"
  cpu1="$(cpu_ticks "$2")"
  awk -v ticks=$((cpu1 - cpu0)) -v hz="$clk_tck" '
    /^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
               errs = v["err_connect"] + v["err_read"] + v["err_write"] + v["err_status"] + v["err_timeout"]
               if (errs > v["requests"] / 100) { print "errors=" errs; exit 1 }
               printf "%.0f %d %.1f\n", v["requests"] / (v["duration_us"] / 1e6), errs, ticks / hz * 1e6 / v["requests"] }' <<<"$out" \
    || die "wrk against $2 ($1) saw errors: $out"
}
targets=(off auth memory redis)
log "warming up (JIT): 2 x 5 s per target and script"
for _ in 1 2; do
  for s in chat_keyed.lua chat_stream_keyed.lua; do for t in "${targets[@]}"; do rate "$s" "$t" 5 >/dev/null; done; done
done
declare -A r c
for round in $(seq 1 "$rounds"); do
  for s in chat_keyed.lua chat_stream_keyed.lua; do
    # Rotate who goes first, so no target always runs on the coldest or hottest machine.
    for k in 0 1 2 3; do
      t="${targets[$(( (round + k) % 4 ))]}"
      read -r v errs cpu <<<"$(rate "$s" "$t" "$seconds")"
      log "round $round $s $t: $v req/s, $cpu CPU us/request, $errs errors"
      r[$s,$t]=$(( ${r[$s,$t]:-0} + v ))
      c[$s,$t]="$(awk -v a="${c[$s,$t]:-0}" -v b="$cpu" 'BEGIN { print a + b }')"
      errors_seen=$(( errors_seen + errs ))
    done
  done
done

# The limited keys must never have been refused: what is measured is checking, not refusing.
for log_file in "$work/memory.log" "$work/redis.log"; do
  ! grep -q '"status":429' "$log_file" || die "a request was refused (429, $log_file): the bench key's limits were reached"
done

ratio() { awk -v on="$1" -v off="$2" 'BEGIN { printf "%.2f", on / off }'; }
mkdir -p "$here/results"
{
  echo "# Governance overhead (bench/governance.sh)"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(nproc) CPUs; wrk, the simulator, Redis and the three gateways share them; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- gateways: JVM flags $( [ -n "${GANTRY_JAVA_OPTS+set}" ] && echo "GANTRY_JAVA_OPTS=\"$GANTRY_JAVA_OPTS\"" || echo "of the launcher (./gantry) by default" )"
  echo "- wrk: $conns connections, 2 threads, ${seconds}s per run, $rounds interleaved rounds (rotating order), after 2 warm-up rounds"
  echo "- off: no keys; auth: a key without limits (auth + usage recording); memory / redis: a key with RPM + TPM + a monthly budget (never reached), checked and settled per request"
  echo
  echo "| scenario ($conns connections) | off req/s | auth req/s | auth/off | memory req/s | memory/off | memory/auth | redis req/s | redis/off | redis/auth |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in chat_keyed.lua chat_stream_keyed.lua; do
    label="non-streaming chat, 16 tokens"; [ "$s" = chat_stream_keyed.lua ] && label="streaming chat, 50 tokens"
    echo "| $label | $(( r[$s,off] / rounds )) | $(( r[$s,auth] / rounds )) | $(ratio "${r[$s,auth]}" "${r[$s,off]}") | $(( r[$s,memory] / rounds )) | $(ratio "${r[$s,memory]}" "${r[$s,off]}") | $(ratio "${r[$s,memory]}" "${r[$s,auth]}") | $(( r[$s,redis] / rounds )) | $(ratio "${r[$s,redis]}" "${r[$s,off]}") | $(ratio "${r[$s,redis]}" "${r[$s,auth]}") |"
  done
  echo
  echo "CPU per request (user + system time of the gateway, plus redis-server for redis, during the runs; less"
  echo "sensitive to other work on the machine than req/s):"
  echo
  echo "| scenario | off µs | auth µs | memory µs | redis µs (gateway + Redis) | memory/off | redis/off | memory − auth | redis − auth |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for s in chat_keyed.lua chat_stream_keyed.lua; do
    label="non-streaming chat, 16 tokens"; [ "$s" = chat_stream_keyed.lua ] && label="streaming chat, 50 tokens"
    avg() { awk -v a="${c[$s,$1]}" -v n="$rounds" 'BEGIN { printf "%.0f", a / n }'; }
    echo "| $label | $(avg off) | $(avg auth) | $(avg memory) | $(avg redis) | $(ratio "${c[$s,memory]}" "${c[$s,off]}") | $(ratio "${c[$s,redis]}" "${c[$s,off]}") | $(( $(avg memory) - $(avg auth) )) | $(( $(avg redis) - $(avg auth) )) |"
  done
  echo
  echo "errors (non-2xx, timeouts) in the measured runs, all targets: $errors_seen (a run with more than 1% ends the benchmark)"
  echo
  echo "targets (issue 7): throughput memory/off >= 0.90 (loss <= 10%), redis/off >= 0.75 (loss <= 25%)"
} | tee "$here/results/governance.md"
