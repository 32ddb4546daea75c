#pragma once
// Prometheus metrics kept in atomics: recording a request costs a few relaxed
// increments, and /metrics renders the text format on demand.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace custos::app {

class Metrics {
 public:
  void record_request(std::string_view method, int status, double duration_ms);

  // Extra lines computed at scrape time (database counters, audit head, ...).
  using Collector = std::function<void(std::string& out)>;
  void add_collector(Collector c) { collectors_.push_back(std::move(c)); }

  [[nodiscard]] std::string render() const;

 private:
  static constexpr std::array<std::string_view, 6> kMethods = {"GET", "POST",   "PATCH",
                                                               "PUT", "DELETE", "OTHER"};
  static constexpr std::array<int, 5> kClasses = {1, 2, 3, 4, 5};
  static constexpr std::array<double, 12> kBuckets = {0.5, 1,   2.5, 5,   10,   25,
                                                      50,  100, 250, 500, 1000, 5000};

  std::array<std::array<std::atomic<std::uint64_t>, 5>, 6> requests_{};
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> duration_buckets_{};
  std::atomic<std::uint64_t> duration_sum_us_{0};
  std::atomic<std::uint64_t> duration_count_{0};
  std::vector<Collector> collectors_;
};

// Appends "name value\n" with HELP and TYPE lines.
void append_metric(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help, double value);

// Resident set size of this process in bytes (from /proc/self/statm).
std::uint64_t resident_memory_bytes();

}  // namespace custos::app
