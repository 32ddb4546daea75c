#pragma once
// Receives syslog over UDP or TCP on one configured address and feeds each message through
// the jails that read this source. One thread per source, plain POSIX sockets:
//  - UDP: recvmmsg in batches into a large receive buffer; a datagram longer than
//    max_line_bytes is dropped (and counted).
//  - TCP: non-blocking sockets under poll(), so one slow or hostile client cannot stall the
//    others. Each frame is either octet-counted ("LEN SP MSG", RFC 6587 3.4.1) or ends at a
//    newline (3.4.2), decided per frame by its first byte. A length over max_line_bytes (or
//    not a number) closes that connection; a newline-framed line over max_line_bytes is
//    skipped up to its newline. Idle connections are closed after 5 minutes.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "detection/engine/detector.hpp"
#include "detection/jails/jail_config.hpp"

namespace custos::detection {

class SyslogServer {
 public:
  // Binds at once (throws std::runtime_error naming the source when it cannot), starts reading.
  SyslogServer(SourceConfig config, std::unique_ptr<Detector::Pipeline> pipeline);
  ~SyslogServer();
  SyslogServer(const SyslogServer&) = delete;
  SyslogServer& operator=(const SyslogServer&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const SourceConfig& config() const { return config_; }

  struct Stats {
    std::atomic<std::uint64_t> messages{0};
    std::atomic<std::uint64_t> bytes{0};
    std::atomic<std::uint64_t> oversized{0};    // longer than max_line_bytes: dropped
    std::atomic<std::uint64_t> bad_frames{0};   // TCP octet counts that lied or were garbage
    std::atomic<std::uint64_t> connections{0};  // TCP connections accepted
    std::atomic<std::uint64_t> failures{0};     // failures the jails counted
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  void run_udp();
  void run_tcp();
  void deliver(std::string_view message);

  SourceConfig config_;
  std::unique_ptr<Detector::Pipeline> pipeline_;
  int fd_ = -1;
  int wake_[2] = {-1, -1};  // a pipe: written to stop the thread's poll
  std::uint16_t port_ = 0;
  Stats stats_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace custos::detection
