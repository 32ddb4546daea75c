// What `GET /api/v1/me` costs inside the server, without the network and Beast: the pieces in
// the order a request meets them, then the whole api::Dispatcher::handle call, on a real
// migrated SQLite database with a real bearer token. Subtract from the HTTP figures in
// bench/run.sh to see how much of a request is HTTP and how much is custos.
//   SqliteRead_Select1        one Database::read (reader pool + BEGIN/COMMIT) doing nothing
//   AuthenticateToken         sha256 of the token + the token/user join, in one read
//   FindUserById              the second read /api/v1/me does (Accounts::find_by_id)
//   Dispatch_Me               Dispatcher::handle for GET /api/v1/me with "Bearer <token>"
//   Dispatch_Healthz          Dispatcher::handle for GET /healthz (no database, no auth)
// The multi-threaded variants (threads:2) show whether the two cores scale or contend.
#include <benchmark/benchmark.h>

#include <memory>

#include "api/dispatcher.hpp"
#include "api/router.hpp"
#include "app/app.hpp"
#include "app/metrics.hpp"
#include "bench_support.hpp"
#include "util/crypto.hpp"

namespace {

struct Server {
  custos::bench::TempCore temp;
  custos::app::Metrics metrics;
  custos::api::Router router;
  std::unique_ptr<custos::app::RouteServices> services;
  std::unique_ptr<custos::api::Dispatcher> dispatcher;
  std::int64_t admin_id = 0;

  Server() {
    auto& core = temp.core();
    services = custos::app::add_all_routes(router, core, metrics);
    dispatcher = std::make_unique<custos::api::Dispatcher>(
        router,
        custos::api::Authenticators{[&core](const std::string& bearer) {
                                      return core.credentials->authenticate_token(bearer);
                                    },
                                    [&core](const std::string& cookie) {
                                      return core.credentials->authenticate_session(cookie);
                                    }},
        core.db.get());
    admin_id = core.accounts->find("admin")->id;
  }
};

Server& server() {
  static Server s;
  return s;
}

custos::http::Request make_request(std::string path, bool with_token) {
  custos::http::Request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  r.headers = {{"host", "127.0.0.1:8080"}, {"user-agent", "bench"}, {"accept", "*/*"}};
  if (with_token) r.headers.emplace_back("authorization", "Bearer " + server().temp.token());
  r.remote_address = "127.0.0.1";
  r.request_id = custos::util::random_token(12);
  return r;
}

void BM_SqliteRead_Select1(benchmark::State& state) {
  auto& db = *server().temp.core().db;
  for (auto _ : state)
    db.read([](custos::store::Connection& c) { benchmark::DoNotOptimize(c.query("SELECT 1")); });
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SqliteRead_Select1)->Threads(1)->Threads(2)->UseRealTime();

void BM_AuthenticateToken(benchmark::State& state) {
  auto& credentials = *server().temp.core().credentials;
  const std::string& token = server().temp.token();
  for (auto _ : state) {
    auto p = credentials.authenticate_token(token);
    if (!p) {
      state.SkipWithError("token did not authenticate");
      break;
    }
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthenticateToken)->Threads(1)->Threads(2)->UseRealTime();

void BM_FindUserById(benchmark::State& state) {
  auto& accounts = *server().temp.core().accounts;
  const auto id = server().admin_id;
  for (auto _ : state) benchmark::DoNotOptimize(accounts.find_by_id(id));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FindUserById);

void run_dispatch(benchmark::State& state, const std::string& path, bool with_token) {
  const auto& dispatcher = *server().dispatcher;
  const custos::http::Request prototype = make_request(path, with_token);
  for (auto _ : state) {
    custos::http::Request request = prototype;  // the server builds a fresh one per request too
    auto response = dispatcher.handle(request);
    if (response.status != 200) {
      state.SkipWithError(
          ("status " + std::to_string(response.status) + ": " + response.body).c_str());
      break;
    }
    benchmark::DoNotOptimize(response);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Dispatch_Me(benchmark::State& state) { run_dispatch(state, "/api/v1/me", true); }
BENCHMARK(BM_Dispatch_Me)->Threads(1)->Threads(2)->UseRealTime();

void BM_Dispatch_Healthz(benchmark::State& state) { run_dispatch(state, "/healthz", false); }
BENCHMARK(BM_Dispatch_Healthz);

}  // namespace

BENCHMARK_MAIN();
