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

namespace {

// Loads and compiles a jail's filter; throws naming the jail and the filter problem.
std::shared_ptr<const CompiledFilter> compile(const JailConfig& j) {
  try {
    auto filter = std::make_shared<CompiledFilter>(load_filter(j.filter, j.filter_options));
    // The date patterns are checked by building one matcher now rather than at the first line.
    FilterMatcher probe(filter, reference_at(coarse_now()));
    return filter;
  } catch (const std::exception& e) {
    throw std::runtime_error("detection.jails[" + j.name + "].filter: " + j.filter.string() + ": " +
                             e.what());
  }
}

}  // namespace

Detector::Detector(const DetectionConfig& config, BanSink sink) : sink_(std::move(sink)) {
  for (const auto& j : config.jails)
    jails_.push_back(std::make_shared<Jail>(j, compile(j), config.max_tracked));
}

std::vector<std::shared_ptr<Jail>> Detector::jails() const {
  std::lock_guard lock(mutex_);
  return jails_;
}

Detector::Reloaded Detector::reload(const DetectionConfig& config) {
  std::vector<std::shared_ptr<const CompiledFilter>> filters;
  for (const auto& j : config.jails) filters.push_back(compile(j));  // may throw: nothing changed
  Reloaded out;
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Jail>> next;
  for (std::size_t i = 0; i < config.jails.size(); ++i) {
    const auto& j = config.jails[i];
    auto old = std::find_if(jails_.begin(), jails_.end(),
                            [&](const auto& jail) { return jail->name() == j.name; });
    if (old != jails_.end()) {
      (*old)->reconfigure(j, filters[i], config.max_tracked);
      next.push_back(*old);
      out.kept.push_back(j.name);
    } else {
      next.push_back(std::make_shared<Jail>(j, filters[i], config.max_tracked));
      out.added.push_back(j.name);
    }
  }
  for (const auto& jail : jails_) {
    if (std::none_of(next.begin(), next.end(), [&](const auto& n) { return n == jail; }))
      out.removed.push_back(jail->name());
  }
  jails_ = std::move(next);
  generation_.fetch_add(1, std::memory_order_release);
  return out;
}

void Detector::build_stages(Pipeline& p) const {
  p.stages_.clear();
  p.generation_ = generation_.load(std::memory_order_acquire);
  const auto now = reference_at(p.reference_second_);
  for (const auto& jail : jails_) {
    const auto sources = jail->config().sources;
    if (std::find(sources.begin(), sources.end(), p.source_) == sources.end()) continue;
    p.stages_.push_back({jail, std::make_unique<FilterMatcher>(jail->filter(), now)});
  }
}

std::unique_ptr<Detector::Pipeline> Detector::pipeline(const std::string& source) const {
  auto p = std::make_unique<Pipeline>();
  p->detector_ = this;
  p->source_ = source;
  p->sink_ = &sink_;
  p->reference_second_ = coarse_now();
  std::lock_guard lock(mutex_);
  build_stages(*p);
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
  if (detector_->generation_.load(std::memory_order_relaxed) != generation_) {
    // The jails were reloaded: new matchers (a multi-line failure in progress starts afresh).
    std::lock_guard lock(detector_->mutex_);
    detector_->build_stages(*this);
  }
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
