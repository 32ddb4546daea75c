#pragma once
// The live detection engine: every jail with its compiled filter, and for each log source a
// pipeline that runs the filters of the jails reading that source over each line and hands
// their failures to the jails. Bans go to a sink (the ban service's queue).
//
// The jails can be reloaded while lines flow: a reload compiles every filter first (so a
// broken one changes nothing), then keeps the jails it names again with their counters,
// adds new ones and drops the rest, and bumps a generation number that each pipeline checks
// before its next line (one relaxed atomic load) to rebuild its stages.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detection/engine/jail.hpp"
#include "detection/filter_matcher.hpp"
#include "detection/jails/jail_config.hpp"

namespace custos::detection {

using BanSink = std::function<void(BanRequest)>;

class Detector {
 public:
  // Loads and compiles each jail's filter. Throws std::runtime_error naming the jail and the
  // filter problem ("detection.jails[sshd].filter: /etc/…/sshd.conf: …").
  Detector(const DetectionConfig& config, BanSink sink);

  // Runs the jails of one source over its lines. Not thread-safe: one per reading thread
  // (several pipelines of the same source may exist; the jails they feed are shared).
  class Pipeline {
   public:
    // One line (without its line ending). `time`: when the source already knows it (an
    // RFC 5424 timestamp, an NDJSON field) — the filter then does not look for a date.
    void feed(std::string_view line, std::optional<double> time = std::nullopt);
    [[nodiscard]] std::uint64_t lines() const { return lines_; }
    [[nodiscard]] std::uint64_t failures() const { return failures_; }

   private:
    friend class Detector;
    struct Stage {
      std::shared_ptr<Jail> jail;
      std::unique_ptr<FilterMatcher> matcher;
    };
    void refresh_reference();
    const Detector* detector_ = nullptr;
    std::string source_;
    std::uint64_t generation_ = 0;
    std::vector<Stage> stages_;
    const BanSink* sink_ = nullptr;
    LineResult result_;
    std::int64_t reference_second_ = 0;
    std::uint64_t lines_ = 0;
    std::uint64_t failures_ = 0;
  };

  [[nodiscard]] std::unique_ptr<Pipeline> pipeline(const std::string& source) const;
  [[nodiscard]] std::vector<std::shared_ptr<Jail>> jails() const;

  // Replaces the jails by those of `config` (whose sources must be the running ones). Throws
  // std::runtime_error like the constructor, before anything changes.
  struct Reloaded {
    std::vector<std::string> added, kept, removed;
  };
  Reloaded reload(const DetectionConfig& config);

 private:
  // Fills the pipeline's stages from the jails now; caller holds mutex_.
  void build_stages(Pipeline& pipeline) const;

  mutable std::mutex mutex_;  // guards jails_ (and makes a reload and a rebuild exclusive)
  std::vector<std::shared_ptr<Jail>> jails_;
  std::atomic<std::uint64_t> generation_{0};
  BanSink sink_;
};

}  // namespace custos::detection
