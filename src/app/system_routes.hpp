#pragma once
// Health, readiness, Prometheus metrics and the OpenAPI document.
#include "api/router.hpp"
#include "app/config.hpp"
#include "app/metrics.hpp"
#include "store/database.hpp"

namespace custos::app {

void add_system_routes(api::Router& router, store::Database& db, Metrics& metrics,
                       const Config& config);

}  // namespace custos::app
