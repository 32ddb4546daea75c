#!/usr/bin/env bash
# custos scan vs fail2ban-regex on the same machine, in the same run (issue 6's speed goal):
#
#   bash bench/scan.sh            # or as the "scan" section of bench/run.sh
#
# Both run pinned to one core (taskset). custos scans the whole generated sshd log
# (bench/gen_sshd_log.py, 1,000,000 lines by default); fail2ban-regex is slow, so it reads the
# first SCAN_F2B_LINES lines and its rate is extrapolated (lines/s does not depend on the length).
# Both also read that slice with the same filter and must agree on the number of matched lines.
# Figures: wall-clock lines/s and CPU lines/s (CPU time is what the work costs when other work
# shares the machine; wall time is what a person waits). Goal: >= 2,000,000 lines/s and >= 60x.
#
# Environment (defaults in brackets):
#   CUSTOS_BENCH_BUILD [build/bench]   build directory (configured Release here if missing)
#   BENCH_NO_BUILD [0]                 1: use the binary already there
#   SCAN_FILTER [/etc/fail2ban/filter.d/sshd.conf]   SCAN_LINES [1000000]
#   SCAN_F2B_LINES [50000]             lines fail2ban-regex reads
#   SCAN_CPU [1]                       the core both run on     SCAN_RUNS [3] custos runs (best)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BUILD=${CUSTOS_BENCH_BUILD:-build/bench}
FILTER=${SCAN_FILTER:-/etc/fail2ban/filter.d/sshd.conf}
LINES=${SCAN_LINES:-1000000}
SLICE_LINES=${SCAN_F2B_LINES:-50000}
CPU=${SCAN_CPU:-1}
RUNS=${SCAN_RUNS:-3}
CUSTOS=$BUILD/custos
DATA=$BUILD/data
NOW=2025-12-31T00:00:00Z

die() { echo "bench/scan: $*" >&2; exit 1; }
[[ -f $FILTER ]] || die "no filter at $FILTER (install fail2ban: scripts/install-deps.sh)"
command -v fail2ban-regex >/dev/null || die "fail2ban-regex not found (install fail2ban)"
command -v taskset >/dev/null || die "taskset not found (util-linux)"

if [[ ${BENCH_NO_BUILD:-0} != 1 ]]; then
  [[ -f $BUILD/build.ninja ]] || cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$BUILD" --target custos -j "${JOBS:-2}" >/dev/null
fi
[[ -x $CUSTOS ]] || die "no custos binary at $CUSTOS"

mkdir -p "$DATA"
LOG=$DATA/sshd-$LINES.log
if [[ ! -s $LOG ]]; then
  echo "generating $LOG ($LINES lines)"
  python3 bench/gen_sshd_log.py "$LINES" 1 >"$LOG.tmp" && mv "$LOG.tmp" "$LOG"
fi
SLICE=$DATA/sshd-$SLICE_LINES-slice.log
head -n "$SLICE_LINES" "$LOG" >"$SLICE"
cat "$LOG" >/dev/null  # into the page cache, so the first run does not pay for the disk

# field N of custos scan's "Elapsed:" line: wall/CPU lines/s
scan_rates() {  # scan_rates FILE -> "WALL_RATE CPU_RATE MATCHED"
  local out
  out=$(TZ=UTC taskset -c "$CPU" "$CUSTOS" scan --filter "$FILTER" --now "$NOW" "$1")
  local wall cpu matched
  wall=$(sed -nE 's/^Elapsed: .*; ([0-9,]+) lines\/s \(wall\).*/\1/p' <<<"$out" | tr -d ,)
  cpu=$(sed -nE 's/^Elapsed: .*, ([0-9,]+) lines\/s \(CPU\).*/\1/p' <<<"$out" | tr -d ,)
  matched=$(sed -nE 's/^Lines: +[0-9,]+ lines, ([0-9,]+) matched.*/\1/p' <<<"$out" | tr -d ,)
  echo "$wall $cpu $matched"
}

best_wall=0
best_cpu=0
for ((i = 1; i <= RUNS; i++)); do
  read -r wall cpu matched <<<"$(scan_rates "$LOG")"
  echo "custos scan run $i: $wall lines/s (wall), $cpu lines/s (CPU), $matched matched of $LINES"
  ((wall > best_wall)) && best_wall=$wall
  ((cpu > best_cpu)) && best_cpu=$cpu
done

read -r _ _ custos_slice_matched <<<"$(scan_rates "$SLICE")"

# fail2ban-regex on the slice: wall and CPU seconds from bash's time.
F2B_OUT=$DATA/fail2ban-regex.out
TIMEFORMAT='%R %U %S'
f2b_times=$( { time TZ=UTC taskset -c "$CPU" fail2ban-regex "$SLICE" "$FILTER" >"$F2B_OUT" 2>&1; } 2>&1 )
read -r f2b_real f2b_user f2b_sys <<<"$f2b_times"
f2b_matched=$(sed -nE 's/^Lines: +[0-9]+ lines, [0-9]+ ignored, ([0-9]+) matched.*/\1/p' "$F2B_OUT")
f2b_wall_rate=$(awk -v n="$SLICE_LINES" -v t="$f2b_real" 'BEGIN { printf "%d", n / t }')
f2b_cpu_rate=$(awk -v n="$SLICE_LINES" -v u="$f2b_user" -v s="$f2b_sys" 'BEGIN { printf "%d", n / (u + s) }')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print "-" }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g) ? "met" : "MISSED" }'; }

echo
echo "fail2ban-regex on the first $SLICE_LINES lines: ${f2b_real} s wall, $(awk -v u="$f2b_user" -v s="$f2b_sys" 'BEGIN { print u + s }') s CPU"
echo "matched lines on that slice: custos $custos_slice_matched, fail2ban-regex ${f2b_matched:-?}" \
  "$( [[ $custos_slice_matched == "${f2b_matched:-x}" ]] && echo "(agree)" || echo "(DIFFER)")"
echo
printf '  %-44s %16s  %-14s %s\n' "measure" "value" "goal" "verdict"
printf '  %-44s %16s  %-14s %s\n' "custos scan, $LINES sshd lines, 1 core (wall)" "$best_wall lines/s" ">= 2,000,000" "$(verdict "$best_wall" 2000000)"
printf '  %-44s %16s  %-14s %s\n' "custos scan, same (CPU time)" "$best_cpu lines/s" ">= 2,000,000" "$(verdict "$best_cpu" 2000000)"
printf '  %-44s %16s  %-14s %s\n' "fail2ban-regex, $SLICE_LINES lines (wall)" "$f2b_wall_rate lines/s" "(~33,000)" ""
printf '  %-44s %16s  %-14s %s\n' "fail2ban-regex, same (CPU time)" "$f2b_cpu_rate lines/s" "" ""
printf '  %-44s %16s  %-14s %s\n' "ratio custos / fail2ban-regex (wall)" "$(ratio "$best_wall" "$f2b_wall_rate")x" ">= 60x" "$(verdict "$(ratio "$best_wall" "$f2b_wall_rate")" 60)"
printf '  %-44s %16s  %-14s %s\n' "ratio custos / fail2ban-regex (CPU)" "$(ratio "$best_cpu" "$f2b_cpu_rate")x" ">= 60x" "$(verdict "$(ratio "$best_cpu" "$f2b_cpu_rate")" 60)"
[[ $custos_slice_matched == "${f2b_matched:-x}" ]] || exit 1
