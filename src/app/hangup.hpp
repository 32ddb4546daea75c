#pragma once
// SIGHUP, the Unix way of asking a daemon to re-read its configuration. The signal handler
// only writes a byte to a pipe (all it may safely do); a thread of our own reads it and runs
// the callback, so the callback may take locks, log and write to the database.
#include <functional>
#include <thread>

namespace custos::app {

class HangupListener {
 public:
  explicit HangupListener(std::function<void()> on_hangup);
  ~HangupListener();  // SIGHUP is ignored afterwards
  HangupListener(const HangupListener&) = delete;
  HangupListener& operator=(const HangupListener&) = delete;

 private:
  std::function<void()> on_hangup_;
  int pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace custos::app
