#pragma once
// HTTP routes of incident management.
#include "api/router.hpp"
#include "incidents/categories.hpp"
#include "incidents/groups.hpp"

namespace custos::incidents {

struct IncidentRouteDeps {
  Categories& categories;
  SupportGroups& groups;
};

// Categories and support groups.
void add_reference_routes(api::Router& router, IncidentRouteDeps& deps);

}  // namespace custos::incidents
