#!/usr/bin/env bash
# Gantry relay benchmark: the built-in simulator ("direct"), Gantry in front of it, and (when
# installed) nginx in front of it, loaded alike by wrk, plus a time-to-first-chunk probe.
# Everything listens on 127.0.0.1 only; every process started here is stopped on exit.
#
#   bench/run.sh                      # default: 10 s per wrk run, about 5 minutes in all
#   BENCH_SECONDS=5 bench/run.sh      # quicker, noisier
#   BENCH_BASELINE_REF=HEAD~3 bench/run.sh   # adds "gantry-base" built from that commit
#
# Gantry runs as in production: with an API key (the admin API creates one; every request carries
# it), metrics and its access log on (written to a file). BENCH_KEYS=0 runs it open instead.
#
# Knobs (environment): BENCH_SECONDS (10), BENCH_WARMUP_SECONDS (4, one warm-up round),
# BENCH_WARMUP_ROUNDS (5, most rounds per target and script), BENCH_CONNECTIONS ("1 50 256"),
# BENCH_TTFC_REQUESTS (200), BENCH_NGINX (auto|0), BENCH_KEEP_TMP (0; 1 keeps logs and configs),
# BENCH_KEYS (1), BENCH_BASELINE_REF or BENCH_BASELINE_JAR (another build, measured alongside),
# GANTRY_JAVA_OPTS / SIM_JAVA_OPTS (extra JVM flags).
# Results: the table on stdout, bench/results/latest.md, raw wrk output in bench/results/latest-raw.log.
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$bench_dir")"
results="$bench_dir/results"

seconds="${BENCH_SECONDS:-10}"
warmup_seconds="${BENCH_WARMUP_SECONDS:-4}"
warmup_rounds="${BENCH_WARMUP_ROUNDS:-5}"
connections="${BENCH_CONNECTIONS:-1 50 256}"
ttfc_requests="${BENCH_TTFC_REQUESTS:-200}"
want_nginx="${BENCH_NGINX:-auto}"
want_keys="${BENCH_KEYS:-1}"
admin_token="bench-admin-token-$RANDOM$RANDOM$RANDOM$RANDOM"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Cleanup: stop exactly the processes this script started, by pid.
pids=()
tmp="$(mktemp -d -t gantry-bench.XXXXXX)"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  if [ "${BENCH_KEEP_TMP:-0}" = 1 ]; then
    log "kept logs and configs in $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Tools.
apt_updated=0
apt_install() {
  [ "$(id -u)" = 0 ] || return 1
  command -v apt-get >/dev/null || return 1
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq >"$tmp/apt.log" 2>&1 || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$tmp/apt.log" 2>&1
}

command -v curl >/dev/null || apt_install curl || die "curl is needed"
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt_install wrk || die "wrk is missing and could not be installed (apt-get install -y wrk)"
fi

nginx_bin=""
if [ "$want_nginx" != 0 ]; then
  if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
    log "installing nginx (for the reference column)"
    apt_install nginx || log "nginx could not be installed; its columns will be skipped"
  fi
  nginx_bin="$(command -v nginx || true)"
  [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ] && nginx_bin=/usr/sbin/nginx
fi

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
find_java() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(java_major "$JAVA_HOME/bin/java")" -ge 21 ]; then
    echo "$JAVA_HOME/bin/java"; return
  fi
  for candidate in /usr/lib/jvm/temurin-25* /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/java-2[1-9]* /usr/lib/jvm/*; do
    if [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate/bin/java")" -ge 21 ]; then
      echo "$candidate/bin/java"; return
    fi
  done
  die "no Java 21+ found (set JAVA_HOME)"
}
java="$(find_java)"

# Build once through the launcher, then run a private copy of the jar: the tree is shared, and a
# rebuild (ours via the launcher's staleness check, or anyone's `mvn package`) must not swap the
# jar under a running benchmark.
log "building the jar if needed (./gantry --version)"
(cd "$repo" && ./gantry --version) >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; die "build failed"; }
cp "$repo/target/gantry.jar" "$tmp/bench-snapshot.jar"
base_jar=""
if [ -n "${BENCH_BASELINE_JAR:-}" ]; then
  base_jar="$tmp/bench-base.jar"
  cp "$BENCH_BASELINE_JAR" "$base_jar"
  base_label="jar $(basename "$BENCH_BASELINE_JAR")"
elif [ -n "${BENCH_BASELINE_REF:-}" ]; then
  base_label="$(git -C "$repo" rev-parse --short "$BENCH_BASELINE_REF")"
  log "building the baseline from $base_label"
  mkdir -p "$tmp/base-src"
  git -C "$repo" archive "$BENCH_BASELINE_REF" | tar -x -C "$tmp/base-src"
  (cd "$tmp/base-src" && JAVA_HOME="$(dirname "$(dirname "$java")")" mvn -o -q -B -DskipTests -Dspotless.apply.skip=true package) \
    >"$tmp/base-build.log" 2>&1 || { tail -20 "$tmp/base-build.log" >&2; die "baseline build failed"; }
  base_jar="$tmp/bench-base.jar"
  cp "$tmp/base-src/target/gantry.jar" "$base_jar"
  rm -rf "$tmp/base-src"
fi

# ---------------------------------------------------------------------------------------------
# Ports and readiness.
used_ports=" "
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    case "$used_ports" in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      used_ports="$used_ports$p "
      echo "$p"; return
    fi
  done
  die "no free port found"
}

wait_http() { # name pid url [method]
  local name="$1" pid="$2" url="$3" i
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during startup (see logs: BENCH_KEEP_TMP=1)"
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  die "$name did not become ready at $url within 60 s"
}

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
sim_port="$(free_port)"
gantry_port="$(free_port)"
nginx_port="$(free_port)"

log "starting the simulator on 127.0.0.1:$sim_port"
# shellcheck disable=SC2086
"$java" ${SIM_JAVA_OPTS:-} -jar "$tmp/bench-snapshot.jar" simulate --dialect openai --host 127.0.0.1 \
  --port "$sim_port" >"$tmp/sim.log" 2>&1 &
sim_pid=$!; pids+=("$sim_pid")
wait_http simulator "$sim_pid" "http://127.0.0.1:$sim_port/sim/stats"

declare -A key_of
start_gateway() { # name jar port -> pid in $spawned; its API key in key_of[name] (BENCH_KEYS=1)
  local name="$1" jar="$2" p="$3" reply
  log "starting $name on 127.0.0.1:$p"
  # shellcheck disable=SC2086
  GANTRY_ADMIN_TOKEN="$admin_token" "$java" ${GANTRY_JAVA_OPTS:-} -jar "$jar" serve --host 127.0.0.1 \
    --port "$p" --no-discovery --data-dir "$tmp/data-$name" \
    --backend "openai=http://127.0.0.1:$sim_port/v1" >"$tmp/$name-access.log" 2>"$tmp/$name.err" &
  spawned=$!; pids+=("$spawned")
  wait_http "$name" "$spawned" "http://127.0.0.1:$p/readyz"
  key_of[$name]=""
  if [ "$want_keys" = 1 ]; then
    reply="$(curl -fsS -X POST "http://127.0.0.1:$p/admin/keys" -H "Authorization: Bearer $admin_token" \
      -H 'Content-Type: application/json' -d '{"name":"bench"}')" || die "could not create a key on $name"
    key_of[$name]="$(sed -n 's/.*"key":"\([^"]*\)".*/\1/p' <<<"$reply")"
    [ -n "${key_of[$name]}" ] || die "no key in the admin API's answer: $reply"
  fi
}
start_gateway gantry "$tmp/bench-snapshot.jar" "$gantry_port"
gantry_pid=$spawned

targets=(direct gantry)
declare -A port=([direct]="$sim_port" [gantry]="$gantry_port")
declare -A pid_of=([direct]="$sim_pid" [gantry]="$gantry_pid")
if [ -n "$base_jar" ]; then
  base_port="$(free_port)"
  start_gateway gantry-base "$base_jar" "$base_port"
  targets+=(gantry-base)
  port[gantry-base]="$base_port"
  pid_of[gantry-base]="$spawned"
fi
if [ -n "$nginx_bin" ]; then
  ngx="$tmp/nginx"
  mkdir -p "$ngx"
  chmod 755 "$tmp" "$ngx" # workers drop to 'nobody' when started as root
  cat >"$ngx/nginx.conf" <<EOF
# Generated by bench/run.sh: a plain streaming reverse proxy, the reference for Gantry's relay.
worker_processes 2;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $ngx/client_body;
  proxy_temp_path $ngx/proxy;
  fastcgi_temp_path $ngx/fastcgi;
  uwsgi_temp_path $ngx/uwsgi;
  scgi_temp_path $ngx/scgi;
  keepalive_requests 1000000;
  upstream sim {
    server 127.0.0.1:$sim_port;
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://sim;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
  log "starting nginx on 127.0.0.1:$nginx_port ($("$nginx_bin" -v 2>&1 | sed 's/.*: //'))"
  if "$nginx_bin" -t -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" >"$ngx/test.log" 2>&1; then
    "$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" -g 'daemon off;' \
      >"$ngx/stdout.log" 2>&1 &
    nginx_pid=$!; pids+=("$nginx_pid")
    wait_http nginx "$nginx_pid" "http://127.0.0.1:$nginx_port/v1/models"
    targets+=(nginx)
    port[nginx]="$nginx_port"
    pid_of[nginx]="$nginx_pid"
  else
    log "nginx rejected the generated config; skipping it: $(tail -1 "$ngx/test.log")"
    nginx_bin=""
  fi
fi

# ---------------------------------------------------------------------------------------------
# Load runs.
mkdir -p "$results"
raw="$results/latest-raw.log"
: >"$raw"
declare -A R # R[scenario,target,field]

# CPU time (user + system, clock ticks) used so far by a target's own processes: the simulator
# for direct, the Gantry JVM, the nginx master and workers. Shows what each relay costs per request
# independently of how the 2 cores were shared out.
cpu_ticks() {
  local target="$1" total=0 p t
  for p in "${pid_of[$target]}" $(pgrep -P "${pid_of[$target]}" 2>/dev/null || true); do
    t="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    total=$((total + t))
  done
  echo "$total"
}
clk_tck="$(getconf CLK_TCK)"

check_alive() {
  local t
  for t in "${targets[@]}"; do
    kill -0 "${pid_of[$t]}" 2>/dev/null || die "the $t process (pid ${pid_of[$t]}) is gone; was it killed from outside?"
  done
}

run_wrk() { # scenario target conns seconds script  -> fills R[...]
  local scenario="$1" target="$2" conns="$3" secs="$4" script="$5" threads=2 out cpu0 cpu1
  [ "$conns" -lt 2 ] && threads=1
  check_alive
  cpu0="$(cpu_ticks "$target")"
  out="$(GANTRY_BENCH_KEY="${key_of[$target]:-}" wrk -t"$threads" -c"$conns" -d"${secs}s" \
    --timeout 10s -s "$bench_dir/$script" "http://127.0.0.1:${port[$target]}" 2>&1)" \
    || die "wrk failed against $target: $out"
  cpu1="$(cpu_ticks "$target")"
  check_alive
  printf '### %s %s c=%s\n%s\n\n' "$scenario" "$target" "$conns" "$out" >>"$raw"
  local line; line="$(grep '^BENCH ' <<<"$out" | tail -1)"
  [ -n "$line" ] || die "no BENCH line from wrk against $target: $out"
  local kv k v
  for kv in ${line#BENCH }; do
    k="${kv%%=*}"; v="${kv#*=}"
    R[$scenario,$target,$k]="$v"
  done
  R[$scenario,$target,rps]="$(awk -v n="${R[$scenario,$target,requests]}" -v d="${R[$scenario,$target,duration_us]}" 'BEGIN{printf "%.0f", n/(d/1e6)}')"
  local key="$scenario,$target"
  R[$key,errors]=$(( ${R[$key,err_connect]} + ${R[$key,err_read]} + ${R[$key,err_write]} \
    + ${R[$key,err_status]} + ${R[$key,err_timeout]} ))
  R[$key,cpu_us]="$(awk -v t=$((cpu1 - cpu0)) -v hz="$clk_tck" -v n="${R[$key,requests]}" 'BEGIN{ if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }')"
  log "  $scenario $target: ${R[$scenario,$target,rps]} req/s, p50 $(awk -v u="${R[$scenario,$target,p50_us]}" 'BEGIN{printf "%.2f", u/1000}') ms, errors ${R[$scenario,$target,errors]}, ${R[$key,cpu_us]} CPU us/req"
}

# Warm-up: rounds at 50 connections until the rate settles (within 7% of the previous round) or
# BENCH_WARMUP_ROUNDS is reached. The JVMs need it (Gantry gets from ~5k to ~16k req/s over its
# first ~20 s of load while the JIT compiles); nginx settles in the minimum two rounds.
declare -A warm_rounds
warm() { # target script
  local target="$1" script="$2" r prev=0 rps
  for r in $(seq 1 "$warmup_rounds"); do
    run_wrk "warmup-${script%.lua}-$r" "$target" 50 "$warmup_seconds" "$script"
    rps="${R[warmup-${script%.lua}-$r,$target,rps]}"
    warm_rounds[$target,$script]="$r"
    if [ "$r" -ge 2 ] && awk -v a="$rps" -v b="$prev" 'BEGIN{ d = a - b; if (d < 0) d = -d; exit !(b > 0 && d / b < 0.07) }'; then
      return 0
    fi
    prev="$rps"
  done
}
log "warming up every target (rounds of ${warmup_seconds}s at 50 connections until the rate settles, at most $warmup_rounds)"
for script in chat_keyed.lua chat_stream_keyed.lua; do
  for target in "${targets[@]}"; do
    warm "$target" "$script"
  done
done

scenarios=()
declare -A scenario_script scenario_conns scenario_label
for kind in nonstream stream; do
  for c in $connections; do
    s="$kind-c$c"
    scenarios+=("$s")
    scenario_conns[$s]="$c"
    if [ "$kind" = nonstream ]; then
      scenario_script[$s]=chat_keyed.lua; scenario_label[$s]="non-streaming, 16 tokens"
    else
      scenario_script[$s]=chat_stream_keyed.lua; scenario_label[$s]="streaming, 50 tokens"
    fi
  done
done

n_targets=${#targets[@]}
i=0
for s in "${scenarios[@]}"; do
  log "scenario $s (${scenario_label[$s]}, ${scenario_conns[$s]} conns, ${seconds}s per target)"
  # Interleave the targets, rotating who goes first so no target always runs on the coldest
  # (or hottest) machine.
  for k in $(seq 0 $((n_targets - 1))); do
    target="${targets[$(( (i + k) % n_targets ))]}"
    run_wrk "$s" "$target" "${scenario_conns[$s]}" "$seconds" "${scenario_script[$s]}"
    sleep 1
  done
  i=$((i + 1))
done

# ---------------------------------------------------------------------------------------------
# Time to first chunk.
log "time to first chunk: $ttfc_requests sequential streaming requests per target, interleaved"
ttfc_args=()
for target in "${targets[@]}"; do
  ttfc_args+=("$target=http://${key_of[$target]:+${key_of[$target]}@}127.0.0.1:${port[$target]}/v1/chat/completions")
done
ttfc_out="$("$java" "$bench_dir/FirstChunk.java" --requests "$ttfc_requests" --warmup 50 "${ttfc_args[@]}" 2>&1)" \
  || die "FirstChunk failed: $ttfc_out"
printf '### time to first chunk\n%s\n' "$ttfc_out" >>"$raw"
declare -A T
while read -r tag name rest; do
  [ "$tag" = TTFC ] || continue
  for kv in $rest; do T[$name,${kv%%=*}]="${kv#*=}"; done
done <<<"$ttfc_out"

# ---------------------------------------------------------------------------------------------
# Report.
fmt_ms() { awk -v u="$1" 'BEGIN{printf "%.2f", u/1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else printf "n/a" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a-b}'; }
has_nginx=0; [ -n "${port[nginx]:-}" ] && has_nginx=1
load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
scenario_errors() { # scenario -> total errors over all targets
  local t n=0
  for t in "${targets[@]}"; do n=$((n + ${R[$1,$t,errors]})); done
  echo "$n"
}
warm_summary=""
for t in "${targets[@]}"; do
  warm_summary="$warm_summary $t ${warm_rounds[$t,chat_keyed.lua]}+${warm_rounds[$t,chat_stream_keyed.lua]},"
done

md="$tmp/latest.md"
{
  echo "# Gantry relay benchmark"
  echo
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$( [ -n "$(git -C "$repo" status --porcelain -- src/main pom.xml 2>/dev/null)" ] && echo ' (src/main has uncommitted changes)')"
  echo "- machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null)); wrk, the target and the simulator share them"
  echo "- load average before / after: $load_start / $load_end$(awk -v l="${load_start%% *}" -v n="$(nproc)" 'BEGIN{ if (l > n / 2) printf " — **other work was running on this machine; expect noisy numbers**" }')"
  echo "- java: $("$java" -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')$( [ "$has_nginx" = 1 ] && echo "; $("$nginx_bin" -v 2>&1 | sed 's/.*: //')")"
  echo "- wrk: ${seconds}s per run, 2 threads (1 at 1 connection), targets interleaved per scenario (rotating who goes first); warm-up rounds of ${warmup_seconds}s (non-streaming+streaming):${warm_summary%,}"
  echo "- direct = the simulator itself; gantry = Gantry relaying to it$( [ "$has_nginx" = 1 ] && echo '; nginx = nginx proxy_pass to it (2 workers, upstream keepalive, proxy_buffering off)')$( [ -n "$base_jar" ] && echo "; gantry-base = the baseline build ($base_label), configured alike")"
  echo "- Gantry: $( [ "$want_keys" = 1 ] && echo 'an API key on every request' || echo 'no keys (open on loopback)'), metrics on, access log on (to a file)"
  echo
  echo "## Throughput and latency (wrk)"
  echo
  if [ "$has_nginx" = 1 ]; then
    echo "| scenario | conns | direct req/s | gantry req/s | nginx req/s | gantry/direct | gantry/nginx | p50 direct ms | p50 gantry ms | p50 nginx ms | gantry added p50 ms | nginx added p50 ms | errors d/g/n |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  else
    echo "| scenario | conns | direct req/s | gantry req/s | gantry/direct | p50 direct ms | p50 gantry ms | gantry added p50 ms | errors d/g |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  fi
  for s in "${scenarios[@]}"; do
    d_rps="${R[$s,direct,rps]}"; g_rps="${R[$s,gantry,rps]}"
    d_p50="${R[$s,direct,p50_us]}"; g_p50="${R[$s,gantry,p50_us]}"
    added="$(fmt_ms $((g_p50 - d_p50)))"
    if [ "$has_nginx" = 1 ]; then
      n_rps="${R[$s,nginx,rps]}"; n_p50="${R[$s,nginx,p50_us]}"
      echo "| ${scenario_label[$s]} | ${scenario_conns[$s]} | $d_rps | $g_rps | $n_rps | $(ratio "$g_rps" "$d_rps") | $(ratio "$g_rps" "$n_rps") | $(fmt_ms "$d_p50") | $(fmt_ms "$g_p50") | $(fmt_ms "$n_p50") | $added | $(fmt_ms $((n_p50 - d_p50))) | ${R[$s,direct,errors]}/${R[$s,gantry,errors]}/${R[$s,nginx,errors]} |"
    else
      echo "| ${scenario_label[$s]} | ${scenario_conns[$s]} | $d_rps | $g_rps | $(ratio "$g_rps" "$d_rps") | $(fmt_ms "$d_p50") | $(fmt_ms "$g_p50") | $added | ${R[$s,direct,errors]}/${R[$s,gantry,errors]} |"
    fi
  done
  echo
  if [ -n "$base_jar" ]; then
    echo "## Before / after: the baseline ($base_label) and this build, in the same run"
    echo
    echo "| scenario | conns | gantry-base req/s | gantry req/s | after / before | gantry-base/nginx | gantry/nginx | CPU µs/req before | after |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    for s in "${scenarios[@]}"; do
      echo "| ${scenario_label[$s]} | ${scenario_conns[$s]} | ${R[$s,gantry-base,rps]} | ${R[$s,gantry,rps]} | $(ratio "${R[$s,gantry,rps]}" "${R[$s,gantry-base,rps]}") | $(ratio "${R[$s,gantry-base,rps]}" "${R[$s,nginx,rps]:-0}") | $(ratio "${R[$s,gantry,rps]}" "${R[$s,nginx,rps]:-0}") | ${R[$s,gantry-base,cpu_us]} | ${R[$s,gantry,cpu_us]} |"
    done
    echo
  fi
  echo "## CPU per request (user + system time of the target's own processes during its run)"
  echo
  if [ "$has_nginx" = 1 ]; then
    echo "| scenario | conns | simulator alone µs | gantry µs | nginx µs | gantry/nginx |"
    echo "|---|---:|---:|---:|---:|---:|"
  else
    echo "| scenario | conns | simulator alone µs | gantry µs |"
    echo "|---|---:|---:|---:|"
  fi
  for s in "${scenarios[@]}"; do
    if [ "$has_nginx" = 1 ]; then
      echo "| ${scenario_label[$s]} | ${scenario_conns[$s]} | ${R[$s,direct,cpu_us]} | ${R[$s,gantry,cpu_us]} | ${R[$s,nginx,cpu_us]} | $(ratio "${R[$s,gantry,cpu_us]}" "${R[$s,nginx,cpu_us]}") |"
    else
      echo "| ${scenario_label[$s]} | ${scenario_conns[$s]} | ${R[$s,direct,cpu_us]} | ${R[$s,gantry,cpu_us]} |"
    fi
  done
  echo
  echo "## Time to first chunk (${ttfc_requests} sequential streaming requests per target, one kept-alive connection each, interleaved)"
  echo
  echo "| target | p50 ms | p90 ms | p99 ms | mean ms | added p50 ms | added p90 ms | failures |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for target in "${targets[@]}"; do
    echo "| $target | ${T[$target,p50_ms]:-n/a} | ${T[$target,p90_ms]:-n/a} | ${T[$target,p99_ms]:-n/a} | ${T[$target,mean_ms]:-n/a} | $(minus "${T[$target,p50_ms]:-0}" "${T[direct,p50_ms]:-0}") | $(minus "${T[$target,p90_ms]:-0}" "${T[direct,p90_ms]:-0}") | ${T[$target,failures]:-n/a} |"
  done
  echo
  echo "## Targets"
  echo
  if [ "$has_nginx" = 1 ]; then
    for c in $connections; do
      s="nonstream-c$c"
      r="$(ratio "${R[$s,gantry,rps]}" "${R[$s,nginx,rps]}")"
      if [ "$(scenario_errors "$s")" -gt 0 ]; then
        verdict="INVALID (errors in the run)"
      else
        verdict="$(awk -v r="$r" 'BEGIN{print (r+0 >= 0.6) ? "PASS" : "FAIL"}')"
      fi
      echo "- non-streaming throughput ≥ 0.6× nginx at $c conns: ${r}× — **$verdict**"
    done
  else
    echo "- non-streaming throughput ≥ 0.6× nginx: not measured (nginx unavailable)"
  fi
  added_ttfc="$(minus "${T[gantry,p50_ms]:-0}" "${T[direct,p50_ms]:-0}")"
  if [ "${T[gantry,failures]:-1}" != 0 ] || [ "${T[direct,failures]:-1}" != 0 ]; then
    verdict="INVALID (failed probes)"
  else
    verdict="$(awk -v a="$added_ttfc" 'BEGIN{print (a+0 <= 1.0) ? "PASS" : "FAIL"}')"
  fi
  echo "- added time to first chunk ≤ 1 ms (p50, gantry − direct): ${added_ttfc} ms — **$verdict** (p90: $(minus "${T[gantry,p90_ms]:-0}" "${T[direct,p90_ms]:-0}") ms)"
  echo
  echo "Raw wrk and probe output (including the warm-up rounds): bench/results/latest-raw.log"
} >"$md"

cp "$md" "$results/latest.md"
echo
cat "$md"
log "written to bench/results/latest.md"
