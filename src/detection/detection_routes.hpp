#pragma once
// HTTP routes of live detection besides bans: the NDJSON ingest endpoint of http sources
// (POST /api/v1/ingest/{source}, for ingest tokens), the jails with their counters
// (GET /api/v1/detection/jails) and the reload of the rules (POST /api/v1/detection/reload).
#include "api/router.hpp"
#include "detection/detection_runtime.hpp"

namespace custos::detection {

void add_detection_routes(api::Router& router, DetectionRuntime& runtime);

}  // namespace custos::detection
