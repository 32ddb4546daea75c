#include "notify/stream_routes.hpp"

#include "api/context.hpp"

namespace custos::notify {

void add_stream_routes(api::Router& router, LiveFeed& feed) {
  router.add({"GET",
              "/api/v1/stream",
              auth::Permission::signed_in,
              [&feed](api::Context& ctx) {
                ctx.allow_query({});
                auto stream = feed.subscribe(ctx.user());
                if (!stream) {
                  throw api::ApiError(503, "too-many-streams",
                                      "too many live-update streams are open; try again later")
                      .with_header("Retry-After", "30");
                }
                http::Response res;
                res.header("Content-Type", "text/event-stream; charset=utf-8");
                // Proxies must pass events on as they come instead of buffering them.
                res.header("X-Accel-Buffering", "no");
                res.stream = std::move(stream);
                return res;
              },
              {"Live updates as server-sent events: an event `change` with "
               "{type, key, version, action, actor} for every change to an incident you may see",
               "live",
               "",
               "",
               200,
               {},
               {401, 503}}});
}

}  // namespace custos::notify
