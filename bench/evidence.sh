#!/usr/bin/env bash
# Evidence upload over the real HTTP path and `custos evidence verify` of a large package
# (issue 5's speed goals):
#
#   bash bench/evidence.sh        # or as the "evidence" section of bench/run.sh
#
# Starts `custos serve` on a fresh data directory (127.0.0.1 only), records an evidence item,
# uploads EVIDENCE_MB of random bytes with curl (PUT /api/v1/evidence/{key}/content), and
# reports MB/s and the server's resident memory before and after (VmRSS, and VmHWM, its peak).
# Then it exports the item with `custos evidence export` and times `custos evidence verify`.
# Goals: upload >= 200 MB/s with < 32 MB RSS growth; verify of a 1 GB package < 10 s.
#
# Environment (defaults in brackets):
#   CUSTOS_BENCH_BUILD [build/bench]   build directory      BENCH_NO_BUILD [0]  1: use the binary there
#   EVIDENCE_MB [1024]                 upload size in MiB   EVIDENCE_ENCRYPT [false]
#   EVIDENCE_MAX_BODY [unset]          server.max_body_bytes: when the server cannot spool a body
#                                      announced by Content-Length, the upload must fit in memory
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${CUSTOS_BENCH_BUILD:-build/bench}
MB=${EVIDENCE_MB:-1024}
CUSTOS=$(realpath -m "$BUILD/custos")

die() { echo "bench/evidence: $*" >&2; exit 1; }
command -v curl >/dev/null || die "curl not found"
if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
  [[ -f $BUILD/build.ninja ]] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target custos -j "${JOBS:-2}" >/dev/null
fi
[[ -x $CUSTOS ]] || die "no custos binary at $CUSTOS"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/custos-evidence-bench.XXXXXX")
PID=
cleanup() {
  [[ -n $PID ]] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export CUSTOS_ADMIN_PASSWORD=bench-admin-password CUSTOS_AUTH_PASSWORD_HASHING=minimum
export CUSTOS_SERVER_ACCESS_LOG=false CUSTOS_EVIDENCE_ENCRYPT=${EVIDENCE_ENCRYPT:-false}
[[ -n ${EVIDENCE_MAX_BODY:-} ]] && export CUSTOS_SERVER_MAX_BODY_BYTES=$EVIDENCE_MAX_BODY
"$CUSTOS" serve --listen "127.0.0.1:$PORT" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
PID=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.05; done
URL=http://127.0.0.1:$PORT/api/v1

"$CUSTOS" user add --data-dir "$WORK/data" --username sam --role security_manager --password-stdin <<<"bench-password-123-long" >/dev/null
TOKEN=$("$CUSTOS" token issue --data-dir "$WORK/data" --user sam)
AUTH=(-H "Authorization: Bearer $TOKEN")
json() { curl -sf "${AUTH[@]}" -H 'Content-Type: application/json' "$@"; }
INC=$(json -X POST "$URL/incidents" -d '{"title":"Bench","category":"malicious-code","impact":"minor","urgency":"low"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
EVD=$(json -X POST "$URL/incidents/$INC/evidence" -d '{"type":"disk_image","description":"bench image","collected_by":"sam"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

head -c "$((MB * 1024 * 1024))" /dev/urandom >"$WORK/image.bin"
cat "$WORK/image.bin" >/dev/null  # page cache: measure custos, not the disk read of curl
rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$PID/status"; }
RSS0=$(rss VmRSS)
START=$(date +%s.%N)
CODE=$(curl -s -o "$WORK/upload.json" -w '%{http_code}' "${AUTH[@]}" -H 'Content-Type: application/octet-stream' \
  -T "$WORK/image.bin" "$URL/evidence/$EVD/content")
END=$(date +%s.%N)
[[ $CODE == 201 ]] || { tail -5 "$WORK/server.log" >&2; die "upload answered $CODE: $(cat "$WORK/upload.json")"; }
RSS1=$(rss VmRSS)
HWM=$(rss VmHWM)
SECS=$(python3 -c "print(f'{$END - $START:.2f}')")
echo "evidence upload: $MB MiB in $SECS s = $(python3 -c "print(f'{$MB * 1.048576 / ($END - $START):.0f}')") MB/s over HTTP (encrypt=${EVIDENCE_ENCRYPT:-false})"
echo "server RSS: $((RSS0 / 1024)) MB before, $((RSS1 / 1024)) MB after (growth $(((RSS1 - RSS0) / 1024)) MB), peak $((HWM / 1024)) MB"

"$CUSTOS" evidence export "$EVD" --out "$WORK/package.tar" --data-dir "$WORK/data" >/dev/null
rm -f "$WORK/image.bin"
cat "$WORK/package.tar" >/dev/null
START=$(date +%s.%N)
"$CUSTOS" evidence verify "$WORK/package.tar" | sed 's/^/  /'
END=$(date +%s.%N)
echo "evidence verify: $(du -m "$WORK/package.tar" | cut -f1) MB package in $(python3 -c "print(f'{$END - $START:.2f}')") s"
