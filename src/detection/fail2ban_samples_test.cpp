// Correctness against fail2ban's own annotated sample logs (Debian's fail2ban package ships them
// beside its Python module): every "# failJSON: {...}" comment states whether the next line must
// match and with which host, time and fields; "# filterOptions:" switches the filter's options
// for the lines that follow; times are local in TZ CET-01CEST-02,M3.5.0,M10.5.0 and year-less
// dates are read against 2005-08-14 12:00:00 local. The rules of the file format are those of
// fail2ban's samplestestcase.py.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "detection/filter_matcher.hpp"

namespace custos::detection {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kTestZone = "CET-01CEST-02,M3.5.0,M10.5.0";

fs::path env_or(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? fs::path(v) : fs::path(fallback);
}
fs::path samples_dir() {
  return env_or("CUSTOS_FAIL2BAN_SAMPLES",
                "/usr/lib/python3/dist-packages/fail2ban/tests/files/logs");
}
fs::path filters_dir() { return env_or("CUSTOS_FAIL2BAN_FILTERS", "/etc/fail2ban/filter.d"); }

// Sets TZ for the test and restores it afterwards.
class ScopedZone {
 public:
  explicit ScopedZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) saved_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedZone() {
    if (saved_) {
      setenv("TZ", saved_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }

 private:
  std::optional<std::string> saved_;
};

std::int64_t local_epoch(int y, int mo, int d, int h, int mi, int s) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  return static_cast<std::int64_t>(mktime(&tm));
}

// "2005-08-14T12:00:00[.ffffff]" in local time → epoch seconds.
std::optional<double> parse_expected_time(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail[32] = {0};
  const int n = std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d%31s", &y, &mo, &d, &h, &mi, &s, tail);
  if (n < 6) return std::nullopt;
  double fraction = 0;
  if (n == 7 && tail[0] == '.') fraction = std::strtod(tail, nullptr);
  return static_cast<double>(local_epoch(y, mo, d, h, mi, s)) + fraction;
}

bool same_host(const std::string& a, const std::string& b) {
  if (a == b) return true;
  in6_addr x{}, y{};
  if (inet_pton(AF_INET6, a.c_str(), &x) == 1 && inet_pton(AF_INET6, b.c_str(), &y) == 1) {
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return false;
}

using Options = std::map<std::string, std::string>;

// The small Python expressions the sample files use as conditions.
std::optional<bool> evaluate(const std::string& expression, const std::string& name,
                             const Options& opts) {
  static const std::regex form(R"(^\s*(name|opts\.get\('([^']+)'\))\s*(==|!=)\s*'([^']*)'\s*$)");
  std::smatch m;
  if (!std::regex_match(expression, m, form)) return std::nullopt;
  std::string left;
  if (m[1] == "name") {
    left = name;
  } else if (auto it = opts.find(m[2]); it != opts.end()) {
    left = it->second;
  } else {
    left = "\x01None";
  }
  const bool equal = left == m[4].str();
  return m[3] == "==" ? equal : !equal;
}

struct SampleOutcome {
  int lines = 0;  // annotated lines checked (per option set)
  int mismatches = 0;
  std::vector<std::string> messages;  // the first few mismatches
  std::string error;                  // the filter could not be loaded or the file read
  void fail(const std::string& message) {
    ++mismatches;
    if (messages.size() < 8) messages.push_back(message);
  }
};

struct FilterUnderTest {
  std::shared_ptr<CompiledFilter> compiled;
  std::unique_ptr<FilterMatcher> matcher;
  Options opts;
};

class SampleRunner {
 public:
  SampleRunner(std::string name, fs::path filter)
      : name_(std::move(name)), filter_(std::move(filter)) {}

  SampleOutcome run() {
    SampleOutcome outcome;
    try {
      std::vector<std::string> files{name_};
      for (std::size_t i = 0; i < files.size(); ++i) run_file(files[i], files, outcome);
    } catch (const std::exception& e) {
      outcome.error = e.what();
    }
    return outcome;
  }

 private:
  FilterUnderTest& filter_for(const std::string& key, const Options& opts) {
    auto it = filters_.find(key);
    if (it != filters_.end()) return it->second;
    FilterOptions options;
    for (const auto& [k, v] : opts) {
      if (k.rfind("test.", 0) != 0) options.emplace_back(k, v);
    }
    FilterUnderTest f;
    f.compiled = std::make_shared<CompiledFilter>(load_filter(filter_, options));
    f.matcher = std::make_unique<FilterMatcher>(f.compiled, now_, FilterMatcher::Options{true});
    f.opts = opts;
    return filters_.emplace(key, std::move(f)).first->second;
  }

  void run_file(const std::string& file, std::vector<std::string>& files, SampleOutcome& outcome) {
    std::ifstream in(samples_dir() / file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read sample log " + (samples_dir() / file).string());
    static const std::regex annotation(R"(^#+ ?(failJSON|(?:file|filter)Options|addFILE):(.+)$)");
    std::string line;
    int lineno = 0;
    json faildata = json::object();
    bool ignore_block = false;
    Options common;
    while (std::getline(in, line)) {
      ++lineno;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::smatch m;
      if (std::regex_match(line, m, annotation)) {
        json data = json::parse(m[2].str());
        const std::string kind = m[1];
        if (kind == "fileOptions") {
          common.clear();
          for (auto& [k, v] : data.items()) common[k] = v.get<std::string>();
          continue;
        }
        if (kind == "filterOptions") {
          tests_.clear();
          ignore_block = false;
          json list = data.is_array() ? data : json::array({data});
          for (const auto& entry : list) {
            Options opts = common;
            for (auto& [k, v] : entry.items()) opts[k] = v.get<std::string>();
            if (auto c = opts.find("test.condition"); c != opts.end()) {
              auto value = evaluate(c->second, name_, opts);
              if (!value) throw std::runtime_error("unsupported test.condition: " + c->second);
              ignore_block = !*value;
            }
            if (ignore_block) continue;
            std::string key;
            for (const auto& [k, v] : opts) {
              if (k.rfind("test.", 0) != 0) key += k + "=" + v + ";";
            }
            if (auto n = opts.find("test.filter-name"); n != opts.end()) key = n->second;
            filter_for(key, opts);
            tests_.push_back(key);
          }
          continue;
        }
        if (kind == "addFILE") {
          files.push_back(data.get<std::string>());
          continue;
        }
        faildata = data;
        if (!std::getline(in, line)) break;
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.pop_back();
      } else if (ignore_block || (!line.empty() && line[0] == '#') ||
                 line.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
        continue;
      } else {
        faildata = json::object();
      }
      if (ignore_block) continue;
      if (tests_.empty()) {
        filter_for("", {});
        tests_.push_back("");
      }
      for (const auto& key : tests_) {
        FilterUnderTest& f = filters_.at(key);
        if (faildata.contains("constraint")) {
          const auto value = evaluate(faildata["constraint"].get<std::string>(), name_, f.opts);
          if (!value) {
            throw std::runtime_error("unsupported constraint: " + faildata["constraint"].dump());
          }
          if (!*value) continue;
        }
        check_line(f, key, file, lineno, line, faildata, outcome);
      }
    }
  }

  void check_line(FilterUnderTest& f, const std::string& key, const std::string& file, int lineno,
                  const std::string& line, const json& expected, SampleOutcome& outcome) {
    ++outcome.lines;
    LineResult result;
    const auto logtype = f.opts.find("logtype");
    if (logtype != f.opts.end() && logtype->second == "journal") {
      std::string text = line;
      if (auto prefix = f.opts.find("test.prefix-line"); prefix != f.opts.end()) {
        text = prefix->second + text;
      }
      f.matcher->process_at(text, static_cast<double>(now_.epoch), result);
    } else {
      f.matcher->process(line, result);
    }
    const std::string where = file + ":" + std::to_string(lineno) + " [" + key + "] ";
    const bool should_match = expected.value("match", false);
    if (result.failures.empty()) {
      if (should_match) outcome.fail(where + "not matched, should have: " + line);
      return;
    }
    if (!should_match) {
      outcome.fail(where + "matched (regex " + std::to_string(result.failures[0].regex + 1) +
                   "), should not have: " + line);
      return;
    }
    if (result.failures.size() != 1) {
      outcome.fail(where + std::to_string(result.failures.size()) + " regexes matched: " + line);
      return;
    }
    const Failure& got = result.failures.front();
    for (const auto& [k, v] : expected.items()) {
      if (k == "time" || k == "match" || k == "desc" || k == "constraint") continue;
      if (k == "host") {
        if (!v.is_string() || !same_host(got.id, v.get<std::string>())) {
          outcome.fail(where + "host '" + got.id + "', expected " + v.dump() + ": " + line);
        }
      } else if (k == "attempts") {
        if (got.attempts != v.get<int>()) {
          outcome.fail(where + "attempts " + std::to_string(got.attempts) + ", expected " +
                       v.dump() + ": " + line);
        }
      } else if (k == "users") {
        std::vector<std::string> want = v.get<std::vector<std::string>>();
        std::sort(want.begin(), want.end());
        if (got.users != want)
          outcome.fail(where + "users differ, expected " + v.dump() + ": " + line);
      } else {
        std::optional<std::string> value;
        for (const auto& [name, fv] : got.fields) {
          if (name == k) value = fv;
        }
        // The failure id's own groups (ip4, ip6, dns, fid) are not fields.
        if (!value && got.id_group == k) value = got.id;
        if (v.is_null()) {
          if (value) outcome.fail(where + k + " '" + *value + "', expected null: " + line);
          continue;
        }
        const std::string want = v.is_string() ? v.get<std::string>() : v.dump();
        if (!value || *value != want) {
          outcome.fail(where + k + " '" + value.value_or("(none)") + "', expected " + v.dump() +
                       ": " + line);
        }
      }
    }
    if (expected.contains("time")) {
      const auto want = parse_expected_time(expected["time"].get<std::string>());
      if (!want || !got.time || std::abs(*got.time - *want) > 1e-6) {
        outcome.fail(where + "time " +
                     (got.time ? std::to_string(static_cast<std::int64_t>(*got.time)) : "none") +
                     ", expected " + expected["time"].get<std::string>() + " (" +
                     (want ? std::to_string(static_cast<std::int64_t>(*want)) : "?") +
                     "): " + line);
      }
    }
  }

  std::string name_;
  fs::path filter_;
  ReferenceTime now_ = [] {
    ReferenceTime r;
    r.epoch = local_epoch(2005, 8, 14, 12, 0, 0);
    r.local = CivilTime{2005, 8, 14, 12, 0, 0};
    return r;
  }();
  std::map<std::string, FilterUnderTest> filters_;
  std::vector<std::string> tests_;
};

SampleOutcome run_samples(const std::string& name) {
  ScopedZone zone(kTestZone);
  return SampleRunner(name, filters_dir() / (name + ".conf")).run();
}

void require_fail2ban() {
  ASSERT_TRUE(fs::is_directory(samples_dir()))
      << "fail2ban's sample logs are not at " << samples_dir()
      << ": install Debian's fail2ban package (scripts/install-deps.sh does) or set "
         "CUSTOS_FAIL2BAN_SAMPLES";
  ASSERT_TRUE(fs::is_regular_file(filters_dir() / "sshd.conf"))
      << "fail2ban's filters are not in " << filters_dir()
      << ": install Debian's fail2ban package or set CUSTOS_FAIL2BAN_FILTERS";
}

std::string report(const SampleOutcome& o) {
  std::ostringstream out;
  if (!o.error.empty()) out << "error: " << o.error << "\n";
  out << o.mismatches << " mismatches in " << o.lines << " checked lines\n";
  for (const auto& m : o.messages) out << "  " << m << "\n";
  return out.str();
}

class DetectionFail2banSamples : public ::testing::TestWithParam<std::string> {};

TEST_P(DetectionFail2banSamples, MatchesEveryAnnotatedLine) {
  require_fail2ban();
  const SampleOutcome outcome = run_samples(GetParam());
  EXPECT_TRUE(outcome.error.empty()) << report(outcome);
  EXPECT_GT(outcome.lines, 0) << "no annotated lines checked";
  EXPECT_EQ(outcome.mismatches, 0) << report(outcome);
}

// The filters the product promises to handle exactly; sshd's file covers its normal, ddos,
// extra and aggressive modes.
INSTANTIATE_TEST_SUITE_P(Detection, DetectionFail2banSamples,
                         ::testing::Values("sshd", "nginx-http-auth", "nginx-botsearch",
                                           "apache-auth", "postfix", "dovecot", "named-refused",
                                           "recidive"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// Every filter of the installed set that has a sample log: users bring all of them, so all
// must pass (89 of 89 with Debian 12's fail2ban 1.0.2).

TEST(DetectionFail2banSamplesAll, TallyOverEveryFilterWithSamples) {
  require_fail2ban();
  int with_samples = 0;
  int passing = 0;
  std::ostringstream failing;
  std::vector<fs::path> filters;
  for (const auto& entry : fs::directory_iterator(filters_dir())) {
    const std::string file = entry.path().filename().string();
    const bool common = file.size() >= 11 && file.compare(file.size() - 11, 11, "common.conf") == 0;
    if (entry.path().extension() != ".conf" || common) {
      continue;
    }
    filters.push_back(entry.path());
  }
  std::sort(filters.begin(), filters.end());
  for (const auto& path : filters) {
    const std::string name = path.stem().string();
    if (!fs::is_regular_file(samples_dir() / name)) continue;
    ++with_samples;
    const SampleOutcome o = run_samples(name);
    if (o.error.empty() && o.mismatches == 0 && o.lines > 0) {
      ++passing;
    } else {
      failing << "  " << name << ": " << report(o);
    }
  }
  std::cout << "fail2ban sample logs: " << passing << " of " << with_samples
            << " filters match every annotated line\n"
            << failing.str();
  EXPECT_GT(with_samples, 0);
  EXPECT_EQ(passing, with_samples) << failing.str();
}

}  // namespace
}  // namespace custos::detection
