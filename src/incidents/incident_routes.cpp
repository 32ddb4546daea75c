// The incident API: log, list, read, change and move incidents through their lifecycle.
#include "incidents/incident_routes.hpp"
#include "api/context.hpp"
#include "api/etag.hpp"
#include "util/time.hpp"

namespace custos::incidents {

using api::Context;
using auth::Permission;

namespace {

std::optional<std::optional<std::int64_t>> nullable_time(api::JsonObject& body,
                                                         const std::string& name) {
  auto text = body.nullable_string(name, 64);
  if (!text) return std::nullopt;
  if (!*text) return std::optional<std::int64_t>{};
  auto ms = util::parse_rfc3339(**text);
  if (!ms) throw api::invalid_field(name, "must be an RFC 3339 time like 2026-01-31T12:00:00Z");
  return std::optional<std::int64_t>{*ms};
}

template <class T, class Parse>
std::optional<T> enum_field(api::JsonObject& body, const std::string& name, Parse parse,
                            const char* allowed) {
  auto text = body.optional_string(name, 64);
  if (!text) return std::nullopt;
  auto value = parse(*text);
  if (!value) throw api::invalid_field(name, std::string("must be one of ") + allowed);
  return value;
}

IncidentFields read_fields(api::JsonObject& body) {
  IncidentFields f;
  f.title = body.optional_string("title", 200);
  if (body.has("description"))
    f.description = body.optional_text("description", 64 * 1024).value_or("");
  f.category = body.optional_string("category", 64);
  f.subcategory = body.nullable_string("subcategory", 64);
  f.impact =
      enum_field<Impact>(body, "impact", parse_impact, "extensive, significant, moderate, minor");
  f.urgency = enum_field<Urgency>(body, "urgency", parse_urgency, "critical, high, medium, low");
  f.affects_confidentiality = body.optional_bool("affects_confidentiality");
  f.affects_integrity = body.optional_bool("affects_integrity");
  f.affects_availability = body.optional_bool("affects_availability");
  f.personal_data = body.optional_bool("personal_data");
  f.affected_services = body.optional_string_array("affected_services", 50, 200);
  f.affected_assets = body.optional_string_array("affected_assets", 50, 200);
  f.source = body.optional_string("source", 16);
  f.group = body.nullable_string("group", 64);
  f.assignee = body.nullable_string("assignee", 64);
  if (auto level = body.optional_int("support_level", 1, 3))
    f.support_level = static_cast<int>(*level);
  f.restricted = body.optional_bool("restricted");
  f.tlp = body.optional_string("tlp", 16);
  f.occurred_at = nullable_time(body, "occurred_at");
  f.detected_at = nullable_time(body, "detected_at");
  f.parent = body.nullable_string("parent", 24);
  body.reject_unknown();
  return f;
}

std::int64_t key_param(const Context& ctx) {
  const auto key = ctx.param("key");
  auto id = parse_incident_key(key);
  if (!id) throw api::not_found("incident '" + key.substr(0, 24) + "'");
  return *id;
}

[[noreturn]] void rethrow_input(const IncidentInputError& e) {
  throw api::invalid_field(e.field, e.what());
}

http::Response incident_response(int status, IncidentService& service, const Incident& incident,
                                 const auth::Principal& who) {
  auto viewer = service.viewer(who);
  auto res = api::json_response(status, service.to_json(incident, viewer, util::now_ms()));
  res.header("ETag", api::etag_for(incident.version));
  return res;
}

std::optional<bool> bool_param(const Context& ctx, const char* name) {
  auto v = ctx.request().query(name);
  if (!v) return std::nullopt;
  if (*v == "true") return true;
  if (*v == "false") return false;
  throw api::invalid_field(name, "must be true or false");
}

std::optional<std::int64_t> time_param(const Context& ctx, const char* name) {
  auto v = ctx.request().query(name);
  if (!v) return std::nullopt;
  auto ms = util::parse_rfc3339(*v);
  if (!ms) throw api::invalid_field(name, "must be an RFC 3339 time");
  return ms;
}

IncidentQuery read_query(const Context& ctx) {
  ctx.allow_query({"status", "priority", "assignee", "group", "reporter", "category", "major",
                   "restricted", "q", "created_since", "created_until", "sort", "cursor", "limit"});
  IncidentQuery q;
  if (auto s = ctx.request().query("status")) {
    for (const auto& name : api::split_csv(*s)) {
      auto status = parse_status(name);
      if (!status)
        throw api::invalid_field("status", "'" + name.substr(0, 32) + "' is not a status");
      q.statuses.push_back(*status);
    }
  }
  if (auto p = ctx.request().query("priority")) {
    for (auto name : api::split_csv(*p)) {
      if (name.size() == 2 && (name[0] == 'P' || name[0] == 'p')) name = name.substr(1);
      if (name.size() != 1 || name[0] < '1' || name[0] > '4') {
        throw api::invalid_field("priority", "must be 1-4 or P1-P4, comma-separated");
      }
      q.priorities.push_back(name[0] - '0');
    }
  }
  auto text = [&](const char* name) {
    auto v = ctx.request().query(name);
    if (v && v->size() > 200) throw api::invalid_field(name, "is too long");
    return v;
  };
  q.assignee = text("assignee");
  q.group = text("group");
  q.reporter = text("reporter");
  q.category = text("category");
  q.text = text("q");
  q.major = bool_param(ctx, "major");
  q.restricted = bool_param(ctx, "restricted");
  q.created_since = time_param(ctx, "created_since");
  q.created_until = time_param(ctx, "created_until");
  if (auto s = ctx.request().query("sort")) q.sort = *s;
  q.cursor = text("cursor");
  q.limit = ctx.limit(50, 200);
  return q;
}

}  // namespace

void add_incident_routes(api::Router& router, IncidentService& service) {
  router.add({"POST",
              "/api/v1/incidents",
              Permission::incidents_report,
              [&service](Context& ctx) {
                auto body = ctx.body();
                auto fields = read_fields(body);
                try {
                  auto incident = service.create(fields, ctx.user());
                  auto res = incident_response(201, service, incident, ctx.user());
                  res.header("Location", "/api/v1/incidents/" + incident_key(incident.id));
                  return res;
                } catch (const IncidentInputError& e) {
                  rethrow_input(e);
                }
              },
              {"Log an incident; priority and SLA follow from impact and urgency",
               "incidents",
               "NewIncident",
               "Incident",
               201,
               {},
               {400, 401, 403, 415, 422}}});

  router.add({"GET",
              "/api/v1/incidents",
              Permission::incidents_read,
              [&service](Context& ctx) {
                auto query = read_query(ctx);
                try {
                  auto page = service.list(query, ctx.user());
                  auto viewer = service.viewer(ctx.user());
                  const auto now = util::now_ms();
                  nlohmann::json items = nlohmann::json::array();
                  for (const auto& i : page.items) items.push_back(service.to_json(i, viewer, now));
                  return api::json_response(
                      200, {{"items", items},
                            {"next_cursor", page.next_cursor ? nlohmann::json(*page.next_cursor)
                                                             : nlohmann::json(nullptr)}});
                } catch (const IncidentInputError& e) {
                  rethrow_input(e);
                }
              },
              {"List incidents you may see: filters, sort, full-text search, cursor pagination",
               "incidents",
               "",
               "IncidentList",
               200,
               {{"status", "string", "comma-separated statuses"},
                {"priority", "string", "comma-separated 1-4 or P1-P4"},
                {"assignee", "string", "username, 'me' or 'none'"},
                {"group", "string", "support group name or 'none'"},
                {"reporter", "string", "username or 'me'"},
                {"category", "string", "category or subcategory code"},
                {"major", "boolean", "only major (or non-major) incidents"},
                {"restricted", "boolean", "only restricted (or unrestricted) incidents"},
                {"q", "string", "words that must all occur in title, description or worklog"},
                {"created_since", "string", "RFC 3339, inclusive"},
                {"created_until", "string", "RFC 3339, exclusive"},
                {"sort", "string", "-created (default), created, -updated, updated, priority, due"},
                {"cursor", "string", "next_cursor of the previous page"},
                {"limit", "integer", "page size, 1-200 (default 50)"}},
               {400, 401, 422}}});

  router.add({"GET",
              "/api/v1/incidents/{key}",
              Permission::incidents_read,
              [&service](Context& ctx) {
                ctx.allow_query({});
                const auto id = key_param(ctx);
                auto incident = service.get(id, ctx.user());
                if (!incident) throw api::not_found("incident " + incident_key(id));
                return incident_response(200, service, *incident, ctx.user());
              },
              {"Read an incident with its SLA state and the transitions open to you",
               "incidents",
               "",
               "Incident",
               200,
               {},
               {401, 404}},
              false,
              true});

  router.add({"PATCH",
              "/api/v1/incidents/{key}",
              Permission::incidents_work,
              [&service](Context& ctx) {
                const auto version = api::required_if_match(ctx);
                const auto id = key_param(ctx);
                auto body = ctx.body();
                auto fields = read_fields(body);
                try {
                  auto incident = service.update(id, version, fields, ctx.user());
                  if (!incident) throw api::not_found("incident " + incident_key(id));
                  return incident_response(200, service, *incident, ctx.user());
                } catch (const StaleVersion& e) {
                  throw api::precondition_failed(
                      "the incident was changed since you read it (now version " +
                      std::to_string(e.current_version) + "); reload and retry");
                } catch (const IncidentInputError& e) {
                  rethrow_input(e);
                }
              },
              {"Change an incident (send If-Match); a new impact or urgency re-rates it",
               "incidents",
               "IncidentChanges",
               "Incident",
               200,
               {},
               {400, 401, 403, 404, 412, 415, 422, 428}}});

  router.add(
      {"POST",
       "/api/v1/incidents/{key}/transitions",
       Permission::incidents_read,
       [&service](Context& ctx) {
         const auto id = key_param(ctx);
         auto body = ctx.body();
         TransitionInput input;
         const auto to = body.required_string("to", 32);
         auto status = parse_status(to);
         if (!status) throw api::invalid_field("to", "'" + to + "' is not a status");
         input.to = *status;
         input.pending_reason =
             enum_field<PendingReason>(body, "pending_reason", parse_pending_reason,
                                       "awaiting_reporter, third_party, change");
         input.cancel_reason =
             enum_field<CancelReason>(body, "cancel_reason", parse_cancel_reason,
                                      "duplicate, false_positive, not_an_incident");
         input.resolution_code = enum_field<ResolutionCode>(
             body, "resolution_code", parse_resolution_code,
             "contained_and_eradicated, fixed, workaround, risk_accepted, no_action_required, "
             "false_positive, other");
         input.resolution_notes = body.optional_text("resolution_notes", 16 * 1024).value_or("");
         input.cascade_to_children = body.optional_bool("cascade").value_or(false);
         input.duplicate_of = body.optional_string("duplicate_of", 24);
         body.reject_unknown();
         if (!ctx.request().header("if-match").empty())
           input.expected_version = api::required_if_match(ctx);
         try {
           auto incident = service.transition(id, input, ctx.user());
           if (!incident) throw api::not_found("incident " + incident_key(id));
           return incident_response(200, service, *incident, ctx.user());
         } catch (const TransitionRefused& e) {
           const auto& v = e.verdict;
           std::vector<std::string> allowed;
           for (auto s : v.allowed_targets) allowed.emplace_back(status_name(s));
           std::string list;
           for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
           const std::string hint =
               " (allowed from here: " + (list.empty() ? std::string("none") : list) + ")";
           const std::string members = nlohmann::json(allowed).dump();
           switch (v.refusal) {
             case TransitionRefusal::missing_input:
               throw api::invalid_field(v.field.empty() ? "to" : v.field, v.problem)
                   .with_member("allowed_transitions", members);
             case TransitionRefusal::not_permitted:
               throw api::forbidden(v.problem).with_member("allowed_transitions", members);
             default:
               throw api::conflict(v.problem).with_member("allowed_transitions", members);
           }
         } catch (const StaleVersion& e) {
           throw api::precondition_failed(
               "the incident was changed since you read it (now version " +
               std::to_string(e.current_version) + ")");
         } catch (const IncidentInputError& e) {
           rethrow_input(e);
         }
       },
       {"Move an incident to another status",
        "incidents",
        "Transition",
        "Incident",
        200,
        {},
        {400, 401, 403, 404, 409, 412, 415, 422}}});
}

}  // namespace custos::incidents
