// JSON Schemas (2020-12, as OpenAPI 3.1 uses) of the bodies the API reads and writes.
#include "api/openapi.hpp"

namespace custos::api {

namespace {
constexpr const char* kSchemas = R"json({
  "Problem": {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
      "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
      "detail": {"type": "string"}, "code": {"type": "string"}, "instance": {"type": "string"},
      "errors": {"type": "array", "items": {"type": "object", "required": ["field", "message"],
        "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
    }
  },
  "Health": {"type": "object", "properties": {"status": {"type": "string"}, "database": {"type": "string"}}},
  "Role": {"type": "string", "enum": ["reporter", "agent", "incident_manager", "security_manager", "auditor", "admin"]},
  "User": {
    "type": "object",
    "required": ["id", "username", "display_name", "roles", "active", "version"],
    "properties": {
      "id": {"type": "integer"}, "username": {"type": "string"}, "display_name": {"type": "string"},
      "email": {"type": ["string", "null"]}, "roles": {"type": "array", "items": {"$ref": "#/components/schemas/Role"}},
      "active": {"type": "boolean"}, "mfa_required": {"type": "boolean"}, "mfa_enabled": {"type": "boolean"},
      "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
      "version": {"type": "integer"}
    }
  },
  "Me": {
    "allOf": [{"$ref": "#/components/schemas/User"}],
    "properties": {"auth": {"type": "string", "enum": ["session", "token"]}, "mfa_enrolment_required": {"type": "boolean"}}
  },
  "UserList": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "NewUser": {
    "type": "object", "additionalProperties": false, "required": ["username", "roles", "password"],
    "properties": {
      "username": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._@-]{0,63}$"},
      "display_name": {"type": "string", "maxLength": 200}, "email": {"type": "string", "maxLength": 254},
      "roles": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Role"}},
      "password": {"type": "string", "minLength": 12}, "mfa_required": {"type": "boolean"}
    }
  },
  "UserChanges": {
    "type": "object", "additionalProperties": false,
    "properties": {
      "display_name": {"type": "string", "maxLength": 200}, "email": {"type": ["string", "null"]},
      "roles": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Role"}},
      "active": {"type": "boolean"}, "mfa_required": {"type": "boolean"}
    }
  },
  "LoginRequest": {
    "type": "object", "additionalProperties": false, "required": ["username", "password"],
    "properties": {"username": {"type": "string"}, "password": {"type": "string"}, "totp": {"type": "string", "pattern": "^[0-9]{6}$"}}
  },
  "LoginResponse": {
    "type": "object", "required": ["user", "csrf_token", "expires_at"],
    "properties": {"user": {"$ref": "#/components/schemas/Me"}, "csrf_token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}
  },
  "PasswordChange": {
    "type": "object", "additionalProperties": false, "required": ["current_password", "new_password"],
    "properties": {"current_password": {"type": "string"}, "new_password": {"type": "string", "minLength": 12}}
  },
  "PasswordReset": {
    "type": "object", "additionalProperties": false, "required": ["password"],
    "properties": {"password": {"type": "string", "minLength": 12}}
  },
  "PasswordConfirm": {
    "type": "object", "additionalProperties": false, "required": ["password"],
    "properties": {"password": {"type": "string"}}
  },
  "TotpEnrolment": {
    "type": "object", "required": ["secret", "otpauth_uri"],
    "properties": {"secret": {"type": "string"}, "otpauth_uri": {"type": "string"}}
  },
  "TotpCode": {
    "type": "object", "additionalProperties": false, "required": ["code"],
    "properties": {"code": {"type": "string", "pattern": "^[0-9]{6}$"}}
  },
  "Token": {
    "type": "object", "required": ["id", "user", "name", "created_at"],
    "properties": {
      "id": {"type": "integer"}, "user": {"type": "string"}, "name": {"type": "string"}, "created_by": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": ["string", "null"], "format": "date-time"},
      "revoked_at": {"type": ["string", "null"], "format": "date-time"}, "last_used_at": {"type": ["string", "null"], "format": "date-time"}
    }
  },
  "IssuedToken": {
    "allOf": [{"$ref": "#/components/schemas/Token"}],
    "required": ["token"], "properties": {"token": {"type": "string", "description": "the bearer secret; shown only here"}}
  },
  "TokenList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "NewToken": {
    "type": "object", "additionalProperties": false, "required": ["user"],
    "properties": {"user": {"type": "string"}, "name": {"type": "string", "maxLength": 100},
      "expires_in": {"type": "string", "description": "a duration like 30d or 12h, or 'never'; default 90d"}}
  },
  "NewOwnToken": {
    "type": "object", "additionalProperties": false,
    "properties": {"name": {"type": "string", "maxLength": 100}, "expires_in": {"type": "string"}}
  },
  "Lockout": {
    "type": "object", "required": ["kind", "subject", "locked_until"],
    "properties": {"kind": {"type": "string", "enum": ["account", "address"]}, "subject": {"type": "string"},
      "failures": {"type": "integer"}, "lockouts": {"type": "integer"},
      "locked_until": {"type": "string", "format": "date-time"}, "last_failure_at": {"type": "string", "format": "date-time"}}
  },
  "LockoutList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Lockout"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "AuditEntry": {
    "type": "object", "required": ["seq", "at", "actor", "action", "object_type", "object_id", "digest", "prev_hash", "hash"],
    "properties": {"seq": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
      "action": {"type": "string"}, "object_type": {"type": "string"}, "object_id": {"type": "string"}, "detail": {},
      "digest": {"type": "string"}, "prev_hash": {"type": "string"}, "hash": {"type": "string"}}
  },
  "AuditList": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "AuditVerify": {
    "type": "object", "required": ["ok", "entries", "checkpoints"],
    "properties": {"ok": {"type": "boolean"}, "entries": {"type": "integer"}, "checkpoints": {"type": "integer"},
      "last_seq": {"type": "integer"}, "last_hash": {"type": "string"}, "first_bad_seq": {"type": ["integer", "null"]},
      "problem": {"type": ["string", "null"]}, "seconds": {"type": "number"}, "public_key": {"type": "string"}}
  },
  "Category": {
    "type": "object", "required": ["code", "name", "security", "builtin", "active"],
    "properties": {"code": {"type": "string"}, "parent": {"type": ["string", "null"]}, "name": {"type": "string"},
      "description": {"type": "string"}, "security": {"type": "boolean"}, "builtin": {"type": "boolean"}, "active": {"type": "boolean"}}
  },
  "CategoryList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Category"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "NewCategory": {
    "type": "object", "additionalProperties": false, "required": ["code", "name"],
    "properties": {"code": {"type": "string", "pattern": "^[a-z0-9-]{1,64}$"}, "parent": {"type": "string"},
      "name": {"type": "string", "maxLength": 120}, "description": {"type": "string", "maxLength": 2000}}
  },
  "Group": {
    "type": "object", "required": ["id", "name", "display_name", "level", "members", "version"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "display_name": {"type": "string"},
      "level": {"type": "integer", "minimum": 1, "maximum": 3}, "manager": {"type": ["string", "null"]},
      "escalation_group": {"type": ["string", "null"]}, "members": {"type": "array", "items": {"type": "string"}},
      "version": {"type": "integer"}}
  },
  "GroupList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Group"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "NewGroup": {
    "type": "object", "additionalProperties": false, "required": ["name"],
    "properties": {"name": {"type": "string", "pattern": "^[a-z0-9._-]{1,64}$"}, "display_name": {"type": "string"},
      "level": {"type": "integer", "minimum": 1, "maximum": 3}, "manager": {"type": "string"},
      "escalation_group": {"type": "string"}, "members": {"type": "array", "items": {"type": "string"}}}
  },
  "GroupChanges": {
    "type": "object", "additionalProperties": false,
    "properties": {"display_name": {"type": "string"}, "level": {"type": "integer", "minimum": 1, "maximum": 3},
      "manager": {"type": ["string", "null"]}, "escalation_group": {"type": ["string", "null"]},
      "members": {"type": "array", "items": {"type": "string"}}}
  },
  "Impact": {"type": "string", "enum": ["extensive", "significant", "moderate", "minor"]},
  "Urgency": {"type": "string", "enum": ["critical", "high", "medium", "low"]},
  "Status": {"type": "string", "enum": ["new", "assigned", "in_progress", "pending", "resolved", "closed", "reopened", "cancelled"]},
  "SlaClock": {
    "type": "object",
    "properties": {"target_ms": {"type": "integer"}, "elapsed_ms": {"type": "integer"}, "remaining_ms": {"type": "integer"},
      "paused_ms": {"type": "integer"}, "due_at": {"type": ["string", "null"], "format": "date-time"},
      "paused": {"type": "boolean"}, "breached": {"type": "boolean"}, "met": {"type": "boolean"}, "percent": {"type": "integer"}}
  },
  "Incident": {
    "type": "object", "required": ["key", "title", "category", "impact", "urgency", "priority", "status", "sla", "version"],
    "properties": {
      "key": {"type": "string", "pattern": "^INC-[0-9]{6,}$"}, "title": {"type": "string"}, "description": {"type": "string"},
      "category": {"type": "string"}, "subcategory": {"type": ["string", "null"]},
      "impact": {"$ref": "#/components/schemas/Impact"}, "urgency": {"$ref": "#/components/schemas/Urgency"},
      "priority": {"type": "integer", "minimum": 1, "maximum": 4}, "priority_label": {"type": "string"},
      "matrix_version": {"type": "integer"},
      "cia": {"type": "object", "properties": {"confidentiality": {"type": "boolean"}, "integrity": {"type": "boolean"}, "availability": {"type": "boolean"}}},
      "personal_data": {"type": "boolean"},
      "affected_services": {"type": "array", "items": {"type": "string"}}, "affected_assets": {"type": "array", "items": {"type": "string"}},
      "source": {"type": "string"}, "reporter": {"type": ["string", "null"]}, "group": {"type": ["string", "null"]},
      "assignee": {"type": ["string", "null"]}, "support_level": {"type": "integer"},
      "status": {"$ref": "#/components/schemas/Status"}, "pending_reason": {"type": ["string", "null"]},
      "resolution_code": {"type": ["string", "null"]}, "resolution_notes": {"type": ["string", "null"]},
      "cancel_reason": {"type": ["string", "null"]}, "reopen_count": {"type": "integer"},
      "major": {"type": "boolean"}, "major_manager": {"type": ["string", "null"]},
      "parent": {"type": ["string", "null"]}, "duplicate_of": {"type": ["string", "null"]}, "problem": {"type": ["string", "null"]},
      "restricted": {"type": "boolean"}, "tlp": {"type": "string", "enum": ["clear", "green", "amber", "amber+strict", "red"]},
      "occurred_at": {"type": ["string", "null"], "format": "date-time"}, "detected_at": {"type": ["string", "null"], "format": "date-time"},
      "reported_at": {"type": "string", "format": "date-time"}, "acknowledged_at": {"type": ["string", "null"], "format": "date-time"},
      "resolved_at": {"type": ["string", "null"], "format": "date-time"}, "closed_at": {"type": ["string", "null"], "format": "date-time"},
      "sla": {"type": "object", "properties": {"calendar": {"type": "string"}, "policy_version": {"type": "integer"},
        "response": {"$ref": "#/components/schemas/SlaClock"}, "resolution": {"$ref": "#/components/schemas/SlaClock"}}},
      "allowed_transitions": {"type": "array", "items": {"$ref": "#/components/schemas/Status"}},
      "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
      "version": {"type": "integer"}
    }
  },
  "IncidentList": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "IncidentFields": {
    "type": "object",
    "properties": {
      "title": {"type": "string", "maxLength": 200}, "description": {"type": "string", "maxLength": 65536},
      "category": {"type": "string"}, "subcategory": {"type": ["string", "null"]},
      "impact": {"$ref": "#/components/schemas/Impact"}, "urgency": {"$ref": "#/components/schemas/Urgency"},
      "affects_confidentiality": {"type": "boolean"}, "affects_integrity": {"type": "boolean"}, "affects_availability": {"type": "boolean"},
      "personal_data": {"type": "boolean"},
      "affected_services": {"type": "array", "items": {"type": "string"}}, "affected_assets": {"type": "array", "items": {"type": "string"}},
      "group": {"type": ["string", "null"]}, "assignee": {"type": ["string", "null"]},
      "support_level": {"type": "integer", "minimum": 1, "maximum": 3}, "restricted": {"type": "boolean"},
      "tlp": {"type": "string"}, "occurred_at": {"type": ["string", "null"], "format": "date-time"},
      "detected_at": {"type": ["string", "null"], "format": "date-time"}, "parent": {"type": ["string", "null"]}
    }
  },
  "IncidentChanges": {"allOf": [{"$ref": "#/components/schemas/IncidentFields"}], "unevaluatedProperties": false},
  "NewIncident": {
    "allOf": [{"$ref": "#/components/schemas/IncidentFields"}],
    "required": ["title", "category"],
    "properties": {"source": {"type": "string", "enum": ["portal", "email", "phone", "api", "detection"]}},
    "unevaluatedProperties": false
  },
  "Transition": {
    "type": "object", "additionalProperties": false, "required": ["to"],
    "properties": {"to": {"$ref": "#/components/schemas/Status"},
      "pending_reason": {"type": "string", "enum": ["awaiting_reporter", "third_party", "change"]},
      "cancel_reason": {"type": "string", "enum": ["duplicate", "false_positive", "not_an_incident"]},
      "resolution_code": {"type": "string"}, "resolution_notes": {"type": "string"},
      "cascade": {"type": "boolean", "description": "resolving a parent resolves its open children"},
      "duplicate_of": {"type": "string"}}
  }
})json";
}  // namespace

const nlohmann::json& openapi_schemas() {
  static const nlohmann::json schemas = nlohmann::json::parse(kSchemas);
  return schemas;
}

}  // namespace custos::api
