#!/usr/bin/env bash
# Streaming relay efficiency: events relayed per CPU-second of the proxy, Gantry against nginx, on
# long streams (50 and 200 chunks) at 50 connections. Targets, interleaved in every round: the
# simulator itself (direct), nginx proxy_pass, Gantry, and (optionally) a baseline Gantry built from
# another commit, so before/after come from the same run. Loopback only; stops by itself.
#
#   bench/streaming.sh                                   # 2 rounds of 10 s per target and scenario
#   BENCH_BASELINE_REF=HEAD~1 bench/streaming.sh         # adds "gantry-base" built from that commit
#   BENCH_BASELINE_JAR=/path/gantry.jar bench/streaming.sh
#
# Knobs: BENCH_SECONDS (10), BENCH_ROUNDS (2), BENCH_CONNS (50), BENCH_TOKENS ("50 200"),
# BENCH_TTFC_REQUESTS (200), BENCH_WARMUP_MIN (40), BENCH_WARMUP_MAX (150), BENCH_KEEP_TMP (0).
# Results: bench/results/streaming.md (and streaming-raw.log).
set -euo pipefail
bench_name=streaming
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

seconds="${BENCH_SECONDS:-10}"
rounds="${BENCH_ROUNDS:-2}"
conns="${BENCH_CONNS:-50}"
token_counts="${BENCH_TOKENS:-50 200}"
ttfc_requests="${BENCH_TTFC_REQUESTS:-200}"
command -v wrk >/dev/null || apt_install wrk || die "wrk is needed (apt-get install -y wrk)"

snapshot_jar
base_jar=""
if [ -n "${BENCH_BASELINE_JAR:-}" ]; then
  base_jar="$tmp/gantry-base.jar"
  cp "$BENCH_BASELINE_JAR" "$base_jar"
  base_label="jar $(basename "$BENCH_BASELINE_JAR")"
elif [ -n "${BENCH_BASELINE_REF:-}" ]; then
  base_label="$(git -C "$repo" rev-parse --short "$BENCH_BASELINE_REF")"
  log "building the baseline from $base_label"
  mkdir -p "$tmp/base-src"
  git -C "$repo" archive "$BENCH_BASELINE_REF" | tar -x -C "$tmp/base-src"
  (cd "$tmp/base-src" && mvn -o -q -B -DskipTests -Dspotless.apply.skip=true package) \
    >"$tmp/base-build.log" 2>&1 || { tail -20 "$tmp/base-build.log" >&2; die "baseline build failed"; }
  base_jar="$tmp/gantry-base.jar"
  cp "$tmp/base-src/target/gantry.jar" "$base_jar"
  rm -rf "$tmp/base-src"
fi

sim_port="$(free_port)"
start_simulator "$sim_port"; sim_pid=$spawned
declare -A port pid_of
targets=(direct)
port[direct]=$sim_port; pid_of[direct]=$sim_pid
p="$(free_port)"
start_gantry "$tmp/gantry.jar" "$p" "$sim_port" "$tmp/data-gantry"
targets+=(gantry); port[gantry]=$p; pid_of[gantry]=$spawned
if [ -n "$base_jar" ]; then
  p="$(free_port)"
  start_gantry "$base_jar" "$p" "$sim_port" "$tmp/data-base"
  targets+=(gantry-base); port[gantry-base]=$p; pid_of[gantry-base]=$spawned
fi
p="$(free_port)"
if start_nginx "$p" "$sim_port"; then
  targets+=(nginx); port[nginx]=$p; pid_of[nginx]=$spawned
else
  log "nginx unavailable: no gantry/nginx ratio"
fi

for t in $token_counts; do
  cat >"$tmp/stream$t.lua" <<EOF
local dir = "$bench_dir/"
dofile(dir .. "common.lua")
chat_request('{"model":"gantry-sim","stream":true,"messages":[{"role":"user","content":"benchmark sim:tokens=$t"}]}')
EOF
done

raw="$results/streaming-raw.log"
: >"$raw"
declare -A EV CPU REQ ERR LOADS
run() { # target tokens seconds record(0|1)
  local target="$1" tokens="$2" secs="$3" record="$4" out cpu0 cpu1 line
  cpu0="$(cpu_seconds "${pid_of[$target]}")"
  out="$(wrk -t2 -c"$conns" -d"${secs}s" --timeout 20s -s "$tmp/stream$tokens.lua" \
    "http://127.0.0.1:${port[$target]}" 2>&1)" || die "wrk failed against $target: $out"
  cpu1="$(cpu_seconds "${pid_of[$target]}")"
  kill -0 "${pid_of[$target]}" 2>/dev/null || die "$target died"
  line="$(grep '^BENCH ' <<<"$out" | tail -1)"
  [ -n "$line" ] || die "no BENCH line from wrk against $target: $out"
  local requests duration errors load
  requests="$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$line")"
  duration="$(sed 's/.*duration_us=\([0-9]*\).*/\1/' <<<"$line")"
  errors="$(awk '{ n = 0; for (i = 2; i <= NF; i++) if ($i ~ /^err_/) { split($i, kv, "="); n += kv[2] } print n }' <<<"$line")"
  load="$(load_now)"
  printf '### %s tokens=%s record=%s load=%s cpu=%s\n%s\n\n' "$target" "$tokens" "$record" "$load" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{print b - a}')" "$out" >>"$raw"
  # Events per stream: the role chunk, one per token, the finish chunk and [DONE].
  local events=$(( requests * (tokens + 3) ))
  log "  $target tokens=$tokens: $(awk -v e="$events" -v d="$duration" 'BEGIN{printf "%.0f", e / (d / 1e6)}') events/s, cpu $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{printf "%.2f", b - a}') s, errors $errors, load $load"
  if [ "$record" = 1 ]; then
    local k="$target,$tokens"
    EV[$k]=$(( ${EV[$k]:-0} + events ))
    REQ[$k]=$(( ${REQ[$k]:-0} + requests ))
    CPU[$k]="$(awk -v a="${CPU[$k]:-0}" -v c0="$cpu0" -v c1="$cpu1" 'BEGIN{printf "%.2f", a + c1 - c0}')"
    ERR[$k]=$(( ${ERR[$k]:-0} + errors ))
    LOADS[$k]="${LOADS[$k]:-}${LOADS[$k]:+, }${load%% *}"
    DUR[$k]=$(( ${DUR[$k]:-0} + duration ))
  fi
}
declare -A DUR

load_start="$(load_now)"
# A JVM on two shared cores takes 40-90 s of this load before its JIT settles (measured: events per
# CPU-second rose from 39k to 200k+ over the first minute), so each Java target is warmed until two
# windows in a row agree within 10% (at least BENCH_WARMUP_MIN s, at most BENCH_WARMUP_MAX s).
warm_min="${BENCH_WARMUP_MIN:-40}"
warm_max="${BENCH_WARMUP_MAX:-150}"
first_tokens="${token_counts%% *}"
for target in "${targets[@]}"; do
  case "$target" in gantry*) ;; *) continue ;; esac
  log "warming $target until steady (${warm_min}-${warm_max} s)"
  prev=0; waited=0
  while [ "$waited" -lt "$warm_max" ]; do
    c0="$(cpu_seconds "${pid_of[$target]}")"
    wout="$(wrk -t2 -c"$conns" -d5s --timeout 20s -s "$tmp/stream$first_tokens.lua" \
      "http://127.0.0.1:${port[$target]}" 2>&1)" || die "wrk failed against $target: $wout"
    c1="$(cpu_seconds "${pid_of[$target]}")"
    waited=$((waited + 5))
    wreq="$(grep '^BENCH ' <<<"$wout" | sed 's/.*requests=\([0-9]*\).*/\1/')"
    now="$(awk -v r="$wreq" -v t="$first_tokens" -v a="$c0" -v b="$c1" 'BEGIN{ if (b > a) printf "%.0f", r * (t + 3) / (b - a); else print 0 }')"
    log "  $target: $now events per CPU-second after ${waited}s"
    if [ "$waited" -ge "$warm_min" ] && awk -v a="$prev" -v b="$now" 'BEGIN{ exit !(a > 0 && b > 0 && (a > b ? a / b : b / a) <= 1.10) }'; then
      break
    fi
    prev="$now"
  done
done
log "warming up: 2 rounds of 5 s per target and stream length; load $(load_now)"
for w in 1 2; do
  for t in $token_counts; do
    for target in "${targets[@]}"; do run "$target" "$t" 5 0; done
  done
done

n=${#targets[@]}
for r in $(seq 1 "$rounds"); do
  for t in $token_counts; do
    log "round $r, $t tokens per stream, $conns connections, ${seconds}s per target"
    for k in $(seq 0 $((n - 1))); do
      run "${targets[$(( (r + k) % n ))]}" "$t" "$seconds" 1
      sleep 1
    done
  done
done

log "time to first chunk: $ttfc_requests sequential streams per target, interleaved"
ttfc_args=()
for target in "${targets[@]}"; do ttfc_args+=("$target=http://127.0.0.1:${port[$target]}/v1/chat/completions"); done
ttfc_out="$("$java" "$bench_dir/FirstChunk.java" --requests "$ttfc_requests" --warmup 50 "${ttfc_args[@]}" 2>&1)" \
  || die "FirstChunk failed: $ttfc_out"
printf '### time to first chunk\n%s\n' "$ttfc_out" >>"$raw"
declare -A T
while read -r tag name rest; do
  [ "$tag" = TTFC ] || continue
  for kv in $rest; do T[$name,${kv%%=*}]="${kv#*=}"; done
done <<<"$ttfc_out"
load_end="$(load_now)"

per_cpu() { awk -v e="${EV[$1]:-0}" -v c="${CPU[$1]:-0}" 'BEGIN{ if (c > 0) printf "%.0f", e / c; else print "n/a" }'; }
rate() { awk -v e="${EV[$1]:-0}" -v d="${DUR[$1]:-0}" 'BEGIN{ if (d > 0) printf "%.0f", e / (d / 1e6); else print "n/a" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b + 0 > 0 && a + 0 > 0) printf "%.2f", a / b; else print "n/a" }'; }
has() { local t; for t in "${targets[@]}"; do [ "$t" = "$1" ] && return 0; done; return 1; }

md="$tmp/streaming.md"
{
  echo "# Streaming relay efficiency"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git -C "$repo" rev-parse --short HEAD)$( [ -n "$(git -C "$repo" status --porcelain -- src/main 2>/dev/null)" ] && echo ' (src/main has uncommitted changes)')$( [ -n "$base_jar" ] && echo "; gantry-base: $base_label")"
  echo "- machine: $(nproc) CPUs; wrk, the proxies and the simulator share them. Load average at start / end: $load_start / $load_end"
  echo "- wrk -t2 -c$conns, ${rounds} rounds of ${seconds}s per target and stream length, targets interleaved (rotating order), after warming each Gantry until two 5 s windows agree within 10% (${warm_min}-${warm_max} s) and 2 warm-up rounds of 5 s for every target"
  echo "- events = role chunk + one per token + finish chunk + [DONE]; proxy CPU = user+system of the proxy process (nginx: master and workers) from /proc during its runs"
  echo
  echo "| tokens/stream | target | events/s | proxy CPU s | events per proxy CPU-second | vs nginx | errors | 1-min load during runs |"
  echo "|---:|---|---:|---:|---:|---:|---:|---|"
  for t in $token_counts; do
    for target in "${targets[@]}"; do
      k="$target,$t"
      if [ "$target" = direct ]; then
        echo "| $t | direct (simulator alone) | $(rate "$k") | — | — | — | ${ERR[$k]} | ${LOADS[$k]} |"
      else
        vs="—"; has nginx && [ "$target" != nginx ] && vs="$(ratio "$(per_cpu "$k")" "$(per_cpu "nginx,$t")")×"
        echo "| $t | $target | $(rate "$k") | ${CPU[$k]} | $(per_cpu "$k") | $vs | ${ERR[$k]} | ${LOADS[$k]} |"
      fi
    done
  done
  echo
  echo "## Time to first chunk ($ttfc_requests sequential streams per target, interleaved)"
  echo
  echo "| target | p50 ms | p90 ms | added p50 ms vs direct | failures |"
  echo "|---|---:|---:|---:|---:|"
  for target in "${targets[@]}"; do
    echo "| $target | ${T[$target,p50_ms]:-n/a} | ${T[$target,p90_ms]:-n/a} | $(awk -v a="${T[$target,p50_ms]:-0}" -v b="${T[direct,p50_ms]:-0}" 'BEGIN{printf "%.3f", a - b}') | ${T[$target,failures]:-n/a} |"
  done
  echo
  echo "## Target: events per proxy CPU-second ≥ 0.5× nginx"
  echo
  if has nginx; then
    for t in $token_counts; do
      r="$(ratio "$(per_cpu "gantry,$t")" "$(per_cpu "nginx,$t")")"
      verdict="$(awk -v r="$r" 'BEGIN{print (r + 0 >= 0.5) ? "PASS" : "FAIL"}')"
      [ "${ERR[gantry,$t]}" != 0 ] && verdict="INVALID (errors)"
      line="- $t tokens: gantry ${r}× nginx — **$verdict**"
      has gantry-base && line="$line (gantry-base: $(ratio "$(per_cpu "gantry-base,$t")" "$(per_cpu "nginx,$t")")×)"
      echo "$line"
    done
  else
    echo "- not measured (nginx unavailable)"
  fi
} >"$md"
cp "$md" "$results/streaming.md"
echo
cat "$md"
log "written to bench/results/streaming.md"
