#pragma once
// One way of finding a date in a log line (fail2ban's DateTemplate): a strptime-style pattern,
// Unix epoch seconds, or TAI64N. Built from the pattern strings fail2ban's `datepattern` takes,
// including its anchors: `{^LN-BEG}` (at the start of the line, after at most two non-word
// characters), `{UNB}` (no word boundaries added), `**` (no boundary on that side), `^`/`$`.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detection/regex.hpp"
#include "detection/strptime.hpp"

namespace custos::detection {

class DateTemplate {
 public:
  enum Flags : int { kWordEnd = 1, kWordBegin = 2, kLineEnd = 4, kLineBegin = 8 };
  enum class Kind { kPattern, kEpoch, kLongEpoch, kTai64n };

  // From a datepattern line ("%Y-%m-%d %H:%M:%S", "{^LN-BEG}EPOCH", "^{EPOCH}", "TAI64N"...).
  // Throws std::invalid_argument with the reason.
  [[nodiscard]] static std::shared_ptr<const DateTemplate> from_pattern(std::string_view pattern,
                                                                        int reference_year);

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] const std::string& pattern() const { return pattern_; }
  [[nodiscard]] const Regex& regex() const { return *regex_; }
  [[nodiscard]] int flags() const { return flags_; }
  [[nodiscard]] bool anchored() const { return (flags_ & (kLineBegin | kLineEnd)) != 0; }
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] bool has_pattern() const { return kind_ == Kind::kPattern || epoch_pattern_; }
  double weight = 1.0;

  // Epoch seconds (with a fraction for epoch templates) from a match of regex().
  [[nodiscard]] std::optional<double> date(std::string_view line, const std::vector<Span>& spans,
                                           const ReferenceTime& now, LocalTimeZone& zone) const;

 private:
  DateTemplate() = default;
  // fail2ban's DateTemplate.setRegex: word/line boundaries and the group around the date.
  // word_begin: 0 = none, 1 = word boundary, 2 = start of line.
  void set_regex(std::string regex, int word_begin, bool word_end);

  std::string name_;
  std::string pattern_;
  std::unique_ptr<Regex> regex_;
  int flags_ = 0;
  Kind kind_ = Kind::kPattern;
  bool epoch_pattern_ = false;
  int epoch_group_ = 1;
  DateFieldGroups fields_;
};

// The pattern with fail2ban's boundary markers taken off (to embed it in "{DATE}").
[[nodiscard]] std::string unbound_pattern(std::string_view pattern);

}  // namespace custos::detection
