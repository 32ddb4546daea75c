#pragma once
// Read access to the audit trail and its verification, for auditors and admins.
#include <string>

#include "api/router.hpp"
#include "audit/audit_log.hpp"

namespace custos::audit {

void add_audit_routes(api::Router& router, store::Database& db, const std::string& public_key_hex);

nlohmann::json to_json(const AuditEntry& entry);
nlohmann::json to_json(const VerifyReport& report);

}  // namespace custos::audit
