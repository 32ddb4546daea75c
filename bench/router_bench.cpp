// api::Router::match over the server's real route table (built by app::add_all_routes, exactly
// as `custos serve` does), for the kinds of request the server sees: a literal route, a route
// with a path parameter, a literal that shadows a parameter, an unknown path (404) and a known
// path with the wrong method (405). items/s = matches/s. The router is a linear scan, so this
// also shows what each route added to the table costs every request.
#include <benchmark/benchmark.h>

#include <memory>

#include "api/router.hpp"
#include "app/app.hpp"
#include "app/metrics.hpp"
#include "bench_support.hpp"

namespace {

struct RealRoutes {
  custos::bench::TempCore temp;
  custos::app::Metrics metrics;
  custos::api::Router router;
  std::unique_ptr<custos::app::RouteServices> services =
      custos::app::add_all_routes(router, temp.core(), metrics);
};

RealRoutes& routes() {
  static RealRoutes r;  // one table for all cases; building it opens a database
  return r;
}

void run_match(benchmark::State& state, std::string_view method, std::string_view path,
               bool expect_route) {
  const auto& router = routes().router;
  state.counters["routes"] = static_cast<double>(router.routes().size());
  for (auto _ : state) {
    auto m = router.match(method, path);
    if ((m.route != nullptr) != expect_route) {
      state.SkipWithError("unexpected match result");
      break;
    }
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Match_Me(benchmark::State& s) { run_match(s, "GET", "/api/v1/me", true); }
void BM_Match_Healthz(benchmark::State& s) { run_match(s, "GET", "/healthz", true); }
void BM_Match_UserParam(benchmark::State& s) { run_match(s, "GET", "/api/v1/users/alice", true); }
void BM_Match_UserPasswordParam(benchmark::State& s) {
  run_match(s, "POST", "/api/v1/users/alice/password", true);
}
void BM_Match_NotFound(benchmark::State& s) {
  run_match(s, "GET", "/api/v1/no-such-collection/42", false);
}
void BM_Match_MethodNotAllowed(benchmark::State& s) {
  run_match(s, "PUT", "/api/v1/users/alice", false);
}

BENCHMARK(BM_Match_Me);
BENCHMARK(BM_Match_Healthz);
BENCHMARK(BM_Match_UserParam);
BENCHMARK(BM_Match_UserPasswordParam);
BENCHMARK(BM_Match_NotFound);
BENCHMARK(BM_Match_MethodNotAllowed);

}  // namespace

BENCHMARK_MAIN();
