#include "detection/detection_routes.hpp"

#include <algorithm>
#include <cctype>

#include "api/context.hpp"
#include "api/problem.hpp"

namespace custos::detection {

using api::Context;
using auth::Permission;

namespace {

// What log shippers send for newline-delimited JSON (parameters such as charset are ignored).
bool ndjson_type(std::string_view content_type) {
  std::string type(content_type.substr(0, content_type.find(';')));
  type.erase(std::remove_if(type.begin(), type.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type == "application/x-ndjson" || type == "application/ndjson" ||
         type == "application/jsonl";
}

nlohmann::json to_json(const IngestResult& r, const std::string& source) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : r.rejections) errors.push_back({{"line", e.line}, {"problem", e.problem}});
  return {{"source", source},
          {"accepted", r.accepted},
          {"rejected", r.rejected},
          {"rejections", errors}};
}

nlohmann::json to_json(const DetectionRuntime::JailStatus& s) {
  const auto& j = s.config;
  nlohmann::json options = nlohmann::json::object();
  for (const auto& [name, value] : j.filter_options) options[name] = value;
  return {{"name", j.name},
          {"filter", j.filter.string()},
          {"filter_options", options},
          {"sources", j.sources},
          {"maxretry", j.maxretry},
          {"findtime", j.findtime},
          {"bantime", j.bantime},
          {"bantime_factor", j.bantime_factor},
          {"bantime_max", j.bantime_max},
          {"ignoreip", j.ignoreip},
          {"actions", j.actions},
          {"failures", s.stats.failures},
          {"tracked", s.stats.tracked},
          {"ignored", s.stats.ignored},
          {"evictions", s.stats.evictions},
          {"ban_requests", s.stats.ban_requests},
          {"active_bans", s.active_bans}};
}

}  // namespace

void add_detection_routes(api::Router& router, DetectionRuntime& runtime) {
  router.add({"POST",
              "/api/v1/ingest/{source}",
              Permission::detection_ingest,
              [&runtime](Context& ctx) {
                ctx.allow_query({});
                const auto name = ctx.param("source");
                auto* source = runtime.http_source(name);
                if (source == nullptr) {
                  throw api::not_found(runtime.has_source(name)
                                           ? "detection source '" + name +
                                                 "' (it is not an http source)"
                                           : "detection source '" + name + "'");
                }
                if (!ndjson_type(ctx.request().header("content-type"))) {
                  throw api::ApiError(415, "unsupported-media-type",
                                      "send one JSON object per line as application/x-ndjson");
                }
                const auto result = source->ingest(ctx.request().body);
                auto body = to_json(result, name);
                // Nothing usable at all is an error the shipper should log; otherwise the good
                // lines were counted, and a retry of the body would count them again.
                if (result.accepted == 0 && result.rejected > 0) {
                  throw api::ApiError(422, "ingest-rejected",
                                      "no line was accepted; line " +
                                          std::to_string(result.rejections.front().line) + ": " +
                                          result.rejections.front().problem)
                      .with_member("accepted", "0")
                      .with_member("rejected", std::to_string(result.rejected))
                      .with_member("rejections", body["rejections"].dump());
                }
                return api::json_response(200, body);
              },
              {"Feed log lines to an http detection source: NDJSON, one {\"message\", \"time\", "
               "\"host\", \"app\", \"pid\"} object per line. Good lines count even when others are "
               "rejected; 422 when none is accepted",
               "detection",
               "ndjson:IngestLine",
               "IngestResult",
               200,
               {},
               {404, 413}}});

  router.add({"GET",
              "/api/v1/detection/jails",
              Permission::detection_manage,
              [&runtime](Context& ctx) {
                ctx.allow_query({});
                nlohmann::json items = nlohmann::json::array();
                for (const auto& s : runtime.jails()) items.push_back(to_json(s));
                return api::json_response(200, {{"items", items}});
              },
              {"The running jails: settings, failure counters and active bans",
               "detection",
               "",
               "DetectionJailList",
               200,
               {},
               {}}});

  router.add(
      {"POST",
       "/api/v1/detection/reload",
       Permission::detection_manage,
       [&runtime](Context& ctx) {
         ctx.allow_query({});
         Detector::Reloaded changes;
         try {
           changes = runtime.reload(ctx.user().actor());
         } catch (const DetectionRuntime::NoConfigFile& e) {
           throw api::conflict(e.what());
         } catch (const DetectionRuntime::ReloadRefused& e) {
           throw api::ApiError(422, "detection-config-invalid",
                               std::string(e.what()) + " (nothing was changed)");
         }
         return api::json_response(
             200, {{"added", changes.added}, {"kept", changes.kept}, {"removed", changes.removed}});
       },
       {"Reload the detection rules from the configuration file and the filter files: kept "
        "jails keep their counters and bans; sources need a restart",
        "detection",
        "",
        "DetectionReload",
        200,
        {},
        {409, 422}}});
}

}  // namespace custos::detection
