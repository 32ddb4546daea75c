// The per-line work of `custos scan` (issue 6: >= 2,000,000 lines/s on one core), in pieces:
//  - BM_FilterMatcherProcess: FilterMatcher::process, the whole path of one line (date,
//    prefregex, failregexes, the multi-line failure-id cache) — what the CLI runs per line;
//  - BM_DateDetectorMatch: finding and converting the date alone;
//  - BM_LineReader: reading and splitting the file alone.
// Lines come from the generated sshd log bench/scan.sh writes (CUSTOS_BENCH_SCAN_LOG, default
// build/bench/data/sshd-1000000.log); the filter is Debian's sshd (CUSTOS_FAIL2BAN_FILTERS).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "detection/filter_matcher.hpp"
#include "detection/line_reader.hpp"

using namespace custos::detection;

namespace {

std::filesystem::path log_path() {
  const char* path = std::getenv("CUSTOS_BENCH_SCAN_LOG");
  return path != nullptr ? path : "build/bench/data/sshd-1000000.log";
}

std::filesystem::path sshd_filter() {
  const char* dir = std::getenv("CUSTOS_FAIL2BAN_FILTERS");
  return std::filesystem::path(dir != nullptr ? dir : "/etc/fail2ban/filter.d") / "sshd.conf";
}

// The first 200,000 lines of the log, kept in memory so the loop measures matching only.
const std::vector<std::string>& lines() {
  static const std::vector<std::string> all = [] {
    std::vector<std::string> out;
    std::ifstream in(log_path());
    std::string line;
    while (out.size() < 200'000 && std::getline(in, line)) out.push_back(line);
    return out;
  }();
  return all;
}

ReferenceTime reference() {
  LocalTimeZone zone;
  ReferenceTime now;
  now.epoch = 1767139200;  // 2025-12-31T00:00:00Z, as bench/scan.sh
  now.local = zone.to_local(now.epoch);
  return now;
}

void BM_FilterMatcherProcess(benchmark::State& state) {
  if (lines().empty()) {
    state.SkipWithError("no log: run bench/scan.sh first or set CUSTOS_BENCH_SCAN_LOG");
    return;
  }
  auto filter = std::make_shared<CompiledFilter>(load_filter(sshd_filter(), {}));
  FilterMatcher matcher(filter, reference(), FilterMatcher::Options{true});
  LineResult result;
  std::size_t i = 0;
  std::int64_t failures = 0;
  for (auto _ : state) {
    matcher.process(lines()[i], result);
    failures += static_cast<std::int64_t>(result.failures.size());
    if (++i == lines().size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["failures"] = static_cast<double>(failures);
}
BENCHMARK(BM_FilterMatcherProcess);

void BM_DateDetectorMatch(benchmark::State& state) {
  if (lines().empty()) {
    state.SkipWithError("no log: run bench/scan.sh first or set CUSTOS_BENCH_SCAN_LOG");
    return;
  }
  LocalTimeZone zone;
  DateDetector dates("{^LN-BEG}", reference());  // common.conf's datepattern for log files
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(dates.match(lines()[i], zone));
    if (++i == lines().size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DateDetectorMatch);

void BM_LineReader(benchmark::State& state) {
  if (!std::filesystem::exists(log_path())) {
    state.SkipWithError("no log: run bench/scan.sh first or set CUSTOS_BENCH_SCAN_LOG");
    return;
  }
  std::int64_t total = 0;
  for (auto _ : state) {
    LineReader reader(log_path());
    std::string_view line;
    while (reader.next(line)) ++total;
  }
  state.SetItemsProcessed(total);
}
BENCHMARK(BM_LineReader)->Unit(benchmark::kMillisecond);

}  // namespace
BENCHMARK_MAIN();
