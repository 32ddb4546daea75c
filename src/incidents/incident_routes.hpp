#pragma once
// HTTP routes of the incident record itself.
#include "api/router.hpp"
#include "incidents/incident_service.hpp"

namespace custos::incidents {

void add_incident_routes(api::Router& router, IncidentService& service);

}  // namespace custos::incidents
