#include "app/hangup.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <stdexcept>

namespace custos::app {

namespace {

std::atomic<int> g_write_end{-1};  // the pipe the handler writes to

constexpr char kHangup = 'h';
constexpr char kStop = 's';

void on_signal(int /*signal*/) {
  const int saved = errno;
  const int fd = g_write_end.load();
  if (fd >= 0) {
    const char byte = kHangup;
    [[maybe_unused]] auto n = ::write(fd, &byte, 1);  // a full pipe already holds a request
  }
  errno = saved;
}

}  // namespace

HangupListener::HangupListener(std::function<void()> on_hangup) : on_hangup_(std::move(on_hangup)) {
  if (::pipe2(pipe_, O_CLOEXEC) != 0) throw std::runtime_error("SIGHUP: cannot create a pipe");
  ::fcntl(pipe_[1], F_SETFL, O_NONBLOCK);
  g_write_end.store(pipe_[1]);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGHUP, &action, nullptr);
  thread_ = std::thread([this] {
    char byte = 0;
    while (true) {
      const auto n = ::read(pipe_[0], &byte, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || byte == kStop) return;
      try {
        on_hangup_();
      } catch (const std::exception& e) {
        spdlog::error("SIGHUP: {}", e.what());
      }
    }
  });
}

HangupListener::~HangupListener() {
  struct sigaction action {};
  action.sa_handler = SIG_IGN;  // a late SIGHUP must not kill a server finishing its work
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGHUP, &action, nullptr);
  g_write_end.store(-1);
  const char byte = kStop;
  while (::write(pipe_[1], &byte, 1) < 0 && errno == EINTR) {
  }
  thread_.join();
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

}  // namespace custos::app
