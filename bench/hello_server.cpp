// The baseline for the HTTP throughput benchmark: the least a Boost.Beast C++20-coroutine
// server can do per request. HTTP/1.1 keep-alive, one coroutine per connection, 2 I/O threads
// on one io_context, every request answered `200 {"ok":true}`. custos's own figures are read
// as a ratio to this one, measured in the same run on the same machine.
//
// Not a *_bench.cpp on purpose: it must not link custos_core. bench/run.sh compiles it:
//   g++ -std=c++20 -O2 -DNDEBUG bench/hello_server.cpp -o build/bench/hello_server -pthread
// Usage: hello_server [PORT] [IO_THREADS] [HOP_THREADS]   (listens on 127.0.0.1; PORT 0 picks a
// free one; prints "listening on PORT" once it accepts connections).
// HOP_THREADS > 0 is a diagnostic: each response is then made on a separate thread pool of that
// size and handed back to the connection, the way custos runs every handler off the I/O threads.
// Comparing the two shows what that hand-off costs, with nothing else different.
//
// Boost 1.74's awaitable.hpp forgets <utility>.
#include <utility>
//
#include <boost/asio.hpp>
#include <boost/beast.hpp>
#include <algorithm>
#include <csignal>
#include <optional>
#include <string>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

std::optional<net::thread_pool> hop_pool;  // set when HOP_THREADS > 0

net::awaitable<std::string> make_body() { co_return R"({"ok":true})"; }

net::awaitable<void> session(tcp::socket socket) {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  for (;;) {
    http::request<http::string_body> req;
    co_await http::async_read(socket, buffer, req, net::redirect_error(net::use_awaitable, ec));
    if (ec) break;
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    if (hop_pool) {
      res.body() = co_await net::co_spawn(*hop_pool, make_body(), net::use_awaitable);
    } else {
      res.body() = R"({"ok":true})";
    }
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_await http::async_write(socket, res, net::redirect_error(net::use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

net::awaitable<void> accept_loop(net::io_context& ioc, tcp::acceptor& acceptor) {
  for (;;) {
    tcp::socket socket(net::make_strand(ioc));
    boost::system::error_code ec;
    co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) continue;
    auto executor = socket.get_executor();
    net::co_spawn(executor, session(std::move(socket)), net::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 2;
  const int hop_threads = argc > 3 ? std::atoi(argv[3]) : 0;
  if (hop_threads > 0) hop_pool.emplace(static_cast<std::size_t>(hop_threads));
  net::io_context ioc(threads);
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  std::printf("listening on %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
  std::fflush(stdout);

  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) { ioc.stop(); });
  net::co_spawn(ioc, accept_loop(ioc, acceptor), net::detached);

  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  if (hop_pool) hop_pool->join();
  return 0;
}
