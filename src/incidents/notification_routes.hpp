#pragma once
// HTTP routes of a user's own in-app notifications.
#include "api/router.hpp"
#include "incidents/notifications.hpp"

namespace custos::incidents {

void add_notification_routes(api::Router& router, Notifications& notifications);

}  // namespace custos::incidents
