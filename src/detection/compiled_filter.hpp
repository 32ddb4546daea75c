#pragma once
// A filter ready to match: its regexes expanded (tags), translated to PCRE2 and JIT-compiled,
// plus a Hyperscan database that tells in one pass over a line which failregexes can match it
// (HS_FLAG_PREFILTER: a superset; PCRE2 confirms and captures). Immutable once built, so one
// compiled filter can serve many log sources and threads; per-source state is in FilterMatcher.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "detection/filter_file.hpp"
#include "detection/regex.hpp"

struct hs_database;
struct hs_scratch;

namespace custos::detection {

// Named groups fail2ban gives a meaning to (everything else is a field of the failure).
struct FailureGroups {
  int ip4 = 0, ip6 = 0, dns = 0, fid = 0, mlfid = 0, nofail = 0, mlfforget = 0, mlfgained = 0,
      content = 0, user = 0;
  // Other named groups: (name, group) — reported as fields. alt_NAME[_N] fill NAME when empty.
  std::vector<std::pair<std::string, int>> fields;
  std::vector<std::pair<std::string, int>> alternates;  // (target name, group), sorted
  [[nodiscard]] static FailureGroups of(const Regex& regex);
  [[nodiscard]] bool has_failure_id() const { return ip4 || ip6 || dns || fid || mlfid; }
};

struct CompiledRegex {
  std::string source;  // as written in the filter (fail2ban syntax)
  Regex regex;
  FailureGroups groups;
};

class CompiledFilter {
 public:
  struct Options {
    bool prefilter = true;  // use Hyperscan to skip failregexes that cannot match
  };

  // Throws FilterError naming the regex (failregex #N) and what PCRE2 said.
  explicit CompiledFilter(FilterDefinition definition, Options options);
  explicit CompiledFilter(FilterDefinition definition)
      : CompiledFilter(std::move(definition), Options{}) {}
  ~CompiledFilter();
  CompiledFilter(const CompiledFilter&) = delete;
  CompiledFilter& operator=(const CompiledFilter&) = delete;

  [[nodiscard]] const FilterDefinition& definition() const { return definition_; }
  [[nodiscard]] const std::optional<CompiledRegex>& prefregex() const { return prefregex_; }
  [[nodiscard]] const std::vector<CompiledRegex>& failregexes() const { return failregexes_; }
  [[nodiscard]] const std::vector<CompiledRegex>& ignoreregexes() const { return ignoreregexes_; }

  // Prefilter: how many failregexes Hyperscan screens (the others always run in PCRE2).
  [[nodiscard]] std::size_t prefiltered_count() const { return prefiltered_.size(); }
  [[nodiscard]] bool has_prefilter() const { return database_ != nullptr; }
  // Sets `candidates[i]` for every failregex that may match `text`. Needs a scratch from
  // make_scratch() (one per thread). Without a prefilter every entry is set.
  void candidates(std::string_view text, hs_scratch* scratch, std::vector<char>& candidates) const;
  [[nodiscard]] hs_scratch* make_scratch() const;

 private:
  FilterDefinition definition_;
  std::optional<CompiledRegex> prefregex_;
  std::vector<CompiledRegex> failregexes_;
  std::vector<CompiledRegex> ignoreregexes_;
  hs_database* database_ = nullptr;
  std::vector<std::size_t> prefiltered_;  // Hyperscan id → failregex index
  std::vector<std::size_t> always_;       // failregexes Hyperscan cannot screen
};

}  // namespace custos::detection
