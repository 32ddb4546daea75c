#include "detection/inputs/http_ingest.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "util/time.hpp"
#include "util/utf8.hpp"

namespace custos::detection {

namespace {

constexpr const char* kTooLong = "message is longer than the source's max_line_bytes";
constexpr double kLatestEpoch = 4294967295.0;  // failure times are kept as uint32 seconds

// A string member, or a number written as one (pid); nullopt when absent or null.
std::optional<std::string> text_member(const nlohmann::json& object, const char* name,
                                       std::string& problem) {
  const auto it = object.find(name);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  problem = std::string(name) + " must be a string";
  return std::nullopt;
}

std::optional<double> time_member(const nlohmann::json& object, std::string& problem) {
  const auto it = object.find("time");
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_number()) {
    const double t = it->get<double>();
    if (std::isfinite(t) && t >= 0 && t <= kLatestEpoch) return t;
  } else if (it->is_string()) {
    if (auto ms = util::parse_rfc3339(it->get<std::string>())) {
      const double t = static_cast<double>(*ms) / 1000.0;
      if (t >= 0 && t <= kLatestEpoch) return t;
    }
  }
  problem = "time must be an RFC 3339 time with an offset or epoch seconds (a number)";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> parse_ingest_line(std::string_view line, std::size_t max_message_bytes,
                                             IngestLine& out) {
  out.text.clear();
  out.time.reset();
  if (!util::is_valid_utf8(line)) return "not valid UTF-8";
  const auto object = nlohmann::json::parse(line, nullptr, false);
  if (object.is_discarded()) return "not valid JSON";
  if (!object.is_object()) return "not a JSON object";
  const auto message = object.find("message");
  if (message == object.end()) return "message is missing";
  if (!message->is_string()) return "message must be a string";
  const auto& text = message->get_ref<const std::string&>();
  if (text.empty()) return "message is empty";
  if (text.size() > max_message_bytes) return std::string(kTooLong);
  std::string problem;
  out.time = time_member(object, problem);
  const auto host = text_member(object, "host", problem);
  const auto app = text_member(object, "app", problem);
  const auto pid = text_member(object, "pid", problem);
  if (!problem.empty()) return problem;
  // As a syslog daemon writes it: "host app[pid]: message".
  if (host && !host->empty()) out.text.append(*host).append(" ");
  if (app && !app->empty()) {
    out.text.append(*app);
    if (pid && !pid->empty()) out.text.append("[").append(*pid).append("]");
    out.text.append(": ");
  }
  out.text.append(text);
  return std::nullopt;
}

HttpIngestSource::HttpIngestSource(SourceConfig config,
                                   std::unique_ptr<Detector::Pipeline> pipeline)
    : config_(std::move(config)), pipeline_(std::move(pipeline)) {}

IngestResult HttpIngestSource::ingest(std::string_view body) {
  IngestResult result;
  std::vector<IngestLine> lines;
  std::size_t number = 0;
  std::size_t oversized = 0;
  if (body.starts_with("\xEF\xBB\xBF")) body.remove_prefix(3);  // a byte order mark
  while (!body.empty()) {
    const auto end = body.find('\n');
    std::string_view line = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    ++number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank: nothing
    IngestLine parsed;
    if (auto problem = parse_ingest_line(line, config_.max_line_bytes, parsed)) {
      ++result.rejected;
      if (*problem == kTooLong) ++oversized;
      if (result.rejections.size() < IngestResult::kMaxRejections)
        result.rejections.push_back({number, std::move(*problem)});
      continue;
    }
    lines.push_back(std::move(parsed));
  }
  result.accepted = lines.size();
  {
    std::lock_guard lock(mutex_);
    for (const auto& l : lines) {
      // A message holding several lines is fed as the lines a log file would have had.
      std::string_view text = l.text;
      while (true) {
        const auto nl = text.find('\n');
        auto part = text.substr(0, nl);
        if (part.ends_with('\r')) part.remove_suffix(1);
        if (!part.empty()) pipeline_->feed(part, l.time);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
      }
    }
  }
  stats_.bodies.fetch_add(1, std::memory_order_relaxed);
  stats_.messages.fetch_add(result.accepted, std::memory_order_relaxed);
  stats_.oversized.fetch_add(oversized, std::memory_order_relaxed);
  stats_.rejected.fetch_add(result.rejected - oversized, std::memory_order_relaxed);
  return result;
}

}  // namespace custos::detection
