#pragma once
// Shared by the route files of incident work: reading path parameters, mapping WorkError to
// problem details, and the registration functions add_work_routes() calls.
#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "api/context.hpp"
#include "api/router.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/work_services.hpp"

namespace custos::incidents::work_routes {

// The incident id of {key}; 404 when it is not an incident key.
std::int64_t incident_id(const api::Context& ctx);
// A positive integer path parameter such as {id}; 404 naming `what` otherwise.
std::int64_t id_param(const api::Context& ctx, const char* name, const std::string& what);
[[noreturn]] void incident_not_found(std::int64_t id);

// The problem details for a refusal of the incident services.
api::ApiError to_api_error(const WorkError& error);

// Runs `handler`, turning WorkError into problem details.
template <class F>
http::Response guarded(F&& handler) {
  try {
    return handler();
  } catch (const WorkError& e) {
    throw to_api_error(e);
  }
}

// A strict JSON object body like api::JsonObject, whose text fields may also span lines
// (worklog entries and lessons learned are Markdown; JsonObject strings are single-line).
class BodyReader {
 public:
  // 415 unless JSON, 400 when malformed, 422 unless an object.
  explicit BodyReader(api::Context& ctx);

  std::optional<std::string> text(const std::string& name, std::size_t max, bool multiline);
  std::string required_text(const std::string& name, std::size_t max, bool multiline);
  // Absent → nullopt, null → inner nullopt.
  std::optional<std::optional<std::string>> nullable_text(const std::string& name, std::size_t max);
  // An RFC 3339 time; absent → nullopt, null → inner nullopt.
  std::optional<std::optional<std::int64_t>> nullable_time(const std::string& name);
  // 422 naming the first field no reader asked for.
  void reject_unknown() const;

 private:
  const nlohmann::json* lookup(const std::string& name);
  nlohmann::json value_;
  std::set<std::string> seen_;
};
// ?cursor= of lists paged by id; 422 when it is not one we issued.
std::optional<std::int64_t> id_cursor(const api::Context& ctx);
std::string id_cursor_for(std::int64_t id);

void add_worklog_routes(api::Router& router, WorkServices& work);
void add_task_routes(api::Router& router, WorkServices& work);
void add_attachment_routes(api::Router& router, WorkServices& work);
void add_review_routes(api::Router& router, IncidentService& incidents, WorkServices& work);

}  // namespace custos::incidents::work_routes
