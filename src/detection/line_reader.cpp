#include "detection/line_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace custos::detection {

LineReader::LineReader(const std::filesystem::path& path, std::size_t max_line)
    : path_(path), max_line_(max_line), buffer_(std::min<std::size_t>(max_line, 1 << 20)) {
  if (path == "-") {
    fd_ = STDIN_FILENO;
    return;
  }
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(errno));
  }
  owns_fd_ = true;
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

LineReader::~LineReader() {
  if (owns_fd_) ::close(fd_);
}

bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buffer_.size()) {
    if (buffer_.size() >= max_line_) return false;  // full: the caller splits the line
    buffer_.resize(std::min(buffer_.size() * 2, max_line_));
  }
  while (true) {
    const ssize_t n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      return true;
    }
    if (n == 0) {
      eof_ = true;
      return false;
    }
    if (errno == EINTR) continue;
    throw std::runtime_error(path_.string() + ": read error: " + std::strerror(errno));
  }
}

bool LineReader::next(std::string_view& line) {
  std::size_t scanned = begin_;
  while (true) {
    const void* nl = std::memchr(buffer_.data() + scanned, '\n', end_ - scanned);
    if (nl != nullptr) {
      const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - buffer_.data());
      std::size_t stop = at;
      if (stop > begin_ && buffer_[stop - 1] == '\r') --stop;
      line = std::string_view(buffer_.data() + begin_, stop - begin_);
      begin_ = at + 1;
      return true;
    }
    const std::size_t pending = end_ - begin_;
    scanned = end_;
    if (!fill()) {
      if (end_ - begin_ == 0) return false;
      if (!eof_ && end_ - begin_ < max_line_) continue;
      // Last line without a newline, or a line at the length limit: hand over what there is.
      if (!eof_) ++split_lines_;
      std::size_t stop = end_;
      if (eof_ && stop > begin_ && buffer_[stop - 1] == '\r') --stop;
      line = std::string_view(buffer_.data() + begin_, stop - begin_);
      begin_ = end_;
      return true;
    }
    scanned = begin_ + pending;
  }
}

}  // namespace custos::detection
