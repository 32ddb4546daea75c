#pragma once
// A log source fed over HTTP: a log shipper (Vector, Fluent Bit, rsyslog's omhttp) POSTs
// NDJSON to /api/v1/ingest/{source}, one JSON object per line:
//
//   {"message": "Failed password for root from 203.0.113.7 port 22 ssh2",
//    "time": "2026-11-23T04:00:01Z", "host": "gate", "app": "sshd", "pid": 812}
//
// `message` is required; `time` (RFC 3339, or epoch seconds as a number) is passed on so the
// filter does not look for a date (leave it out when the message carries its own date, as a
// line of auth.log does); `host`, `app` and `pid` rebuild the syslog prefix a filter expects
// ("gate sshd[812]: …"), as for RFC 5424. Other members are ignored.
//
// Each line stands on its own: a bad one is rejected with its line number and the reason,
// and the good lines of the same body still count (a shipper retrying the whole body would
// count them twice). Lines of a source are matched one body at a time, in order, by the one
// pipeline of the source (its multi-line state spans bodies); parsing happens before, so
// several bodies are parsed in parallel.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detection/engine/detector.hpp"
#include "detection/jails/jail_config.hpp"

namespace custos::detection {

struct IngestLine {
  std::string text;  // what the filter sees
  std::optional<double> time;
};

// Reads one NDJSON line into `out`. Returns the reason it is rejected, or nullopt.
// `max_message_bytes` bounds `message` (the source's max_line_bytes).
[[nodiscard]] std::optional<std::string> parse_ingest_line(std::string_view line,
                                                           std::size_t max_message_bytes,
                                                           IngestLine& out);

struct IngestResult {
  std::size_t accepted = 0;
  std::size_t rejected = 0;
  struct Rejection {
    std::size_t line = 0;  // from 1, counting every line of the body
    std::string problem;
  };
  std::vector<Rejection> rejections;  // the first kMaxRejections
  static constexpr std::size_t kMaxRejections = 10;
};

class HttpIngestSource {
 public:
  HttpIngestSource(SourceConfig config, std::unique_ptr<Detector::Pipeline> pipeline);

  // Thread-safe: any number of request handlers may call it at once.
  IngestResult ingest(std::string_view body);

  [[nodiscard]] const SourceConfig& config() const { return config_; }

  struct Stats {
    std::atomic<std::uint64_t> messages{0};   // lines accepted
    std::atomic<std::uint64_t> oversized{0};  // rejected: message over max_line_bytes
    std::atomic<std::uint64_t> rejected{0};   // rejected otherwise (JSON, UTF-8, fields)
    std::atomic<std::uint64_t> bodies{0};
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  const SourceConfig config_;
  std::mutex mutex_;  // a pipeline is not thread-safe
  std::unique_ptr<Detector::Pipeline> pipeline_;
  Stats stats_;
};

}  // namespace custos::detection
