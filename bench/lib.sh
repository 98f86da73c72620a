# Shared by bench/streaming.sh, bench/load.sh and bench/soak.sh (sourced, not run).
# Loopback only; every process started through `spawn` is stopped, by pid, when the script exits.
# The caller sets `bench_name` before sourcing.

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$bench_dir")"
results="$bench_dir/results"
mkdir -p "$results"

log() { printf '[%s %s] %s\n' "${bench_name:-bench}" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

pids=()
tmp="$(mktemp -d -t "gantry-${bench_name:-bench}.XXXXXX")"
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

apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >>"$tmp/apt.log" 2>&1
}

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
find_java() {
  local candidate
  for candidate in "${JAVA_HOME:-/nonexistent}" /usr/lib/jvm/temurin-25* /usr/lib/jvm/temurin-2[1-9]* /usr/lib/jvm/java-2[1-9]*; do
    if [ -x "$candidate/bin/java" ] && [ "$(java_major "$candidate/bin/java")" -ge 21 ]; then
      echo "$candidate/bin/java"; return
    fi
  done
  die "no Java 21+ found (set JAVA_HOME)"
}
java="$(find_java)"

# JVM flags Gantry runs with, for the reports.
gantry_jvm_flags() {
  if [ -n "${GANTRY_JAVA_OPTS+set}" ]; then echo "GANTRY_JAVA_OPTS=\"$GANTRY_JAVA_OPTS\""
  else echo "launcher defaults ($(sed -n 's/^  default_java_opts="\(.*\)"$/\1/p' "$repo/gantry"))"; fi
}

# Builds the jar through the launcher and runs a private copy: a rebuild of the shared tree during
# the run must not swap the jar under the benchmark.
snapshot_jar() {
  if [ -n "${BENCH_JAR:-}" ]; then # another build to measure, e.g. an older commit's
    cp "$BENCH_JAR" "$tmp/gantry.jar"
    return
  fi
  log "building the jar if needed (./gantry --version)"
  (cd "$repo" && ./gantry --version) >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; die "build failed"; }
  cp "$repo/target/gantry.jar" "$tmp/gantry.jar"
}

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

wait_http() { # name pid url
  local name="$1" pid="$2" url="$3" i
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || die "$name exited during startup (see logs: BENCH_KEEP_TMP=1)"
    if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  die "$name did not become ready at $url within 60 s"
}

# CPU seconds (user + system) used so far by a process and its direct children (nginx workers).
cpu_seconds() {
  local pid="$1" total=0 p t
  for p in "$pid" $(pgrep -P "$pid" 2>/dev/null || true); do
    t="$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)"
    total=$((total + t))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t / hz}'
}

# Resident set size in MB (VmRSS) and its peak (VmHWM) of one process.
rss_mb() { awk '/^VmRSS:/ {printf "%.0f\n", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }
peak_rss_mb() { awk '/^VmHWM:/ {printf "%.0f\n", $2 / 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }

load_now() { cut -d' ' -f1-3 /proc/loadavg; }

start_simulator() { # port [dialect] -> pid in $spawned
  local port="$1" dialect="${2:-openai}"
  # shellcheck disable=SC2086
  "$java" ${SIM_JAVA_OPTS:-} -jar "$tmp/gantry.jar" simulate --dialect "$dialect" --host 127.0.0.1 \
    --port "$port" >"$tmp/sim-$port.log" 2>&1 &
  spawned=$!; pids+=("$spawned")
  wait_http simulator "$spawned" "http://127.0.0.1:$port/sim/stats"
}

start_gantry() { # jar port sim_port data_dir [extra serve args...] -> pid in $spawned
  local jar="$1" port="$2" sim_port="$3" data="$4"
  shift 4
  # Through the launcher, so Gantry runs with its default JVM flags (or GANTRY_JAVA_OPTS).
  GANTRY_JAR="$jar" JAVA_HOME="$(dirname "$(dirname "$java")")" "$repo/gantry" serve --host 127.0.0.1 --port "$port" --no-discovery \
    --data-dir "$data" --backend "openai=http://127.0.0.1:$sim_port/v1" "$@" \
    >"$tmp/gantry-$port.log" 2>"$tmp/gantry-$port.err" &
  spawned=$!; pids+=("$spawned")
  wait_http gantry "$spawned" "http://127.0.0.1:$port/readyz"
}

start_nginx() { # port sim_port -> pid in $spawned, or returns 1 when nginx is unavailable
  local port="$1" sim_port="$2" bin ngx="$tmp/nginx-$1"
  bin="$(command -v nginx || true)"
  [ -z "$bin" ] && [ -x /usr/sbin/nginx ] && bin=/usr/sbin/nginx
  if [ -z "$bin" ]; then
    log "installing nginx (the reference proxy)"
    apt_install nginx || return 1
    bin=/usr/sbin/nginx
  fi
  mkdir -p "$ngx"
  chmod 755 "$tmp" "$ngx" # workers drop to 'nobody' when started as root
  cat >"$ngx/nginx.conf" <<EOF
# Generated by bench/lib.sh: a plain streaming reverse proxy, the same as bench/run.sh's.
worker_processes 2;
pid $ngx/nginx.pid;
error_log $ngx/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
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
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://sim;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
  "$bin" -t -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" >"$ngx/test.log" 2>&1 || return 1
  "$bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" -g 'daemon off;' >"$ngx/stdout.log" 2>&1 &
  spawned=$!; pids+=("$spawned")
  wait_http nginx "$spawned" "http://127.0.0.1:$port/v1/models"
  nginx_version="$("$bin" -v 2>&1 | sed 's/.*: //')"
}
