// Boost 1.74's awaitable.hpp forgets <utility>.
#include <utility>
//
#include "http/server.hpp"

#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstring>
#include <limits>
#include <mutex>
#include <unordered_set>
#include <vector>

#include <spdlog/spdlog.h>

#include "util/crypto.hpp"

namespace custos::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// Security headers that every response carries, API and pages alike.
template <class Body>
void add_security_headers(bhttp::response<Body>& res, bool tls) {
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
  res.set("Cross-Origin-Resource-Policy", "same-origin");
  res.set("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (res.find("Content-Security-Policy") == res.end()) {
    res.set("Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'");
  }
  if (tls) res.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

bool sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

// A request id for correlating log lines: unique and not guessable from earlier ones,
// without a system call per request (a per-thread generator seeded once from the OS).
std::string next_request_id() {
  thread_local std::uint64_t state = [] {
    std::uint64_t seed = 0;
    const std::string bytes = util::random_bytes(sizeof seed);
    std::memcpy(&seed, bytes.data(), sizeof seed);
    return seed;
  }();
  // splitmix64: every call gives a fresh, well-mixed 64-bit value.
  const auto next = [] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27U)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31U);
  };
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string id(16, '\0');
  std::uint64_t bits = next();
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 10) bits = next();  // 6 bits a character: 10 from each draw
    id[i] = kAlphabet[bits & 63U];
    bits >>= 6U;
  }
  return id;
}

std::string problem_body(int status, std::string_view title, std::string_view detail) {
  // Built by hand: this runs for malformed requests, before any JSON machinery.
  return std::string(R"({"type":"about:blank","title":")") + std::string(title) + R"(","status":)" +
         std::to_string(status) + R"(,"detail":")" + std::string(detail) + "\"}";
}

// Removes a spooled request body once the request is done with it, however it ends.
struct SpoolFile {
  std::string path;
  SpoolFile() = default;
  SpoolFile(const SpoolFile&) = delete;
  SpoolFile& operator=(const SpoolFile&) = delete;
  ~SpoolFile() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

// Wakes a streamed answer that waits for data. wake() may be called from any thread: it only
// raises a flag and posts the timer's cancellation to the connection's strand.
struct StreamSignal : std::enable_shared_from_this<StreamSignal> {
  explicit StreamSignal(const net::any_io_executor& executor) : timer(executor) {}
  net::steady_timer timer;
  std::atomic<bool> pending{false};
  std::atomic<bool> peer_gone{false};
  void wake() {
    pending = true;
    net::post(timer.get_executor(), [self = shared_from_this()] { self->timer.cancel(); });
  }
};

}  // namespace

struct Server::Impl {
  ServerOptions options;
  Handler handler;
  AccessObserver observer;
  QuickPredicate is_quick;
  net::io_context ioc;
  net::thread_pool workers;
  tcp::acceptor acceptor{ioc};
  std::optional<net::ssl::context> ssl_context;
  std::atomic<int> connections{0};
  std::atomic<bool> draining{false};
  net::signal_set signals{ioc, SIGINT, SIGTERM};

  // Idle connections (waiting for a next request) are closed at shutdown; busy
  // ones finish their request first.
  struct Connection {
    std::function<void()> close;
    std::atomic<bool> busy{false};
    std::function<void()> wake_stream;  // set while a streamed answer waits for data
  };
  std::mutex connections_mutex;
  std::unordered_set<Connection*> live;

  Impl(ServerOptions o, Handler h, AccessObserver obs, QuickPredicate quick)
      : options(std::move(o)),
        handler(std::move(h)),
        observer(std::move(obs)),
        is_quick(std::move(quick)),
        ioc(options.io_threads),
        workers(static_cast<std::size_t>(options.worker_threads)) {}

  // The request line and headers; the body is added once it has been read.
  Request to_request(const bhttp::request<bhttp::string_body>& req, const std::string& remote,
                     bool tls) {
    Request out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    const auto q = out.target.find('?');
    const std::string_view raw_path = std::string_view(out.target).substr(0, q);
    out.path = percent_decode(raw_path, false).value_or(std::string{});
    if (q != std::string::npos) out.query_string = out.target.substr(q + 1);
    out.headers.reserve(16);
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.remote_address = remote;
    out.tls = tls;
    const auto incoming_id = out.header("x-request-id");
    out.request_id = sane_request_id(incoming_id) ? std::string(incoming_id) : next_request_id();
    return out;
  }

  template <class Stream>
  net::awaitable<void> write_error(Stream& stream, int status, std::string_view title,
                                   std::string_view detail, bool tls) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "application/problem+json");
    res.body() = problem_body(status, title, detail);
    res.keep_alive(false);
    add_security_headers(res, tls);
    res.prepare_payload();
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    boost::system::error_code ec;
    co_await bhttp::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
  }

  // After an error answer on a connection whose request was not read to its end: closing
  // with unread bytes makes the kernel send a reset, which can destroy the answer before the
  // client reads it. So stop sending, then read and drop what still arrives, for a bounded
  // time and amount, and only then close.
  template <class Stream>
  net::awaitable<void> discard_rest(Stream& stream) {
    auto& layer = beast::get_lowest_layer(stream);
    boost::system::error_code ec;
    layer.socket().shutdown(tcp::socket::shutdown_send, ec);
    layer.expires_after(std::chrono::seconds(2));
    std::array<char, 16384> sink{};
    constexpr std::size_t kMaxDiscarded = 64U * 1024U * 1024U;
    for (std::size_t discarded = 0; !ec && discarded < kMaxDiscarded;) {
      discarded += co_await layer.async_read_some(net::buffer(sink),
                                                  net::redirect_error(net::use_awaitable, ec));
    }
  }

  // Coroutines with parameters rather than capturing lambdas: parameters live in the
  // coroutine frame, a lambda's captures would die with the temporary lambda.
  net::awaitable<Response> run_handler(std::shared_ptr<Request> request) {
    co_return handler(*request);
  }
  net::awaitable<std::optional<Response>> run_admit(std::shared_ptr<Request> request) {
    co_return options.admit(*request);
  }

  // Writes a complete in-memory answer (also used for refusals before a body was read).
  template <class Stream>
  net::awaitable<std::size_t> write_response(Stream& stream, Response& response,
                                             const Request& request, unsigned version, bool stay,
                                             boost::system::error_code& ec) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(response.status), version};
    for (auto& [name, value] : response.headers) res.insert(name, value);
    res.set("X-Request-Id", request.request_id);
    add_security_headers(res, request.tls);
    res.body() = std::move(response.body);
    res.keep_alive(stay);
    const std::size_t bytes = res.body().size();
    if (request.method == "HEAD") {
      // A HEAD answer announces the length of the GET answer but carries no body.
      res.body().clear();
      res.content_length(bytes);
    } else {
      res.prepare_payload();
    }
    beast::get_lowest_layer(stream).expires_after(options.body_timeout);
    co_await bhttp::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    co_return bytes;
  }

  // Writes an answer whose body comes from a BodyStream: with Content-Length when the stream
  // knows its size, chunked otherwise. An open-ended stream that has nothing to send waits
  // for its wake-up (or the idle poll); at shutdown it is ended with a last chunk.
  template <class Stream>
  net::awaitable<std::size_t> write_streamed(Stream& stream, Connection& conn, Response& response,
                                             const Request& request, unsigned version, bool& stay,
                                             boost::system::error_code& ec) {
    bhttp::response<bhttp::empty_body> head{static_cast<bhttp::status>(response.status), version};
    for (auto& [name, value] : response.headers) head.insert(name, value);
    head.set("X-Request-Id", request.request_id);
    add_security_headers(head, request.tls);
    const auto size = response.stream->size();
    if (size) {
      head.content_length(*size);
    } else {
      head.chunked(true);
    }
    head.keep_alive(stay);
    bhttp::response_serializer<bhttp::empty_body> serializer{head};
    auto& layer = beast::get_lowest_layer(stream);
    layer.expires_after(options.body_timeout);
    co_await bhttp::async_write_header(stream, serializer,
                                       net::redirect_error(net::use_awaitable, ec));
    if (ec || request.method == "HEAD") co_return 0;

    auto signal = std::make_shared<StreamSignal>(co_await net::this_coro::executor);
    response.stream->set_wakeup([signal] { signal->wake(); });
    set_stream_wake(conn, [signal] { signal->wake(); });
    // A client that goes away while an open-ended stream has nothing to send would otherwise
    // be noticed only at the next write: watch the socket for its end meanwhile.
    auto& socket = layer.socket();
    socket.async_wait(tcp::socket::wait_read,
                      [signal, fd = socket.native_handle()](boost::system::error_code waited) {
                        if (waited == net::error::operation_aborted) return;
                        char probe = 0;
                        const auto n = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
                        if (waited || n == 0 || (n < 0 && errno != EAGAIN))
                          signal->peer_gone = true;
                        signal->wake();
                      });
    std::size_t bytes = 0;
    bool complete = false;
    std::string chunk;
    while (!ec && !signal->peer_gone) {
      chunk.clear();
      bool more = false;
      try {
        more = response.stream->read(chunk);
      } catch (const std::exception& e) {
        // The status line is gone already: all that is left is to cut the answer short.
        spdlog::error("request {}: streamed answer failed: {}", request.request_id, e.what());
        break;
      }
      if (!chunk.empty()) {
        layer.expires_after(options.body_timeout);
        if (size) {
          co_await net::async_write(stream, net::buffer(chunk),
                                    net::redirect_error(net::use_awaitable, ec));
        } else {
          co_await net::async_write(stream, bhttp::make_chunk(net::buffer(chunk)),
                                    net::redirect_error(net::use_awaitable, ec));
        }
        bytes += chunk.size();
        if (ec) break;
      }
      if (!more || (chunk.empty() && !size && draining.load())) {
        complete = !size || bytes == *size;
        if (!size) {
          co_await net::async_write(stream, bhttp::make_chunk_last(),
                                    net::redirect_error(net::use_awaitable, ec));
        }
        break;
      }
      if (chunk.empty() && !signal->pending.exchange(false)) {
        signal->timer.expires_after(options.stream_idle_poll);
        boost::system::error_code waited;
        co_await signal->timer.async_wait(net::redirect_error(net::use_awaitable, waited));
        signal->pending = false;
      }
    }
    boost::system::error_code ignored;
    socket.cancel(ignored);  // the watch above
    set_stream_wake(conn, nullptr);
    response.stream->set_wakeup(nullptr);
    if (signal->peer_gone) stay = false;
    if (!complete) stay = false;  // the client cannot tell where a cut-short answer ends
    co_return bytes;
  }

  // Reads a body that may be larger than memory into a file under spool_dir. The timeout
  // is renewed as bytes arrive, so only a stalled client times out, not a slow large upload.
  // `storage_failed` tells a local failure (disk full) from a client's.
  template <class Stream>
  net::awaitable<void> read_spooled(Stream& stream, beast::flat_buffer& buffer,
                                    bhttp::request_parser<bhttp::string_body>& header_parser,
                                    std::uint64_t limit, SpoolFile& spool, bool& storage_failed,
                                    boost::system::error_code& ec) {
    std::string path = options.spool_dir + "/upload-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
      storage_failed = true;
      ec = boost::system::error_code(errno, boost::system::system_category());
      co_return;
    }
    spool.path = path;
    if (const auto length = header_parser.content_length(); length && !header_parser.chunked()) {
      co_await read_exact_to_file(stream, buffer, *length, fd, storage_failed, ec);
      if (::close(fd) != 0 && !ec) {
        storage_failed = true;
        ec = boost::system::error_code(errno, boost::system::system_category());
      }
      co_return;
    }
    // Chunked: Beast's parser takes the framing apart.
    ::close(fd);
    bhttp::request_parser<bhttp::file_body> parser{std::move(header_parser)};
    parser.body_limit(limit);
    parser.get().body().open(path.c_str(), beast::file_mode::write, ec);
    if (ec) {
      storage_failed = true;
      co_return;
    }
    auto& layer = beast::get_lowest_layer(stream);
    while (!parser.is_done()) {
      layer.expires_after(options.body_timeout);
      co_await bhttp::async_read_some(stream, buffer, parser,
                                      net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
    }
    boost::system::error_code closed;
    parser.get().body().file().close(closed);
    if (!ec && closed) {
      storage_failed = true;
      ec = closed;
    }
  }

  // A body of known length, straight from the socket into the file in large reads: the parser's
  // per-read bookkeeping and a timer reset per read would cost more than the copying itself.
  template <class Stream>
  net::awaitable<void> read_exact_to_file(Stream& stream, beast::flat_buffer& buffer,
                                          std::uint64_t length, int fd, bool& storage_failed,
                                          boost::system::error_code& ec) {
    const auto write_all = [fd](const char* data, std::size_t n) {
      while (n > 0) {
        const auto written = ::write(fd, data, n);
        if (written < 0 && errno == EINTR) continue;
        if (written < 0) return false;
        data += written;
        n -= static_cast<std::size_t>(written);
      }
      return true;
    };
    const auto fail_storage = [&] {
      storage_failed = true;
      ec = boost::system::error_code(errno, boost::system::system_category());
    };
    // What arrived together with the header is the start of the body.
    const auto early = buffer.data();
    const std::size_t take =
        static_cast<std::size_t>(std::min<std::uint64_t>(early.size(), length));
    if (!write_all(static_cast<const char*>(early.data()), take)) {
      fail_storage();
      co_return;
    }
    buffer.consume(take);
    std::uint64_t done = take;
    std::vector<char> chunk(std::size_t{1} << 20U);
    auto& layer = beast::get_lowest_layer(stream);
    layer.expires_after(options.body_timeout);
    auto renewed = Clock::now();
    while (done < length) {
      const std::size_t want =
          static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), length - done));
      const std::size_t n = co_await stream.async_read_some(
          net::buffer(chunk.data(), want), net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
      if (!write_all(chunk.data(), n)) {
        fail_storage();
        co_return;
      }
      done += n;
      if (const auto now = Clock::now(); now - renewed >= std::chrono::seconds(1)) {
        layer.expires_after(options.body_timeout);
        renewed = now;
      }
    }
  }

  template <class Stream>
  net::awaitable<void> serve(Stream& stream, Connection& conn, std::string remote, bool tls) {
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      // Which body limit applies is only known once the route is (it may take a spooled body),
      // and Beast would check Content-Length against a limit set now: it is set below. (Not
      // boost::none: Beast 1.74 compares lengths with the optional, and anything exceeds none.)
      parser.body_limit(std::numeric_limits<std::uint64_t>::max());
      boost::system::error_code ec;
      beast::get_lowest_layer(stream).expires_after(options.header_timeout);
      co_await bhttp::async_read_header(stream, buffer, parser,
                                        net::redirect_error(net::use_awaitable, ec));
      conn.busy = true;
      const auto started = Clock::now();
      std::shared_ptr<Request> request;
      SpoolFile spool;
      std::uint64_t spool_limit = 0;
      if (!ec) {
        request = std::make_shared<Request>(to_request(parser.get(), remote, tls));
        const auto length = parser.content_length();
        const bool large = parser.chunked() || (length && *length > options.max_body_bytes);
        if (large && options.spool_limit) spool_limit = options.spool_limit(*request);
      }
      const bool keep_alive = !ec && parser.get().keep_alive();
      const unsigned version = ec ? 11 : parser.get().version();
      if (spool_limit > 0) {
        // Who may send a large body is settled before a byte of it is stored.
        std::optional<Response> refusal;
        if (options.admit) {
          refusal = co_await net::co_spawn(workers, run_admit(request), net::use_awaitable);
        }
        if (refusal) {
          co_await write_response(stream, *refusal, *request, version, false, ec);
          co_await discard_rest(stream);
          co_return;
        }
        if (const auto length = parser.content_length(); length && *length > spool_limit) {
          ec = bhttp::error::body_limit;
        } else {
          if (bhttp::token_list(request->header("expect")).exists("100-continue")) {
            bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, version};
            co_await bhttp::async_write(stream, go_on, net::redirect_error(net::use_awaitable, ec));
          }
          bool storage_failed = false;
          if (!ec) {
            co_await read_spooled(stream, buffer, parser, spool_limit, spool, storage_failed, ec);
          }
          if (storage_failed) {
            spdlog::error("request {}: could not spool the upload: {}", request->request_id,
                          ec.message());
            co_await write_error(
                stream, 507, "Insufficient Storage",
                "the server could not store the upload; reference " + request->request_id, tls);
            co_await discard_rest(stream);
            co_return;
          }
          if (!ec) request->body_file = spool.path;
        }
      } else if (!ec) {
        if (const auto length = parser.content_length();
            length && *length > options.max_body_bytes) {
          ec = bhttp::error::body_limit;
        } else {
          parser.body_limit(options.max_body_bytes);  // also bounds a chunked body as it arrives
          beast::get_lowest_layer(stream).expires_after(options.body_timeout);
          co_await bhttp::async_read(stream, buffer, parser,
                                     net::redirect_error(net::use_awaitable, ec));
          if (!ec) request->body = std::move(parser.get().body());
        }
      }
      if (ec == bhttp::error::header_limit) {
        co_await write_error(stream, 431, "Request Header Fields Too Large",
                             "request headers exceed the limit", tls);
        co_await discard_rest(stream);
        co_return;
      }
      if (ec == bhttp::error::body_limit) {
        const std::uint64_t limit = spool_limit > 0 ? spool_limit : options.max_body_bytes;
        co_await write_error(
            stream, 413, "Content Too Large",
            "request body exceeds the limit of " + std::to_string(limit) + " bytes", tls);
        co_await discard_rest(stream);
        co_return;
      }
      if (ec) {
        const bool quiet = ec == bhttp::error::end_of_stream || ec == net::error::eof ||
                           ec == beast::error::timeout || ec == net::error::operation_aborted ||
                           ec == net::error::connection_reset || ec == net::error::bad_descriptor ||
                           ec == bhttp::error::partial_message;
        if (!quiet) {
          co_await write_error(stream, 400, "Bad Request", "malformed HTTP request", tls);
        }
        co_return;
      }

      // Quick requests are answered right here; the rest run on the worker pool and come
      // back to this connection's strand.
      Response response;
      if (is_quick && is_quick(*request)) {
        response = handler(*request);
      } else {
        response = co_await net::co_spawn(workers, run_handler(request), net::use_awaitable);
      }

      bool stay = keep_alive && !draining.load();
      const std::size_t bytes =
          response.stream
              ? co_await write_streamed(stream, conn, response, *request, version, stay, ec)
              : co_await write_response(stream, response, *request, version, stay, ec);
      if (observer) {
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        observer(AccessRecord{request.get(), response.status, bytes, ms});
      }
      conn.busy = false;
      if (ec || !stay) co_return;
    }
  }

  net::awaitable<void> handle(tcp::socket socket) {
    Connection conn;
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = socket.remote_endpoint(ec);
      remote = ec ? "unknown" : ep.address().to_string();
    }
    if (ssl_context) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl_context);
      conn.close = [&stream] { beast::get_lowest_layer(stream).socket().close(); };
      register_connection(conn);
      boost::system::error_code ec;
      beast::get_lowest_layer(stream).expires_after(options.header_timeout);
      co_await stream.async_handshake(net::ssl::stream_base::server,
                                      net::redirect_error(net::use_awaitable, ec));
      if (!ec) {
        co_await serve(stream, conn, remote, true);
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
        co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
      }
      unregister_connection(conn);
    } else {
      beast::tcp_stream stream(std::move(socket));
      conn.close = [&stream] {
        boost::system::error_code ignored;
        stream.socket().close(ignored);
      };
      register_connection(conn);
      co_await serve(stream, conn, remote, false);
      boost::system::error_code ignored;
      stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
      unregister_connection(conn);
    }
    connections.fetch_sub(1);
  }

  void register_connection(Connection& c) {
    std::lock_guard lock(connections_mutex);
    live.insert(&c);
  }
  void unregister_connection(Connection& c) {
    std::lock_guard lock(connections_mutex);
    live.erase(&c);
  }

  net::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket(net::make_strand(ioc));
      co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
      if (connections.load() >= options.max_connections) {
        socket.close(ec);  // over the limit: refuse rather than degrade everyone
        continue;
      }
      connections.fetch_add(1);
      auto executor = socket.get_executor();
      net::co_spawn(executor, handle(std::move(socket)), net::detached);
    }
  }

  void begin_shutdown() {
    if (draining.exchange(true)) return;
    spdlog::info("shutting down: no new connections, finishing requests in flight");
    boost::system::error_code ec;
    acceptor.close(ec);
    close_idle();
    wait_for_drain(Clock::now() + options.shutdown_grace);
  }

  void set_stream_wake(Connection& c, std::function<void()> wake) {
    std::lock_guard lock(connections_mutex);
    c.wake_stream = std::move(wake);
  }

  // Idle connections are closed; open-ended streams are woken so that they end themselves.
  void close_idle() {
    std::lock_guard lock(connections_mutex);
    for (Connection* c : live) {
      if (!c->busy) {
        c->close();
      } else if (c->wake_stream) {
        c->wake_stream();
      }
    }
  }

  // Polls until every connection has finished, closing ones that become idle.
  void wait_for_drain(Clock::time_point deadline) {
    auto timer = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(20));
    timer->async_wait([this, timer, deadline](boost::system::error_code) {
      if (connections.load() == 0 || Clock::now() >= deadline) {
        ioc.stop();
        return;
      }
      close_idle();
      wait_for_drain(deadline);
    });
  }
};

Server::Server(ServerOptions options, Handler handler, AccessObserver observer,
               QuickPredicate is_quick)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler), std::move(observer),
                                   std::move(is_quick))) {
  if (impl_->options.tls) {
    impl_->ssl_context.emplace(net::ssl::context::tls_server);
    auto& ctx = *impl_->ssl_context;
    ctx.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                    net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                    net::ssl::context::no_tlsv1_1);
    ctx.use_certificate_chain_file(impl_->options.tls->certificate_file);
    ctx.use_private_key_file(impl_->options.tls->private_key_file, net::ssl::context::pem);
  }
}

Server::~Server() { impl_->workers.join(); }

void Server::listen() {
  auto& a = impl_->acceptor;
  boost::system::error_code ec;
  const auto address = net::ip::make_address(impl_->options.host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + impl_->options.host + "'");
  tcp::endpoint endpoint(address, impl_->options.port);
  a.open(endpoint.protocol());
  a.set_option(net::socket_base::reuse_address(true));
  a.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                             std::to_string(impl_->options.port) + ": " + ec.message());
  }
  a.listen(net::socket_base::max_listen_connections);
}

std::uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

int Server::open_connections() const { return impl_->connections.load(); }

void Server::run() {
  auto& impl = *impl_;
  impl.signals.async_wait([&impl](boost::system::error_code ec, int) {
    if (!ec) impl.begin_shutdown();
  });
  net::co_spawn(impl.ioc, impl.accept_loop(), net::detached);
  std::vector<std::thread> threads;
  for (int i = 1; i < impl.options.io_threads; ++i)
    threads.emplace_back([&impl] { impl.ioc.run(); });
  impl.ioc.run();
  for (auto& t : threads) t.join();
  // Handlers already running finish their database work before we return.
  impl.workers.join();
}

void Server::stop() {
  net::post(impl_->ioc, [this] { impl_->begin_shutdown(); });
}

}  // namespace custos::http
