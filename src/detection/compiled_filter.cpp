#include "detection/compiled_filter.hpp"

#include <hs/hs.h>

#include <algorithm>

#include "detection/tags.hpp"

namespace custos::detection {
namespace {

// Group names fail2ban uses internally: never reported as fields.
bool is_internal(std::string_view name) {
  static constexpr std::string_view internal[] = {"ip4",     "ip6",    "dns",       "fid",
                                                  "mlfid",   "nofail", "mlfforget", "mlfgained",
                                                  "content", "cidr",   "mlfpending"};
  if (std::find(std::begin(internal), std::end(internal), name) != std::end(internal)) return true;
  return name.rfind("skiplines", 0) == 0 || name.rfind("tuple_", 0) == 0 || name.front() == '_';
}

CompiledRegex compile(const std::string& source, const FilterDefinition& def, std::string_view what,
                      bool multiline) {
  const std::string expanded = expand_tags(source, def.usedns != "no");
  if (expanded.find_first_not_of(" \t") == std::string::npos) {
    throw FilterError(def.file.string() + ": [Definition] " + std::string(what) + ": empty regex");
  }
  try {
    Regex regex(translate_python_regex(expanded), Regex::Options{multiline});
    FailureGroups groups = FailureGroups::of(regex);
    return CompiledRegex{source, std::move(regex), std::move(groups)};
  } catch (const RegexError& e) {
    throw FilterError(def.file.string() + ": [Definition] " + std::string(what) + ": '" + source +
                      "' does not compile: " + e.what());
  }
}

}  // namespace

FailureGroups FailureGroups::of(const Regex& regex) {
  FailureGroups g;
  for (const auto& [name, number] : regex.names()) {
    if (name == "ip4")
      g.ip4 = number;
    else if (name == "ip6")
      g.ip6 = number;
    else if (name == "dns")
      g.dns = number;
    else if (name == "fid")
      g.fid = number;
    else if (name == "mlfid")
      g.mlfid = number;
    else if (name == "nofail")
      g.nofail = number;
    else if (name == "mlfforget")
      g.mlfforget = number;
    else if (name == "mlfgained")
      g.mlfgained = number;
    else if (name == "content")
      g.content = number;
    if (name == "user") g.user = number;
    if (name.rfind("alt_", 0) == 0 && name.size() > 4) {
      std::string target = name.substr(4);
      // alt_user_1 → user
      const auto underscore = target.rfind('_');
      if (underscore != std::string::npos && underscore + 1 < target.size() &&
          std::all_of(target.begin() + static_cast<long>(underscore) + 1, target.end(),
                      [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        target.resize(underscore);
      }
      if (target == "id") target = "fid";
      if (target == "port") target = "fport";
      g.alternates.emplace_back(target, number);
      continue;
    }
    if (!is_internal(name)) g.fields.emplace_back(name, number);
  }
  std::sort(g.alternates.begin(), g.alternates.end());
  return g;
}

CompiledFilter::CompiledFilter(FilterDefinition definition, Options options)
    : definition_(std::move(definition)) {
  const bool multiline = definition_.maxlines > 1;
  if (!definition_.prefregex.empty()) {
    prefregex_ = compile(definition_.prefregex, definition_, "prefregex", multiline);
  }
  for (std::size_t i = 0; i < definition_.failregex.size(); ++i) {
    const std::string what = "failregex #" + std::to_string(i + 1);
    failregexes_.push_back(compile(definition_.failregex[i], definition_, what, multiline));
    if (!failregexes_.back().groups.has_failure_id() &&
        !(prefregex_ && prefregex_->groups.has_failure_id())) {
      throw FilterError(definition_.file.string() + ": [Definition] " + what + ": '" +
                        definition_.failregex[i] +
                        "' has no failure id: it needs <HOST>, <ADDR>, <IP4>, <IP6>, <DNS>, "
                        "<F-ID> or <F-MLFID> (here or in prefregex)");
    }
  }
  for (std::size_t i = 0; i < definition_.ignoreregex.size(); ++i) {
    ignoreregexes_.push_back(compile(definition_.ignoreregex[i], definition_,
                                     "ignoreregex #" + std::to_string(i + 1), multiline));
  }
  if (!options.prefilter) {
    for (std::size_t i = 0; i < failregexes_.size(); ++i) always_.push_back(i);
    return;
  }
  // Hyperscan screens each unanchored failregex by a part every match must contain (see
  // necessary_prefix): exactly when Hyperscan supports that part, else in prefilter mode. A
  // failregex anchored at the start ("^…", most of fail2ban's) always runs in PCRE2: JIT code
  // rejects a line that does not start right within a few instructions, cheaper than any
  // screening (measured on sshd: bench/README.md). So does what Hyperscan cannot take at all.
  std::vector<std::string> patterns;
  std::vector<unsigned> flags;
  std::vector<unsigned> ids;
  const unsigned base_flags =
      HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY | (multiline ? HS_FLAG_MULTILINE : 0);
  for (std::size_t i = 0; i < failregexes_.size(); ++i) {
    if (failregexes_[i].regex.anchored()) {
      always_.push_back(i);
      continue;
    }
    const std::string p = necessary_prefix(failregexes_[i].regex.pattern());
    bool accepted = false;
    for (unsigned extra : {0u, static_cast<unsigned>(HS_FLAG_PREFILTER)}) {
      hs_database_t* probe = nullptr;
      hs_compile_error_t* error = nullptr;
      if (hs_compile(p.c_str(), base_flags | extra, HS_MODE_BLOCK, nullptr, &probe, &error) ==
          HS_SUCCESS) {
        hs_free_database(probe);
        patterns.push_back(p);
        flags.push_back(base_flags | extra);
        ids.push_back(static_cast<unsigned>(prefiltered_.size()));
        prefiltered_.push_back(i);
        accepted = true;
        break;
      }
      hs_free_compile_error(error);
    }
    if (!accepted) always_.push_back(i);
  }
  if (patterns.empty()) return;
  std::vector<const char*> pointers;
  pointers.reserve(patterns.size());
  for (const auto& p : patterns) pointers.push_back(p.c_str());
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(pointers.data(), flags.data(), ids.data(),
                       static_cast<unsigned>(pointers.size()), HS_MODE_BLOCK, nullptr, &database_,
                       &error) != HS_SUCCESS) {
    // Each compiled alone; together they should too. If not, match without the prefilter.
    hs_free_compile_error(error);
    database_ = nullptr;
    for (std::size_t i : prefiltered_) always_.push_back(i);
    prefiltered_.clear();
    std::sort(always_.begin(), always_.end());
  }
}

CompiledFilter::~CompiledFilter() {
  if (database_ != nullptr) hs_free_database(database_);
}

hs_scratch* CompiledFilter::make_scratch() const {
  if (database_ == nullptr) return nullptr;
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(database_, &scratch) != HS_SUCCESS) throw std::bad_alloc();
  return scratch;
}

void CompiledFilter::candidates(std::string_view text, hs_scratch* scratch,
                                std::vector<char>& out) const {
  out.assign(failregexes_.size(), 0);
  const auto first = static_cast<unsigned char>(text.empty() ? '\0' : text.front());
  for (std::size_t i : always_) {
    const Regex& r = failregexes_[i].regex;
    out[i] = !r.anchored() || r.may_start_with(first) ? 1 : 0;
  }
  if (database_ == nullptr) return;
  if (scratch == nullptr) {
    for (std::size_t i : prefiltered_) out[i] = 1;
    return;
  }
  struct Context {
    const std::vector<std::size_t>* map;
    std::vector<char>* out;
  } context{&prefiltered_, &out};
  auto on_match = [](unsigned id, unsigned long long, unsigned long long, unsigned,
                     void* ctx) -> int {
    auto* c = static_cast<Context*>(ctx);
    (*c->out)[(*c->map)[id]] = 1;
    return 0;
  };
  if (hs_scan(database_, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_match,
              &context) != HS_SUCCESS) {
    for (std::size_t i : prefiltered_) out[i] = 1;  // be safe: let PCRE2 decide
  }
}

}  // namespace custos::detection
