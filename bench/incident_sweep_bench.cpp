// The SLA sweep (EscalationService::sweep, what the server's scheduler runs) over many open
// incidents, in-process, on a real SQLite database with the server's durability settings.
//
// Seeding: the data directory $CUSTOS_BENCH_SWEEP_DIR (default /tmp/custos-bench-sweep-N) gets
// $CUSTOS_BENCH_SWEEP_N (default 100,000) open P1 incidents through IncidentService (the bulk
// entry point: many incidents per transaction, each audited, SLA-rated and indexed), each
// logged by an agent of soc-l1 (which escalates to soc-l2), assigned to them (the response
// clock is met) and in progress, all reported at the same instant t0. P1 runs on the 24x7
// calendar with 4 h to resolve, so at t0 + 2 h 10 min every one of them has crossed the 50 %
// threshold of its resolution clock and nothing else. A database that already holds them is
// reused (seeding takes about a minute on 2 cores).
//
// Benchmarks (items/s = incidents/s; goal: 100,000 open incidents in < 1 s):
//   SlaSweepFirstEscalation  every incident due for its first step: the escalation row (the
//                            claim), an in-app notification and an e-mail in the outbox for the
//                            assignee, an audit entry and the new SLA columns, all committed.
//                            Between iterations (untimed) the fired steps, notifications and
//                            outbox rows are deleted and every incident made due again.
//   SlaSweepNothingToFire    every incident due for a look (as after a calendar change:
//                            EscalationService::look_again, untimed), all of its steps fired
//                            before: the sweep re-evaluates each one and stores its next time.
//   SlaSweepNoneDue          the sweep when no incident is due: one indexed query.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "app/config.hpp"
#include "incidents/groups.hpp"

namespace {

namespace fs = std::filesystem;
using namespace custos;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

struct SweepFixture {
  std::int64_t wanted = 0;
  std::unique_ptr<app::Core> core;
  std::int64_t t0 = 0;

  SweepFixture() {
    wanted = std::stoll(env_or("CUSTOS_BENCH_SWEEP_N", "100000"));
    app::Config config;
    config.data_dir =
        env_or("CUSTOS_BENCH_SWEEP_DIR", "/tmp/custos-bench-sweep-" + std::to_string(wanted));
    config.password_hashing = "minimum";  // set-up speed only
    fs::create_directories(config.data_dir);
    core = std::make_unique<app::Core>(config, true);
    core->prepare_database();
    // CUSTOS_BENCH_SWEEP_BATCH: incidents per sweep transaction (default: the server's).
    if (const auto b = env_or("CUSTOS_BENCH_SWEEP_BATCH", ""); !b.empty()) {
      core->escalation = std::make_unique<incidents::EscalationService>(
          *core->db, *core->audit, *core->incidents, *core->incident_settings, std::stoi(b));
    }
    seed();
  }

  std::int64_t count(const std::string& sql) {
    return core->db->read_value([&](store::Connection& c) { return c.query_one(sql)->i64(0); });
  }

  auth::Principal person(const std::string& name, auth::Role role) {
    auto user = core->accounts->find(name);
    if (!user) {
      auth::NewUser nu{
          name, name, name + "@bench.example", auth::RoleSet{role}, "correct horse battery staple",
          false};
      user = core->accounts->create(nu, "bench");
    }
    auth::Principal p;
    p.user_id = user->id;
    p.username = user->username;
    p.roles = user->roles;
    return p;
  }

  void seed() {
    std::vector<auth::Principal> agents;
    for (int i = 1; i <= 8; ++i)
      agents.push_back(person("agent" + std::to_string(i), auth::Role::agent));
    person("lead1", auth::Role::agent);
    person("lead2", auth::Role::agent);
    person("irene", auth::Role::incident_manager);
    if (!core->groups->find("soc-l2")) {
      incidents::SupportGroup l2;
      l2.name = "soc-l2";
      l2.display_name = "SOC level 2";
      l2.level = 2;
      l2.manager = "lead2";
      l2.members = {"agent7", "agent8"};
      core->groups->create(l2, "bench");
      incidents::SupportGroup l1;
      l1.name = "soc-l1";
      l1.display_name = "SOC level 1";
      l1.level = 1;
      l1.manager = "lead1";
      l1.escalation_group = "soc-l2";
      l1.members = {"agent1", "agent2", "agent3", "agent4", "agent5", "agent6"};
      core->groups->create(l1, "bench");
    }
    std::int64_t have = count("SELECT COUNT(*) FROM incidents");
    t0 = count("SELECT COALESCE(MIN(reported_at), 0) FROM incidents");
    if (t0 == 0) t0 = (util_now() / kHour - 48) * kHour;
    if (have >= wanted) {
      std::fprintf(stderr, "incident_sweep_bench: %s already holds %lld incidents; not seeding\n",
                   core->config.data_dir.c_str(), static_cast<long long>(have));
      return;
    }
    std::fprintf(stderr, "incident_sweep_bench: seeding %lld open P1 incidents into %s...\n",
                 static_cast<long long>(wanted - have), core->config.data_dir.c_str());
    const auto started = std::chrono::steady_clock::now();
    constexpr std::int64_t kPerTransaction = 2000;
    while (have < wanted) {
      const std::int64_t batch = std::min(kPerTransaction, wanted - have);
      core->db->write([&](store::Connection& c) {
        for (std::int64_t i = 0; i < batch; ++i) {
          const auto& agent = agents[static_cast<std::size_t>((have + i) % 6)];
          incidents::IncidentFields f;
          f.title = "Ransomware note found on fs" + std::to_string((have + i) % 97);
          f.description = "Encrypted files with a new extension appeared on the share.";
          f.category = "malicious-code";
          f.subcategory = std::optional<std::string>("ransomware");
          f.impact = incidents::Impact::extensive;
          f.urgency = incidents::Urgency::critical;
          f.source = "detection";
          f.group = std::optional<std::string>("soc-l1");
          auto incident = core->incidents->create(c, f, agent, t0);
          incidents::IncidentFields assign;
          assign.assignee = std::optional<std::string>(agent.username);  // new -> assigned
          incident = *core->incidents->update(c, incident.id, incident.version, assign, agent, t0);
          incidents::TransitionInput work;
          work.to = incidents::Status::in_progress;
          core->incidents->transition(c, incident.id, work, agent, t0 + kMinute);
        }
      });
      have += batch;
      if (have % 20'000 == 0 || have == wanted) {
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        std::fprintf(stderr, "  %lld incidents (%.1f s)\n", static_cast<long long>(have), s);
      }
    }
  }

  static std::int64_t util_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // Undoes what a sweep fired and makes every incident due at its 50 % mark again.
  void make_due_for_first_step() {
    core->db->write([&](store::Connection& c) {
      c.execute("DELETE FROM escalations");
      c.execute("DELETE FROM notifications");
      c.execute("DELETE FROM outbox");
      c.execute("UPDATE incidents SET next_escalation_at = ?, group_id = ?, support_level = 1",
                {t0 + 2 * kHour,
                 c.query_one("SELECT id FROM support_groups WHERE name = 'soc-l1'")->i64(0)});
    });
  }
};

// CPU time of the whole process (the sweep runs on the database's writer thread, which
// Google Benchmark's CPU column does not see): on a shared machine the figure to compare.
double process_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

SweepFixture& fixture() {
  static SweepFixture f;
  return f;
}

void BM_SlaSweepFirstEscalation(benchmark::State& state) {
  auto& f = fixture();
  const std::int64_t at = f.t0 + 2 * kHour + 10 * kMinute;
  std::int64_t steps = 0;
  double cpu_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    f.make_due_for_first_step();
    state.ResumeTiming();
    const double cpu0 = process_cpu_ms();
    const auto r = f.core->escalation->sweep(at);
    cpu_ms += process_cpu_ms() - cpu0;
    steps = r.steps;
    benchmark::DoNotOptimize(r);
  }
  state.counters["steps"] = static_cast<double>(steps);
  state.counters["process_cpu_ms"] = cpu_ms / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * f.wanted);
}
BENCHMARK(BM_SlaSweepFirstEscalation)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_SlaSweepNothingToFire(benchmark::State& state) {
  auto& f = fixture();
  const std::int64_t at = f.t0 + 2 * kHour + 20 * kMinute;
  std::int64_t looked = 0;
  f.make_due_for_first_step();
  f.core->escalation->sweep(at);  // every step due by `at` fires now, untimed
  double cpu_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    f.core->escalation->look_again(std::nullopt, at);
    state.ResumeTiming();
    const double cpu0 = process_cpu_ms();
    const auto r = f.core->escalation->sweep(at);
    cpu_ms += process_cpu_ms() - cpu0;
    looked = r.incidents;
    benchmark::DoNotOptimize(r);
  }
  state.counters["incidents"] = static_cast<double>(looked);
  state.counters["process_cpu_ms"] = cpu_ms / static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations() * f.wanted);
}
BENCHMARK(BM_SlaSweepNothingToFire)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

void BM_SlaSweepNoneDue(benchmark::State& state) {
  auto& f = fixture();
  const std::int64_t at = f.t0 + 2 * kHour + 30 * kMinute;
  f.core->escalation->sweep(at);  // whatever was due is done
  for (auto _ : state) benchmark::DoNotOptimize(f.core->escalation->sweep(at));
}
BENCHMARK(BM_SlaSweepNoneDue)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
