#!/usr/bin/env bash
# Soak (issue 6, "Load and soak"): mixed chat and Responses traffic (blocking, streaming,
# background) through Gantry to the simulator for SOAK_SECONDS (default 10 minutes) after a
# warm-up, 5% of requests carrying simulator faults (HTTP 500, a cut stream, a malformed event).
# Reports Gantry's RSS after warm-up and at the end, error counts by kind from /metrics, and the
# accounting of Responses: every accepted request (one that got an id) must be stored in a final
# state, and the SQLite row count is shown beside it. Loopback only; stops by itself.
#
#   bench/soak.sh                      # 60 s warm-up + 10 minutes
#   SOAK_SECONDS=120 bench/soak.sh     # shorter
#
# Knobs: SOAK_SECONDS (600), SOAK_WARMUP_SECONDS (60), SOAK_WORKERS (24), SOAK_FAULT_PERCENT (5),
# GANTRY_JAVA_OPTS, BENCH_JAR, BENCH_KEEP_TMP. Results: bench/results/soak.md.
set -euo pipefail
bench_name=soak
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

seconds="${SOAK_SECONDS:-600}"
warmup="${SOAK_WARMUP_SECONDS:-60}"
workers="${SOAK_WORKERS:-24}"
fault_percent="${SOAK_FAULT_PERCENT:-5}"
command -v sqlite3 >/dev/null || apt_install sqlite3 || log "sqlite3 unavailable: no row count"

snapshot_jar
sim_port="$(free_port)"
start_simulator "$sim_port"; sim_pid=$spawned
gw_port="$(free_port)"
start_gantry "$tmp/gantry.jar" "$gw_port" "$sim_port" "$tmp/data"; gw_pid=$spawned
base="http://127.0.0.1:$gw_port"

client() { # seconds ids-file
  "$java" "$bench_dir/SoakClient.java" --base "$base" --seconds "$1" --workers "$workers" \
    --fault-percent "$fault_percent" --ids "$2"
}
field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"; }

log "warm-up: ${warmup}s of the same mix"
warm_out="$(client "$warmup" "$tmp/warm-ids.txt" 2>&1)" || die "soak client failed: $warm_out"
warm_line="$(grep '^SOAK' <<<"$warm_out")"
log "  $warm_line"
sleep 2
rss_start="$(rss_mb "$gw_pid")"
cpu_start="$(cpu_seconds "$gw_pid")"
load_start="$(load_now)"
log "soak: ${seconds}s, $workers workers, ${fault_percent}% faults; RSS after warm-up ${rss_start} MB; load $load_start"
( while sleep 10; do echo "$(date +%s) $(rss_mb "$gw_pid")"; done ) >"$tmp/rss.log" 2>/dev/null &
sampler=$!; pids+=("$sampler")
out="$(client "$seconds" "$tmp/ids.txt" 2>&1)" || die "soak client failed: $out"
kill "$sampler" 2>/dev/null || true
kill -0 "$gw_pid" 2>/dev/null || die "Gantry died during the soak"
sleep 2
rss_end="$(rss_mb "$gw_pid")"
cpu_end="$(cpu_seconds "$gw_pid")"
rss_max="$(awk '{print $2}' "$tmp/rss.log" | sort -n | tail -1)"
load_end="$(load_now)"
line="$(grep '^SOAK' <<<"$out")"
kinds="$(grep '^KINDS' <<<"$out" || true)"
log "  $line"
log "  $kinds"
printf '%s\n%s\n' "$warm_out" "$out" >"$results/soak-raw.log"
cp "$tmp/rss.log" "$results/soak-rss.log"

metrics="$(curl -fsS "$base/metrics")"
errors_by_kind="$(grep '^gantry_errors_total{' <<<"$metrics" \
  | sed 's/.*kind="\([^"]*\)".*} \([0-9.e+E]*\)$/\1 \2/' \
  | awk '{ n[$1] += $2 } END { for (k in n) printf "%s=%d ", k, n[k] }')"
requests_total="$(grep '^gantry_requests_total{' <<<"$metrics" | awk '{ n += $NF } END { printf "%d", n }')"
db="$tmp/data/gantry.db"
stored="n/a"; by_status="n/a"
if command -v sqlite3 >/dev/null && [ -f "$db" ]; then
  stored="$(sqlite3 "file:$db?mode=ro" 'select count(*) from responses' 2>/dev/null || echo n/a)"
  by_status="$(sqlite3 "file:$db?mode=ro" 'select status || "=" || count(*) from responses group by status' 2>/dev/null | tr '\n' ' ' || echo n/a)"
fi
accepted=$(( $(field accepted "$warm_line") + $(field accepted "$line") ))
unaccounted=$(( $(field unaccounted "$warm_line") + $(field unaccounted "$line") ))
not_final=$(( $(field not_final "$warm_line") + $(field not_final "$line") ))
responses_sent=$(( $(field responses "$warm_line") + $(field responses "$line") ))
growth="$(awk -v a="$rss_start" -v b="$rss_end" 'BEGIN{ printf "%.1f", (b - a) * 100 / a }')"

md="$tmp/soak.md"
{
  echo "# Soak: ${seconds}s of mixed traffic with ${fault_percent}% faults"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git -C "$repo" rev-parse --short HEAD)$( [ -n "$(git -C "$repo" status --porcelain -- src/main 2>/dev/null)" ] && echo ' (src/main has uncommitted changes)')"
  echo "- machine: $(nproc) CPUs shared with the client and the simulator; load average at start / end: $load_start / $load_end"
  echo "- $workers client workers back to back; mix: chat blocking 20%, chat streaming 30%, Responses blocking 20%, streaming 20%, background 10% (polled to the end); 8–47 tokens at 2 ms per token; faults: \`sim:fail=500\`, \`sim:fail=cut-after:3\`, \`sim:fail=malformed-after:3\`; warm-up ${warmup}s of the same mix"
  echo "- Gantry: default config (SQLite store), JVM flags: $(gantry_jvm_flags)"
  echo
  echo "| | value |"
  echo "|---|---|"
  echo "| requests sent (soak) | $(field sent "$line") (chat $(field chat "$line"), Responses $(field responses "$line")), faults injected $(field faults_injected "$line") |"
  echo "| client outcomes (soak) | ok $(field ok "$line"), HTTP errors $(field http_errors "$line"), in-stream errors $(field stream_errors "$line"), transport errors $(field transport_errors "$line") |"
  echo "| what the client saw, by kind | ${kinds#KINDS } |"
  echo "| gantry_errors_total by kind (whole run) | ${errors_by_kind:-none} |"
  echo "| gantry_requests_total (whole run) | $requests_total |"
  echo "| Responses requests sent (warm-up + soak) | $responses_sent |"
  echo "| accepted (got an id) | $accepted |"
  echo "| accepted but not found | $unaccounted |"
  echo "| accepted, found, not in a final state | $not_final |"
  echo "| rows in the responses table | $stored ($by_status) |"
  echo "| Gantry RSS after warm-up / max / end | ${rss_start} / ${rss_max:-n/a} / ${rss_end} MB (growth ${growth}%) |"
  echo "| Gantry CPU during the soak | $(awk -v a="$cpu_start" -v b="$cpu_end" 'BEGIN{printf "%.0f", b - a}') s |"
  echo
  echo "## Targets"
  echo
  echo "- RSS growth after warm-up < 5%: ${growth}% — **$(awk -v g="$growth" 'BEGIN{print (g + 0 < 5) ? "PASS" : "FAIL"}')**"
  echo "- every accepted Responses request accounted for (stored, final): $((accepted - unaccounted - not_final)) of $accepted — **$( [ "$unaccounted" = 0 ] && [ "$not_final" = 0 ] && echo PASS || echo FAIL)**"
  echo
  echo "RSS every 10 s: bench/results/soak-rss.log; client output: bench/results/soak-raw.log"
} >"$md"
cp "$md" "$results/soak.md"
echo
cat "$md"
log "written to bench/results/soak.md"
