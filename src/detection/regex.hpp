#pragma once
// PCRE2 (8-bit, JIT) wrapper for fail2ban-style regular expressions.
//
// fail2ban's filters are Python `re` patterns; `translate_python_regex` rewrites the few
// constructs whose spelling differs in PCRE2, and `Regex` compiles the result with JIT and
// matches it under match and depth limits, so that a pathological pattern or line costs a
// bounded amount of work instead of stalling a scan. Lines are matched as bytes: invalid
// UTF-8 and binary garbage are ordinary input.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct pcre2_real_code_8;
struct pcre2_real_match_data_8;
struct pcre2_real_match_context_8;
struct pcre2_real_jit_stack_8;

namespace custos::detection {

class RegexError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A prefix of a PCRE2 pattern that every match of the whole pattern also matches (at the same
// place): the pattern cut before the first top-level element that captures, refers to a
// capture or looks around. Cheap to screen many patterns with; the whole pattern when there is
// a top-level alternation or nothing to cut.
[[nodiscard]] std::string necessary_prefix(std::string_view pcre2_pattern);

// Python `re` syntax → PCRE2 syntax: `\Z` → `\z`, `{,n}` → `{0,n}`, `\uXXXX`/`\UXXXXXXXX` →
// UTF-8 bytes, inline flags reduced to those PCRE2 knows (`(?iu)` → `(?i)`), and global flags
// inside a group (`((?i)x)`) made local (`(?i:x)`) as fail2ban itself does.
[[nodiscard]] std::string translate_python_regex(std::string_view python);

// Scratch space one thread uses for matching: match data sized for any pattern, and a JIT stack
// big enough for the deep patterns some filters have. Not shared between threads.
class MatchScratch {
 public:
  MatchScratch();
  ~MatchScratch();
  MatchScratch(const MatchScratch&) = delete;
  MatchScratch& operator=(const MatchScratch&) = delete;

  [[nodiscard]] pcre2_real_match_data_8* data() const { return data_; }
  [[nodiscard]] pcre2_real_match_context_8* context() const { return context_; }
  // Matches abandoned because they hit the match or depth limit.
  std::size_t limit_hits = 0;

 private:
  pcre2_real_match_data_8* data_ = nullptr;
  pcre2_real_match_context_8* context_ = nullptr;
  pcre2_real_jit_stack_8* jit_stack_ = nullptr;
};

// The span of one capture group in the subject; `matched` is false for a group that took no
// part in the match (Python's None).
struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool matched = false;
  [[nodiscard]] std::string_view in(std::string_view subject) const {
    return matched ? subject.substr(begin, end - begin) : std::string_view{};
  }
};

class Regex {
 public:
  struct Options {
    bool multiline = false;  // `^`/`$` at every line (fail2ban's maxlines > 1)
  };

  // Compiles a pattern that is already PCRE2 syntax. Throws RegexError naming the offset.
  Regex(std::string_view pcre2_pattern, Options options);
  Regex(std::string_view pcre2_pattern) : Regex(pcre2_pattern, Options{}) {}
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Searches `subject` from `start` (to `end`, default the whole subject). On a match, `spans`
  // receives group 0..N (size group_count()+1). False on no match or when a limit was hit.
  bool search(std::string_view subject, MatchScratch& scratch, std::vector<Span>& spans,
              std::size_t start = 0, std::size_t end = std::string_view::npos) const;
  // Cheaper test when no captures are needed.
  bool matches(std::string_view subject, MatchScratch& scratch) const;

  [[nodiscard]] const std::string& pattern() const { return pattern_; }
  // True if a match can only start at the beginning of the subject (PCRE2's own analysis).
  [[nodiscard]] bool anchored() const { return anchored_; }
  // For an anchored pattern: false if no match can begin with this byte (so a subject starting
  // with it cannot match); true when it might or when PCRE2 knows no first bytes.
  [[nodiscard]] bool may_start_with(unsigned char byte) const {
    return (first_bytes_[byte >> 6] >> (byte & 63)) & 1U;
  }
  [[nodiscard]] int group_count() const { return group_count_; }
  // Named groups: name → group number, in name order.
  [[nodiscard]] const std::vector<std::pair<std::string, int>>& names() const { return names_; }
  [[nodiscard]] std::optional<int> group(std::string_view name) const;

 private:
  int run(std::string_view subject, MatchScratch& scratch, std::size_t start,
          std::size_t end) const;

  pcre2_real_code_8* code_ = nullptr;
  bool jit_ = false;
  bool anchored_ = false;
  std::array<std::uint64_t, 4> first_bytes_{~0ULL, ~0ULL, ~0ULL, ~0ULL};
  std::string pattern_;
  int group_count_ = 0;
  std::vector<std::pair<std::string, int>> names_;
};

}  // namespace custos::detection
