// Registration of the incident-work routes and what their route files share.
#include "incidents/work_routes.hpp"

#include <charconv>

#include "api/etag.hpp"
#include "incidents/work_route_support.hpp"
#include "util/time.hpp"

namespace custos::incidents {

namespace work_routes {

std::int64_t incident_id(const api::Context& ctx) {
  const auto key = ctx.param("key");
  auto id = parse_incident_key(key);
  if (!id) throw api::not_found("incident '" + key.substr(0, 24) + "'");
  return *id;
}

std::int64_t id_param(const api::Context& ctx, const char* name, const std::string& what) {
  const auto text = ctx.param(name);
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || id < 1) {
    throw api::not_found(what + " '" + text.substr(0, 24) + "'");
  }
  return id;
}

void incident_not_found(std::int64_t id) { throw api::not_found("incident " + incident_key(id)); }

api::ApiError to_api_error(const WorkError& e) {
  switch (e.refusal) {
    case WorkRefusal::invalid:
      return api::invalid_field(e.field, e.what());
    case WorkRefusal::forbidden:
      return api::forbidden(e.what());
    case WorkRefusal::not_found:
      return api::not_found(e.what());
    case WorkRefusal::conflict:
      return api::conflict(e.what());
    case WorkRefusal::stale:
      return e.field == "If-Match" ? api::precondition_required(e.what())
                                   : api::precondition_failed(e.what());
    case WorkRefusal::too_large:
      return {413, "payload-too-large", e.what()};
    case WorkRefusal::unsupported_type:
      return {415, "unsupported-media-type", e.what()};
  }
  return {500, "internal", "unexpected refusal"};
}

BodyReader::BodyReader(api::Context& ctx) {
  ctx.body();  // the content type, syntax and object checks every JSON body gets
  value_ = api::parse_json_body(ctx.request().body);
}

const nlohmann::json* BodyReader::lookup(const std::string& name) {
  seen_.insert(name);
  auto it = value_.find(name);
  if (it == value_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> BodyReader::text(const std::string& name, std::size_t max,
                                            bool multiline) {
  const auto* v = lookup(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string())
    throw api::invalid_field(name, std::string("must be a string, not ") + v->type_name());
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max) {
    throw api::invalid_field(name, "must be at most " + std::to_string(max) + " bytes");
  }
  if (auto problem = api::text_problem(s, multiline)) throw api::invalid_field(name, *problem);
  return s;
}

std::string BodyReader::required_text(const std::string& name, std::size_t max, bool multiline) {
  auto s = text(name, max, multiline);
  if (!s) throw api::invalid_field(name, "is required");
  if (s->empty()) throw api::invalid_field(name, "must not be empty");
  return *s;
}

std::optional<std::optional<std::string>> BodyReader::nullable_text(const std::string& name,
                                                                    std::size_t max) {
  if (!value_.contains(name)) return std::nullopt;
  auto s = text(name, max, false);
  return s ? std::optional<std::string>(std::move(s)) : std::optional<std::string>{};
}

std::optional<std::optional<std::int64_t>> BodyReader::nullable_time(const std::string& name) {
  auto text = nullable_text(name, 64);
  if (!text) return std::nullopt;
  if (!*text) return std::optional<std::int64_t>{};
  auto ms = util::parse_rfc3339(**text);
  if (!ms) throw api::invalid_field(name, "must be an RFC 3339 time like 2026-01-31T12:00:00Z");
  return std::optional<std::int64_t>{*ms};
}

void BodyReader::reject_unknown() const {
  for (const auto& [key, value] : value_.items()) {
    if (!seen_.contains(key)) throw api::invalid_field(key.substr(0, 64), "is not a known field");
  }
}

std::optional<std::int64_t> id_cursor(const api::Context& ctx) {
  auto raw = ctx.request().query("cursor");
  if (!raw) return std::nullopt;
  const auto text = api::decode_cursor(*raw);
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || id < 0) {
    throw api::invalid_field("cursor", "is not a cursor this server issued");
  }
  return id;
}

std::string id_cursor_for(std::int64_t id) { return api::encode_cursor(std::to_string(id)); }

}  // namespace work_routes

void add_work_routes(api::Router& router, IncidentService& incidents, WorkServices& work) {
  work_routes::add_worklog_routes(router, work);
  work_routes::add_task_routes(router, work);
  work_routes::add_attachment_routes(router, work);
  work_routes::add_review_routes(router, incidents, work);
}

}  // namespace custos::incidents
