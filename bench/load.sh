#!/usr/bin/env bash
# Many concurrent slow streams through Gantry on loopback (issue 6, "Load and soak"): 2,000
# connections, each streaming chat completions of 200 tokens at one token every 20 ms back to back
# (bench/LoadClient.java), first straight at the simulator ("direct"), then through nginx (the
# reference proxy: what any proxy adds on this machine at this load), then through Gantry, in the
# same script. Reports Gantry's RSS (peak and end, from /proc), each proxy's CPU seconds, the time
# to first token through each proxy against direct (p50/p90), and errors. Bounded; stops by itself.
#
#   bench/load.sh                                 # 2,000 connections, 30 s per run, ~3 minutes
#   LOAD_CONNECTIONS=500 LOAD_SECONDS=15 bench/load.sh
#
# Knobs: LOAD_CONNECTIONS (2000), LOAD_SECONDS (30), LOAD_RAMP_SECONDS (5), LOAD_DELAY_MS (20),
# LOAD_TOKENS (200), LOAD_ROUNDS (1: direct, nginx, gantry; 2 repeats them), LOAD_TARGETS
# ("direct nginx gantry"; direct and gantry are needed for the targets), GANTRY_JAVA_OPTS,
# BENCH_KEEP_TMP. Results: bench/results/load.md.
set -euo pipefail
bench_name=load
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

conns="${LOAD_CONNECTIONS:-2000}"
seconds="${LOAD_SECONDS:-30}"
ramp="${LOAD_RAMP_SECONDS:-5}"
delay="${LOAD_DELAY_MS:-20}"
tokens="${LOAD_TOKENS:-200}"
rounds="${LOAD_ROUNDS:-1}"
targets="${LOAD_TARGETS:-direct nginx gantry}"
prompt="load sim:delay=$delay sim:tokens=$tokens"

# Every connection is a file descriptor in the client, Gantry (twice: client and backend side) and
# the simulator; children inherit this limit.
want_fds=$(( conns * 2 + 4096 ))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want_fds" ]; then
  ulimit -n "$want_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
fi
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$want_fds" ] \
  || log "warning: open files limit $(ulimit -n) < $want_fds; expect connect errors"

snapshot_jar
sim_port="$(free_port)"
start_simulator "$sim_port"; sim_pid=$spawned
gw_port="$(free_port)"
start_gantry "$tmp/gantry.jar" "$gw_port" "$sim_port" "$tmp/data"; gw_pid=$spawned
nginx_pid=""
if [[ " $targets " == *" nginx "* ]]; then
  nginx_port="$(free_port)"
  if start_nginx "$nginx_port" "$sim_port"; then nginx_pid=$spawned; else
    log "nginx unavailable: measuring without it"; targets="${targets//nginx/}"; fi
fi

client() { # url connections seconds -> LOAD line
  "$java" -Xss256k "$bench_dir/LoadClient.java" --url "$1" --connections "$2" --seconds "$3" \
    --ramp-seconds "$ramp" --prompt "$prompt"
}

log "warm-up: 200 connections for 10 s through Gantry (JIT)"
client "http://127.0.0.1:$gw_port/v1/chat/completions" 200 10 >"$tmp/warmup.log" 2>&1 || true
grep '^LOAD' "$tmp/warmup.log" >&2 || true

raw="$results/load-raw.log"
: >"$raw"
rss_idle="$(rss_mb "$gw_pid")"
declare -A L
run() { # target round
  local target="$1" r="$2" url out load0 load1 cpu0 cpu1 rss_max=0 sampler proxy_pid="$gw_pid"
  case "$target" in
    direct) url="http://127.0.0.1:$sim_port/v1/chat/completions" ;;
    nginx) url="http://127.0.0.1:$nginx_port/v1/chat/completions"; proxy_pid="$nginx_pid" ;;
    *) url="http://127.0.0.1:$gw_port/v1/chat/completions" ;;
  esac
  load0="$(load_now)"
  cpu0="$(cpu_seconds "$proxy_pid")"
  # Sample Gantry's RSS once a second while the load runs.
  ( while sleep 1; do rss_mb "$gw_pid"; done ) >"$tmp/rss-$target-$r.log" 2>/dev/null &
  sampler=$!
  out="$(client "$url" "$conns" "$seconds" 2>&1)" || true
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  cpu1="$(cpu_seconds "$proxy_pid")"
  load1="$(load_now)"
  kill -0 "$gw_pid" 2>/dev/null || die "Gantry died during the $target run"
  rss_max="$(sort -n "$tmp/rss-$target-$r.log" | tail -1)"
  printf '### %s round %s (load %s -> %s)\n%s\n\n' "$target" "$r" "$load0" "$load1" "$out" >>"$raw"
  local line; line="$(grep '^LOAD ' <<<"$out" | tail -1)"
  [ -n "$line" ] || die "no LOAD line from the client against $target: $out"
  local kv
  for kv in ${line#LOAD }; do L[$target,$r,${kv%%=*}]="${kv#*=}"; done
  L[$target,$r,proxy_cpu]="$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN{printf "%.1f", b - a}')"
  L[$target,$r,rss_max]="${rss_max:-0}"
  L[$target,$r,load]="${load1%% *}"
  log "  $target: ${L[$target,$r,ok]} streams ok, ${L[$target,$r,errors]} errors, TTFT p50 ${L[$target,$r,ttft_p50_ms]} ms p90 ${L[$target,$r,ttft_p90_ms]} ms, proxy CPU ${L[$target,$r,proxy_cpu]} s, Gantry RSS max ${rss_max} MB, load $load1"
  grep '^ERROR' <<<"$out" | head -3 >&2 || true
}

for r in $(seq 1 "$rounds"); do
  log "round $r: $conns connections, $seconds s, '$prompt', targets: $targets"
  for t in $targets; do
    run "$t" "$r"
    sleep 2
  done
done
rss_end="$(rss_mb "$gw_pid")"
rss_peak="$(peak_rss_mb "$gw_pid")"
threads="$(awk '/^Threads:/ {print $2}' "/proc/$gw_pid/status")"
minus() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a - b}'; }

md="$tmp/load.md"
{
  echo "# Load: $conns concurrent slow streams"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git -C "$repo" rev-parse --short HEAD)$( [ -n "$(git -C "$repo" status --porcelain -- src/main 2>/dev/null)" ] && echo ' (src/main has uncommitted changes)')"
  echo "- machine: $(nproc) CPUs, client + Gantry + simulator on the same cores; open files limit $(ulimit -n)"
  echo "- each of $conns connections streams \`$prompt\` back to back for ${seconds}s (connections opened over ${ramp}s; streams begun during that ramp are not timed). TTFT = request written → first event with content; TTFC = → first event"
  echo "- Gantry: JVM flags: $(gantry_jvm_flags); warm-up 200 connections × 10 s"
  echo
  echo "| round | target | streams ok | errors | TTFT p50 ms | TTFT p90 ms | TTFT p99 ms | TTFC p50 ms | peak concurrent | proxy CPU s | Gantry RSS max MB (during the run) | 1-min load after |"
  echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for r in $(seq 1 "$rounds"); do
    for t in $targets; do
      echo "| $r | $t | ${L[$t,$r,ok]} | ${L[$t,$r,errors]} (connect ${L[$t,$r,err_connect]}, status ${L[$t,$r,err_status]}, cut ${L[$t,$r,err_incomplete]}, timeout ${L[$t,$r,err_timeout]}) | ${L[$t,$r,ttft_p50_ms]} | ${L[$t,$r,ttft_p90_ms]} | ${L[$t,$r,ttft_p99_ms]} | ${L[$t,$r,ttfc_p50_ms]} | ${L[$t,$r,peak_concurrent]} | $( [ "$t" = direct ] && echo — || echo "${L[$t,$r,proxy_cpu]}") | ${L[$t,$r,rss_max]} | ${L[$t,$r,load]} |"
    done
  done
  echo
  echo "Gantry RSS: ${rss_idle} MB after warm-up, peak (VmHWM) ${rss_peak} MB, ${rss_end} MB at the end; ${threads} threads at the end."
  echo
  echo "## Targets"
  echo
  for r in $(seq 1 "$rounds"); do
    p50="$(minus "${L[gantry,$r,ttft_p50_ms]}" "${L[direct,$r,ttft_p50_ms]}")"
    p90="$(minus "${L[gantry,$r,ttft_p90_ms]}" "${L[direct,$r,ttft_p90_ms]}")"
    errs="${L[gantry,$r,errors]}"
    if [ "${L[gantry,$r,measured]:-0}" = 0 ] || [ "${L[direct,$r,measured]:-0}" = 0 ]; then
      ttft_verdict="INVALID (no stream began after the ramp: streams took longer than the run)"
    else
      ttft_verdict="$(awk -v a="$p50" 'BEGIN{print (a + 0 <= 1.0) ? "PASS" : "FAIL"}')"
    fi
    if [ -n "${L[nginx,$r,ttft_p50_ms]:-}" ]; then
      echo "- round $r, reference: nginx adds $(minus "${L[nginx,$r,ttft_p50_ms]}" "${L[direct,$r,ttft_p50_ms]}") ms to the TTFT p50 (p90 $(minus "${L[nginx,$r,ttft_p90_ms]}" "${L[direct,$r,ttft_p90_ms]}") ms), errors ${L[nginx,$r,errors]}: what a proxy adds on this machine at this load"
    fi
    echo "- round $r: errors through Gantry $errs — **$( [ "$errs" = 0 ] && echo PASS || echo FAIL)**; TTFT overhead p50 ${p50} ms — **$ttft_verdict** (p90 ${p90} ms; streams timed: direct ${L[direct,$r,measured]}, gantry ${L[gantry,$r,measured]})"
  done
  echo "- Gantry peak RSS ${rss_peak} MB < 600 MB — **$(awk -v a="$rss_peak" 'BEGIN{print (a + 0 < 600) ? "PASS" : "FAIL"}')**"
} >"$md"
cp "$md" "$results/load.md"
echo
cat "$md"
log "written to bench/results/load.md"
