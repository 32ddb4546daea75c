// The SLA rules over HTTP. Everyone signed in may read them (they explain priorities and due
// times); reference managers change them. The matrix and the policy are versioned: a change is
// a new version, incidents keep the version they were rated with, and only new incidents and
// incidents whose priority changes take the new one. Calendars are shared by name, so a
// change applies to every incident on that calendar at once.
#include <spdlog/spdlog.h>

#include "api/context.hpp"
#include "api/etag.hpp"
#include "incidents/settings_routes.hpp"
#include "util/time.hpp"

namespace custos::incidents {

using api::Context;
using auth::Permission;

namespace {

// The whole body is the document (matrix, policy, calendar), not an envelope around it.
nlohmann::json document_body(const Context& ctx) {
  if (!ctx.request().header("content-type").starts_with("application/json")) {
    throw api::ApiError(415, "unsupported-media-type",
                        "send the body as Content-Type: application/json");
  }
  return api::parse_json_body(ctx.request().body);
}

std::optional<std::int64_t> optional_if_match(const Context& ctx) {
  if (ctx.request().header("if-match").empty()) return std::nullopt;
  return api::required_if_match(ctx);
}

// The rules' own validation says "field.path: problem"; the field becomes the 422's field.
[[noreturn]] void reject(const std::exception& e) {
  const std::string message = e.what();
  const auto colon = message.find(": ");
  if (colon != std::string::npos && colon > 0 &&
      message.find_first_of(" '\"") > colon) {  // a path has no blanks or quotes
    throw api::invalid_field(message.substr(0, colon), message.substr(colon + 2));
  }
  throw api::ApiError(422, "validation-failed", message);
}

template <class T>
T parse_document(const nlohmann::json& body) {
  try {
    return body.get<T>();
  } catch (const std::invalid_argument& e) {
    reject(e);
  } catch (const nlohmann::json::exception& e) {
    throw api::ApiError(422, "validation-failed", "the document does not have the expected shape");
  }
}

[[noreturn]] void stale(const StaleSetting& e) {
  throw api::precondition_failed("changed since you read it (now version " +
                                 std::to_string(e.current_version) + "); reload and retry");
}

nlohmann::json matrix_json(const MatrixVersion& m) {
  return {{"version", m.version},
          {"matrix", m.matrix},
          {"created_at", util::to_rfc3339(m.created_at)},
          {"created_by", m.created_by}};
}

nlohmann::json policy_json(const PolicyVersion& p) {
  return {{"version", p.version},
          {"policy", p.policy},
          {"created_at", util::to_rfc3339(p.created_at)},
          {"created_by", p.created_by}};
}

http::Response versioned(int status, const nlohmann::json& body, std::int64_t version) {
  auto res = api::json_response(status, body);
  res.header("ETag", api::etag_for(version));
  return res;
}

bool valid_calendar_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  }
  return true;
}

}  // namespace

void add_settings_routes(api::Router& router, Settings& settings, EscalationService& escalation) {
  router.add({"GET",
              "/api/v1/settings/priority-matrix",
              Permission::signed_in,
              [&settings](Context& ctx) {
                ctx.allow_query({});
                const auto m = settings.matrix();
                return versioned(200, matrix_json(m), m.version);
              },
              {"The priority matrix in force: impact x urgency -> priority",
               "settings",
               "",
               "PriorityMatrixVersion",
               200,
               {},
               {401, 403}}});

  router.add({"PUT",
              "/api/v1/settings/priority-matrix",
              Permission::reference_manage,
              [&settings](Context& ctx) {
                ctx.allow_query({});
                const auto expected = optional_if_match(ctx);
                const auto matrix = parse_document<PriorityMatrix>(document_body(ctx));
                try {
                  const auto m = settings.set_matrix(matrix, ctx.user().actor(), expected);
                  return versioned(200, matrix_json(m), m.version);
                } catch (const StaleSetting& e) {
                  stale(e);
                }
              },
              {"Replace the priority matrix (a new version; incidents keep the one they were "
               "rated with). If-Match is checked when sent",
               "settings",
               "PriorityMatrix",
               "PriorityMatrixVersion",
               200,
               {},
               {400, 401, 403, 412, 415, 422}}});

  router.add({"GET",
              "/api/v1/settings/priority-matrix/history",
              Permission::signed_in,
              [&settings](Context& ctx) {
                ctx.allow_query({});
                nlohmann::json items = nlohmann::json::array();
                for (const auto& m : settings.matrix_history()) items.push_back(matrix_json(m));
                return api::json_response(200, {{"items", items}, {"next_cursor", nullptr}});
              },
              {"Every version of the priority matrix, newest first (the last 100)",
               "settings",
               "",
               "PriorityMatrixHistory",
               200,
               {},
               {401, 403}}});

  router.add({"GET",
              "/api/v1/settings/sla-policy",
              Permission::signed_in,
              [&settings](Context& ctx) {
                ctx.allow_query({});
                const auto p = settings.sla_policy();
                return versioned(200, policy_json(p), p.version);
              },
              {"The SLA policy in force: targets per priority, calendars, escalation thresholds",
               "settings",
               "",
               "SlaPolicyVersion",
               200,
               {},
               {401, 403}}});

  router.add({"PUT",
              "/api/v1/settings/sla-policy",
              Permission::reference_manage,
              [&settings, &escalation](Context& ctx) {
                ctx.allow_query({});
                const auto expected = optional_if_match(ctx);
                const auto policy = parse_document<SlaPolicy>(document_body(ctx));
                const auto before = settings.sla_policy().policy.thresholds_percent;
                PolicyVersion p;
                try {
                  p = settings.set_sla_policy(policy, ctx.user().actor(), expected);
                } catch (const StaleSetting& e) {
                  stale(e);
                } catch (const std::invalid_argument& e) {
                  reject(e);
                }
                // Targets stay with each incident, but the thresholds apply to all open ones.
                if (p.policy.thresholds_percent != before) {
                  try {
                    escalation.look_again(std::nullopt, util::now_ms());
                  } catch (const std::exception& e) {
                    spdlog::warn("escalation times not refreshed after the policy change: {}",
                                 e.what());
                  }
                }
                return versioned(200, policy_json(p), p.version);
              },
              {"Replace the SLA policy (a new version for new incidents and priority changes). "
               "If-Match is checked when sent",
               "settings",
               "SlaPolicy",
               "SlaPolicyVersion",
               200,
               {},
               {400, 401, 403, 412, 415, 422}}});

  router.add({"GET",
              "/api/v1/settings/calendars",
              Permission::signed_in,
              [&settings](Context& ctx) {
                ctx.allow_query({});
                nlohmann::json items = nlohmann::json::array();
                for (const auto& [name, calendar] : settings.calendars()) {
                  nlohmann::json item = calendar;
                  item["name"] = name;
                  item["version"] = settings.calendar_version(name).value_or(1);
                  items.push_back(std::move(item));
                }
                return api::json_response(200, {{"items", items}, {"next_cursor", nullptr}});
              },
              {"Business calendars (working hours, time zone, holidays) SLA clocks run on",
               "settings",
               "",
               "CalendarList",
               200,
               {},
               {401, 403}}});

  router.add({"GET",
              "/api/v1/settings/calendars/{name}",
              Permission::signed_in,
              [&settings](Context& ctx) {
                ctx.allow_query({});
                const auto name = ctx.param("name");
                auto calendar = settings.calendar(name);
                if (!calendar) throw api::not_found("calendar '" + name.substr(0, 64) + "'");
                nlohmann::json body = *calendar;
                body["name"] = name;
                return versioned(200, body, settings.calendar_version(name).value_or(1));
              },
              {"Read a business calendar (ETag: its version)",
               "settings",
               "",
               "Calendar",
               200,
               {},
               {401, 403, 404}}});

  router.add(
      {"PUT",
       "/api/v1/settings/calendars/{name}",
       Permission::reference_manage,
       [&settings, &escalation](Context& ctx) {
         ctx.allow_query({});
         const auto name = ctx.param("name");
         auto body = document_body(ctx);
         if (!valid_calendar_name(name)) {
           throw api::invalid_field("name", "must be 1-64 characters a-z, 0-9, '.', '_' or '-'");
         }
         if (name == kAlwaysOpen) {
           throw api::conflict("the '" + std::string(kAlwaysOpen) +
                               "' calendar is built in and always open; create a calendar with "
                               "another name and point the SLA policy at it");
         }
         const auto expected = optional_if_match(ctx);
         if (body.is_object()) {
           const auto given = body.find("name");
           if (given == body.end()) {
             body["name"] = name;
           } else if (!given->is_string() || given->get<std::string>() != name) {
             throw api::invalid_field("name", "must be the name in the path, '" + name + "'");
           }
         }
         auto calendar = parse_document<BusinessCalendar>(body);
         const bool existed = settings.calendar(name) != nullptr;
         std::int64_t version = 0;
         try {
           version = settings.put_calendar(name, calendar, ctx.user().actor(), expected);
         } catch (const StaleSetting& e) {
           if (e.current_version == 0) {
             throw api::precondition_failed("calendar '" + name +
                                            "' does not exist; send no If-Match to create it");
           }
           stale(e);
         } catch (const std::invalid_argument& e) {
           reject(e);
         }
         // Due times of incidents on this calendar move with it; the sweep recomputes them.
         try {
           escalation.look_again(name, util::now_ms());
         } catch (const std::exception& e) {
           spdlog::warn("escalation times not refreshed after calendar '{}' changed: {}", name,
                        e.what());
         }
         nlohmann::json out = *settings.calendar(name);
         out["name"] = name;
         auto res = versioned(existed ? 200 : 201, out, version);
         if (!existed) res.header("Location", "/api/v1/settings/calendars/" + name);
         return res;
       },
       {"Create or replace a business calendar; incidents on it follow the new hours. "
        "If-Match is checked when sent",
        "settings",
        "Calendar",
        "Calendar",
        200,
        {},
        {400, 401, 403, 409, 412, 415, 422}}});
}

}  // namespace custos::incidents
