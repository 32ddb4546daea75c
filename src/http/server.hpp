#pragma once
// The HTTP server: Boost.Beast with C++20 coroutines. I/O threads parse and write;
// handlers run on a separate worker pool, so a slow database call never stalls the
// connections of other clients. Only requests the application calls quick (a few
// microseconds of work, nothing that waits) run on the I/O thread itself, which spares
// them two thread hand-overs. Beast stays inside server.cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http/message.hpp"

namespace custos::http {

struct TlsOptions {
  std::string certificate_file;  // PEM chain
  std::string private_key_file;  // PEM
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int io_threads = 2;
  int worker_threads = 16;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 1024 * 1024;
  int max_connections = 2048;
  // A client must send a complete request header within this time, also on an
  // idle keep-alive connection, so slow clients cannot pin connections.
  std::chrono::seconds header_timeout{15};
  // Time allowed to receive a body once its header arrived, and to write a response.
  std::chrono::seconds body_timeout{60};
  std::chrono::seconds shutdown_grace{10};
  std::optional<TlsOptions> tls;

  // Large uploads. From the header alone, `spool_limit` says how large a body this request may
  // send when it is written to a file instead of memory (0: only max_body_bytes, in memory).
  // Before such a body is read, `admit` runs on the worker pool (authentication, permission) and
  // returns the answer to send instead when the request may not go on; so nobody can make the
  // server store gigabytes without being allowed to. Spooled bodies go to `spool_dir`.
  std::function<std::uint64_t(const Request&)> spool_limit;
  std::function<std::optional<Response>(Request&)> admit;
  std::string spool_dir;
  // An open-ended streamed answer (server-sent events) that has nothing to send for this long
  // still gets its stream read, so the stream can write a keep-alive comment.
  std::chrono::seconds stream_idle_poll{15};
};

using Handler = std::function<Response(Request&)>;
// True for requests that may be handled on the I/O thread (see above). Runs on the I/O thread.
using QuickPredicate = std::function<bool(const Request&)>;

// Called after every response; must be cheap (it runs on an I/O thread).
struct AccessRecord {
  const Request* request;
  int status;
  std::size_t response_bytes;
  double duration_ms;
};
using AccessObserver = std::function<void(const AccessRecord&)>;

class Server {
 public:
  Server(ServerOptions options, Handler handler, AccessObserver observer,
         QuickPredicate is_quick = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; throws with a clear message if the address is taken.
  void listen();
  [[nodiscard]] std::uint16_t port() const;
  // Serves until stop() or SIGINT/SIGTERM; then stops accepting, lets in-flight
  // requests finish (up to shutdown_grace) and returns.
  void run();
  void stop();
  [[nodiscard]] int open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace custos::http
