#pragma once
// GET /api/v1/stream: the live-update event stream of the signed-in user.
#include "api/router.hpp"
#include "notify/live_feed.hpp"

namespace custos::notify {

void add_stream_routes(api::Router& router, LiveFeed& feed);

}  // namespace custos::notify
