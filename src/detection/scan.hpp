#pragma once
// `custos scan`: runs a fail2ban filter over log files, as fail2ban-regex does, and reports
// either every failing line (NDJSON) or a summary (text).
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "detection/filter_file.hpp"

namespace custos::detection {

struct ScanOptions {
  std::filesystem::path filter;
  FilterOptions filter_options;
  std::optional<std::string> now;  // RFC 3339 or epoch seconds; default: the clock
  enum class Format { kText, kNdjson } format = Format::kText;
  std::vector<std::filesystem::path> logs;  // "-" is standard input
  bool prefilter = true;                    // Hyperscan screening of failregexes
};

// Epoch seconds from "--now": RFC 3339 ("2005-08-14T12:00:00+02:00", "…Z") or epoch seconds
// ("1124013600", "1124013600.5"). nullopt when it is neither.
[[nodiscard]] std::optional<double> parse_reference_time(std::string_view text);

// Runs the scan; results to `out`, problems to `err`. Returns the exit status: 0 done, 1 a log
// could not be read, 2 the filter or an option is invalid.
int run_scan(const ScanOptions& options, std::ostream& out, std::ostream& err);

}  // namespace custos::detection
