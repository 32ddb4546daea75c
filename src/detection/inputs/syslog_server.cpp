#include "detection/inputs/syslog_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <spdlog/spdlog.h>

#include "detection/inputs/syslog_message.hpp"

namespace custos::detection {

namespace {

constexpr int kBatch = 64;                        // datagrams per recvmmsg
constexpr int kReceiveBuffer = 16 * 1024 * 1024;  // absorbs bursts while matching
constexpr std::size_t kMaxConnections = 1024;
constexpr auto kIdleTimeout = std::chrono::minutes(5);

// "127.0.0.1:5514", "[::1]:5514" → a bound socket.
int bind_socket(const SourceConfig& config, int type, std::uint16_t& port) {
  const auto colon = config.listen.rfind(':');
  const std::string where = "detection.sources[" + config.name + "].listen";
  if (colon == std::string::npos || colon == 0)
    throw std::runtime_error(where + ": '" + config.listen + "' must look like HOST:PORT");
  std::string host = config.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  const std::string service = config.listen.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = type;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw std::runtime_error(where + ": '" + config.listen + "': " + gai_strerror(rc));
  const int fd = socket(found->ai_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (type == SOCK_DGRAM)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  if (fd < 0 || bind(fd, found->ai_addr, found->ai_addrlen) != 0 ||
      (type == SOCK_STREAM && listen(fd, 128) != 0)) {
    const std::string error = std::strerror(errno);
    freeaddrinfo(found);
    if (fd >= 0) close(fd);
    throw std::runtime_error(where + ": cannot listen on " + config.listen + ": " + error);
  }
  freeaddrinfo(found);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  port = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                           : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

struct Connection {
  int fd = -1;
  std::string buffer;
  bool skipping = false;  // inside an over-long newline-framed line
  std::chrono::steady_clock::time_point last_active;
};

}  // namespace

SyslogServer::SyslogServer(SourceConfig config, std::unique_ptr<Detector::Pipeline> pipeline)
    : config_(std::move(config)), pipeline_(std::move(pipeline)) {
  const bool udp = config_.kind == SourceConfig::Kind::syslog_udp;
  fd_ = bind_socket(config_, udp ? SOCK_DGRAM : SOCK_STREAM, port_);
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    close(fd_);
    throw std::runtime_error("detection.sources[" + config_.name +
                             "]: pipe: " + std::strerror(errno));
  }
  thread_ = std::thread([this, udp] {
    try {
      if (udp)
        run_udp();
      else
        run_tcp();
    } catch (const std::exception& e) {
      spdlog::error("detection source {} stopped: {}", config_.name, e.what());
    }
  });
  spdlog::info("detection: source {} listening on {} ({})", config_.name, config_.listen,
               udp ? "syslog over UDP" : "syslog over TCP");
}

SyslogServer::~SyslogServer() {
  stop_ = true;
  const char byte = 0;
  [[maybe_unused]] auto ignored = write(wake_[1], &byte, 1);
  if (thread_.joinable()) thread_.join();
  close(fd_);
  close(wake_[0]);
  close(wake_[1]);
}

void SyslogServer::deliver(std::string_view message) {
  thread_local SyslogLine line;
  stats_.messages.fetch_add(1, std::memory_order_relaxed);
  stats_.bytes.fetch_add(message.size(), std::memory_order_relaxed);
  if (!parse_syslog(message, line)) return;
  const auto before = pipeline_->failures();
  pipeline_->feed(line.text, line.time);
  if (pipeline_->failures() != before)
    stats_.failures.fetch_add(pipeline_->failures() - before, std::memory_order_relaxed);
}

void SyslogServer::run_udp() {
  const std::size_t size = config_.max_line_bytes + 1;  // one byte more tells "too long"
  std::vector<char> storage(size * kBatch);
  std::vector<iovec> iov(kBatch);
  std::vector<mmsghdr> headers(kBatch);
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
  while (!stop_) {
    for (int i = 0; i < kBatch; ++i) {
      iov[i] = {storage.data() + static_cast<std::size_t>(i) * size, size};
      headers[i] = {};
      headers[i].msg_hdr.msg_iov = &iov[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = recvmmsg(fd_, headers.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        spdlog::warn("detection source {}: {}", config_.name, std::strerror(errno));
      poll(fds, 2, 1000);
      continue;
    }
    for (int i = 0; i < n; ++i) {
      const auto length = headers[i].msg_len;
      if (length > config_.max_line_bytes || (headers[i].msg_hdr.msg_flags & MSG_TRUNC) != 0) {
        stats_.oversized.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      deliver({static_cast<const char*>(iov[i].iov_base), length});
    }
  }
}

void SyslogServer::run_tcp() {
  std::vector<Connection> connections;
  std::vector<pollfd> fds;
  std::vector<char> chunk(64 * 1024);
  const std::size_t max = config_.max_line_bytes;
  while (!stop_) {
    fds.clear();
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({fd_, static_cast<short>(connections.size() < kMaxConnections ? POLLIN : 0), 0});
    for (const auto& c : connections) fds.push_back({c.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), 1000) < 0 && errno != EINTR) break;
    const auto now = std::chrono::steady_clock::now();
    if ((fds[1].revents & POLLIN) != 0) {
      while (connections.size() < kMaxConnections) {
        const int client = accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (client < 0) break;
        stats_.connections.fetch_add(1, std::memory_order_relaxed);
        connections.push_back({client, {}, false, now});
      }
    }
    std::vector<bool> closing(connections.size(), false);
    for (std::size_t i = 0; i < connections.size(); ++i) {
      auto& c = connections[i];
      const auto revents = i + 2 < fds.size() && fds[i + 2].fd == c.fd ? fds[i + 2].revents : 0;
      if (revents == 0) {
        if (now - c.last_active > kIdleTimeout) closing[i] = true;
        continue;
      }
      // Read what is there now, at most a few chunks, so a fast client cannot starve others.
      for (int round = 0; round < 4; ++round) {
        const auto got = read(c.fd, chunk.data(), chunk.size());
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          closing[i] = true;
          break;
        }
        if (got < 0) break;
        c.last_active = now;
        c.buffer.append(chunk.data(), static_cast<std::size_t>(got));
        // Frames.
        std::size_t pos = 0;
        while (pos < c.buffer.size() && !closing[i]) {
          const std::string_view rest(c.buffer.data() + pos, c.buffer.size() - pos);
          if (c.skipping) {
            const auto nl = rest.find('\n');
            if (nl == std::string_view::npos) {
              pos = c.buffer.size();
              break;
            }
            c.skipping = false;
            pos += nl + 1;
            continue;
          }
          if (rest[0] >= '1' && rest[0] <= '9') {
            // Octet counting: digits, a space, that many bytes.
            std::size_t digits = 0;
            while (digits < rest.size() && digits < 8 && rest[digits] >= '0' && rest[digits] <= '9')
              ++digits;
            if (digits == rest.size()) break;  // the count is not complete yet
            if (rest[digits] == ' ') {
              const std::size_t length = std::stoul(std::string(rest.substr(0, digits)));
              if (length > max) {
                stats_.bad_frames.fetch_add(1, std::memory_order_relaxed);
                closing[i] = true;  // the stream cannot be resynchronised after a lie
                break;
              }
              if (rest.size() < digits + 1 + length) break;  // wait for the rest
              deliver(rest.substr(digits + 1, length));
              pos += digits + 1 + length;
              continue;
            }
            // Digits not followed by a space: a newline-framed line that starts with digits.
          }
          const auto nl = rest.find('\n');
          if (nl == std::string_view::npos) {
            if (rest.size() > max) {
              stats_.oversized.fetch_add(1, std::memory_order_relaxed);
              c.skipping = true;
              pos = c.buffer.size();
            }
            break;
          }
          if (nl > max)
            stats_.oversized.fetch_add(1, std::memory_order_relaxed);
          else if (nl > 0)
            deliver(rest.substr(0, nl));
          pos += nl + 1;
        }
        c.buffer.erase(0, pos);
        if (static_cast<std::size_t>(got) < chunk.size()) break;
      }
    }
    for (std::size_t i = connections.size(); i-- > 0;) {
      if (!closing[i]) continue;
      close(connections[i].fd);
      connections.erase(connections.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  for (auto& c : connections) close(c.fd);
}

}  // namespace custos::detection
