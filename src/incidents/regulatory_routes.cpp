#include "incidents/regulatory_routes.hpp"

#include "api/etag.hpp"
#include "incidents/work_route_support.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace {

using api::Context;
using auth::Permission;
using work_routes::guarded;
using work_routes::incident_id;
using work_routes::incident_not_found;

http::Response state_response(const std::optional<RegulatoryState>& state, std::int64_t id) {
  if (!state) incident_not_found(id);
  auto res = api::json_response(200, to_json(*state, util::now_ms()));
  res.header("ETag", api::etag_for(version_of(*state)));
  return res;
}

// If-Match is optional: without it the change applies to whatever is current (flagging twice or
// withdrawing twice changes nothing, a second submission is refused anyway).
std::optional<std::int64_t> optional_if_match(const Context& ctx) {
  if (ctx.request().header("if-match").empty()) return std::nullopt;
  return api::required_if_match(ctx);
}

// The body of a JSON request as a strict object (415, 400 and 422 as for every JSON body).
nlohmann::json object_body(Context& ctx) {
  ctx.body();
  return api::parse_json_body(ctx.request().body);
}

std::optional<std::int64_t> time_field(const nlohmann::json& value, const std::string& field) {
  if (value.is_null()) return std::nullopt;
  const auto ms =
      value.is_string() ? util::parse_rfc3339(value.get_ref<const std::string&>()) : std::nullopt;
  if (!ms) throw api::invalid_field(field, "must be an RFC 3339 time like 2026-01-31T12:00:00Z");
  return ms;
}

std::optional<std::string> text_field(const nlohmann::json& body, const std::string& field,
                                      bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) throw api::invalid_field(field, "is required");
    return std::nullopt;
  }
  if (!it->is_string())
    throw api::invalid_field(field, std::string("must be a string, not ") + it->type_name());
  return it->get<std::string>();
}

RegulatoryChange read_change(const nlohmann::json& body) {
  RegulatoryChange change;
  for (const auto& [name, value] : body.items()) {
    if (name == "reason") {
      change.reason = text_field(body, "reason", false);
      continue;
    }
    const auto regime = regulatory::parse_regime(name);
    if (!regime) throw api::invalid_field(name.substr(0, 64), "is not a known field");
    if (!value.is_object()) {
      throw api::invalid_field(name,
                               "must be an object like {\"flagged\": true, \"aware_at\": "
                               "\"2026-01-31T12:00:00Z\"}");
    }
    RegulatoryFlagChange flag;
    flag.regime = *regime;
    for (const auto& [sub, v] : value.items()) {
      const std::string field = name + "." + sub;
      if (sub == "flagged") {
        if (!v.is_boolean()) throw api::invalid_field(field, "must be true or false");
        flag.flagged = v.get<bool>();
      } else if (sub == "aware_at") {
        flag.aware_at = time_field(v, field);
      } else {
        throw api::invalid_field(field.substr(0, 64), "is not a known field");
      }
    }
    if (!value.contains("flagged")) throw api::invalid_field(name + ".flagged", "is required");
    change.flags.push_back(flag);
  }
  return change;
}

RegulatorySubmission read_submission(const nlohmann::json& body) {
  for (const auto& [name, value] : body.items()) {
    if (name != "obligation" && name != "submitted_at" && name != "recipient" &&
        name != "reference" && name != "note")
      throw api::invalid_field(name.substr(0, 64), "is not a known field");
  }
  RegulatorySubmission s;
  const auto obligation = *text_field(body, "obligation", true);
  const auto kind = regulatory::parse_obligation(obligation);
  if (!kind) {
    throw api::invalid_field("obligation",
                             "must be one of gdpr_notification, nis2_early_warning, "
                             "nis2_notification, nis2_final_report");
  }
  s.obligation = *kind;
  if (!body.contains("submitted_at") || body["submitted_at"].is_null())
    throw api::invalid_field("submitted_at", "is required");
  s.submitted_at = *time_field(body["submitted_at"], "submitted_at");
  s.recipient = *text_field(body, "recipient", true);
  if (s.recipient.empty()) throw api::invalid_field("recipient", "must not be empty");
  s.reference = text_field(body, "reference", false);
  if (s.reference && s.reference->empty()) s.reference.reset();
  s.note = text_field(body, "note", false);
  if (s.note && s.note->empty()) s.note.reset();
  return s;
}

}  // namespace

void add_regulatory_routes(api::Router& router, RegulatoryClocks& clocks) {
  router.add({"GET",
              "/api/v1/incidents/{key}/regulatory",
              Permission::incidents_read,
              [&clocks](Context& ctx) {
                ctx.allow_query({});
                const auto id = incident_id(ctx);
                return guarded([&] { return state_response(clocks.get(id, ctx.user()), id); });
              },
              {"The incident's regulatory flags (GDPR personal-data breach, NIS2 significant "
               "incident) and the deadlines they set, with what was submitted",
               "incidents",
               "",
               "RegulatoryState",
               200,
               {},
               {401, 403, 404}}});

  router.add({"PUT",
              "/api/v1/incidents/{key}/regulatory",
              Permission::incidents_manage,
              [&clocks](Context& ctx) {
                const auto id = incident_id(ctx);
                const auto version = optional_if_match(ctx);
                const auto change = read_change(object_body(ctx));
                return guarded([&] {
                  return state_response(
                      clocks.change(id, change, ctx.user(), util::now_ms(), version), id);
                });
              },
              {"Flag the incident as a personal-data breach (gdpr) and/or significant under NIS2 "
               "(nis2), from the moment of awareness; withdrawing a flag or moving the awareness "
               "needs a reason. Audited. If-Match (the ETag of the state) is optional",
               "incidents",
               "RegulatoryChange",
               "RegulatoryState",
               200,
               {},
               {400, 401, 403, 404, 412, 415, 422}}});

  router.add({"POST",
              "/api/v1/incidents/{key}/regulatory/submissions",
              Permission::incidents_manage,
              [&clocks](Context& ctx) {
                const auto id = incident_id(ctx);
                const auto version = optional_if_match(ctx);
                const auto submission = read_submission(object_body(ctx));
                return guarded([&] {
                  return state_response(
                      clocks.record(id, submission, ctx.user(), util::now_ms(), version), id);
                });
              },
              {"Record that an obligation was met: when it was submitted, to which authority, "
               "its reference and a note (after the deadline it is recorded as met late). "
               "Audited. If-Match (the ETag of the state) is optional",
               "incidents",
               "RegulatorySubmission",
               "RegulatoryState",
               200,
               {},
               {400, 401, 403, 404, 409, 412, 415, 422}}});
}

}  // namespace custos::incidents
