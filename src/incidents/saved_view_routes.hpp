#pragma once
// HTTP routes of a user's saved incident-list views (/api/v1/me/views).
#include "api/router.hpp"
#include "incidents/saved_views.hpp"

namespace custos::incidents {

void add_saved_view_routes(api::Router& router, SavedViews& views);

}  // namespace custos::incidents
