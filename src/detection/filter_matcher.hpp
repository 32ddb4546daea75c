#pragma once
// Runs one compiled filter over the lines of one log source, with fail2ban's semantics:
// find and cut out the date, ignoreregex, prefregex (and its <F-CONTENT>), the failregexes,
// and the state that spans lines — the multi-line failure id (<F-MLFID>: e.g. an sshd
// connection, whose address was logged on an earlier line), <F-NOFAIL> lines that only supply
// data, and maxlines > 1 buffers. One matcher per source and thread; the CompiledFilter is
// shared. This is the engine `custos scan` drives, and live inputs will drive the same way.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "detection/compiled_filter.hpp"
#include "detection/date_detector.hpp"

namespace custos::detection {

struct Failure {
  std::size_t regex = 0;       // index of the failregex that matched
  std::string id;              // what fail2ban reports: <F-ID> if any, else the address or name
  std::string id_group;        // the group it came from: fid, ip4, ip6 or dns
  std::optional<double> time;  // epoch seconds; nullopt: no date found
  // Named captures other than the failure id, e.g. {"user", "root"} (a group that matched
  // nothing has an empty value; one that took no part in the match is left out).
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::string> users;  // every user name seen for this failure id (sorted)
  int attempts = 1;                // lines counted into this failure
};

struct LineResult {
  enum class Kind { kMissed, kIgnored, kMatched };
  Kind kind = Kind::kMissed;
  std::vector<Failure> failures;     // failures to count (no <F-NOFAIL>, id known)
  std::vector<std::size_t> matched;  // every failregex that matched, failure or not
  std::optional<double> time;        // the line's date, if one was found
  void clear() {
    kind = Kind::kMissed;
    failures.clear();
    matched.clear();
    time.reset();
  }
};

class FilterMatcher {
 public:
  struct Options {
    // Try every failregex even after one matched (fail2ban's test mode); the default stops at
    // the first, as fail2ban does when it runs.
    bool check_all_regex = false;
  };

  // Throws std::invalid_argument when the filter's datepattern is invalid.
  FilterMatcher(std::shared_ptr<const CompiledFilter> filter, const ReferenceTime& now,
                Options options);
  FilterMatcher(std::shared_ptr<const CompiledFilter> filter, const ReferenceTime& now)
      : FilterMatcher(std::move(filter), now, Options{}) {}
  ~FilterMatcher();
  FilterMatcher(const FilterMatcher&) = delete;
  FilterMatcher& operator=(const FilterMatcher&) = delete;

  // One line without its line ending; the date is looked for in it.
  void process(std::string_view line, LineResult& result);
  // A line whose time is already known (journal, NDJSON with a timestamp): no date search.
  void process_at(std::string_view line, double time, LineResult& result);

  // "Now" for year-less dates and for lines without a date; move it forward when live.
  void set_reference(const ReferenceTime& now);
  [[nodiscard]] const CompiledFilter& filter() const { return *filter_; }
  // Regex matches abandoned at the match limit (pathological pattern or line).
  [[nodiscard]] std::size_t limit_hits() const { return scratch_.limit_hits; }

 private:
  // fail2ban's "fail" dictionary: named groups (nullopt = did not participate) plus the
  // bookkeeping fail2ban keeps under reserved names.
  struct FailData {
    // Names point into the compiled filter's regexes (or are literals): no copies per line.
    std::vector<std::pair<std::string_view, std::optional<std::string>>> groups;
    std::optional<std::set<std::string>> users;
    std::optional<int> matches;
    std::optional<int> nofail_matches;
    bool mlfpending = false;

    [[nodiscard]] const std::optional<std::string>* find(std::string_view name) const;
    [[nodiscard]] bool truthy(std::string_view name) const;
    [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
    void set(std::string_view name, std::optional<std::string> value);
    std::optional<std::string> pop(std::string_view name);
  };
  struct TupleLine {
    std::string before;  // text before the date
    std::string date;
    std::string after;
  };

  void find_failures(std::optional<double> date, bool no_date, LineResult& result);
  bool ignored(std::string_view text);
  FailData groups_of(const CompiledRegex& regex, std::string_view subject) const;
  // The failure merged with what the cache holds for its id; the result lives in the cache
  // (or in forgotten_) until the next line.
  FailData& merge_mlfid(const std::string& mlfid, FailData fail, int matched_lines);
  void build_buffer();
  // Lines of the buffer a match spanned (for maxlines > 1): keeps only the others.
  void drop_matched_lines(std::size_t begin, std::size_t end);

  std::shared_ptr<const CompiledFilter> filter_;
  Options options_;
  ReferenceTime now_;
  LocalTimeZone zone_;
  DateDetector dates_;
  MatchScratch scratch_;
  hs_scratch* hs_scratch_ = nullptr;
  std::vector<Span> spans_;
  std::vector<Span> pre_spans_;  // the prefregex's match, while the failregexes run
  std::vector<char> candidates_;
  std::string buffer_;           // the text the regexes see
  std::string content_;          // prefregex's <F-CONTENT>, which the failregexes then see
  std::deque<TupleLine> lines_;  // maxlines buffer
  std::optional<double> last_date_;
  std::string last_date_text_;

  // Multi-line failure ids: first in, first out, at most 100 for 5 minutes (as fail2ban). A
  // flat table of slots found by a scan of their hashes: an sshd log makes nearly every line a
  // new connection, so a node-based map paid several allocations per line for this alone.
  struct CacheEntry {
    FailData data;
    std::chrono::steady_clock::time_point expires;
  };
  struct CacheSlot {
    std::string key;
    CacheEntry entry;
  };
  static constexpr std::size_t kNoSlot = ~std::size_t{0};
  std::vector<CacheSlot> mlfid_slots_;
  std::vector<std::size_t> mlfid_hashes_;    // per slot; 0: free
  std::vector<std::uint64_t> mlfid_orders_;  // per slot: when its entry was inserted
  // (slot, order) in insertion order; entries whose slot was freed or reused since are stale.
  std::deque<std::pair<std::size_t, std::uint64_t>> mlfid_queue_;
  std::size_t mlfid_used_ = 0;
  std::uint64_t mlfid_next_order_ = 0;
  std::string mlfid_key_;  // the current line's id
  FailData forgotten_;     // a merged failure whose id was just dropped from the cache
  [[nodiscard]] std::size_t cache_find(const std::string& key, std::size_t hash) const;
  [[nodiscard]] static std::size_t cache_hash(const std::string& key);
  CacheEntry* cache_get(const std::string& key, std::size_t hash);
  // `absent`: the caller has just looked the key up and not found it.
  CacheEntry& cache_set(const std::string& key, std::size_t hash, FailData data, bool absent);
  void cache_unset(const std::string& key);
};

}  // namespace custos::detection
