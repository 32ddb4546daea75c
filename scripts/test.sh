#!/usr/bin/env bash
# Runs the tests; `make test` calls it after building.
#
#   scripts/test.sh              # everything: unit tests, then integration on SQLite and PostgreSQL
#   scripts/test.sh unit         # C++ unit tests only (ctest)
#   scripts/test.sh integration  # the HTTP integration suite on SQLite, then on PostgreSQL
#   scripts/test.sh browser      # the web application: Vitest unit tests, then Playwright in Chromium
#
# Environment: CUSTOS_BUILD (build dir, default build/release), CUSTOS_BIN (server binary, default
# $CUSTOS_BUILD/custos), CUSTOS_TEST_FILES (integration files to run, default all),
# CUSTOS_TEST_CONCURRENCY (test files at once, default 2), CUSTOS_BROWSER_FILES (browser test
# files to run, default web/e2e/*.e2e.mjs).
#
# Exits non-zero when anything failed; the last line is always "N passed, N failed".
set -uo pipefail

cd "$(dirname "$0")/.."
readonly ROOT=$PWD
readonly BUILD=${CUSTOS_BUILD:-build/release}
CUSTOS_BIN=$(realpath -m "${CUSTOS_BIN:-$BUILD/custos}")
export CUSTOS_BIN
readonly WHAT=${1:-all}
readonly CONCURRENCY=${CUSTOS_TEST_CONCURRENCY:-2}
export CI=${CI:-true}

case $WHAT in
  all | unit | integration | browser) ;;
  *)
    echo "usage: $0 [all|unit|integration|browser]" >&2
    exit 2
    ;;
esac

PASSED=0
FAILED=0
declare -a PROBLEMS=()
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/custos-test-logs.XXXXXX")
PG_DIR=""
STARTED=$SECONDS

cleanup() {
  if [[ -n $PG_DIR ]]; then
    bash tests/harness/postgres.sh stop "$PG_DIR" >/dev/null 2>&1 || echo "test.sh: could not stop PostgreSQL in $PG_DIR" >&2
  fi
  rm -rf "$LOGS"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

section() { printf '\n==== %s ====\n' "$*"; }

# A step that could not run at all counts as one failure.
broken() {
  FAILED=$((FAILED + 1))
  PROBLEMS+=("$1")
  echo "test.sh: $1" >&2
}

run_ctest() {
  section "C++ unit tests (ctest, $BUILD)"
  if [[ ! -f $BUILD/CTestTestfile.cmake ]]; then
    broken "no ctest files in $BUILD (build first: make build)"
    return
  fi
  local log=$LOGS/ctest.log
  ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)" 2>&1 | tee "$log"
  # "100% tests passed, 0 tests failed out of 42"
  local line
  line=$(grep -E '[0-9]+ tests failed out of [0-9]+' "$log" | tail -n 1)
  if [[ -z $line ]]; then
    broken "ctest printed no summary"
    return
  fi
  local failed total
  failed=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")
  total=$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/' <<<"$line")
  PASSED=$((PASSED + total - failed))
  FAILED=$((FAILED + failed))
  ((failed == 0)) || PROBLEMS+=("unit tests: $failed failed")
}

run_gtest_postgres() {
  section "C++ PostgreSQL unit tests (custos_unit_tests --gtest_filter='Postgres*')"
  local bin=$BUILD/custos_unit_tests log=$LOGS/gtest-postgres.log
  if [[ ! -x $bin ]]; then
    broken "$bin not found"
    return
  fi
  "$bin" --gtest_filter='Postgres*' --gtest_color=no 2>&1 | tee "$log"
  local passed failed
  passed=$(grep -E '^\[  PASSED  \] [0-9]+ test' "$log" | sed -E 's/[^0-9]*([0-9]+).*/\1/' | tail -n 1)
  failed=$(grep -E '^\[  FAILED  \] [0-9]+ test' "$log" | sed -E 's/[^0-9]*([0-9]+).*/\1/' | tail -n 1)
  if [[ -z $passed && -z $failed ]]; then
    broken "custos_unit_tests (PostgreSQL) printed no summary"
    return
  fi
  PASSED=$((PASSED + ${passed:-0}))
  FAILED=$((FAILED + ${failed:-0}))
  ((${failed:-0} == 0)) || PROBLEMS+=("PostgreSQL unit tests: $failed failed")
}

# Runs the Node integration suite against the database chosen by CUSTOS_TEST_POSTGRES_URL.
run_node() {
  local label=$1
  section "integration tests on $label (node --test, $CUSTOS_BIN)"
  if [[ ! -x $CUSTOS_BIN ]]; then
    broken "integration ($label): no server binary at $CUSTOS_BIN"
    return
  fi
  if [[ ! -d tests/node_modules ]]; then
    broken "integration ($label): tests/node_modules missing (run scripts/install-deps.sh)"
    return
  fi
  local files=()
  if [[ -n ${CUSTOS_TEST_FILES:-} ]]; then
    read -r -a files <<<"$CUSTOS_TEST_FILES"
  else
    files=(tests/integration/*.test.mjs)
  fi
  local tap=$LOGS/node-$label.tap
  # Readable progress on the console, TAP in a file for the counts.
  node --test --test-concurrency="$CONCURRENCY" --test-timeout=300000 \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" \
    "${files[@]}"
  local rc=$?
  # The run's own summary comes last and is not indented.
  local pass fail cancelled
  pass=$(grep -E '^# pass [0-9]+$' "$tap" | tail -n 1 | awk '{print $3}')
  fail=$(grep -E '^# fail [0-9]+$' "$tap" | tail -n 1 | awk '{print $3}')
  cancelled=$(grep -E '^# cancelled [0-9]+$' "$tap" | tail -n 1 | awk '{print $3}')
  if [[ -z $pass || -z $fail ]]; then
    broken "integration ($label): node printed no summary (exit $rc)"
    return
  fi
  fail=$((fail + ${cancelled:-0}))
  PASSED=$((PASSED + pass))
  FAILED=$((FAILED + fail))
  if ((fail > 0)); then
    PROBLEMS+=("integration on $label: $fail failed")
    # Names of the failed tests, for the summary at the end.
    grep -E '^\s*not ok ' "$tap" | sed -E "s/^\s*not ok [0-9]+ - /  [$label] /" >>"$LOGS/failed-tests"
  elif ((rc != 0)); then
    broken "integration ($label): node exited $rc with no failed test"
  fi
}

# The web application: Vitest for its logic, then Playwright (playwright-core driving Debian's
# Chromium) against the real server on a fresh SQLite database. Screenshots go to
# tests/artifacts/web/.
run_browser() {
  section "web application: unit tests (vitest)"
  if [[ ! -d web/node_modules ]]; then
    broken "browser: web/node_modules missing (run scripts/install-deps.sh)"
    return
  fi
  local report=$LOGS/vitest.json
  (cd web && node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile="$report")
  local rc=$?
  if [[ ! -s $report ]]; then
    broken "browser: vitest wrote no report (exit $rc)"
  else
    local counts pass fail
    # Failed tests, plus each test file that failed without a failed test (it did not load).
    counts=$(node -e '
      const r = require(process.argv[1]);
      const broken = r.testResults.filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
      console.log(r.numPassedTests, r.numFailedTests + broken);' "$report")
    read -r pass fail <<<"$counts"
    PASSED=$((PASSED + pass))
    FAILED=$((FAILED + fail))
    ((fail == 0)) || PROBLEMS+=("vitest: $fail failed")
  fi

  section "web application: browser tests (playwright-core, chromium, $CUSTOS_BIN)"
  if [[ ! -x $CUSTOS_BIN ]]; then
    broken "browser: no server binary at $CUSTOS_BIN"
    return
  fi
  if [[ ! -x ${CUSTOS_CHROMIUM:-/usr/bin/chromium} ]]; then
    broken "browser: no chromium at ${CUSTOS_CHROMIUM:-/usr/bin/chromium} (run scripts/install-deps.sh)"
    return
  fi
  local files=()
  if [[ -n ${CUSTOS_BROWSER_FILES:-} ]]; then
    read -r -a files <<<"$CUSTOS_BROWSER_FILES"
  else
    files=(web/e2e/*.e2e.mjs)
  fi
  local tap=$LOGS/browser.tap
  (
    unset CUSTOS_TEST_POSTGRES_URL
    node --test --test-concurrency=1 --test-timeout=300000 \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$tap" \
      "${files[@]}"
  )
  rc=$?
  local passed failed cancelled
  passed=$(grep -E '^# pass [0-9]+$' "$tap" | tail -n 1 | awk '{print $3}')
  failed=$(grep -E '^# fail [0-9]+$' "$tap" | tail -n 1 | awk '{print $3}')
  cancelled=$(grep -E '^# cancelled [0-9]+$' "$tap" | tail -n 1 | awk '{print $3}')
  if [[ -z $passed || -z $failed ]]; then
    broken "browser: node printed no summary (exit $rc)"
    return
  fi
  failed=$((failed + ${cancelled:-0}))
  PASSED=$((PASSED + passed))
  FAILED=$((FAILED + failed))
  if ((failed > 0)); then
    PROBLEMS+=("browser tests: $failed failed (screenshots in tests/artifacts/web/)")
    grep -E '^\s*not ok ' "$tap" | sed -E "s/^\s*not ok [0-9]+ - /  [browser] /" >>"$LOGS/failed-tests"
  elif ((rc != 0)); then
    broken "browser: node exited $rc with no failed test"
  fi
}

start_postgres() {
  section "starting a throwaway PostgreSQL"
  PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/custos-pg.XXXXXX")
  local url
  if ! url=$(bash tests/harness/postgres.sh start "$PG_DIR" 2>"$LOGS/postgres-start.log"); then
    cat "$LOGS/postgres-start.log" >&2
    broken "could not start PostgreSQL (tests/harness/postgres.sh)"
    return 1
  fi
  export CUSTOS_TEST_POSTGRES_URL=$url
  echo "PostgreSQL at $url"
}

if [[ $WHAT == all || $WHAT == unit ]]; then
  run_ctest
fi

if [[ $WHAT == all || $WHAT == integration ]]; then
  unset CUSTOS_TEST_POSTGRES_URL
  run_node sqlite
fi

if [[ $WHAT == all || $WHAT == integration ]]; then
  if start_postgres; then
    [[ $WHAT == all ]] && run_gtest_postgres
    run_node postgresql
  fi
fi

if [[ $WHAT == all || $WHAT == browser ]]; then
  run_browser
fi

section "summary ($((SECONDS - STARTED)) s)"
for p in "${PROBLEMS[@]}"; do echo "  $p"; done
[[ -f $LOGS/failed-tests ]] && cat "$LOGS/failed-tests"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
