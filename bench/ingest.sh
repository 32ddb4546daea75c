#!/usr/bin/env bash
# Lines per second through the HTTP NDJSON ingest endpoint (POST /api/v1/ingest/{source}):
#
#   bash bench/ingest.sh
#
# Starts `custos serve` on a fresh data directory (127.0.0.1 only) with an http source read by
# Debian's sshd filter (a jail with maxretry 5, dry-run actions), writes INGEST_LINES lines of a
# realistic sshd auth log (bench/gen_sshd_log.py), ships them as NDJSON bodies of about
# INGEST_BODY_KB each ({"message": "<the auth.log line>"}, so the filter reads the date as it
# would in the file) from INGEST_CLIENTS connections with an ingest token, and reports lines/s
# and the accepted count the server answered.
#
# Environment (defaults in brackets):
#   CUSTOS_BENCH_BUILD [build/bench]  build directory   BENCH_NO_BUILD [0]  1: use the binary there
#   INGEST_LINES [500000]  INGEST_BODY_KB [512]  INGEST_CLIENTS [2]
#   CUSTOS_FAIL2BAN_FILTERS [/etc/fail2ban/filter.d]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${CUSTOS_BENCH_BUILD:-build/bench}
CUSTOS=$(realpath -m "$BUILD/custos")
FILTERS=${CUSTOS_FAIL2BAN_FILTERS:-/etc/fail2ban/filter.d}

die() { echo "bench/ingest: $*" >&2; exit 1; }
[[ -f $FILTERS/sshd.conf ]] || die "no $FILTERS/sshd.conf (install fail2ban)"
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
  [[ -f $BUILD/build.ninja ]] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target custos -j "${JOBS:-2}" >/dev/null
fi
[[ -x $CUSTOS ]] || die "no custos binary at $CUSTOS"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/custos-ingest-bench.XXXXXX")
PID=
cleanup() {
  [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

cat >"$WORK/custos.toml" <<TOML
[detection]
dry_run = true

[[detection.sources]]
name = "shipper"
type = "http"

[[detection.jails]]
name = "sshd"
filter = "$FILTERS/sshd.conf"
sources = ["shipper"]
maxretry = 5
findtime = "10m"
bantime = "1h"
TOML

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CUSTOS_ADMIN_PASSWORD=bench-admin-password CUSTOS_AUTH_PASSWORD_HASHING=minimum
export CUSTOS_SERVER_ACCESS_LOG=false CUSTOS_SERVER_MAX_BODY_BYTES=$((4 * 1024 * 1024)) TZ=UTC
"$CUSTOS" serve --config "$WORK/custos.toml" --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" \
  >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.05; done
"$CUSTOS" user add --data-dir "$WORK/data" --username shipper --role ingest --password-stdin \
  <<<"bench-password-123-long" >/dev/null
TOKEN=$("$CUSTOS" token issue --data-dir "$WORK/data" --user shipper)

python3 bench/gen_sshd_log.py "${INGEST_LINES:-500000}" >"$WORK/auth.log"
python3 - "$PORT" "$TOKEN" "$WORK/auth.log" "${INGEST_BODY_KB:-512}" "${INGEST_CLIENTS:-2}" <<'PY'
import http.client, json, sys, threading, time

port, token, log, body_kb, clients = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
bodies, current, size = [], [], 0
with open(log, encoding="utf-8", errors="replace") as f:
    for line in f:
        obj = json.dumps({"message": line.rstrip("\n")}) + "\n"
        current.append(obj)
        size += len(obj)
        if size >= body_kb * 1024:
            bodies.append("".join(current).encode())
            current, size = [], 0
if current:
    bodies.append("".join(current).encode())
lines = sum(b.count(b"\n") for b in bodies)
accepted = [0]
lock = threading.Lock()
queue = list(reversed(bodies))

def client():
    conn = http.client.HTTPConnection("127.0.0.1", int(port))
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson"}
    while True:
        with lock:
            if not queue:
                break
            body = queue.pop()
        conn.request("POST", "/api/v1/ingest/shipper", body=body, headers=headers)
        r = conn.getresponse()
        answer = json.loads(r.read())
        if r.status != 200:
            sys.exit(f"bench/ingest: {r.status} {answer}")
        with lock:
            accepted[0] += answer["accepted"]

start = time.perf_counter()
threads = [threading.Thread(target=client) for _ in range(clients)]
for t in threads: t.start()
for t in threads: t.join()
elapsed = time.perf_counter() - start
print(f"ingest: {lines} lines in {len(bodies)} bodies of ~{body_kb} KiB from {clients} clients: "
      f"{elapsed:.2f} s, {lines / elapsed:,.0f} lines/s (accepted {accepted[0]})")
PY
curl -s "http://127.0.0.1:$PORT/metrics" 2>/dev/null | grep -E '^custos_detection_(failures_total|bans_total|ban_requests_total)' || true
