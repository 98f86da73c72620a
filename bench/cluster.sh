#!/usr/bin/env bash
# The cluster's cross-replica paths and its throughput, on the local PostgreSQL (a schema of its
# own, dropped at the end) with the simulator as the backend. Three replicas A, B, C:
#   - a cancel sent to B for a job running on A, the follower on B against the owner A, and C
#     killed with SIGKILL while it owns jobs (bench/ClusterBench.java);
#   - non-streaming chat throughput through one replica, then through nginx over two, interleaved
#     (on a 2-core machine the replicas share the cores: the figure says what it costs, not a gain).
# Loopback only; every process started here is stopped on exit.
#
#   bench/cluster.sh                 # CLUSTER_TRIALS=20 BENCH_SECONDS=8
set -euo pipefail
bench_name=cluster
# shellcheck source=bench/lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
trap 'psql -h 127.0.0.1 -U postgres test -qc "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true; cleanup' EXIT INT TERM
java="$(find_java)"
snapshot_jar
schema="gantry_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
psql -h 127.0.0.1 -U postgres test -qc "CREATE SCHEMA $schema" >/dev/null
store="postgresql://postgres@127.0.0.1:5432/test?currentSchema=$schema"
sim_port="$(free_port)"
start_simulator "$sim_port"
urls=(); replica_pids=()
for name in a b c; do
  port="$(free_port)"
  GANTRY_STORE_URL="$store" GANTRY_CLUSTER_REPLICA_ID="bench-$name" GANTRY_CLUSTER_LEASE_SECONDS="${CLUSTER_LEASE_SECONDS:-10}" \
    start_gantry "$tmp/gantry.jar" "$port" "$sim_port" "$tmp/data-$name"
  urls+=("http://127.0.0.1:$port"); replica_pids+=("$(pgrep -P "$spawned" java || echo "$spawned")")
done
log "replicas ${urls[*]} on schema $schema (lease ${CLUSTER_LEASE_SECONDS:-10} s)"

# Throughput first, while all three live: one replica, then nginx round robin over A and B.
nginx_port="$(free_port)"; mkdir -p "$tmp/ngx"; chmod 755 "$tmp" "$tmp/ngx"
cat >"$tmp/ngx/nginx.conf" <<NGX
worker_processes 1; pid $tmp/ngx/nginx.pid; error_log $tmp/ngx/error.log warn;
events { worker_connections 4096; }
http { access_log off;
  client_body_temp_path $tmp/ngx/cb; proxy_temp_path $tmp/ngx/p; fastcgi_temp_path $tmp/ngx/f; uwsgi_temp_path $tmp/ngx/u; scgi_temp_path $tmp/ngx/s;
  upstream g { server ${urls[0]#http://}; server ${urls[1]#http://}; keepalive 64; }
  server { listen 127.0.0.1:$nginx_port; location / { proxy_pass http://g; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; } } }
NGX
/usr/sbin/nginx -c "$tmp/ngx/nginx.conf" -p "$tmp/ngx" -g 'daemon off;' & pids+=($!)
wait_http nginx "$!" "http://127.0.0.1:$nginx_port/livez"
rate() { # url -> req/s (wrk, 50 connections)
  wrk -t2 -c50 -d"${BENCH_SECONDS:-8}s" -s "$bench_dir/chat.lua" "$1" 2>/dev/null |
    awk '/^BENCH/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                    printf "%.0f\n", v["requests"] / (v["duration_us"] / 1e6) }'
}
rate "${urls[0]}" >/dev/null; rate "http://127.0.0.1:$nginx_port" >/dev/null  # warm-up
one=0; two=0
for round in 1 2; do
  one=$((one + $(rate "${urls[0]}"))); two=$((two + $(rate "http://127.0.0.1:$nginx_port")))
done
{
  echo "## Cluster ($(date -u +%F), lease ${CLUSTER_LEASE_SECONDS:-10} s, 2 cores shared by everything)"
  echo
  echo "| throughput, non-streaming chat, 50 connections | req/s |"
  echo "|---|---:|"
  echo "| one replica | $((one / 2)) |"
  echo "| nginx over two replicas | $((two / 2)) |"
  echo
  "$java" "$bench_dir/ClusterBench.java" "${urls[0]}" "${urls[1]}" "${urls[2]}" "${replica_pids[2]}" gantry-sim "${CLUSTER_TRIALS:-20}" "$schema" bench-c
} | tee "$results/cluster.md"
