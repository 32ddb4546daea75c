#pragma once
// HTTP routes for working an incident, all under /api/v1/incidents/{key}/...: worklog,
// communications, timeline, tasks, attachments, the major incident procedure, lessons
// learned, improvement actions, the review waiver and child incidents. Each answers 404 when
// the incident does not exist or the caller may not see it.
#include "api/router.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/work_services.hpp"

namespace custos::incidents {

void add_work_routes(api::Router& router, IncidentService& incidents, WorkServices& work);

}  // namespace custos::incidents
