#pragma once
// One running jail: its configuration, its ignore list, and the failure counts of its
// addresses. Failures found by any source's matcher come here (from several threads); when an
// address reaches maxretry the jail asks for a ban. The decision is made under one short lock.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "detection/engine/address.hpp"
#include "detection/engine/failure_tracker.hpp"
#include "detection/jails/jail_config.hpp"

namespace custos::detection {

class CompiledFilter;

// What a jail asks the ban manager for.
struct BanRequest {
  std::string jail;
  IpAddress address;
  std::int64_t failure_time = 0;  // epoch seconds of the failure that reached maxretry
  int failures = 0;
  std::string user;  // the user the last failure named, if any (for the record)
  std::chrono::steady_clock::time_point detected;  // when the line was processed
};

// The length of the n-th ban (n from 1) of an address in a jail: bantime × factor^(n-1),
// never more than bantime_max.
[[nodiscard]] std::int64_t ban_seconds(const JailConfig& jail, std::int64_t nth_ban);

class Jail {
 public:
  // `filter` is shared by the matchers of every source this jail reads.
  Jail(JailConfig config, std::shared_ptr<const CompiledFilter> filter, std::size_t capacity);

  // A jail keeps its name for life; the rest may change on a reload, so it is read as a copy.
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] JailConfig config() const;
  [[nodiscard]] std::shared_ptr<const CompiledFilter> filter() const;

  // A reload that keeps this jail: the new settings and filter apply from the next failure,
  // and the failures counted so far stay (a changed maxretry or findtime judges them anew).
  void reconfigure(JailConfig config, std::shared_ptr<const CompiledFilter> filter,
                   std::size_t capacity);

  // One failure of `id` (what the filter reported: an address, or a host name / failure id,
  // which cannot be banned) at `time`. Returns the ban to make when this was the maxretry-th.
  std::optional<BanRequest> record(std::string_view id, std::int64_t time, std::string_view user);

  struct Stats {
    std::uint64_t failures = 0;     // counted
    std::uint64_t ignored = 0;      // from ignoreip addresses
    std::uint64_t not_address = 0;  // failure ids that are no address
    std::uint64_t stale = 0;        // older than findtime
    std::uint64_t evictions = 0;
    std::uint64_t ban_requests = 0;
    std::size_t tracked = 0;
  };
  [[nodiscard]] Stats stats() const;

 private:
  [[nodiscard]] bool ignored(const IpAddress& address) const;  // under mutex_

  const std::string name_;
  JailConfig config_;
  std::shared_ptr<const CompiledFilter> filter_;
  std::vector<CidrRange> ignore_;
  mutable std::mutex mutex_;
  FailureTracker tracker_;
  Stats stats_;
};

}  // namespace custos::detection
