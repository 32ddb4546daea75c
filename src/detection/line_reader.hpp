#pragma once
// Reads a file (or standard input) line by line through one reusable buffer: no per-line
// allocation, any byte content, CRLF or LF endings. A line longer than the limit is handed over
// in limit-sized pieces, so one giant line cannot exhaust memory or stall the reader.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace custos::detection {

class LineReader {
 public:
  static constexpr std::size_t kDefaultMaxLine = 16 * 1024 * 1024;

  // "-" reads standard input. Throws std::runtime_error naming the file when it cannot be opened.
  explicit LineReader(const std::filesystem::path& path, std::size_t max_line = kDefaultMaxLine);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its line ending; false at the end. Throws on a read error.
  bool next(std::string_view& line);
  // Lines cut because they were longer than the limit.
  [[nodiscard]] std::size_t split_lines() const { return split_lines_; }

 private:
  bool fill();

  std::filesystem::path path_;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool eof_ = false;
  std::size_t max_line_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // unread data: buffer_[begin_, end_)
  std::size_t end_ = 0;
  std::size_t split_lines_ = 0;
};

}  // namespace custos::detection
