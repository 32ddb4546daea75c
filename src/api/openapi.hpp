#pragma once
// The OpenAPI 3.1 document is generated from the route table, so it cannot list a
// route the server does not have, or miss one it has.
#include <string>

#include <nlohmann/json.hpp>

#include "api/router.hpp"

namespace custos::api {

nlohmann::json build_openapi(const Router& router, const std::string& version);

// The JSON Schemas of request and response bodies (components.schemas).
const nlohmann::json& openapi_schemas();

}  // namespace custos::api
