#!/usr/bin/env bash
# custos benchmarks: `make bench` (or `bash bench/run.sh`). Non-interactive, bounded (every load
# loop has a fixed duration), loopback only. Prints a report and writes it to
# $BUILD/results/latest.txt (plus wrk outputs and Google Benchmark JSON beside it).
#
# Measures the "Speed and footprint" goals of issue 2 (see bench/README.md):
#   HTTP throughput   wrk against a bare Beast hello-world (the baseline) and against
#                     `custos serve`: GET /api/v1/me with a bearer token, /healthz, and /api/v1/me
#                     again with the access log on               goal: /api/v1/me >= 30,000 req/s
#   Idle memory       VmRSS of the server after start and after the load      goal: < 30 MB
#   Start to ready    exec -> /readyz 200 on an existing database, median of 5 goal: < 300 ms
#   Audit verify      1,000,000 entries, in-process and `custos audit verify`  goal: < 2 s
#   Micro benchmarks  hot code from src/ (Google Benchmark, items/s)
#   Log scanning      custos scan vs fail2ban-regex, sshd filter (bench/scan.sh)
#   Incidents         only with CUSTOS_BENCH_INCIDENTS=N (slow: loads N incidents first):
#                     bench/incidents.sh — lists, search, read, create, SLA sweep, memory
#
# Environment knobs (defaults in brackets):
#   CUSTOS_BENCH_BUILD [build/bench]   build directory (configured Release here if missing)
#   BENCH_DURATION [10s]               each wrk run;  BENCH_CONNECTIONS [64]; BENCH_WRK_THREADS [2]
#   CUSTOS_BENCH_AUDIT_N [1000000]     entries in the audit database (seeded once, then reused)
#   CUSTOS_BENCH_AUDIT_DIR [$BUILD/data/audit-N]  where that database and its signing key live
#   BENCH_MIN_TIME [0.2]               --benchmark_min_time for the micro benchmarks
#   BENCH_SKIP [""]                    space-separated sections to skip: http ready audit micro scan
#   BENCH_WAIT_QUIET [0]               on a shared machine: wait up to this many seconds for other
#                                      work to drop below 15% CPU before measuring
#   BENCH_NO_BUILD [0]                 1: measure the binaries already in $BUILD (e.g. while someone
#                                      else's half-finished change in src/ does not compile)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

BUILD=${CUSTOS_BENCH_BUILD:-build/bench}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
AUDIT_N=${CUSTOS_BENCH_AUDIT_N:-1000000}
AUDIT_DIR=${CUSTOS_BENCH_AUDIT_DIR:-$BUILD/data/audit-$AUDIT_N}
MIN_TIME=${BENCH_MIN_TIME:-0.2}
SKIP=" ${BENCH_SKIP:-} "
RESULTS=$BUILD/results
CUSTOS=$BUILD/custos
HELLO=$BUILD/hello_server
ADMIN_PASSWORD="bench-admin-password-$$"

mkdir -p "$RESULTS"

# ---------------------------------------------------------------------------------------------
# Helpers

PIDS=()
TMP=$(mktemp -d /tmp/custos-bench.XXXXXX)

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench: $*" >&2; exit 1; }
skipped() { [[ "$SKIP" == *" $1 "* ]]; }
section() { printf '\n== %s ==\n' "$*"; }

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }

# rss_mb PID [FIELD]: VmRSS (or VmHWM) in MiB with one decimal.
rss_mb() {
  awk -v f="${2:-VmRSS}:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Percentage of all CPU time spent busy (not idle/iowait) over one second.
cpu_busy_pct() {
  local a b
  a=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $5+$6 }' /proc/stat); sleep 1
  b=$(awk '/^cpu / { print $2+$3+$4+$7+$8+$9, $5+$6 }' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ");
    busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.0f", ((busy + idle) > 0 ? 100 * busy / (busy + idle) : 0) }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# wait_http URL SECONDS: until URL answers 200 (returns 1 on timeout).
wait_http() {
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  while (( $(date +%s) < deadline )); do
    if curl -fs -o /dev/null --max-time 1 "$url"; then return 0; fi
    sleep 0.02
  done
  return 1
}

stop_pid() {
  local pid=$1
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # A graceful shutdown finishes within seconds; give up waiting after 15.
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
  fi
}

# Server-side cost counters: CPU ticks (utime+stime, all threads) and context switches
# (voluntary + involuntary, all live threads) of a process.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ctx_switches() { cat "/proc/$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }
CLK_TCK=$(getconf CLK_TCK)

# run_wrk NAME PID URL [wrk args...]: load URL served by process PID; prints one line and sets
# WRK_RPS, WRK_P50, WRK_P99, WRK_NON2XX, WRK_CPU_US (server CPU per request, microseconds) and
# WRK_CS (server context switches per request).
run_wrk() {
  local name=$1 pid=$2 url=$3; shift 3
  local out=$RESULTS/wrk-$name.txt ticks0 cs0 requests
  ticks0=$(cpu_ticks "$pid"); cs0=$(ctx_switches "$pid")
  timeout 120 wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$url" >"$out" 2>&1 \
    || die "wrk failed for $name (see $out)"
  WRK_CPU_TICKS=$(( $(cpu_ticks "$pid") - ticks0 )); WRK_CS_TOTAL=$(( $(ctx_switches "$pid") - cs0 ))
  requests=$(awk '/requests in/ { print $1; exit }' "$out")
  WRK_RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  WRK_P50=$(awk '$1 == "50%" { print $2 }' "$out")
  WRK_P99=$(awk '$1 == "99%" { print $2 }' "$out")
  WRK_NON2XX=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  WRK_ERRORS=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$out")
  WRK_CPU_US=$(awk -v t="$WRK_CPU_TICKS" -v hz="$CLK_TCK" -v n="$requests" 'BEGIN { printf "%.1f", (n > 0 ? t * 1e6 / hz / n : 0) }')
  WRK_CS=$(awk -v c="$WRK_CS_TOTAL" -v n="$requests" 'BEGIN { printf "%.2f", (n > 0 ? c / n : 0) }')
  printf '  %-26s %8s req/s  p50 %-8s p99 %-8s  server %5s us CPU/req  %5s ctx-sw/req' \
    "$name" "$WRK_RPS" "$WRK_P50" "$WRK_P99" "$WRK_CPU_US" "$WRK_CS"
  [[ -n "$WRK_NON2XX" ]] && printf '  !! %s non-2xx responses' "$WRK_NON2XX"
  [[ -n "$WRK_ERRORS" ]] && printf '  !! socket errors: %s' "$WRK_ERRORS"
  printf '\n'
}

# start_custos DATA_DIR PORT ACCESS_LOG LOGFILE [VAR=VALUE...]: starts the server, waits for /readyz, sets SERVER_PID.
start_custos() {
  local data=$1 port=$2 access=$3 log=$4; shift 4
  env "$@" CUSTOS_ADMIN_PASSWORD="$ADMIN_PASSWORD" CUSTOS_SERVER_ACCESS_LOG="$access" \
    "$CUSTOS" serve --data-dir "$data" --listen "127.0.0.1:$port" >"$log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_http "http://127.0.0.1:$port/readyz" 20 || { cat "$log" >&2; die "custos did not become ready"; }
}

# ---------------------------------------------------------------------------------------------
# Build (quietly; the log is kept in $RESULTS/build.log)

BENCH_TARGETS=()
for src in bench/*_bench.cpp; do BENCH_TARGETS+=("$(basename "$src" .cpp)"); done

build_all() {
  local need_configure=0 t
  [[ -f $BUILD/build.ninja ]] || need_configure=1
  for t in "${BENCH_TARGETS[@]}"; do
    [[ $need_configure == 1 ]] || grep -q "build $t:" "$BUILD/build.ninja" || need_configure=1
  done
  if [[ $need_configure == 1 ]]; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCUSTOS_BENCH=ON || return 1
  fi
  ninja -C "$BUILD" custos "${BENCH_TARGETS[@]}" || return 1
  if [[ ! -x $HELLO || bench/hello_server.cpp -nt $HELLO ]]; then
    g++ -std=c++20 -O2 -DNDEBUG bench/hello_server.cpp -o "$HELLO" -pthread || return 1
  fi
}
if [[ ${BENCH_NO_BUILD:-0} == 1 ]]; then
  for t in custos hello_server "${BENCH_TARGETS[@]}"; do
    [[ -x $BUILD/$t ]] || die "BENCH_NO_BUILD=1 but $BUILD/$t is missing"
  done
  echo "bench: BENCH_NO_BUILD=1: measuring the binaries already in $BUILD (built $(date -u -r "$CUSTOS" '+%Y-%m-%d %H:%M UTC'))"
else
  echo "bench: building $BUILD (log: $RESULTS/build.log)..."
  build_all >"$RESULTS/build.log" 2>&1 || { tail -40 "$RESULTS/build.log" >&2; die "build failed (log: $RESULTS/build.log)"; }
fi

# Everything from here on is the report: shown and written to latest.txt.
exec > >(tee "$RESULTS/latest.txt") 2>&1

echo "custos benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "  host: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2/1048576 }' /proc/meminfo) RAM"
echo "  binary: $CUSTOS ($("$CUSTOS" version 2>/dev/null || echo '?'), $(grep -m1 CMAKE_BUILD_TYPE: "$BUILD/CMakeCache.txt" | cut -d= -f2))"
echo "  git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
echo "  wrk: -t$WRK_THREADS -c$CONNECTIONS -d$DURATION on the same $(nproc) cores as the server"
busy_at_start=$(cpu_busy_pct)
if (( ${BENCH_WAIT_QUIET:-0} > 0 )); then
  quiet_deadline=$(( $(date +%s) + BENCH_WAIT_QUIET ))
  while (( busy_at_start > 15 && $(date +%s) < quiet_deadline )); do
    sleep 4
    busy_at_start=$(cpu_busy_pct)
  done
fi
load_at_start=$(cut -d' ' -f1 /proc/loadavg)
RUN_STARTED=$(now_ns)
echo "  CPU busy with other work just before the run: $busy_at_start% (1 s sample); load average $load_at_start"
if awk -v b="$busy_at_start" 'BEGIN { exit !(b > 15) }'; then
  echo "  !! the machine is busy: other processes compete for the cores, so req/s and wall-clock"
  echo "  !! times below are lower than on an idle machine; compare the CPU-per-request and CPU-time"
  echo "  !! figures, which competing work disturbs much less."
fi

S_HELLO="" S_ME="" S_HEALTH="" S_ME_LOG="" S_RSS_START="" S_RSS_LOAD="" S_RSS_HWM="" S_READY="" S_READY_RSS=""
S_VERIFY_INPROC="" S_VERIFY_CLI="" S_ME_W2="" S_HELLO_HOP="" S_HELLO_CPU="" S_HELLO2="" S_HOP_CPU="" S_ME_CPU="" S_HEALTH_CPU="" S_ME_LOG_CPU="" S_ME_W2_CPU="" S_VERIFY_CLI_CPU="" S_VERIFY_INPROC_CPU=""

# ---------------------------------------------------------------------------------------------
# HTTP throughput and memory

DATA=$TMP/data
if ! skipped http; then
  section "HTTP throughput (wrk, keep-alive)"

  port=$(free_port)
  "$HELLO" "$port" 2 >"$TMP/hello.log" 2>&1 &
  hello_pid=$!
  PIDS+=("$hello_pid")
  wait_http "http://127.0.0.1:$port/" 10 || die "hello_server did not start"
  run_wrk hello-baseline "$hello_pid" "http://127.0.0.1:$port/"
  S_HELLO=$WRK_RPS
  S_HELLO_CPU=$WRK_CPU_US
  stop_pid "$hello_pid"

  # Diagnostic: the same hello-world, but each response is made on a 16-thread pool and handed
  # back, as custos does with every request (server.worker_threads = 16 by default).
  "$HELLO" "$port" 2 16 >"$TMP/hello-hop.log" 2>&1 &
  hello_pid=$!
  PIDS+=("$hello_pid")
  wait_http "http://127.0.0.1:$port/" 10 || die "hello_server (hop) did not start"
  run_wrk hello-hop-to-pool16 "$hello_pid" "http://127.0.0.1:$port/"
  S_HELLO_HOP=$WRK_RPS
  S_HOP_CPU=$WRK_CPU_US
  stop_pid "$hello_pid"

  port=$(free_port)
  start_custos "$DATA" "$port" false "$TMP/serve.log"
  TOKEN=$("$CUSTOS" token issue --user admin --name bench --data-dir "$DATA")
  [[ $TOKEN == cst_* ]] || die "token issue printed '$TOKEN'"
  status=$(curl -s -o "$TMP/me.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$port/api/v1/me")
  [[ $status == 200 ]] || die "GET /api/v1/me answered $status: $(cat "$TMP/me.json")"
  sleep 2  # let start-up work (e.g. the background password warm-up) finish before sampling
  S_RSS_START=$(rss_mb "$SERVER_PID")

  run_wrk custos-me "$SERVER_PID" "http://127.0.0.1:$port/api/v1/me" -H "Authorization: Bearer $TOKEN"
  S_ME=$WRK_RPS
  S_ME_CPU=$WRK_CPU_US
  run_wrk custos-healthz "$SERVER_PID" "http://127.0.0.1:$port/healthz"
  S_HEALTH=$WRK_RPS
  S_HEALTH_CPU=$WRK_CPU_US
  sleep 2
  S_RSS_LOAD=$(rss_mb "$SERVER_PID")
  S_RSS_HWM=$(rss_mb "$SERVER_PID" VmHWM)
  stop_pid "$SERVER_PID"

  # Same again with the access log on (written to a file, as an operator would).
  start_custos "$DATA" "$port" true "$TMP/serve-access.log"
  run_wrk custos-me-accesslog "$SERVER_PID" "http://127.0.0.1:$port/api/v1/me" -H "Authorization: Bearer $TOKEN"
  S_ME_LOG=$WRK_RPS
  S_ME_LOG_CPU=$WRK_CPU_US
  stop_pid "$SERVER_PID"
  access_lines=$(wc -l <"$TMP/serve-access.log")
  rm -f "$TMP/serve-access.log"

  # The baseline once more: if it moved, something else took CPU during the run.
  "$HELLO" "$port" 2 >"$TMP/hello.log" 2>&1 &
  hello_pid=$!
  PIDS+=("$hello_pid")
  wait_http "http://127.0.0.1:$port/" 10 || die "hello_server did not start"
  run_wrk hello-baseline-again "$hello_pid" "http://127.0.0.1:$port/"
  S_HELLO2=$WRK_RPS
  stop_pid "$hello_pid"

  # Diagnostic, not a goal: the same with a worker pool of 2 instead of the default 16, to show
  # what the hand-off of every request from the I/O threads to the pool costs on 2 cores.
  start_custos "$DATA" "$port" false "$TMP/serve-w2.log" CUSTOS_SERVER_WORKER_THREADS=2
  run_wrk custos-me-2workers "$SERVER_PID" "http://127.0.0.1:$port/api/v1/me" -H "Authorization: Bearer $TOKEN"
  S_ME_W2=$WRK_RPS
  S_ME_W2_CPU=$WRK_CPU_US
  stop_pid "$SERVER_PID"

  echo
  drift=$(ratio "$S_HELLO2" "$S_HELLO")
  if awk -v d="$drift" 'BEGIN { exit !(d < 0.85 || d > 1.15) }'; then
    echo "  !! the baseline moved from $S_HELLO to $S_HELLO2 req/s during the run: other work competed for"
    echo "  !! the CPU; compare the server CPU per request (us CPU/req), which load disturbs less."
  fi
  echo "  custos /api/v1/me / baseline:        $(ratio "$S_ME" "$S_HELLO")   (goal: >= 30000 req/s)"
  echo "  custos /healthz / baseline:          $(ratio "$S_HEALTH" "$S_HELLO")"
  echo "  hello with pool hop / baseline:      $(ratio "$S_HELLO_HOP" "$S_HELLO")   (diagnostic: the I/O thread -> worker pool -> I/O thread hand-off alone)"
  echo "  access log on / off (/api/v1/me):    $(ratio "$S_ME_LOG" "$S_ME")   ($access_lines log lines written)"
  echo "  2 workers / 16 workers (/api/v1/me): $(ratio "$S_ME_W2" "$S_ME")   (diagnostic: server.worker_threads=2)"

  section "Memory (VmRSS of custos serve)"
  echo "  after start (idle):     $S_RSS_START MiB   (goal: < 30 MB)"
  echo "  after the load (idle):  $S_RSS_LOAD MiB   (peak VmHWM during the run: $S_RSS_HWM MiB)"
fi

# ---------------------------------------------------------------------------------------------
# Start to ready on an existing database

if ! skipped ready; then
  section "Start to ready (exec -> /readyz 200, existing database, 5 runs)"
  if [[ ! -f $DATA/custos.db ]]; then
    CUSTOS_ADMIN_PASSWORD=$ADMIN_PASSWORD "$CUSTOS" migrate --data-dir "$DATA" >/dev/null
  fi
  port=$(free_port)
  ready_out=$(CUSTOS_ADMIN_PASSWORD=$ADMIN_PASSWORD CUSTOS_SERVER_ACCESS_LOG=false \
    python3 bench/start_to_ready.py 5 "$port" -- "$CUSTOS" serve --data-dir "$DATA" --listen "127.0.0.1:$port")
  echo "$ready_out" | grep -v '^median_ms='
  summary=$(echo "$ready_out" | grep '^median_ms=')
  S_READY=$(sed -E 's/.*median_ms=([0-9.]+).*/\1/' <<<"$summary")
  S_READY_RSS=$(awk -v kb="$(sed -E 's/.*rss_kb=([0-9]+).*/\1/' <<<"$summary")" 'BEGIN { printf "%.1f", kb / 1024 }')
  echo "  median: $S_READY ms   ($summary)   (goal: < 300 ms)"
fi

# ---------------------------------------------------------------------------------------------
# Audit verify over N entries

if ! skipped audit; then
  section "Audit verify ($AUDIT_N entries; seeded once into $AUDIT_DIR)"
  mkdir -p "$AUDIT_DIR"
  AUDIT_DB=$AUDIT_DIR/custos.db
  seed_started=$(now_ns)
  CUSTOS_BENCH_DB=$AUDIT_DB CUSTOS_BENCH_AUDIT_N=$AUDIT_N \
    "$BUILD/audit_verify_bench" --benchmark_out="$RESULTS/audit_verify_bench.json" --benchmark_out_format=json \
    2>&1 | sed 's/^/  /'
  echo "  (audit_verify_bench took $(ms_since "$seed_started") ms including any seeding)"
  S_VERIFY_INPROC=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for b in d["benchmarks"]:
    if b["name"].startswith("BM_AuditVerify"):
        print("%.0f %.0f" % (b["real_time"], b["cpu_time"])); break' "$RESULTS/audit_verify_bench.json")
  S_VERIFY_INPROC_CPU=${S_VERIFY_INPROC#* }
  S_VERIFY_INPROC=${S_VERIFY_INPROC% *}

  echo
  echo "  custos audit verify --data-dir $AUDIT_DIR --db sqlite:$AUDIT_DB  (3 runs, wall clock incl. process start)"
  times=()
  for i in 1 2 3; do
    # bash's `time` gives wall clock and the process's CPU (user + sys) in one go.
    cpu_line=$( { TIMEFORMAT='%R %U %S'; time "$CUSTOS" audit verify --data-dir "$AUDIT_DIR" \
      --db "sqlite:$AUDIT_DB" >"$TMP/verify.out" 2>&1; } 2>&1 ) \
      || { cat "$TMP/verify.out"; die "custos audit verify failed"; }
    read -r wall user sys <<<"$cpu_line"
    ms=$(awk -v w="$wall" 'BEGIN { printf "%.0f", w * 1000 }')
    cpu_ms=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", (u + s) * 1000 }')
    times+=("$ms $cpu_ms")
    echo "    run $i: $ms ms wall, $cpu_ms ms CPU — $(cat "$TMP/verify.out")"
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  S_VERIFY_CLI=${median% *}
  S_VERIFY_CLI_CPU=${median#* }
  echo "  median: $S_VERIFY_CLI ms wall ($S_VERIFY_CLI_CPU ms CPU)   (goal: < 2000 ms)"
fi

# ---------------------------------------------------------------------------------------------
# Micro benchmarks

if ! skipped micro; then
  for name in "${BENCH_TARGETS[@]}"; do
    # These two seed large databases first; they have their own sections.
    [[ $name == audit_verify_bench || $name == incident_sweep_bench ]] && continue
    section "$name (--benchmark_min_time=$MIN_TIME)"
    "$BUILD/$name" --benchmark_min_time="$MIN_TIME" \
      --benchmark_out="$RESULTS/$name.json" --benchmark_out_format=json 2>&1 \
      | grep -v -e '^\*\*\*WARNING\*\*\* CPU scaling' -e '^\*\*\*WARNING\*\*\* Library was built as DEBUG' \
      | sed 's/^/  /'
  done
fi

if ! skipped scan; then
  section "Log scanning: custos scan vs fail2ban-regex (bench/scan.sh)"
  CUSTOS_BENCH_BUILD=$BUILD BENCH_NO_BUILD=1 bash bench/scan.sh 2>&1 | tee "$RESULTS/scan.txt" ||
    echo "bench: scan section failed (see $RESULTS/scan.txt)"
fi

# ---------------------------------------------------------------------------------------------
# Summary

verdict() {  # verdict VALUE OP GOAL
  [[ -z "$1" ]] && { echo "-"; return; }
  awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? (v >= g) : (v < g); print ok ? "met" : "MISSED" }'
}

section "Summary"
printf '  %-40s %14s  %-12s %s\n' "measure" "value" "goal" "verdict"
if [[ -n $S_ME ]]; then
  printf '  %-40s %14s  %-12s %s\n' "baseline Beast hello-world" "$S_HELLO req/s" "(~65k)" "server $S_HELLO_CPU us CPU/req; again at the end: $S_HELLO2 req/s"
  printf '  %-40s %14s  %-12s %s\n' "hello-world + hop to a 16-thread pool" "$S_HELLO_HOP req/s" "" "ratio $(ratio "$S_HELLO_HOP" "$S_HELLO"), server $S_HOP_CPU us CPU/req  (diagnostic)"
  printf '  %-40s %14s  %-12s %s\n' "GET /api/v1/me (bearer)" "$S_ME req/s" ">= 30000" "$(verdict "$S_ME" ">=" 30000)  ratio $(ratio "$S_ME" "$S_HELLO"), server $S_ME_CPU us CPU/req"
  printf '  %-40s %14s  %-12s %s\n' "GET /healthz" "$S_HEALTH req/s" "" "ratio $(ratio "$S_HEALTH" "$S_HELLO"), server $S_HEALTH_CPU us CPU/req"
  printf '  %-40s %14s  %-12s %s\n' "GET /api/v1/me, access log on" "$S_ME_LOG req/s" "" "ratio $(ratio "$S_ME_LOG" "$S_HELLO"), server $S_ME_LOG_CPU us CPU/req"
  printf '  %-40s %14s  %-12s %s\n' "GET /api/v1/me, 2 workers (diagnostic)" "$S_ME_W2 req/s" "" "ratio $(ratio "$S_ME_W2" "$S_HELLO"), server $S_ME_W2_CPU us CPU/req"
  printf '  %-40s %14s  %-12s %s\n' "idle RSS after start" "$S_RSS_START MiB" "< 30 MB" "$(verdict "$S_RSS_START" "<" 28.6)"
  printf '  %-40s %14s  %-12s %s\n' "idle RSS after load" "$S_RSS_LOAD MiB" "< 30 MB" "$(verdict "$S_RSS_LOAD" "<" 28.6)"
fi
if [[ -n $S_READY ]]; then
  printf '  %-40s %14s  %-12s %s\n' "start to ready (median of 5)" "$S_READY ms" "< 300 ms" "$(verdict "$S_READY" "<" 300)"
fi
if [[ -n $S_VERIFY_CLI ]]; then
  printf '  %-40s %14s  %-12s %s\n' "audit verify $AUDIT_N, in-process" "$S_VERIFY_INPROC ms" "< 2000 ms" "$(verdict "$S_VERIFY_INPROC" "<" 2000)  ($S_VERIFY_INPROC_CPU ms CPU)"
  printf '  %-40s %14s  %-12s %s\n' "custos audit verify $AUDIT_N (CLI)" "$S_VERIFY_CLI ms" "< 2000 ms" "$(verdict "$S_VERIFY_CLI" "<" 2000)  ($S_VERIFY_CLI_CPU ms CPU)"
fi
echo
echo "  (30 MB = 28.6 MiB.) Bench time: $(( $(ms_since "$RUN_STARTED") / 1000 )) s after the build."
echo "  Other CPU work before the run: $busy_at_start%. Report: $RESULTS/latest.txt"

# ---------------------------------------------------------------------------------------------
# Incident management at scale (opt-in: loading a million incidents takes a while)

if [[ -n ${CUSTOS_BENCH_INCIDENTS:-} ]]; then
  CUSTOS_BENCH_BUILD=$BUILD BENCH_NO_BUILD=1 bash bench/incidents.sh
fi
