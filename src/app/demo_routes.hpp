#pragma once
// POST /api/v1/demo: an administrator facing an empty database loads the demo data from the web
// application (the same loader as `custos demo load`, through the same services).
#include "api/router.hpp"
#include "app/app.hpp"

namespace custos::app {

void add_demo_routes(api::Router& router, Core& core);

}  // namespace custos::app
