#pragma once
// HTTP routes of the SLA rules: the priority matrix, the SLA policy and the business calendars.
#include "api/router.hpp"
#include "incidents/escalation.hpp"
#include "incidents/settings.hpp"

namespace custos::incidents {

void add_settings_routes(api::Router& router, Settings& settings, EscalationService& escalation);

}  // namespace custos::incidents
