#pragma once
// Finds the date in a log line the way fail2ban's DateDetector does: a list of templates (the
// filter's `datepattern` lines, or fail2ban's default set), tried starting with the one that
// matched last and at the same place, and reordered as hits accumulate. Matching the same
// template in the same place as fail2ban matters: the date text is cut out of the line before
// the failregexes see it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detection/date_template.hpp"

namespace custos::detection {

struct DateMatch {
  std::size_t begin = 0;  // the date text within the line
  std::size_t end = 0;
  std::optional<double> epoch;  // nullopt: matched but not a valid date
};

class DateDetector {
 public:
  // `datepattern` as a filter gives it (one pattern per line; empty: the default templates).
  // Throws std::invalid_argument naming the pattern that is wrong.
  DateDetector(std::string_view datepattern, const ReferenceTime& now);

  // Searches the line. nullopt when no template matches.
  [[nodiscard]] std::optional<DateMatch> match(std::string_view line, LocalTimeZone& zone);
  void set_reference(const ReferenceTime& now) {
    now_ = now;
    last_date_ = {};
  }
  [[nodiscard]] std::size_t template_count() const { return templates_.size(); }

 private:
  struct Entry {
    std::shared_ptr<const DateTemplate> templ;
    std::uint64_t hits = 0;     // times chosen
    std::uint64_t matches = 0;  // times its regex matched, chosen or not
    std::int64_t last_used = 0;
    std::size_t distance = 0x7fffffff;
    [[nodiscard]] double weight() const {
      return static_cast<double>(hits) * templ->weight /
             static_cast<double>(std::max<std::size_t>(1, distance));
    }
  };
  struct Position {
    std::size_t at;
    char before;  // '\0' for none
    char after;
  };

  void append(std::string_view pattern);
  void add(std::shared_ptr<const DateTemplate> t, bool ignore_duplicate);
  // default_set: fail2ban's default templates; `line_begin_only` keeps only anchored ones;
  // `prematch` embeds each in "…{DATE}…".
  void add_defaults(bool line_begin_only, std::string_view prematch);
  std::size_t reorder(std::size_t index);

  ReferenceTime now_;
  std::vector<Entry> templates_;
  std::vector<Span> spans_;
  MatchScratch scratch_;
  Position last_begin_{1, '\0', '\0'};
  Position last_end_{0x7fffffff, '\0', '\0'};
  std::size_t last_index_ = 0x7fffffff;
  std::size_t first_unused_ = 0;
  // The last date converted: consecutive lines mostly carry the same date text, and turning it
  // into epoch seconds (fields, year guessing, local time) costs more than the match.
  struct LastDate {
    const DateTemplate* templ = nullptr;
    const LocalTimeZone* zone = nullptr;
    std::string text;  // the whole match of the template
    std::optional<double> epoch;
  } last_date_;
};

}  // namespace custos::detection
