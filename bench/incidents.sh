#!/usr/bin/env bash
# Incident management at scale (issue 3, "Speed"): `bash bench/incidents.sh`, or from
# bench/run.sh with CUSTOS_BENCH_INCIDENTS=N. Non-interactive, bounded, loopback only.
#
#   Load          `custos demo load --incidents N` into a fresh SQLite data directory (through
#                 the services the API uses: audited, SLA-rated, indexed), timed; reused when
#                 the directory already holds N incidents
#   List          first page of filtered, sorted lists over HTTP (wrk)       goal: p95 < 20 ms
#   Search        full-text search, first page (wrk)                         goal: p95 < 50 ms
#   Read by key   GET /api/v1/incidents/{key}, server time from the access log  goal: < 1 ms
#   Create        POST /api/v1/incidents, 32 connections (durable, audited)  goal: >= 5000/s
#   SLA sweep     100,000 open incidents (bench/incident_sweep_bench.cpp)     goal: < 1 s
#   Memory        VmRSS / VmHWM of the server during all of the above        goal: < 200 MB
#
# Environment knobs (defaults in brackets):
#   CUSTOS_BENCH_INCIDENTS [1000000]  incidents to load
#   CUSTOS_BENCH_INCIDENTS_DIR [/tmp/custos-bench-incidents-N]  where the database lives (several
#                                     GB for 1M; delete it when done)
#   CUSTOS_BENCH_BUILD [build/bench]  build directory (Release; configured here if missing)
#   BENCH_DURATION [10s]              each wrk run; BENCH_LATENCY_CONNECTIONS [4] for the reads
#   BENCH_CREATE_CONNECTIONS [32]     connections for the create run
#   CUSTOS_BENCH_SWEEP_N [100000]     open incidents for the sweep benchmark (own database under /tmp)
#   BENCH_NO_BUILD [0]                1: use the binaries already in the build directory
#   BENCH_SKIP [""]                   any of: load http sweep
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

N=${CUSTOS_BENCH_INCIDENTS:-1000000}
BUILD=${CUSTOS_BENCH_BUILD:-build/bench}
DIR=${CUSTOS_BENCH_INCIDENTS_DIR:-/tmp/custos-bench-incidents-$N}
DURATION=${BENCH_DURATION:-10s}
LAT_CONNECTIONS=${BENCH_LATENCY_CONNECTIONS:-4}
CREATE_CONNECTIONS=${BENCH_CREATE_CONNECTIONS:-32}
SWEEP_N=${CUSTOS_BENCH_SWEEP_N:-100000}
SKIP=" ${BENCH_SKIP:-} "
RESULTS=$BUILD/results
CUSTOS=$BUILD/custos
ADMIN_PASSWORD="bench-admin-password-$$"
mkdir -p "$RESULTS"

TMP=$(mktemp -d /tmp/custos-bench-inc.XXXXXX)
SERVER_PID=""
cleanup() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
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
rss_mb() { awk -v f="${2:-VmRSS}:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
verdict() {  # verdict VALUE OP GOAL
  [[ -z "$1" ]] && { echo "-"; return; }
  awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN { ok = (op == ">=") ? (v >= g) : (v < g); print ok ? "met" : "MISSED" }'
}
wait_http() {
  local url=$1 deadline=$(( $(date +%s) + $2 ))
  while (( $(date +%s) < deadline )); do
    if curl -fs -o /dev/null --max-time 1 "$url"; then return 0; fi
    sleep 0.05
  done
  return 1
}

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
  echo "bench: building $BUILD (custos, incident_sweep_bench)..."
  if [[ ! -f $BUILD/build.ninja ]] || ! grep -q "build incident_sweep_bench:" "$BUILD/build.ninja"; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCUSTOS_BENCH=ON >"$RESULTS/incidents-build.log" 2>&1 \
      || { tail -30 "$RESULTS/incidents-build.log" >&2; die "configure failed"; }
  fi
  ninja -C "$BUILD" custos incident_sweep_bench >>"$RESULTS/incidents-build.log" 2>&1 \
    || { tail -30 "$RESULTS/incidents-build.log" >&2; die "build failed (log: $RESULTS/incidents-build.log)"; }
fi

exec > >(tee "$RESULTS/incidents.txt") 2>&1
echo "custos incident benchmarks — $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "  host: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  binary: $CUSTOS ($("$CUSTOS" version 2>/dev/null || echo '?')); git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
echo "  database: $DIR ($N incidents)"

S_LOAD="" S_LIST="" S_SEARCH="" S_READ="" S_READ_CLIENT="" S_CREATE="" S_SWEEP="" S_RECHECK="" S_RSS="" S_HWM=""

# ---------------------------------------------------------------------------------------------
# Load

if ! skipped load; then
  section "Load $N incidents (custos demo load)"
  if [[ -f $DIR/loaded-$N ]]; then
    echo "  $DIR already holds them (delete it to load again)"
    S_LOAD=$(cat "$DIR/loaded-$N")
  else
    # Never delete a directory this script did not make (a half-finished load leaves its marker).
    if [[ -d $DIR && -n $(ls -A "$DIR") ]]; then
      [[ -f $DIR/.custos-bench-incidents ]] || die "$DIR is not empty and not a bench database; choose another CUSTOS_BENCH_INCIDENTS_DIR"
      rm -rf "$DIR"
    fi
    mkdir -p "$DIR"; touch "$DIR/.custos-bench-incidents"
    started=$(date +%s%N)
    CUSTOS_ADMIN_PASSWORD=$ADMIN_PASSWORD "$CUSTOS" demo load --incidents "$N" --data-dir "$DIR" \
      >"$TMP/load.out" 2>"$TMP/load.err" || { cat "$TMP/load.err" >&2; die "demo load failed"; }
    secs=$(( ($(date +%s%N) - started) / 1000000000 ))
    sed 's/^/  /' "$TMP/load.out"
    S_LOAD="$secs s"
    echo "$S_LOAD" >"$DIR/loaded-$N"
  fi
  echo "  database size: $(du -sh "$DIR" | cut -f1)"
fi

# ---------------------------------------------------------------------------------------------
# HTTP: list, search, read, create

# wrk_run NAME MODE CONNECTIONS: runs wrk with incidents.lua; sets R_RPS, R_P50, R_P95, R_NON2XX.
wrk_run() {
  local name=$1 mode=$2 conns=$3 out=$RESULTS/wrk-incidents-$1.txt
  TOKEN=$TOKEN timeout 120 wrk -t2 -c"$conns" -d"$DURATION" --timeout 10s -s bench/incidents.lua \
    "http://127.0.0.1:$PORT" -- "$mode" "$N" >"$out" 2>&1 || die "wrk failed for $name (see $out)"
  R_RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  R_P50=$(sed -nE 's/^RESULT .*p50_ms=([0-9.]+).*/\1/p' "$out")
  R_P95=$(sed -nE 's/^RESULT .*p95_ms=([0-9.]+).*/\1/p' "$out")
  R_P99=$(sed -nE 's/^RESULT .*p99_ms=([0-9.]+).*/\1/p' "$out")
  R_NON2XX=$(sed -nE 's/^RESULT .*non2xx=([0-9]+).*/\1/p' "$out")
  printf '  %-22s %7s req/s  p50 %7s ms  p95 %7s ms  p99 %7s ms  (%s connections)' \
    "$name" "$R_RPS" "$R_P50" "$R_P95" "$R_P99" "$conns"
  [[ ${R_NON2XX:-0} != 0 ]] && printf '  !! %s non-2xx' "$R_NON2XX"
  printf '  server RSS %s MiB\n' "$(rss_mb "$SERVER_PID")"
}

# server_ms_percentile LOGFILE PATTERN PCT: percentile of the access log's ms= over matching lines.
server_ms_percentile() {
  grep -E "$2" "$1" | sed -nE 's/.* ms=([0-9.]+) .*/\1/p' | sort -n \
    | awk -v p="$3" '{ v[NR] = $1 } END { if (NR == 0) { print ""; exit } i = int(NR * p / 100); if (i < 1) i = 1; printf "%.3f", v[i] }'
}

if ! skipped http; then
  [[ -f $DIR/custos.db ]] || die "no database in $DIR (run without BENCH_SKIP=load first)"
  section "HTTP over $N incidents (wrk -t2, $DURATION each)"
  PORT=$(free_port)
  # The access log (to a file) gives the server-side time of every request (ms=).
  CUSTOS_ADMIN_PASSWORD=$ADMIN_PASSWORD CUSTOS_SERVER_ACCESS_LOG=true \
    "$CUSTOS" serve --data-dir "$DIR" --listen "127.0.0.1:$PORT" >"$TMP/serve.log" 2>&1 &
  SERVER_PID=$!
  wait_http "http://127.0.0.1:$PORT/readyz" 60 || { tail "$TMP/serve.log" >&2; die "custos did not become ready"; }
  # An agent of soc-l1: lists and searches go through the need-to-know condition.
  TOKEN=$("$CUSTOS" token issue --user agent07 --name bench --data-dir "$DIR")
  [[ $TOKEN == cst_* ]] || die "token issue printed '$TOKEN'"
  sleep 2
  echo "  server RSS after start: $(rss_mb "$SERVER_PID") MiB"

  wrk_run list list "$LAT_CONNECTIONS";     S_LIST=$R_P95
  wrk_run search search "$LAT_CONNECTIONS"; S_SEARCH=$R_P95
  lines_before=$(wc -l <"$TMP/serve.log")
  wrk_run read read "$LAT_CONNECTIONS";     S_READ_CLIENT=$R_P95
  tail -n +"$((lines_before + 1))" "$TMP/serve.log" >"$TMP/read.log"
  S_READ=$(server_ms_percentile "$TMP/read.log" 'method=GET path="/api/v1/incidents/INC-' 95)
  S_READ50=$(server_ms_percentile "$TMP/read.log" 'method=GET path="/api/v1/incidents/INC-' 50)
  echo "  read by key, server time (access log ms=): p50 $S_READ50 ms, p95 $S_READ ms"
  wrk_run create create "$CREATE_CONNECTIONS"; S_CREATE=$R_RPS
  [[ ${R_NON2XX:-0} == 0 ]] || echo "  !! some creates failed: $(grep -m3 'status=[45]' "$TMP/serve.log" || true)"
  S_RSS=$(rss_mb "$SERVER_PID"); S_HWM=$(rss_mb "$SERVER_PID" VmHWM)
  echo "  server memory after the runs: VmRSS $S_RSS MiB, peak VmHWM $S_HWM MiB"
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
fi

# ---------------------------------------------------------------------------------------------
# SLA sweep

if ! skipped sweep; then
  section "SLA sweep over $SWEEP_N open incidents (incident_sweep_bench)"
  CUSTOS_BENCH_SWEEP_N=$SWEEP_N "$BUILD/incident_sweep_bench" \
    --benchmark_out="$RESULTS/incident_sweep_bench.json" --benchmark_out_format=json 2>&1 \
    | grep -v -e '^\*\*\*WARNING\*\*\*' | sed 's/^/  /'
  read -r S_SWEEP S_RECHECK < <(python3 -c '
import json, sys
d = {b["name"].split("/")[0]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
print("%.0f %.0f" % (d["BM_SlaSweepFirstEscalation"]["real_time"], d["BM_SlaSweepNothingToFire"]["real_time"]))' \
    "$RESULTS/incident_sweep_bench.json")
fi

# ---------------------------------------------------------------------------------------------

section "Summary ($N incidents)"
printf '  %-44s %12s  %-10s %s\n' "measure" "value" "goal" "verdict"
[[ -n $S_LOAD ]] && printf '  %-44s %12s  %-10s %s\n' "load (custos demo load)" "$S_LOAD" "minutes" ""
if [[ -n $S_LIST ]]; then
  printf '  %-44s %12s  %-10s %s\n' "list, first page, filter + sort, p95" "$S_LIST ms" "< 20 ms" "$(verdict "$S_LIST" "<" 20)"
  printf '  %-44s %12s  %-10s %s\n' "full-text search, first page, p95" "$S_SEARCH ms" "< 50 ms" "$(verdict "$S_SEARCH" "<" 50)"
  printf '  %-44s %12s  %-10s %s\n' "read by key, server time p95" "$S_READ ms" "< 1 ms" "$(verdict "$S_READ" "<" 1)  (client p95 $S_READ_CLIENT ms)"
  printf '  %-44s %12s  %-10s %s\n' "create, $CREATE_CONNECTIONS connections" "$S_CREATE /s" ">= 5000/s" "$(verdict "$S_CREATE" ">=" 5000)"
  printf '  %-44s %12s  %-10s %s\n' "server peak memory (VmHWM)" "$S_HWM MiB" "< 200 MB" "$(verdict "$S_HWM" "<" 190.7)  (VmRSS at the end $S_RSS MiB)"
fi
if [[ -n $S_SWEEP ]]; then
  printf '  %-44s %12s  %-10s %s\n' "SLA sweep, $SWEEP_N due for a first step" "$S_SWEEP ms" "< 1000 ms" "$(verdict "$S_SWEEP" "<" 1000)"
  printf '  %-44s %12s  %-10s %s\n' "SLA sweep, $SWEEP_N re-evaluated, none fires" "$S_RECHECK ms" "< 1000 ms" "$(verdict "$S_RECHECK" "<" 1000)"
fi
echo "  (200 MB = 190.7 MiB.) Report: $RESULTS/incidents.txt"
