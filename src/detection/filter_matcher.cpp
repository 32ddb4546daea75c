#include "detection/filter_matcher.hpp"

#include <hs/hs.h>

#include <time.h>

#include <algorithm>
#include <functional>

namespace custos::detection {
namespace {

constexpr std::size_t kMlfidCacheSize = 100;
constexpr std::chrono::minutes kMlfidCacheTime{5};
// A line without a date takes the previous line's date if that is at most this old.
constexpr double kLastDateValidity = 60;

}  // namespace

// ---------------------------------------------------------------------------------------------
// FailData

const std::optional<std::string>* FilterMatcher::FailData::find(std::string_view name) const {
  for (const auto& [k, v] : groups) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool FilterMatcher::FailData::truthy(std::string_view name) const {
  const auto* v = find(name);
  return v != nullptr && v->has_value() && !(*v)->empty();
}

std::optional<std::string> FilterMatcher::FailData::get(std::string_view name) const {
  const auto* v = find(name);
  return v != nullptr ? *v : std::nullopt;
}

void FilterMatcher::FailData::set(std::string_view name, std::optional<std::string> value) {
  for (auto& [k, v] : groups) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  groups.emplace_back(name, std::move(value));
}

std::optional<std::string> FilterMatcher::FailData::pop(std::string_view name) {
  for (auto it = groups.begin(); it != groups.end(); ++it) {
    if (it->first == name) {
      auto value = std::move(it->second);
      groups.erase(it);
      return value;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------

FilterMatcher::FilterMatcher(std::shared_ptr<const CompiledFilter> filter, const ReferenceTime& now,
                             Options options)
    : filter_(std::move(filter)),
      options_(options),
      now_(now),
      dates_(filter_->definition().datepattern, now) {
  hs_scratch_ = filter_->make_scratch();
}

FilterMatcher::~FilterMatcher() {
  if (hs_scratch_ != nullptr) hs_free_scratch(hs_scratch_);
}

void FilterMatcher::set_reference(const ReferenceTime& now) {
  now_ = now;
  dates_.set_reference(now);
}

namespace {

// Expiry needs minutes, not nanoseconds: the coarse clock is a memory read, not a TSC read.
std::chrono::steady_clock::time_point coarse_now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) +
                                               std::chrono::nanoseconds(ts.tv_nsec));
}

}  // namespace

// Never 0, which marks a free slot.
std::size_t FilterMatcher::cache_hash(const std::string& key) {
  return std::hash<std::string>{}(key) | 1;
}

std::size_t FilterMatcher::cache_find(const std::string& key, std::size_t hash) const {
  for (std::size_t i = 0; i < mlfid_hashes_.size(); ++i) {
    if (mlfid_hashes_[i] == hash && mlfid_slots_[i].key == key) return i;
  }
  return kNoSlot;
}

FilterMatcher::CacheEntry* FilterMatcher::cache_get(const std::string& key, std::size_t hash) {
  const std::size_t i = cache_find(key, hash);
  if (i == kNoSlot) return nullptr;
  if (mlfid_slots_[i].entry.expires <= coarse_now()) {
    mlfid_hashes_[i] = 0;
    --mlfid_used_;
    return nullptr;
  }
  return &mlfid_slots_[i].entry;
}

FilterMatcher::CacheEntry& FilterMatcher::cache_set(const std::string& key, std::size_t hash,
                                                    FailData data, bool absent) {
  const auto expires = coarse_now() + kMlfidCacheTime;
  if (const std::size_t i = absent ? kNoSlot : cache_find(key, hash); i != kNoSlot) {
    mlfid_slots_[i].entry.data = std::move(data);
    mlfid_slots_[i].entry.expires = expires;
    return mlfid_slots_[i].entry;
  }
  if (mlfid_slots_.empty()) {
    mlfid_slots_.resize(kMlfidCacheSize);
    mlfid_hashes_.assign(kMlfidCacheSize, 0);
    mlfid_orders_.assign(kMlfidCacheSize, 0);
  }
  std::size_t slot = kNoSlot;
  auto current = [this](const std::pair<std::size_t, std::uint64_t>& queued) {
    return mlfid_hashes_[queued.first] != 0 && mlfid_orders_[queued.first] == queued.second;
  };
  if (mlfid_used_ >= kMlfidCacheSize) {
    // Oldest first, as fail2ban's cache. Every slot is in use, so the queue holds each one.
    while (!current(mlfid_queue_.front())) mlfid_queue_.pop_front();
    slot = mlfid_queue_.front().first;
    mlfid_queue_.pop_front();
    --mlfid_used_;
  } else {
    for (slot = 0; mlfid_hashes_[slot] != 0; ++slot) {
    }
  }
  CacheSlot& s = mlfid_slots_[slot];
  s.key.assign(key);
  mlfid_orders_[slot] = ++mlfid_next_order_;
  s.entry.data = std::move(data);
  s.entry.expires = expires;
  mlfid_hashes_[slot] = hash;
  ++mlfid_used_;
  mlfid_queue_.emplace_back(slot, mlfid_next_order_);
  if (mlfid_queue_.size() > 4 * kMlfidCacheSize) {
    // Ids dropped before they were evicted leave stale entries behind.
    std::erase_if(mlfid_queue_, [&](const auto& queued) { return !current(queued); });
  }
  return s.entry;
}

void FilterMatcher::cache_unset(const std::string& key) {
  const std::size_t i = cache_find(key, cache_hash(key));
  if (i == kNoSlot) return;
  mlfid_hashes_[i] = 0;
  --mlfid_used_;
}

// ---------------------------------------------------------------------------------------------

void FilterMatcher::process(std::string_view line, LineResult& result) {
  result.clear();
  std::optional<double> date;
  bool no_date = false;
  // The line as the regexes see it: the date text cut out (fail2ban's "tuple line").
  std::size_t cut_begin = 0;
  std::size_t cut_end = 0;
  bool whole_line = false;  // dated by the previous line: nothing cut
  const auto found = dates_.match(line, zone_);
  const double now = static_cast<double>(now_.epoch);
  if (found) {
    cut_begin = found->begin;
    cut_end = found->end;
    if (cut_end > cut_begin) {
      date = found->epoch;
      if (date) {
        last_date_text_.assign(line.substr(cut_begin, cut_end - cut_begin));
        last_date_ = date;
      }
    } else if (last_date_ && *last_date_ > now - kLastDateValidity) {
      whole_line = true;
      date = last_date_;
    } else {
      date = now;  // {NONE}: lines carry no date, they happen now
    }
  }
  if (!date) {
    no_date = true;
    if (last_date_ && *last_date_ > now - kLastDateValidity) {
      whole_line = true;
      date = last_date_;
    }
  }
  if (whole_line) cut_begin = cut_end = 0;
  result.time = date;
  const std::size_t max_lines = static_cast<std::size_t>(filter_->definition().maxlines);
  if (max_lines <= 1) {
    buffer_.assign(line.substr(0, cut_begin));
    buffer_.append(line.substr(cut_end));
    buffer_ += '\n';
  } else {
    lines_.push_back(TupleLine{std::string(line.substr(0, cut_begin)),
                               std::string(line.substr(cut_begin, cut_end - cut_begin)),
                               std::string(line.substr(cut_end))});
    while (lines_.size() > max_lines) lines_.pop_front();
    build_buffer();
  }
  find_failures(date, no_date, result);
}

void FilterMatcher::process_at(std::string_view line, double time, LineResult& result) {
  result.clear();
  result.time = time;
  last_date_ = time;
  const std::size_t max_lines = static_cast<std::size_t>(filter_->definition().maxlines);
  if (max_lines <= 1) {
    buffer_.assign(line);
    buffer_ += '\n';
  } else {
    lines_.push_back(TupleLine{"", "", std::string(line)});
    while (lines_.size() > max_lines) lines_.pop_front();
    build_buffer();
  }
  find_failures(time, false, result);
}

void FilterMatcher::build_buffer() {
  buffer_.clear();
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (i > 0) buffer_ += '\n';
    buffer_ += lines_[i].before;
    buffer_ += lines_[i].after;
  }
  buffer_ += '\n';
}

bool FilterMatcher::ignored(std::string_view text) {
  for (const auto& ignore : filter_->ignoreregexes()) {
    if (ignore.regex.matches(text, scratch_)) return true;
  }
  return false;
}

FilterMatcher::FailData FilterMatcher::groups_of(const CompiledRegex& regex,
                                                 std::string_view subject) const {
  FailData fail;
  fail.groups.reserve(regex.regex.names().size());
  for (const auto& [name, number] : regex.regex.names()) {
    if (number == regex.groups.content) continue;  // handled by the caller, never a field
    const Span& s = spans_[static_cast<std::size_t>(number)];
    fail.groups.emplace_back(
        name, s.matched ? std::optional<std::string>(std::string(s.in(subject))) : std::nullopt);
  }
  // alt_NAME fills NAME when NAME is empty.
  for (const auto& [target, number] : regex.groups.alternates) {
    const Span& s = spans_[static_cast<std::size_t>(number)];
    if (s.matched && s.end > s.begin && !fail.truthy(target)) {
      fail.set(target, std::string(s.in(subject)));
    }
  }
  return fail;
}

void FilterMatcher::drop_matched_lines(std::size_t begin, std::size_t end) {
  // Line numbers of the match's first and last line within buffer_.
  const std::size_t first = static_cast<std::size_t>(
      std::count(buffer_.begin(), buffer_.begin() + static_cast<long>(begin), '\n'));
  std::size_t line_end = buffer_.find('\n', end > 0 ? end - 1 : 0);
  line_end = line_end == std::string::npos ? buffer_.size() : line_end + 1;
  const std::size_t last = static_cast<std::size_t>(
      std::count(buffer_.begin(), buffer_.begin() + static_cast<long>(line_end), '\n'));
  std::deque<TupleLine> kept;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    if (i < first || i >= last) kept.push_back(lines_[i]);
  }
  lines_ = std::move(kept);
}

FilterMatcher::FailData& FilterMatcher::merge_mlfid(const std::string& mlfid, FailData fail,
                                                    int matched_lines) {
  // fail2ban's Filter._mergeFailure. Flags: 1 nofail, 2 forget, 4 cached had nofail/gained,
  // 8 gained (a success: pending failures of this connection are forgiven).
  const std::size_t hash = cache_hash(mlfid);
  CacheEntry* cached = cache_get(mlfid, hash);
  int flags = 0;
  if (fail.truthy("mlfgained")) {
    flags |= 8 | 1;
    if (!fail.truthy("nofail")) fail.set("nofail", fail.get("mlfgained"));
  } else if (fail.truthy("nofail")) {
    flags |= 1;
  }
  if (auto forget = fail.pop("mlfforget"); forget && !forget->empty()) flags |= 2;

  auto update_users = [](FailData& target, const std::optional<std::string>& user) {
    if (user && !user->empty()) {
      if (!target.users) target.users.emplace();
      target.users->insert(*user);
    }
    return target.users ? target.users->size() : std::size_t{0};
  };

  FailData* target = nullptr;
  std::size_t user_count = 0;
  if (cached != nullptr) {
    FailData& groups = cached->data;
    user_count = update_users(groups, fail.get("user"));
    if (auto v = groups.pop("nofail"); v && !v->empty()) flags |= 4;
    if (auto v = groups.pop("mlfgained"); v && !v->empty()) flags |= 4;
    if (flags & 8) groups.mlfpending = false;
    if ((flags & 4) == 0 && !groups.mlfpending) groups.matches.reset();
    for (auto& [k, v] : fail.groups) {
      if (v) groups.set(k, std::move(v));
    }
    if (flags & 2) {
      forgotten_ = std::move(groups);
      cache_unset(mlfid);
      target = &forgotten_;
    } else {
      target = &groups;
    }
  } else if (!(flags & 2)) {
    user_count = update_users(fail, fail.get("user"));
    target = &cache_set(mlfid, hash, std::move(fail), true).data;
  } else {
    forgotten_ = std::move(fail);
    target = &forgotten_;
  }
  FailData& f = *target;
  const bool pending = f.mlfpending;
  f.mlfpending = false;
  if (pending || user_count > 1) {
    f.pop("nofail");
    f.pop("mlfgained");
    flags &= ~(8 | 1);
  }
  if ((flags & 1) == 0) {
    int m = f.nofail_matches.value_or(0);
    f.nofail_matches.reset();
    m += f.matches.value_or(0);
    if ((flags & 8) == 0) m += matched_lines;
    f.matches = m;
  } else if ((flags & 3) == 1) {
    f.nofail_matches = f.nofail_matches.value_or(0) + matched_lines;
  }
  return f;
}

void FilterMatcher::find_failures(std::optional<double> date, bool no_date, LineResult& result) {
  const CompiledFilter& filter = *filter_;
  const bool multi = filter.definition().maxlines > 1;
  const auto& failregexes = filter.failregexes();
  const auto& ignores = filter.ignoreregexes();

  // With few ignoreregexes fail2ban checks them first, on the whole line.
  if (!ignores.empty() && ignores.size() + 2 < failregexes.size() && ignored(buffer_)) {
    result.kind = LineResult::Kind::kIgnored;
    return;
  }
  // prefregex's groups are read only when a failregex matches (most lines match none).
  const auto& pref = filter.prefregex();
  bool have_pre = false;
  bool pre_in_content = false;  // the prefregex's subject moved to content_
  if (pref) {
    if (!pref->regex.search(buffer_, scratch_, spans_)) return;
    pre_spans_.assign(spans_.begin(), spans_.end());
    have_pre = true;
    const int content_group = pref->groups.content;
    if (content_group > 0 && spans_[static_cast<std::size_t>(content_group)].matched &&
        spans_[static_cast<std::size_t>(content_group)].end >
            spans_[static_cast<std::size_t>(content_group)].begin) {
      const Span& c = spans_[static_cast<std::size_t>(content_group)];
      content_.assign(buffer_, c.begin, c.end - c.begin);
      content_ += '\n';
      buffer_.swap(content_);
      pre_in_content = true;
      if (multi) {
        lines_.clear();
        lines_.push_back(TupleLine{"", "", buffer_.substr(0, buffer_.size() - 1)});
      }
    }
  }
  filter.candidates(buffer_, hs_scratch_, candidates_);
  for (std::size_t index = 0; index < failregexes.size(); ++index) {
    if (!candidates_[index]) continue;
    const CompiledRegex& failregex = failregexes[index];
    if (!failregex.regex.search(buffer_, scratch_, spans_)) continue;
    const std::size_t match_begin = spans_[0].begin;
    const std::size_t match_end = spans_[0].end;
    FailData fail = groups_of(failregex, buffer_);
    if (!ignores.empty() && ignored(buffer_)) {
      result.kind = LineResult::Kind::kIgnored;
      if (!options_.check_all_regex) break;
      continue;
    }
    (void)no_date;
    int matched_lines = 1;
    if (multi) {
      const std::string_view matched(buffer_.data() + match_begin, match_end - match_begin);
      matched_lines = static_cast<int>(std::count(matched.begin(), matched.end(), '\n')) + 1;
      if (!matched.empty() && matched.back() == '\n') --matched_lines;
      matched_lines = std::max(matched_lines, 1);
    }
    if (!options_.check_all_regex || multi) {
      if (multi) drop_matched_lines(match_begin, match_end);
    }
    if (have_pre) {
      spans_.swap(pre_spans_);
      FailData merged = groups_of(*pref, pre_in_content ? content_ : buffer_);
      spans_.swap(pre_spans_);
      for (auto& [k, v] : fail.groups) merged.set(k, std::move(v));
      fail = std::move(merged);
    }
    result.kind = LineResult::Kind::kMatched;
    result.matched.push_back(index);
    // The merged failure is read in place (in the cache), not copied.
    const FailData* merged = &fail;
    const auto* mlfid_value = fail.find("mlfid");
    const bool mlfid = mlfid_value != nullptr && mlfid_value->has_value();
    if (mlfid) {
      mlfid_key_.assign(**mlfid_value);
      merged = &merge_mlfid(mlfid_key_, std::move(fail), matched_lines);
      if (merged->truthy("nofail") && !options_.check_all_regex) return;
    } else {
      fail.matches = fail.matches.value_or(0) + matched_lines;
    }
    auto value_of = [merged](std::string_view name) -> const std::string* {
      const auto* v = merged->find(name);
      return v != nullptr && v->has_value() ? &**v : nullptr;
    };
    const std::string* fid = value_of("fid");
    const char* ip_group = "ip4";
    const std::string* ip = value_of("ip4");
    if (ip == nullptr) {
      ip = value_of("ip6");
      ip_group = "ip6";
    }
    if (ip == nullptr) {
      ip = value_of("dns");
      ip_group = "dns";
    }
    if (ip == nullptr) {
      if (fid == nullptr && !mlfid) continue;  // fail2ban: "No group found" — a broken regex
      ip = fid;
      ip_group = "fid";
    }
    if (ip == nullptr) {
      // The connection's address is not known yet: pending until a later line supplies it.
      if (mlfid) {
        if (CacheEntry* entry = cache_get(mlfid_key_, cache_hash(mlfid_key_))) {
          entry->data.mlfpending = true;
        }
      }
      if (!options_.check_all_regex) return;
      continue;
    }
    if (!merged->truthy("nofail")) {
      Failure failure;
      failure.regex = index;
      const bool by_fid = fid != nullptr && *fid != *ip;
      failure.id = by_fid ? *fid : *ip;
      failure.id_group = by_fid ? "fid" : ip_group;
      failure.time = date;
      for (const auto& [name, number] : failregex.groups.fields) {
        (void)number;
        if (const std::string* v = value_of(name)) failure.fields.emplace_back(name, *v);
      }
      if (have_pre) {
        for (const auto& field : filter.prefregex()->groups.fields) {
          // A plain reference, not a structured binding: clang 14 (lint) cannot capture those.
          const std::string& name = field.first;
          const bool known = std::any_of(failure.fields.begin(), failure.fields.end(),
                                         [&](const auto& kv) { return kv.first == name; });
          if (const std::string* v = value_of(name); !known && v != nullptr) {
            failure.fields.emplace_back(name, *v);
          }
        }
      }
      // A user name remembered from an earlier line of the same connection.
      if (const std::string* user = value_of("user");
          user != nullptr && std::none_of(failure.fields.begin(), failure.fields.end(),
                                          [](const auto& kv) { return kv.first == "user"; })) {
        failure.fields.emplace_back("user", *user);
      }
      if (merged->users) failure.users.assign(merged->users->begin(), merged->users->end());
      failure.attempts = merged->matches.value_or(1);
      result.failures.push_back(std::move(failure));
    }
    if (!options_.check_all_regex) break;
  }
}

}  // namespace custos::detection
