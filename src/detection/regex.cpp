#include "detection/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace custos::detection {
namespace {

// Capture groups one pattern may have: far above any fail2ban filter (sshd's longest has ~20).
constexpr std::uint32_t kMaxGroups = 400;
// Bounds for one match attempt. A well-behaved filter regex needs a few hundred steps per line;
// these stop catastrophic backtracking within a few milliseconds.
constexpr std::uint32_t kMatchLimit = 2'000'000;
constexpr std::uint32_t kDepthLimit = 100'000;

void append_utf8(std::string& out, std::uint32_t cp) {
  auto hex = [&out](unsigned byte) {
    static constexpr char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[(byte >> 4) & 0xF];
    out += digits[byte & 0xF];
  };
  if (cp < 0x80) {
    hex(cp);
  } else if (cp < 0x800) {
    hex(0xC0 | (cp >> 6));
    hex(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    hex(0xE0 | (cp >> 12));
    hex(0x80 | ((cp >> 6) & 0x3F));
    hex(0x80 | (cp & 0x3F));
  } else {
    hex(0xF0 | (cp >> 18));
    hex(0x80 | ((cp >> 12) & 0x3F));
    hex(0x80 | ((cp >> 6) & 0x3F));
    hex(0x80 | (cp & 0x3F));
  }
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// Handles `\u`/`\U`; returns the number of characters consumed after the backslash, or 0.
std::size_t translate_unicode_escape(std::string_view p, std::size_t i, std::string& out) {
  const char kind = p[i + 1];
  const std::size_t digits = kind == 'u' ? 4 : 8;
  if (i + 2 + digits > p.size() || !is_hex(p.substr(i + 2, digits))) return 0;
  const auto cp =
      static_cast<std::uint32_t>(std::stoul(std::string(p.substr(i + 2, digits)), nullptr, 16));
  if (cp > 0x10FFFF) return 0;
  append_utf8(out, cp);
  return 1 + digits;
}

// Inline flags: Python knows a i L m s u x; PCRE2 (as we compile it) i m s x. ASCII (`a`) and
// Unicode (`u`) only change what \w and \d mean, which byte matching fixes at ASCII anyway.
std::string pcre2_flags(std::string_view python_flags) {
  std::string out;
  for (char c : python_flags) {
    if (c == 'i' || c == 'm' || c == 's' || c == 'x') out += c;
  }
  return out;
}

bool is_flag_letter(char c) {
  return std::string_view("aiLmsux").find(c) != std::string_view::npos;
}

// At p[i] == '(' : a group of inline flags "(?flags)" or "(?flags:" — returns its length up to
// and including ')' or ':' (0 if it is something else).
std::size_t flag_group_length(std::string_view p, std::size_t i) {
  if (i + 2 >= p.size() || p[i + 1] != '?' || !is_flag_letter(p[i + 2])) return 0;
  std::size_t j = i + 2;
  while (j < p.size() && is_flag_letter(p[j])) ++j;
  if (j < p.size() && (p[j] == ')' || p[j] == ':')) return j - i + 1;
  return 0;
}

}  // namespace

std::string translate_python_regex(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  bool in_class = false;
  std::size_t class_start = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char n = p[i + 1];
      if (n == 'u' || n == 'U') {
        if (const std::size_t used = translate_unicode_escape(p, i, out)) {
          i += used;
          continue;
        }
      }
      if (!in_class && n == 'Z') {
        out += "\\z";
      } else {
        out += c;
        out += n;
      }
      ++i;
      continue;
    }
    if (in_class) {
      // A ']' right after '[' or '[^' is a literal in both dialects.
      if (c == ']' && i > class_start) in_class = false;
      // Python has no POSIX classes: "[[:x" means '[' ':' 'x'; PCRE2 would read a POSIX class.
      if (c == '[' && i + 1 < p.size() && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
        out += "\\[";
        continue;
      }
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      class_start = i + 1;
      if (class_start < p.size() && p[class_start] == '^') ++class_start;
      out += c;
      continue;
    }
    if (c == '{' && i + 2 < p.size() && p[i + 1] == ',') {
      std::size_t j = i + 2;
      while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) ++j;
      if (j > i + 2 && j < p.size() && p[j] == '}') {
        out += "{0,";
        out.append(p.substr(i + 2, j - i - 2));
        out += '}';
        i = j;
        continue;
      }
    }
    if (c == '(') {
      // fail2ban turns a global flag at the start of a group into a local one:
      // "((?i)x)" and "(?:(?i)x)" become "(?i:x)".
      std::size_t inner = i + 1;
      if (p.substr(i, 3) == "(?:") inner = i + 3;
      if (inner < p.size() && p[inner] == '(') {
        const std::size_t len = flag_group_length(p, inner);
        if (len > 0 && p[inner + len - 1] == ')') {
          const std::string flags = pcre2_flags(p.substr(inner + 2, len - 3));
          out += "(?" + flags + ":";
          i = inner + len - 1;
          continue;
        }
      }
      const std::size_t len = flag_group_length(p, i);
      if (len > 0) {
        const std::string flags = pcre2_flags(p.substr(i + 2, len - 3));
        if (p[i + len - 1] == ':') {
          out += "(?" + flags + ":";
        } else if (!flags.empty()) {
          out += "(?" + flags + ")";
        }
        i += len - 1;
        continue;
      }
    }
    out += c;
  }
  return out;
}

MatchScratch::MatchScratch() {
  data_ = pcre2_match_data_create(kMaxGroups + 1, nullptr);
  context_ = pcre2_match_context_create(nullptr);
  jit_stack_ = pcre2_jit_stack_create(64 * 1024, 4 * 1024 * 1024, nullptr);
  if (data_ == nullptr || context_ == nullptr || jit_stack_ == nullptr) {
    throw std::bad_alloc();
  }
  pcre2_set_match_limit(context_, kMatchLimit);
  pcre2_set_depth_limit(context_, kDepthLimit);
  pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
}

MatchScratch::~MatchScratch() {
  pcre2_jit_stack_free(jit_stack_);
  pcre2_match_context_free(context_);
  pcre2_match_data_free(data_);
}

Regex::Regex(std::string_view pattern, Options options) : pattern_(pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  std::uint32_t flags = 0;
  if (options.multiline) flags |= PCRE2_MULTILINE;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags, &error,
                        &offset, nullptr);
  if (code_ == nullptr) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw RegexError(std::string(reinterpret_cast<const char*>(message)) + " at offset " +
                     std::to_string(offset));
  }
  // JIT is an optimisation: a pattern it cannot handle still runs in the interpreter.
  jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
  std::uint32_t all_options = 0;
  pcre2_pattern_info(code_, PCRE2_INFO_ALLOPTIONS, &all_options);
  anchored_ = (all_options & PCRE2_ANCHORED) != 0 && !options.multiline;
  // Which bytes a match can start with, from PCRE2's study of the pattern.
  std::uint32_t min_length = 0;
  std::uint32_t first_type = 0;
  pcre2_pattern_info(code_, PCRE2_INFO_MINLENGTH, &min_length);
  pcre2_pattern_info(code_, PCRE2_INFO_FIRSTCODETYPE, &first_type);
  if (anchored_ && min_length > 0) {
    if (first_type == 1) {
      std::uint32_t unit = 0;
      pcre2_pattern_info(code_, PCRE2_INFO_FIRSTCODEUNIT, &unit);
      first_bytes_ = {0, 0, 0, 0};
      // The unit may be matched caselessly: allow both cases.
      for (int c : {static_cast<int>(unit), std::tolower(static_cast<int>(unit)),
                    std::toupper(static_cast<int>(unit))}) {
        first_bytes_[static_cast<std::size_t>(c & 0xFF) >> 6] |= 1ULL << (c & 63);
      }
    } else if (first_type == 0) {
      const std::uint8_t* bitmap = nullptr;
      pcre2_pattern_info(code_, PCRE2_INFO_FIRSTBITMAP, &bitmap);
      if (bitmap != nullptr) {
        first_bytes_ = {0, 0, 0, 0};
        for (int c = 0; c < 256; ++c) {
          if (bitmap[c / 8] & (1U << (c % 8)))
            first_bytes_[static_cast<std::size_t>(c) >> 6] |= 1ULL << (c & 63);
        }
      }
    }
  }
  std::uint32_t captures = 0;
  pcre2_pattern_info(code_, PCRE2_INFO_CAPTURECOUNT, &captures);
  if (captures > kMaxGroups) {
    pcre2_code_free(code_);
    code_ = nullptr;
    throw RegexError("too many capture groups (" + std::to_string(captures) + ", at most " +
                     std::to_string(kMaxGroups) + ")");
  }
  group_count_ = static_cast<int>(captures);
  std::uint32_t name_count = 0;
  std::uint32_t entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(code_, PCRE2_INFO_NAMECOUNT, &name_count);
  pcre2_pattern_info(code_, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(code_, PCRE2_INFO_NAMETABLE, &table);
  for (std::uint32_t n = 0; n < name_count; ++n) {
    const PCRE2_SPTR entry = table + static_cast<std::size_t>(n) * entry_size;
    const int number = (entry[0] << 8) | entry[1];
    names_.emplace_back(reinterpret_cast<const char*>(entry + 2), number);
  }
}

Regex::~Regex() { pcre2_code_free(code_); }

Regex::Regex(Regex&& other) noexcept
    : code_(other.code_),
      jit_(other.jit_),
      anchored_(other.anchored_),
      first_bytes_(other.first_bytes_),
      pattern_(std::move(other.pattern_)),
      group_count_(other.group_count_),
      names_(std::move(other.names_)) {
  other.code_ = nullptr;
}

Regex& Regex::operator=(Regex&& other) noexcept {
  if (this != &other) {
    pcre2_code_free(code_);
    code_ = other.code_;
    jit_ = other.jit_;
    anchored_ = other.anchored_;
    first_bytes_ = other.first_bytes_;
    other.code_ = nullptr;
    pattern_ = std::move(other.pattern_);
    group_count_ = other.group_count_;
    names_ = std::move(other.names_);
  }
  return *this;
}

int Regex::run(std::string_view subject, MatchScratch& scratch, std::size_t start,
               std::size_t end) const {
  const std::size_t length = std::min(end, subject.size());
  // pcre2_jit_match skips the interpreter's entry checks; limits and JIT stack still apply.
  const int rc = jit_ ? pcre2_jit_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), length,
                                        start, 0, scratch.data(), scratch.context())
                      : pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(subject.data()), length,
                                    start, 0, scratch.data(), scratch.context());
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
      rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT) {
    ++scratch.limit_hits;
  }
  return rc;
}

bool Regex::search(std::string_view subject, MatchScratch& scratch, std::vector<Span>& spans,
                   std::size_t start, std::size_t end) const {
  const int rc = run(subject, scratch, start, end);
  if (rc <= 0) return false;
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(scratch.data());
  spans.resize(static_cast<std::size_t>(group_count_) + 1);
  for (int g = 0; g <= group_count_; ++g) {
    Span& s = spans[static_cast<std::size_t>(g)];
    if (g < rc && ovector[2 * g] != PCRE2_UNSET) {
      s.begin = ovector[2 * g];
      s.end = ovector[2 * g + 1];
      s.matched = true;
    } else {
      s = Span{};
    }
  }
  return true;
}

bool Regex::matches(std::string_view subject, MatchScratch& scratch) const {
  return run(subject, scratch, 0, std::string_view::npos) > 0;
}

std::optional<int> Regex::group(std::string_view name) const {
  for (const auto& [n, number] : names_) {
    if (n == name) return number;
  }
  return std::nullopt;
}

}  // namespace custos::detection

namespace custos::detection {

std::string necessary_prefix(std::string_view p) {
  // Walk the top level: escapes, character classes and groups are single elements.
  std::size_t cut = std::string_view::npos;
  std::size_t i = 0;
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\\') {
      // \1..\9 and \g, \k refer to captures: stop before them.
      if (i + 1 < p.size() && (std::isdigit(static_cast<unsigned char>(p[i + 1])) ||
                               p[i + 1] == 'g' || p[i + 1] == 'k')) {
        if (cut == std::string_view::npos) cut = i;
      }
      i += 2;
      continue;
    }
    if (c == '[') {
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') j += p[j] == '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (c == '|') return std::string(p);  // top-level alternation: no safe cut
    if (c == '(') {
      // Find the group's end and whether it is harmless (no capture, reference, lookaround).
      int depth = 0;
      bool harmless = true;
      std::size_t j = i;
      for (; j < p.size(); ++j) {
        const char d = p[j];
        if (d == '\\') {
          if (j + 1 < p.size() && (std::isdigit(static_cast<unsigned char>(p[j + 1])) ||
                                   p[j + 1] == 'g' || p[j + 1] == 'k')) {
            harmless = false;
          }
          ++j;
          continue;
        }
        if (d == '[') {
          std::size_t k = j + 1;
          if (k < p.size() && p[k] == '^') ++k;
          if (k < p.size() && p[k] == ']') ++k;
          while (k < p.size() && p[k] != ']') k += p[k] == '\\' ? 2 : 1;
          j = k;
          continue;
        }
        if (d == '(') {
          ++depth;
          // (…), (?:…) and (?P<name>…) only group; anything else after "(?" looks around,
          // refers back, branches on a condition or sets flags.
          const bool plain = j + 1 >= p.size() || p[j + 1] != '?' ||
                             (j + 2 < p.size() && p[j + 2] == ':') ||
                             (j + 3 < p.size() && p[j + 2] == 'P' && p[j + 3] == '<');
          if (!plain) harmless = false;
        } else if (d == ')') {
          if (--depth == 0) break;
        }
      }
      if (!harmless && cut == std::string_view::npos) cut = i;
      i = j + 1;
      continue;
    }
    ++i;
  }
  if (cut == 0) return std::string(p);
  // The prefix ends on a complete element (a quantifier cannot start the part cut off). Its
  // groups only group: make them non-capturing, which every engine understands.
  const std::string_view prefix = cut == std::string_view::npos ? p : p.substr(0, cut);
  std::string out;
  bool in_class = false;
  for (std::size_t k = 0; k < prefix.size(); ++k) {
    const char c = prefix[k];
    if (c == '\\' && k + 1 < prefix.size()) {
      out += c;
      out += prefix[++k];
      continue;
    }
    if (in_class) {
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '[') {
      in_class = true;
      out += c;
      if (k + 1 < prefix.size() && prefix[k + 1] == '^') out += prefix[++k];
      if (k + 1 < prefix.size() && prefix[k + 1] == ']') out += prefix[++k];
      continue;
    }
    if (c == '(' && (k + 1 >= prefix.size() || prefix[k + 1] != '?')) {
      out += "(?:";
      continue;
    }
    if (c == '(' && prefix.substr(k, 4) == "(?P<") {
      const std::size_t close = prefix.find('>', k);
      out += "(?:";
      k = close;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace custos::detection
