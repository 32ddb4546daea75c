#pragma once
// Follows a log file as `tail -F` does and feeds its lines through the jails that read this
// source: it notices rotation (the path now names another file: the rest of the old one is
// read first, then the new one from its start) and truncation (the file shrank: read again from
// the start). The read offset is stored in the database every few seconds and at shutdown, so
// after a restart reading continues where it stopped — lines written meanwhile are not missed,
// and none is counted twice. A file never seen before is read from its end, so an old log does
// not ban anyone when custos starts following it.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "detection/engine/detector.hpp"
#include "detection/jails/jail_config.hpp"
#include "store/database.hpp"

namespace custos::detection {

class FileFollower {
 public:
  FileFollower(SourceConfig config, std::unique_ptr<Detector::Pipeline> pipeline,
               store::Database& db);
  ~FileFollower();  // stores the offset
  FileFollower(const FileFollower&) = delete;
  FileFollower& operator=(const FileFollower&) = delete;

  [[nodiscard]] const SourceConfig& config() const { return config_; }
  struct Stats {
    std::atomic<std::uint64_t> lines{0};
    std::atomic<std::uint64_t> oversized{0};
    std::atomic<std::uint64_t> rotations{0};
    std::atomic<std::uint64_t> truncations{0};
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }

  // One round (open, read what is new, notice rotation); the thread calls it every 200 ms.
  void poll_once();

 private:
  void run();
  void read_available();
  void save_offset();

  SourceConfig config_;
  std::unique_ptr<Detector::Pipeline> pipeline_;
  store::Database& db_;
  int fd_ = -1;
  std::uint64_t inode_ = 0;
  std::uint64_t device_ = 0;
  std::int64_t offset_ = 0;
  std::int64_t saved_offset_ = -1;
  std::uint64_t saved_inode_ = 0;
  bool loaded_ = false;
  std::string partial_;  // a line not yet ended
  bool skipping_ = false;
  Stats stats_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace custos::detection
