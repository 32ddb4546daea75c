#include "detection/inputs/file_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <vector>

#include <spdlog/spdlog.h>

#include "util/time.hpp"

namespace custos::detection {

namespace {
constexpr auto kPollEvery = std::chrono::milliseconds(200);
constexpr int kSaveEveryRounds = 10;  // 2 s
}  // namespace

FileFollower::FileFollower(SourceConfig config, std::unique_ptr<Detector::Pipeline> pipeline,
                           store::Database& db)
    : config_(std::move(config)), pipeline_(std::move(pipeline)), db_(db) {
  thread_ = std::thread([this] { run(); });
  spdlog::info("detection: source {} following {}", config_.name, config_.path);
}

FileFollower::~FileFollower() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  try {
    save_offset();
  } catch (const std::exception& e) {
    spdlog::warn("detection source {}: offset not stored: {}", config_.name, e.what());
  }
  if (fd_ >= 0) close(fd_);
}

void FileFollower::run() {
  int round = 0;
  while (!stop_) {
    try {
      poll_once();
      if (++round % kSaveEveryRounds == 0) save_offset();
    } catch (const std::exception& e) {
      spdlog::warn("detection source {}: {}", config_.name, e.what());
    }
    std::this_thread::sleep_for(kPollEvery);
  }
}

void FileFollower::save_offset() {
  if (fd_ < 0) return;
  // A line not yet ended is read again after a restart, whole.
  const auto offset = offset_ - static_cast<std::int64_t>(partial_.size());
  const auto inode = inode_;
  if (offset == saved_offset_ && inode == saved_inode_) return;
  db_.write([&](store::Connection& c) {
    const store::Value params[] = {config_.name, config_.path, static_cast<std::int64_t>(inode),
                                   offset, util::now_ms()};
    if (c.execute("UPDATE detection_file_offsets SET path = ?, inode = ?, read_offset = ?, "
                  "updated_at = ? WHERE source = ?",
                  {params[1], params[2], params[3], params[4], params[0]}) == 0) {
      c.execute(
          "INSERT INTO detection_file_offsets (source, path, inode, read_offset, updated_at) "
          "VALUES (?, ?, ?, ?, ?)",
          std::span<const store::Value>(params, 5));
    }
  });
  saved_offset_ = offset;
  saved_inode_ = inode;
}

void FileFollower::poll_once() {
  struct stat now_at_path {};
  const bool exists = ::stat(config_.path.c_str(), &now_at_path) == 0;
  if (fd_ >= 0 && exists &&
      (static_cast<std::uint64_t>(now_at_path.st_ino) != inode_ ||
       static_cast<std::uint64_t>(now_at_path.st_dev) != device_)) {
    // Rotated: finish the old file, then take the new one from its start.
    read_available();
    close(fd_);
    fd_ = -1;
    partial_.clear();
    skipping_ = false;
    stats_.rotations.fetch_add(1, std::memory_order_relaxed);
    offset_ = 0;
  }
  if (fd_ < 0) {
    if (!exists) return;
    fd_ = ::open(config_.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return;
    struct stat st {};
    fstat(fd_, &st);
    inode_ = static_cast<std::uint64_t>(st.st_ino);
    device_ = static_cast<std::uint64_t>(st.st_dev);
    if (!loaded_) {
      // First open since start: continue where the last run stopped, if it is the same file.
      loaded_ = true;
      std::optional<std::pair<std::int64_t, std::int64_t>> stored;
      db_.read([&](store::Connection& c) {
        if (auto r = c.query_one("SELECT inode, read_offset FROM detection_file_offsets WHERE "
                                 "source = ?",
                                 {config_.name})) {
          stored = std::make_pair(r->i64(0), r->i64(1));
        }
      });
      if (stored && static_cast<std::uint64_t>(stored->first) == inode_ &&
          stored->second <= st.st_size) {
        offset_ = stored->second;
      } else if (stored) {
        offset_ = 0;  // rotated while custos was stopped: the new file is all new
      } else {
        offset_ = st.st_size;  // never seen: only what is written from now on
      }
    }
  }
  read_available();
}

void FileFollower::read_available() {
  if (fd_ < 0) return;
  struct stat st {};
  if (fstat(fd_, &st) == 0 && st.st_size < offset_) {
    stats_.truncations.fetch_add(1, std::memory_order_relaxed);
    offset_ = 0;
    partial_.clear();
    skipping_ = false;
  }
  std::vector<char> chunk(256 * 1024);
  const std::size_t max = config_.max_line_bytes;
  for (;;) {
    const auto got = pread(fd_, chunk.data(), chunk.size(), offset_);
    if (got <= 0) return;
    offset_ += got;
    std::string_view data(chunk.data(), static_cast<std::size_t>(got));
    while (!data.empty()) {
      const auto nl = data.find('\n');
      if (nl == std::string_view::npos) {
        if (!skipping_) partial_.append(data);
        if (partial_.size() > max) {
          stats_.oversized.fetch_add(1, std::memory_order_relaxed);
          partial_.clear();
          skipping_ = true;
        }
        break;
      }
      if (skipping_) {
        skipping_ = false;
      } else if (partial_.size() + nl > max) {
        stats_.oversized.fetch_add(1, std::memory_order_relaxed);
        partial_.clear();
      } else {
        std::string_view line = data.substr(0, nl);
        if (!partial_.empty()) {
          partial_.append(line);
          line = partial_;
        }
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        stats_.lines.fetch_add(1, std::memory_order_relaxed);
        pipeline_->feed(line);
        partial_.clear();
      }
      data.remove_prefix(nl + 1);
    }
  }
}

}  // namespace custos::detection
