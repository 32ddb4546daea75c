#pragma once
// Demo data: support groups, people and N realistic incidents spread over the past months,
// written through the same services the API uses (every incident audited, SLA-rated and
// indexed for search), many incidents per write transaction. For trying custos out and for
// the incident benchmarks (bench/incidents.sh).
#include <cstdint>
#include <functional>

#include "app/app.hpp"

namespace custos::app {

struct DemoOptions {
  std::int64_t incidents = 1000;
  std::uint64_t seed = 1;
  int days = 365;        // incidents are reported over this many days up to now
  int batch = 100;       // incidents per write transaction
  bool catch_up = true;  // run the SLA sweep once at the end, as the server would have
  std::function<void(std::int64_t done, std::int64_t total)> progress;
};

struct DemoResult {
  std::int64_t incidents = 0;
  std::int64_t open = 0;
  std::int64_t worklog_entries = 0;
  std::int64_t audit_entries = 0;
  int escalation_steps = 0;
  double seconds = 0;
};

// Creates the demo people and groups when missing (passwords are random and not shown:
// set one with `custos user` tooling or the API to sign in as them), then adds the incidents.
// Call after Core::prepare_database().
DemoResult load_demo_data(Core& core, const DemoOptions& options);

}  // namespace custos::app
