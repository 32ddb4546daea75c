#include "detection/date_template.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <stdexcept>

namespace custos::detection {
namespace {

// fail2ban's regexes over date patterns, applied with PCRE2 (they are plain Python regexes).
struct Meta {
  Regex grouped{R"((?<!(?:\(\?))(?<!\\)\((?!\?))"};
  Regex group{R"(^((?:\(\?\w+\))?\^?(?:\(\?\w+\))?)(.*?)(\$?)$)"};
  Regex global_flags{R"(((?:^|(?!<\\))\(\?[a-z]+\)))"};
  Regex no_word_bound_begin{R"(^\(*(?:\(\?\w+\))?(?:\^|\(*\*\*|\((?:\?:)?\^))"};
  Regex no_word_bound_end{R"((?<!\\)(?:\$\)?|\\b|\\s|\*\*\)*)$)"};
  Regex delete_word_bounds{R"(^\(*(?:\(\?\w+\))?\(*\*\*|(?<!\\)\*\*\)*$)"};
  Regex line_bound_begin{R"(^(?:\(\?\w+\))?(?:\^|\((?:\?:)?\^(?!\|)))"};
  Regex line_bound_end{R"((?<![\\\|])(?:\$\)?)$)"};
  Regex epoch_pattern{R"((?i)(?<!\\)\{L?EPOCH\})"};
  Regex no_bounds{R"(^\{UNB\})"};
  Regex line_begin{R"(^\{\^LN-BEG\})"};
  Regex start_anchor{R"(^\((?:\?:)?\^\|\\b\|\\W\))"};
  Regex end_anchor{R"(\(\?=\\b\|\\W\|\$\)$)"};
};

const Meta& meta() {
  static const Meta m;
  return m;
}

thread_local MatchScratch meta_scratch;

bool found(const Regex& re, std::string_view s) { return re.matches(s, meta_scratch); }

// re.sub with a callback; count 0 = all.
std::string substitute(
    const Regex& re, std::string_view s,
    const std::function<std::string(std::string_view, const std::vector<Span>&)>& repl,
    int count = 0) {
  std::string out;
  std::vector<Span> spans;
  std::size_t pos = 0;
  std::size_t copied = 0;
  int done = 0;
  while (pos <= s.size() && (count == 0 || done < count) &&
         re.search(s, meta_scratch, spans, pos)) {
    out.append(s.substr(copied, spans[0].begin - copied));
    out += repl(s, spans);
    copied = spans[0].end;
    ++done;
    pos = spans[0].end > spans[0].begin ? spans[0].end : spans[0].end + 1;
    if (spans[0].end == s.size()) break;
  }
  if (copied < s.size()) out.append(s.substr(copied));
  return out;
}

std::string strip(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

constexpr std::string_view kEpoch = R"(\d{10,11}\b(?:\.\d{3,6})?)";
constexpr std::string_view kLongEpoch = R"(\d{10,11}(?:\d{3}(?:\.\d{1,6}|\d{3})?)?)";

}  // namespace

std::string unbound_pattern(std::string_view pattern) {
  const Meta& m = meta();
  auto drop = [](std::string_view, const std::vector<Span>&) { return std::string(); };
  std::string p = substitute(m.no_bounds, pattern, drop);
  p = substitute(m.line_begin, p, drop);
  p = substitute(m.start_anchor, p, drop);
  return substitute(m.end_anchor, p, drop);
}

void DateTemplate::set_regex(std::string regex, int word_begin, bool word_end) {
  const Meta& m = meta();
  regex = strip(regex);
  std::string global;
  std::vector<Span> spans;
  if (m.global_flags.search(regex, meta_scratch, spans)) {
    global = regex.substr(spans[1].begin, spans[1].end - spans[1].begin);
    regex.erase(spans[1].begin, spans[1].end - spans[1].begin);
  }
  const bool bound_begin = word_begin != 0 && !found(m.no_word_bound_begin, regex);
  const bool bound_end = word_end && !found(m.no_word_bound_end, regex);
  if (!found(m.grouped, regex)) {
    regex = substitute(m.group, regex, [](std::string_view s, const std::vector<Span>& g) {
      return std::string(g[1].in(s)) + "(" + std::string(g[2].in(s)) + ")" +
             std::string(g[3].in(s));
    });
  }
  flags_ = 0;
  if (bound_begin) {
    if (word_begin == 2) {
      flags_ |= kLineBegin;
      regex = R"(^(?:\W{0,2})?)" + regex;
      if (name_.rfind("{^LN-BEG}", 0) != 0) name_ = "{^LN-BEG}" + name_;
    } else {
      flags_ |= kWordBegin;
      regex = R"((?=^|\b|\W))" + regex;
    }
  }
  if (bound_end) {
    flags_ |= kWordEnd;
    regex += R"((?=\b|\W|$))";
  }
  if (!(flags_ & kLineBegin) && found(m.line_bound_begin, regex)) flags_ |= kLineBegin;
  if (!(flags_ & kLineEnd) && found(m.line_bound_end, regex)) flags_ |= kLineEnd;
  regex =
      substitute(m.delete_word_bounds, regex, [](std::string_view s, const std::vector<Span>& g) {
        std::string text(g[0].in(s));
        std::string out;
        for (std::size_t i = 0; i < text.size(); ++i) {
          if (i + 1 < text.size() && text[i] == '*' && text[i + 1] == '*') {
            ++i;
            continue;
          }
          out += text[i];
        }
        return out;
      });
  regex = global + regex;
  try {
    regex_ = std::make_unique<Regex>(translate_python_regex(regex));
  } catch (const RegexError& e) {
    throw std::invalid_argument("the date regex '" + regex + "' does not compile: " + e.what());
  }
  fields_ = DateFieldGroups::of(*regex_);
}

std::shared_ptr<const DateTemplate> DateTemplate::from_pattern(std::string_view pattern,
                                                               int reference_year) {
  const Meta& m = meta();
  std::shared_ptr<DateTemplate> t(new DateTemplate());
  const std::string key =
      pattern.find('%') != std::string_view::npos ? std::string(pattern) : upper(pattern);
  t->pattern_ = std::string(pattern);
  if (key.find("EPOCH") != std::string::npos) {
    const bool long_form = key.find("LEPOCH") != std::string::npos;
    const std::string_view epoch = long_form ? kLongEpoch : kEpoch;
    t->kind_ = long_form ? Kind::kLongEpoch : Kind::kEpoch;
    if (found(m.epoch_pattern, pattern)) {
      t->name_ = std::string(pattern);
      t->epoch_pattern_ = true;
      t->epoch_group_ = 2;
      const std::string inner =
          substitute(m.epoch_pattern, pattern, [&](std::string_view, const std::vector<Span>&) {
            return "(" + std::string(epoch) + ")";
          });
      t->set_regex("(" + inner + ")", 1, true);
      return t;
    }
    const std::string base = long_form ? "LEPOCH" : "EPOCH";
    if (key == base || key == "{^LN-BEG}" + base || key == "^" + base) {
      t->name_ = long_form ? "LongEpoch" : "Epoch";
      if (key == base) {
        t->set_regex(R"(((?:^|(?P<square>(?<=^\[))|(?P<selinux>(?<=\baudit\())))" +
                         std::string(epoch) + R"()(?:(?(selinux)(?=:\d+\)))|(?(square)(?=\]))))",
                     0, true);
      } else {
        t->set_regex(R"(((?P<square>(?<=^\[))?)" + std::string(epoch) + R"()(?(square)(?=\])))", 2,
                     true);
      }
      return t;
    }
  }
  if (key == "TAI64N" || key == "{^LN-BEG}TAI64N" || key == "^TAI64N") {
    t->kind_ = Kind::kTai64n;
    t->name_ = "TAI64N";
    t->set_regex("@[0-9a-f]{24}", key == "TAI64N" ? 0 : 2, true);
    return t;
  }
  // A strptime-style pattern.
  t->kind_ = Kind::kPattern;
  std::string p(pattern);
  int word_begin = 1;
  bool word_end = true;
  if (found(m.no_bounds, p)) {
    p = p.substr(5);
    word_begin = 0;
    word_end = false;
  }
  if (word_begin != 0 && found(m.line_begin, p)) {
    p = p.substr(9);
    word_begin = 2;
  }
  t->name_ = p;
  std::string regex = date_pattern_to_regex(p, reference_year);
  if (date_pattern_has_alpha(p)) regex = "(?i)" + regex;
  t->set_regex(regex, word_begin, word_end);
  return t;
}

std::optional<double> DateTemplate::date(std::string_view line, const std::vector<Span>& spans,
                                         const ReferenceTime& now, LocalTimeZone& zone) const {
  if (kind_ == Kind::kPattern) {
    const auto epoch = fields_to_epoch(fields_, line, spans, now, zone);
    if (!epoch) return std::nullopt;
    return static_cast<double>(*epoch);
  }
  const auto index = static_cast<std::size_t>(kind_ == Kind::kTai64n ? 1 : epoch_group_);
  if (index >= spans.size() || !spans[index].matched) return std::nullopt;
  const std::string value(spans[index].in(line));
  if (kind_ == Kind::kTai64n) {
    if (value.size() < 17) return std::nullopt;
    return static_cast<double>(std::strtoll(value.substr(2, 15).c_str(), nullptr, 16));
  }
  double v = std::strtod(value.c_str(), nullptr);
  if (kind_ == Kind::kLongEpoch && value.size() >= 13) {
    v = (value.size() >= 16 && value.find('.') == std::string::npos) ? v / 1000000 : v / 1000;
  }
  return v;
}

}  // namespace custos::detection
