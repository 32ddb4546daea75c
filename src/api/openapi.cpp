#include "api/openapi.hpp"

#include <map>
#include <set>

#include "api/problem.hpp"

namespace custos::api {

namespace {

std::vector<std::string> path_params(const std::string& pattern) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = pattern.find('{', pos)) != std::string::npos) {
    const auto end = pattern.find('}', pos);
    out.push_back(pattern.substr(pos + 1, end - pos - 1));
    pos = end;
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string operation_id(const Route& r) {
  std::string id = lower(r.method);
  bool upper_next = true;
  std::string_view path = r.pattern;
  if (path.starts_with("/api/v1")) path.remove_prefix(7);
  for (char c : path) {
    if (c == '/' || c == '_' || c == '-' || c == '.' || c == '{' || c == '}') {
      upper_next = true;
      continue;
    }
    id.push_back(upper_next ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper_next = false;
  }
  return id;
}

nlohmann::json problem_response_ref() {
  return {
      {"description", "Problem details (RFC 9457)"},
      {"content",
       {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

}  // namespace

nlohmann::json build_openapi(const Router& router, const std::string& version) {
  nlohmann::json paths = nlohmann::json::object();
  for (const Route& r : router.routes()) {
    nlohmann::json op;
    op["operationId"] = operation_id(r);
    op["summary"] = r.doc.summary;
    op["tags"] = {r.doc.tag};
    const auto roles = auth::roles_with(r.permission).names();
    op["x-custos-permission"] = std::string(auth::permission_name(r.permission));
    if (r.permission == auth::Permission::anyone) {
      op["security"] = nlohmann::json::array({nlohmann::json::object()});
    } else {
      op["security"] = {{{"bearerAuth", nlohmann::json::array()}},
                        {{"cookieAuth", nlohmann::json::array()}}};
      op["description"] = "Roles: " + nlohmann::json(roles).dump() + ".";
    }
    nlohmann::json params = nlohmann::json::array();
    for (const auto& p : path_params(r.pattern)) {
      params.push_back(
          {{"name", p}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}});
    }
    for (const auto& q : r.doc.query) {
      params.push_back({{"name", q.name},
                        {"in", "query"},
                        {"required", false},
                        {"description", q.description},
                        {"schema", {{"type", q.type}}}});
    }
    // Statuses every route of a kind can answer, whatever its RouteDoc lists.
    std::set<int> errors(r.doc.errors.begin(), r.doc.errors.end());
    if (r.permission != auth::Permission::anyone) {
      errors.insert(401);
      errors.insert(403);  // roles, CSRF, or a second factor still to enrol
    }
    if (!r.doc.request_schema.empty()) {
      errors.insert(400);
      errors.insert(415);
      errors.insert(422);
    }
    if (errors.contains(428)) {
      params.push_back({{"name", "If-Match"},
                        {"in", "header"},
                        {"required", true},
                        {"description", "the ETag of the version you read"},
                        {"schema", {{"type", "string"}}}});
    }
    if (r.method == "POST") {
      params.push_back({{"name", "Idempotency-Key"},
                        {"in", "header"},
                        {"required", false},
                        {"description", "retries with the same key get the first answer"},
                        {"schema", {{"type", "string"}, {"maxLength", 128}}}});
    }
    if (!params.empty()) op["parameters"] = params;
    if (!r.doc.request_schema.empty()) {
      // "ndjson:Item": newline-delimited JSON, each line an Item (log ingestion).
      const bool ndjson = r.doc.request_schema.starts_with("ndjson:");
      const std::string schema = ndjson ? r.doc.request_schema.substr(7) : r.doc.request_schema;
      op["requestBody"] = {
          {"required", true},
          {"content",
           {{ndjson ? "application/x-ndjson" : "application/json",
             {{"schema", {{"$ref", "#/components/schemas/" + schema}}}}}}}};
    }
    nlohmann::json responses = nlohmann::json::object();
    nlohmann::json ok = {{"description", "Success"}};
    if (r.doc.response_schema == "text") {
      ok["content"] = {{"text/plain", {{"schema", {{"type", "string"}}}}}};
    } else if (!r.doc.response_schema.empty()) {
      ok["content"] = {{"application/json",
                        {{"schema", {{"$ref", "#/components/schemas/" + r.doc.response_schema}}}}}};
    }
    responses[std::to_string(r.doc.success_status)] = ok;
    for (int status : errors) responses[std::to_string(status)] = problem_response_ref();
    op["responses"] = responses;
    paths[r.pattern][lower(r.method)] = op;
  }
  return {
      {"openapi", "3.1.0"},
      {"info",
       {{"title", "custos API"},
        {"version", version},
        {"description",
         "Security incident and information-security management. Errors are RFC 9457 problem+json. "
         "Writes authenticated by the session cookie need the X-CSRF-Token header."},
        {"license", {{"name", "Apache-2.0"}, {"identifier", "Apache-2.0"}}}}},
      {"servers", {{{"url", "/"}}}},
      {"paths", paths},
      {"components",
       {{"schemas", openapi_schemas()},
        {"securitySchemes",
         {{"bearerAuth",
           {{"type", "http"}, {"scheme", "bearer"}, {"description", "custos API token (cst_...)"}}},
          {"cookieAuth", {{"type", "apiKey"}, {"in", "cookie"}, {"name", "custos_session"}}}}}}},
  };
}

}  // namespace custos::api
