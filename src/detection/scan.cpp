#include "detection/scan.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <ostream>
#include <string_view>

#include "detection/filter_matcher.hpp"
#include "detection/line_reader.hpp"
#include "util/time.hpp"

namespace custos::detection {
namespace {

// JSON string with invalid UTF-8 replaced by U+FFFD (log lines are not always text).
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // Length and validity of a multi-byte sequence (RFC 3629).
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
               (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))) {
      ok = false;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  out += '"';
}

// "YYYY-MM-DDTHH:MM:SS[.ffffff]" in local time, and the epoch as JSON. Log times repeat the
// same second many times over: the last second's text is kept rather than converted again.
class TimeFormatter {
 public:
  explicit TimeFormatter(LocalTimeZone& zone) : zone_(zone) {}

  void append_local(std::string& out, double epoch) {
    const double whole = std::floor(epoch);
    const auto second = static_cast<std::int64_t>(whole);
    if (!cached_ || second != second_) {
      const CivilTime t = zone_.to_local(second);
      char buf[48];
      const int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.month,
                                  t.day, t.hour, t.minute, t.second);
      local_.assign(buf, static_cast<std::size_t>(n));
      const auto c = std::to_chars(buf, buf + sizeof buf, second);
      epoch_.assign(buf, c.ptr);
      second_ = second;
      cached_ = true;
    }
    out += local_;
    const auto micros = static_cast<long>(std::llround((epoch - whole) * 1e6));
    if (micros > 0 && micros < 1000000) {
      char buf[16];
      std::snprintf(buf, sizeof buf, ".%06ld", micros);
      out += buf;
    }
  }

  void append_epoch(std::string& out, double epoch) {
    if (epoch == std::floor(epoch) && cached_ && static_cast<std::int64_t>(epoch) == second_) {
      out += epoch_;
      return;
    }
    char buf[48];
    if (epoch == std::floor(epoch)) {
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(epoch));
      out += buf;
      return;
    }
    std::snprintf(buf, sizeof buf, "%.6f", epoch);
    std::string_view s = buf;
    while (s.back() == '0') s.remove_suffix(1);
    out += s;
  }

 private:
  LocalTimeZone& zone_;
  bool cached_ = false;
  std::int64_t second_ = 0;
  std::string local_;
  std::string epoch_;
};

void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto c = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, c.ptr);
}

std::string with_thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// Failures per id for the summary: open addressing over one flat table. A log under attack
// repeats a few thousand ids hundreds of thousands of times; with std::unordered_map (a node
// per key, a pointer chase per lookup) this count took a tenth of the whole scan.
class IdCounter {
 public:
  void add(std::string_view id) {
    // At most three quarters full: the table of a few thousand ids stays within the L2 cache.
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::size_t hash = std::hash<std::string_view>{}(id);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.count == 0) {
        slot = Slot{hash, std::string(id), 1};
        ++size_;
        return;
      }
      if (slot.hash == hash && slot.id == id) {
        ++slot.count;
        return;
      }
    }
  }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  // (id, count) of every id, in no particular order.
  [[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> entries() const {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    out.reserve(size_);
    for (const Slot& slot : slots_) {
      if (slot.count > 0) out.emplace_back(slot.id, slot.count);
    }
    return out;
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    std::string id;
    std::uint64_t count = 0;  // 0: free
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<std::size_t>(64, old.size() * 2), Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (Slot& slot : old) {
      if (slot.count == 0) continue;
      std::size_t i = slot.hash & mask;
      while (slots_[i].count != 0) i = (i + 1) & mask;
      slots_[i] = std::move(slot);
    }
  }
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

struct Totals {
  std::uint64_t lines = 0;
  std::uint64_t matched = 0;
  std::uint64_t ignored = 0;
  std::uint64_t missed = 0;
  std::uint64_t dated = 0;
  std::vector<std::uint64_t> regex_hits;
  IdCounter ids;
};

}  // namespace

std::optional<double> parse_reference_time(std::string_view text) {
  if (text.empty()) return std::nullopt;
  // Epoch seconds, possibly with a fraction.
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }) &&
      std::count(text.begin(), text.end(), '.') <= 1 && text.front() != '.' && text.back() != '.') {
    return std::strtod(std::string(text).c_str(), nullptr);
  }
  // RFC 3339 needs the offset: a time without one would silently depend on the zone.
  const bool has_zone =
      text.back() == 'Z' || text.back() == 'z' ||
      (text.size() > 6 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-') &&
       text[text.size() - 3] == ':');
  if (!has_zone) return std::nullopt;
  std::string normalised(text);
  if (normalised.back() == 'z') normalised.back() = 'Z';
  if (normalised.size() > 10 && (normalised[10] == 't' || normalised[10] == ' '))
    normalised[10] = 'T';
  const auto ms = util::parse_rfc3339(normalised);
  if (!ms) return std::nullopt;
  return static_cast<double>(*ms) / 1000.0;
}

int run_scan(const ScanOptions& options, std::ostream& out, std::ostream& err) {
  LocalTimeZone zone;
  ReferenceTime now;
  if (options.now) {
    const auto parsed = parse_reference_time(*options.now);
    if (!parsed) {
      err << "custos: --now: '" << *options.now
          << "' is neither RFC 3339 with an offset (2005-08-14T12:00:00+02:00) nor epoch seconds\n";
      return 2;
    }
    now.epoch = static_cast<std::int64_t>(std::floor(*parsed));
  } else {
    now.epoch = util::now_ms() / 1000;
  }
  now.local = zone.to_local(now.epoch);

  std::shared_ptr<CompiledFilter> filter;
  std::unique_ptr<FilterMatcher> matcher;
  try {
    filter = std::make_shared<CompiledFilter>(load_filter(options.filter, options.filter_options),
                                              CompiledFilter::Options{options.prefilter});
    matcher = std::make_unique<FilterMatcher>(filter, now, FilterMatcher::Options{true});
  } catch (const FilterError& e) {
    err << "custos: --filter: " << e.what() << "\n";
    return 2;
  } catch (const std::invalid_argument& e) {
    err << "custos: --filter: " << options.filter.string() << ": [Definition] " << e.what() << "\n";
    return 2;
  }

  const bool ndjson = options.format == ScanOptions::Format::kNdjson;
  const bool several = options.logs.size() > 1;
  Totals totals;
  totals.regex_hits.assign(filter->failregexes().size(), 0);
  int status = 0;
  std::string pending;  // NDJSON output, flushed in blocks
  TimeFormatter time_text(zone);
  LineResult result;
  const auto started = std::chrono::steady_clock::now();
  const std::clock_t cpu_started = std::clock();
  std::size_t split = 0;
  for (const auto& log : options.logs) {
    try {
      LineReader reader(log);
      std::string_view line;
      std::uint64_t number = 0;
      while (reader.next(line)) {
        ++number;
        matcher->process(line, result);
        for (std::size_t index : result.matched) ++totals.regex_hits[index];
        if (result.time) ++totals.dated;
        if (!result.failures.empty()) {
          ++totals.matched;
          const Failure& f = result.failures.front();
          if (ndjson) {
            pending += "{\"line\":";
            append_number(pending, number);
            if (several) {
              pending += ",\"file\":";
              append_json_string(pending, log.string());
            }
            pending += ",\"time\":";
            if (f.time) {
              pending += '"';
              time_text.append_local(pending, *f.time);
              pending += "\",\"epoch\":";
              time_text.append_epoch(pending, *f.time);
            } else {
              pending += "null,\"epoch\":null";
            }
            pending += ",\"host\":";
            append_json_string(pending, f.id);
            pending += ",\"fields\":{";
            bool first = true;
            for (const auto& [name, value] : f.fields) {
              if (!first) pending += ',';
              first = false;
              append_json_string(pending, name);
              pending += ':';
              append_json_string(pending, value);
            }
            if (f.users.size() > 1) {
              if (!first) pending += ',';
              pending += "\"users\":[";
              for (std::size_t u = 0; u < f.users.size(); ++u) {
                if (u > 0) pending += ',';
                append_json_string(pending, f.users[u]);
              }
              pending += ']';
            }
            pending += "}}\n";
            if (pending.size() > (1 << 16)) {
              out.write(pending.data(), static_cast<std::streamsize>(pending.size()));
              pending.clear();
            }
          } else {
            totals.ids.add(f.id);
          }
        } else if (result.kind == LineResult::Kind::kIgnored) {
          ++totals.ignored;
        } else {
          ++totals.missed;
        }
      }
      totals.lines += number;
      split += reader.split_lines();
    } catch (const std::runtime_error& e) {
      err << "custos: " << e.what() << "\n";
      status = 1;
    }
  }
  out.write(pending.data(), static_cast<std::streamsize>(pending.size()));
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double cpu = static_cast<double>(std::clock() - cpu_started) / CLOCKS_PER_SEC;
  if (ndjson) {
    out.flush();
    return status;
  }

  out << "Filter:  " << filter->definition().file.string();
  for (const auto& [k, v] : options.filter_options) out << " [" << k << "=" << v << "]";
  out << "\n";
  out << "Lines:   " << with_thousands(totals.lines) << " lines, " << with_thousands(totals.matched)
      << " matched, " << with_thousands(totals.ignored) << " ignored, "
      << with_thousands(totals.missed) << " missed";
  if (totals.lines > totals.dated) {
    out << " (" << with_thousands(totals.lines - totals.dated) << " without a date)";
  }
  out << "\n\nFailregex hits:\n";
  const auto& regexes = filter->failregexes();
  for (std::size_t i = 0; i < regexes.size(); ++i) {
    out << "  " << (i + 1) << ") [" << with_thousands(totals.regex_hits[i]) << "] "
        << regexes[i].source << "\n";
  }
  if (!totals.ids.empty()) {
    std::vector<std::pair<std::string, std::uint64_t>> top = totals.ids.entries();
    std::sort(top.begin(), top.end(), [](const auto& a, const auto& b) {
      return a.second > b.second || (a.second == b.second && a.first < b.first);
    });
    if (top.size() > 10) top.resize(10);
    out << "\nMost failures (of " << with_thousands(totals.ids.size()) << " ids):\n";
    for (const auto& [id, count] : top) out << "  " << with_thousands(count) << "  " << id << "\n";
  }
  if (matcher->limit_hits() > 0) {
    out << "\nRegex match limit reached on " << with_thousands(matcher->limit_hits())
        << " attempts (treated as no match)\n";
  }
  if (split > 0) {
    out << "\n" << with_thousands(split) << " over-long line(s) were cut into pieces\n";
  }
  // Wall time is what a person waits; CPU time is what the work costs when the machine is busy.
  auto per_second = [&](double seconds) {
    return with_thousands(
        seconds > 0 ? static_cast<std::uint64_t>(static_cast<double>(totals.lines) / seconds) : 0);
  };
  char times[96];
  std::snprintf(times, sizeof times, "%.3f s wall, %.3f s CPU", elapsed, cpu);
  out << "\nElapsed: " << times << "; " << per_second(elapsed) << " lines/s (wall), "
      << per_second(cpu) << " lines/s (CPU)\n";
  return status;
}

}  // namespace custos::detection
