#include "app/metrics.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace custos::app {

void Metrics::record_request(std::string_view method, int status, double duration_ms) {
  std::size_t m = kMethods.size() - 1;
  for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
    if (kMethods[i] == method) m = i;
  }
  const int cls = std::clamp(status / 100, 1, 5) - 1;
  requests_[m][static_cast<std::size_t>(cls)].fetch_add(1, std::memory_order_relaxed);
  std::size_t b = 0;
  while (b < kBuckets.size() && duration_ms > kBuckets[b]) ++b;
  duration_buckets_[b].fetch_add(1, std::memory_order_relaxed);
  duration_sum_us_.fetch_add(static_cast<std::uint64_t>(duration_ms * 1000),
                             std::memory_order_relaxed);
  duration_count_.fetch_add(1, std::memory_order_relaxed);
}

void append_metric(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}

std::uint64_t resident_memory_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<std::uint64_t>(resident) * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string Metrics::render() const {
  std::string out;
  out += "# HELP custos_http_requests_total HTTP requests answered, by method and status class.\n";
  out += "# TYPE custos_http_requests_total counter\n";
  for (std::size_t m = 0; m < kMethods.size(); ++m) {
    for (std::size_t c = 0; c < kClasses.size(); ++c) {
      out += fmt::format("custos_http_requests_total{{method=\"{}\",status=\"{}xx\"}} {}\n",
                         kMethods[m], kClasses[c], requests_[m][c].load(std::memory_order_relaxed));
    }
  }
  out +=
      "# HELP custos_http_request_duration_seconds Time from request header to response written.\n";
  out += "# TYPE custos_http_request_duration_seconds histogram\n";
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < kBuckets.size(); ++b) {
    cumulative += duration_buckets_[b].load(std::memory_order_relaxed);
    out += fmt::format("custos_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       kBuckets[b] / 1000.0, cumulative);
  }
  cumulative += duration_buckets_[kBuckets.size()].load(std::memory_order_relaxed);
  out += fmt::format("custos_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
  out += fmt::format("custos_http_request_duration_seconds_sum {}\n",
                     static_cast<double>(duration_sum_us_.load()) / 1e6);
  out += fmt::format("custos_http_request_duration_seconds_count {}\n", duration_count_.load());
  append_metric(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                static_cast<double>(resident_memory_bytes()));
  for (const auto& collect : collectors_) collect(out);
  return out;
}

}  // namespace custos::app
