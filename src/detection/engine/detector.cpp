#include "detection/engine/detector.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>

#include "detection/compiled_filter.hpp"
#include "detection/filter_file.hpp"
#include "detection/local_time.hpp"

namespace custos::detection {

namespace {

// The clock at second resolution, cheaply: read for every line.
std::int64_t coarse_now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);
  return ts.tv_sec;
}

ReferenceTime reference_at(std::int64_t epoch) {
  thread_local LocalTimeZone zone;
  ReferenceTime now;
  now.epoch = epoch;
  now.local = zone.to_local(epoch);
  return now;
}

}  // namespace

Detector::Detector(const DetectionConfig& config, BanSink sink) : sink_(std::move(sink)) {
  for (const auto& j : config.jails) {
    std::shared_ptr<const CompiledFilter> filter;
    try {
      filter = std::make_shared<CompiledFilter>(load_filter(j.filter, j.filter_options));
      // The date patterns are checked by building one matcher now rather than at the first line.
      FilterMatcher probe(filter, reference_at(coarse_now()));
    } catch (const std::exception& e) {
      throw std::runtime_error("detection.jails[" + j.name + "].filter: " + j.filter.string() +
                               ": " + e.what());
    }
    jails_.push_back(std::make_shared<Jail>(j, std::move(filter), config.max_tracked));
  }
}

std::unique_ptr<Detector::Pipeline> Detector::pipeline(const std::string& source) const {
  auto p = std::make_unique<Pipeline>();
  p->sink_ = &sink_;
  p->reference_second_ = coarse_now();
  const auto now = reference_at(p->reference_second_);
  for (const auto& jail : jails_) {
    const auto& sources = jail->config().sources;
    if (std::find(sources.begin(), sources.end(), source) == sources.end()) continue;
    p->stages_.push_back({jail, std::make_unique<FilterMatcher>(jail->filter(), now)});
  }
  return p;
}

void Detector::Pipeline::refresh_reference() {
  const auto now = coarse_now();
  if (now == reference_second_) return;
  reference_second_ = now;
  const auto ref = reference_at(now);
  for (auto& stage : stages_) stage.matcher->set_reference(ref);
}

void Detector::Pipeline::feed(std::string_view line, std::optional<double> time) {
  ++lines_;
  if (stages_.empty()) return;
  refresh_reference();
  for (auto& stage : stages_) {
    result_.clear();
    if (time)
      stage.matcher->process_at(line, *time, result_);
    else
      stage.matcher->process(line, result_);
    for (const auto& failure : result_.failures) {
      ++failures_;
      std::string_view user;
      for (const auto& [name, value] : failure.fields) {
        if (name == "user") user = value;
      }
      const auto at = failure.time ? static_cast<std::int64_t>(*failure.time) : reference_second_;
      // Each counted line is one failure, whatever fail2ban's multi-line bookkeeping says.
      if (auto ban = stage.jail->record(failure.id, at, user)) (*sink_)(std::move(*ban));
    }
  }
}

}  // namespace custos::detection
