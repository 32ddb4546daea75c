#include "detection/date_detector.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

namespace custos::detection {
namespace {

// fail2ban's default date templates, most common first.
constexpr const char* kDefaultPatterns[] = {
    R"(%ExY(?P<_sep>[-/.])%m(?P=_sep)%d(?:T|  ?)%H:%M:%S(?:[.,]%f)?(?:\s*%z)?)",
    R"((?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)",
    R"((?:%a )?%b %d %ExY %k:%M:%S(?:\.%f)?)",
    R"(%d(?P<_sep>[-/])%m(?P=_sep)(?:%ExY|%Exy) %k:%M:%S)",
    R"(%d(?P<_sep>[-/])%b(?P=_sep)%ExY[ :]?%H:%M:%S(?:\.%f)?(?: %z)?)",
    R"(%m/%d/%ExY:%H:%M:%S)",
    R"(%m-%d-%ExY %k:%M:%S(?:\.%f)?)",
    R"(EPOCH)",
    R"({^LN-BEG}%H:%M:%S)",
    R"(^<%m/%d/%Exy@%H:%M:%S>)",
    R"(%Exy%Exm%Exd  ?%H:%M:%S)",
    R"(%b %d, %ExY %I:%M:%S %p)",
    R"(^%b-%d-%Exy %k:%M:%S)",
    R"(%ExY%Exm%Exd(?:T|  ?)%ExH%ExM%ExS(?:[.,]%f)?(?:\s*%z)?)",
    R"((?:%Z )?(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)",
    R"((?:%z )?(?:%a )?%b %d %k:%M:%S(?:\.%f)?(?: %ExY)?)",
    R"(TAI64N)",
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

struct Defaults {
  std::vector<std::shared_ptr<const DateTemplate>> plain;  // the list above
  std::vector<std::shared_ptr<const DateTemplate>> all;    // anchored variants first, then plain
};

std::shared_ptr<const DateTemplate> anchored(const DateTemplate& t, int year,
                                             std::string_view prefix) {
  const std::string source = t.has_pattern() ? t.pattern() : t.name();
  auto a = DateTemplate::from_pattern(std::string(prefix) + source, year);
  return a;
}

// Built once per reference year (the %ExY alternatives depend on it).
const Defaults& defaults_for(int year) {
  static std::mutex mutex;
  static std::vector<std::pair<int, std::unique_ptr<Defaults>>> cache;
  std::lock_guard lock(mutex);
  for (const auto& [y, d] : cache) {
    if (y == year) return *d;
  }
  auto d = std::make_unique<Defaults>();
  std::vector<std::shared_ptr<const DateTemplate>> first;
  for (const char* p : kDefaultPatterns) {
    auto t = DateTemplate::from_pattern(p, year);
    d->plain.push_back(t);
    const std::string& name = t->name();
    if (!name.starts_with("{^LN-BEG}") && !name.starts_with('^')) {
      auto a = std::const_pointer_cast<DateTemplate>(anchored(*t, year, "{^LN-BEG}"));
      if (a->name() != name) {
        a->weight = 100.0;
        first.push_back(a);
      }
    }
  }
  d->all = first;
  d->all.insert(d->all.end(), d->plain.begin(), d->plain.end());
  cache.emplace_back(year, std::move(d));
  return *cache.back().second;
}

}  // namespace

DateDetector::DateDetector(std::string_view datepattern, const ReferenceTime& now) : now_(now) {
  std::size_t start = 0;
  bool any = false;
  while (start <= datepattern.size()) {
    std::size_t end = datepattern.find('\n', start);
    if (end == std::string_view::npos) end = datepattern.size();
    std::string_view line = datepattern.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) {
      line.remove_prefix(1);
    }
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
      line.remove_suffix(1);
    }
    if (line.empty()) continue;
    try {
      append(line);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("datepattern '" + std::string(line) + "': " + e.what());
    }
    any = true;
  }
  if (!any) add_defaults(false, {});
}

void DateDetector::add(std::shared_ptr<const DateTemplate> t, bool ignore_duplicate) {
  for (const auto& e : templates_) {
    if (e.templ->name() == t->name()) {
      if (ignore_duplicate) return;
      throw std::invalid_argument("there is already a template " + t->name());
    }
  }
  templates_.push_back(Entry{std::move(t)});
}

void DateDetector::add_defaults(bool line_begin_only, std::string_view prematch) {
  const bool ignore_duplicate = !templates_.empty();
  const Defaults& d = defaults_for(now_.local.year);
  const auto& list = prematch.empty() ? d.all : d.plain;
  for (const auto& t : list) {
    if (line_begin_only && !(t->flags() & DateTemplate::kLineBegin)) continue;
    if (prematch.empty()) {
      add(t, ignore_duplicate);
      continue;
    }
    // "{DATE}" in the datepattern stands for each default pattern, boundaries removed.
    const std::string inner = unbound_pattern(t->has_pattern() ? t->pattern() : t->name());
    std::string wrapped;
    std::string_view rest = prematch;
    const std::string upper_rest = upper(prematch);
    std::size_t pos = 0;
    while (true) {
      const auto found = upper_rest.find("{DATE}", pos);
      if (found == std::string::npos) {
        wrapped.append(rest.substr(pos));
        break;
      }
      if (found > 0 && rest[found - 1] == '\\') {
        wrapped.append(rest.substr(pos, found + 6 - pos));
      } else {
        wrapped.append(rest.substr(pos, found - pos));
        wrapped += inner;
      }
      pos = found + 6;
    }
    add(DateTemplate::from_pattern(wrapped, now_.local.year), ignore_duplicate);
  }
}

void DateDetector::append(std::string_view pattern) {
  const std::string key =
      pattern.find('%') != std::string_view::npos ? std::string(pattern) : upper(pattern);
  if (key == "{^LN-BEG}" || key == "{DEFAULT}") {
    add_defaults(key == "{^LN-BEG}", {});
    return;
  }
  if (key.find("{DATE}") != std::string::npos) {
    add_defaults(false, pattern);
    return;
  }
  if (key == "{NONE}") {
    // No date in the lines: an empty match at the start, the time is "now".
    add(DateTemplate::from_pattern("{UNB}^", now_.local.year), false);
    return;
  }
  add(DateTemplate::from_pattern(pattern, now_.local.year), false);
}

std::optional<DateMatch> DateDetector::match(std::string_view line, LocalTimeZone& zone) {
  auto char_at = [&line](std::size_t i) -> char { return i < line.size() ? line[i] : '\0'; };
  auto before = [&](std::size_t i) -> char { return i > 0 ? char_at(i - 1) : '\0'; };
  bool matched = false;
  std::size_t index = last_index_;
  std::size_t ignore_by_search = 0x7fffffff;
  // A match of a template other than the expected one, kept in case nothing better turns up.
  struct Found {
    bool ok = false;
    std::vector<Span> spans;
    std::size_t distance = 0x7fffffff;
    std::size_t index = 0;
  } best;

  if (index < templates_.size()) {
    const DateTemplate& t = *templates_[index].templ;
    if (t.anchored()) {
      matched = t.regex().search(line, scratch_, spans_);
      ignore_by_search = index;
    } else {
      const std::size_t distance = last_begin_.at;
      const std::size_t endpos = last_end_.at;
      const bool begin_ok = (distance <= line.size() && before(distance) == last_begin_.before) ||
                            (char_at(distance) == last_begin_.after &&
                             !std::isalnum(static_cast<unsigned char>(last_begin_.after)));
      const bool end_ok = (char_at(endpos) == last_end_.after) ||
                          (before(endpos) == last_end_.before &&
                           !std::isalnum(static_cast<unsigned char>(last_end_.before)));
      if (begin_ok && end_ok && distance <= line.size()) {
        matched = t.regex().search(line, scratch_, spans_, distance, std::min(endpos, line.size()));
      } else {
        matched = t.regex().search(line, scratch_, spans_);
        ignore_by_search = index;
      }
    }
    if (matched) {
      ++templates_[index].matches;
      const std::size_t distance = spans_[0].begin;
      const std::size_t endpos = spans_[0].end;
      if (!(templates_.size() == 1 || t.anchored() ||
            (distance == last_begin_.at && endpos == last_end_.at))) {
        best = Found{true, spans_, distance, index};
        matched = false;
      }
    }
  }
  if (!matched) {
    for (std::size_t i = 0; i < templates_.size(); ++i) {
      if (i == ignore_by_search) continue;
      Entry& e = templates_[i];
      if (!e.templ->regex().search(line, scratch_, spans_)) continue;
      ++e.matches;
      const std::size_t distance = spans_[0].begin;
      index = i;
      matched = true;
      if (i + 1 >= templates_.size()) break;
      if (e.templ->anchored()) break;
      if (distance == 0 && e.hits > 0 && templates_[i + 1].matches == 0) break;
      if (distance > e.distance || distance > last_begin_.at) {
        if (distance < best.distance) best = Found{true, spans_, distance, i};
        matched = false;
        continue;
      }
      break;
    }
    if (!matched && best.ok) {
      spans_ = best.spans;
      index = best.index;
      matched = true;
    }
  }
  if (!matched) return std::nullopt;

  Entry& e = templates_[index];
  const std::size_t distance = spans_[0].begin;
  const std::size_t endpos = spans_[0].end;
  ++e.hits;
  e.last_used = now_.epoch;
  e.distance = distance;
  if (first_unused_ == index) ++first_unused_;
  last_begin_ = Position{distance, before(distance), char_at(distance)};
  last_end_ = Position{endpos, before(endpos), char_at(endpos)};
  DateMatch result;
  if (spans_.size() > 1 && spans_[1].matched) {
    result.begin = spans_[1].begin;
    result.end = spans_[1].end;
  } else {
    result.begin = result.end = distance;
  }
  const DateTemplate* templ = e.templ.get();
  if (result.end > result.begin) {
    // Every field lies within the whole match, so the same text gives the same date.
    const std::string_view text = line.substr(distance, endpos - distance);
    if (templ == last_date_.templ && &zone == last_date_.zone && text == last_date_.text) {
      result.epoch = last_date_.epoch;
    } else {
      result.epoch = templ->date(line, spans_, now_, zone);
      last_date_.templ = templ;
      last_date_.zone = &zone;
      last_date_.text.assign(text);
      last_date_.epoch = result.epoch;
    }
  }
  if (index != 0 && index != last_index_) index = reorder(index);
  last_index_ = index;
  return result;
}

std::size_t DateDetector::reorder(std::size_t num) {
  Entry& moving = templates_[num];
  const std::int64_t untime = moving.last_used - 300;
  const double weight = moving.weight();
  std::size_t pos = first_unused_ < num ? first_unused_ : num / 2;
  auto movable = [&](std::size_t p) {
    return weight > templates_[p].weight() || untime > templates_[p].last_used;
  };
  if (!movable(pos)) {
    if (pos == num - 1) return num;
    pos = num - 1;
    if (!movable(pos)) return num;
  }
  Entry entry = std::move(templates_[num]);
  templates_.erase(templates_.begin() + static_cast<long>(num));
  templates_.insert(templates_.begin() + static_cast<long>(pos), std::move(entry));
  while (first_unused_ < templates_.size() && templates_[first_unused_].hits > 0) ++first_unused_;
  return pos;
}

}  // namespace custos::detection
