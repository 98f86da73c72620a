#!/usr/bin/env bash
# Store retention: the SQLite store's size (file + WAL) under a steady load of background streamed
# Responses, with short retention windows ("on") and with everything kept ("off"). Both gateways run
# at the same time, over one simulator, each with its own wrk, so they share the machine's state;
# the size of each store is printed every BENCH_SAMPLE seconds. With retention on the size must stop
# growing once the windows are full; off, it grows with every response. Loopback only; stops by itself.
#
#   bench/retention.sh          # 180 s of load, about 3.5 minutes in all
#
# Knobs: BENCH_SECONDS (180), BENCH_CONNS (16 per gateway), BENCH_SAMPLE (15), BENCH_KEEP_TMP (0),
# and the "on" windows: BENCH_RESPONSES (45s), BENCH_STREAM_EVENTS (15s), BENCH_SWEEP (5s).
# Results: bench/results/retention.md.
set -euo pipefail
bench_name=retention
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

seconds="${BENCH_SECONDS:-180}"
conns="${BENCH_CONNS:-16}"
sample="${BENCH_SAMPLE:-15}"
responses_window="${BENCH_RESPONSES:-45s}"
events_window="${BENCH_STREAM_EVENTS:-15s}"
sweep="${BENCH_SWEEP:-5s}"
command -v wrk >/dev/null || apt_install wrk || die "wrk is needed (apt-get install -y wrk)"

snapshot_jar
sim_port="$(free_port)"
start_simulator "$sim_port"

declare -A port
start_mode() { # mode responses stream_events sweep_interval
  export GANTRY_STORE_RETENTION_RESPONSES="$2" GANTRY_STORE_RETENTION_STREAM_EVENTS="$3" \
    GANTRY_STORE_RETENTION_SWEEP_INTERVAL="$4" GANTRY_BACKGROUND_WORKERS=$((conns * 2)) \
    GANTRY_ACCESS_LOG_LEVEL=OFF
  port[$1]="$(free_port)"
  start_gantry "$tmp/gantry.jar" "${port[$1]}" "$sim_port" "$tmp/data-$1"
  unset GANTRY_STORE_RETENTION_RESPONSES GANTRY_STORE_RETENTION_STREAM_EVENTS \
    GANTRY_STORE_RETENTION_SWEEP_INTERVAL GANTRY_BACKGROUND_WORKERS GANTRY_ACCESS_LOG_LEVEL
}
start_mode on "$responses_window" "$events_window" "$sweep"
start_mode off forever forever 1m

mb() { # the store's bytes on disk: database file, WAL and shared memory index
  local total=0 f
  for f in "$tmp/data-$1/gantry.db" "$tmp/data-$1/gantry.db-wal" "$tmp/data-$1/gantry.db-shm"; do
    [ -f "$f" ] && total=$((total + $(stat -c %s "$f")))
  done
  awk -v b="$total" 'BEGIN { printf "%.1f", b / 1048576 }'
}
split() { # mode: database file and WAL apart
  local db="$tmp/data-$1/gantry.db" wal="$tmp/data-$1/gantry.db-wal"
  awk -v d="$(stat -c %s "$db" 2>/dev/null || echo 0)" -v w="$(stat -c %s "$wal" 2>/dev/null || echo 0)" \
    'BEGIN { printf "gantry.db %.1f MB, WAL %.1f MB", d / 1048576, w / 1048576 }'
}
metric() { # mode name [label filter]: the sum of a metric's samples
  curl -fsS --max-time 5 "http://127.0.0.1:${port[$1]}/metrics" 2>/dev/null |
    awk -v n="$2" -v f="${3:-}" '(index($1, n "{") == 1 || $1 == n) && index($1, f) { s += $2 }
      END { printf "%.10g", s }'
}
wrk_latency() {
  awk '/^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                  printf "%.0f / %.0f ms", v["p50_us"] / 1000, v["p99_us"] / 1000 }' "$tmp/wrk-$1.log"
}
served() { metric "$1" gantry_requests_total 'surface="responses"'; }

log "load: $conns connections per gateway, background streams of 40 tokens, for ${seconds}s;" \
  "on = responses $responses_window, stream_events $events_window, swept every $sweep; off = forever"
for mode in on off; do
  wrk -t1 -c"$conns" -d"${seconds}s" --timeout 30s -s "$bench_dir/retention.lua" \
    "http://127.0.0.1:${port[$mode]}" >"$tmp/wrk-$mode.log" 2>&1 &
  pids+=($!)
done

report="$results/retention.md"
{
  echo "# Store size under steady load, retention on vs off"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(load_now); $conns connections per gateway,"
  echo "background streamed Responses of 40 tokens (sim:delay=20); on = responses $responses_window,"
  echo "stream_events $events_window, sweep_interval $sweep; off = every window forever."
  echo
  echo "| t (s) | off: responses | off: store MB | on: responses | on: store MB | on: rows deleted | on: MB deleted |"
  echo "|---|---|---|---|---|---|---|"
} >"$report"
start=$(date +%s)
declare -A size_at
while :; do
  sleep "$sample"
  t=$(( $(date +%s) - start ))
  deleted_rows="$(metric on gantry_store_retention_deleted_rows_total)"
  deleted_mb="$(awk -v b="$(metric on gantry_store_retention_deleted_bytes_total)" 'BEGIN { printf "%.1f", b / 1048576 }')"
  row="| $t | $(served off) | $(mb off) | $(served on) | $(mb on) | $deleted_rows | $deleted_mb |"
  echo "$row" >>"$report"
  log "$row"
  size_at[$t]="$(mb off) $(mb on)"
  [ "$t" -ge "$seconds" ] && break
done
wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true

half=$((seconds / 2))
first_half_t=""
for t in "${!size_at[@]}"; do
  if [ "$t" -ge "$half" ] && { [ -z "$first_half_t" ] || [ "$t" -lt "$first_half_t" ]; }; then first_half_t=$t; fi
done
read -r off_mid on_mid <<<"${size_at[$first_half_t]}"
off_end="$(mb off)"; on_end="$(mb on)"
{
  echo
  for mode in on off; do
    echo "wrk $mode: $(grep -E '^BENCH' "$tmp/wrk-$mode.log" || tail -3 "$tmp/wrk-$mode.log")"
  done
  echo
  echo "Growth over the second half (t = ${first_half_t}s to the end):" \
    "off $(awk -v a="$off_mid" -v b="$off_end" 'BEGIN { printf "%+.1f", b - a }') MB," \
    "on $(awk -v a="$on_mid" -v b="$on_end" 'BEGIN { printf "%+.1f", b - a }') MB."
  echo "Store per response kept (off): $(awk -v b="$off_end" -v n="$(served off)" 'BEGIN { printf "%.1f", (n > 0 ? b * 1024 / n : 0) }') KB."
  for mode in on off; do
    echo "$mode at the end: $(split "$mode")."
  done
  sweeps="$(metric on gantry_store_retention_sweep_duration_seconds_count 'outcome="swept"')"
  sweep_s="$(metric on gantry_store_retention_sweep_duration_seconds_sum 'outcome="swept"')"
  echo "on: $sweeps sweeps, $(awk -v s="$sweep_s" -v n="$sweeps" 'BEGIN { printf "%.1f", (n > 0 ? s * 1000 / n : 0) }') ms each on average."
  echo "wrk latency of a whole stream, p50 / p99: on $(wrk_latency on), off $(wrk_latency off)."
} >>"$report"
cat "$report"
