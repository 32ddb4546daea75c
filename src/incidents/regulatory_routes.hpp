#pragma once
// /api/v1/incidents/{key}/regulatory: the GDPR and NIS2 flags of an incident, its deadlines,
// and the record of what was submitted to the authorities.
#include "api/router.hpp"
#include "incidents/regulatory.hpp"

namespace custos::incidents {

void add_regulatory_routes(api::Router& router, RegulatoryClocks& clocks);

}  // namespace custos::incidents
