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
  "Role": {"type": "string", "enum": ["reporter", "agent", "incident_manager", "security_manager", "auditor", "admin", "ingest"]},
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
  "DemoLoadRequest": {
    "type": "object", "additionalProperties": false,
    "properties": {"incidents": {"type": "integer", "minimum": 1, "maximum": 2000, "description": "how many incidents (default 200)"}}
  },
  "DemoLoad": {
    "type": "object", "required": ["incidents", "open", "audit_entries"],
    "properties": {"incidents": {"type": "integer"}, "open": {"type": "integer"}, "worklog_entries": {"type": "integer"},
      "audit_entries": {"type": "integer"}, "escalation_steps": {"type": "integer"}, "seconds": {"type": "number"}}
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
  },
  "ProblemStatus": {"type": "string", "enum": ["new", "investigating", "known_error", "resolved", "closed"]},
  "ProblemRecord": {
    "type": "object",
    "required": ["key", "title", "status", "root_cause", "workaround", "version"],
    "properties": {
      "key": {"type": "string", "pattern": "^PRB-[0-9]{6,}$"}, "title": {"type": "string"},
      "description": {"type": "string"}, "status": {"$ref": "#/components/schemas/ProblemStatus"},
      "root_cause": {"type": "string"}, "workaround": {"type": "string"},
      "owner": {"type": ["string", "null"]}, "created_by": {"type": ["string", "null"]},
      "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
      "resolved_at": {"type": ["string", "null"], "format": "date-time"}, "closed_at": {"type": ["string", "null"], "format": "date-time"},
      "allowed_transitions": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemStatus"}},
      "version": {"type": "integer"},
      "incidents": {"type": "array", "description": "linked incidents you may see (single reads only)",
        "items": {"type": "object", "properties": {"key": {"type": "string"}, "title": {"type": "string"},
          "status": {"$ref": "#/components/schemas/Status"}, "priority": {"type": "integer"}}}},
      "incidents_truncated": {"type": "boolean"}
    }
  },
  "ProblemList": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ProblemRecord"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "NewProblem": {
    "type": "object", "additionalProperties": false, "required": ["title"],
    "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200},
      "description": {"type": "string", "maxLength": 65536}, "owner": {"type": ["string", "null"]}}
  },
  "ProblemChanges": {
    "type": "object", "additionalProperties": false,
    "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200},
      "description": {"type": "string", "maxLength": 65536}, "root_cause": {"type": "string", "maxLength": 65536},
      "workaround": {"type": "string", "maxLength": 65536}, "owner": {"type": ["string", "null"]}}
  },
  "ProblemTransition": {
    "type": "object", "additionalProperties": false, "required": ["to"],
    "properties": {"to": {"$ref": "#/components/schemas/ProblemStatus"},
      "root_cause": {"type": "string", "maxLength": 65536, "description": "required (here or before) to resolve"},
      "workaround": {"type": "string", "maxLength": 65536, "description": "required (here or before) for known_error"}}
  },
  "ProblemLink": {
    "type": "object", "additionalProperties": false, "required": ["incident"],
    "properties": {"incident": {"type": "string", "pattern": "^INC-[0-9]+$"}}
  },
  "KnownErrorSuggestions": {
    "type": "object", "required": ["items", "words"],
    "properties": {
      "items": {"type": "array", "items": {"type": "object", "required": ["key", "title", "status", "workaround"],
        "properties": {"key": {"type": "string"}, "title": {"type": "string"},
          "status": {"type": "string", "enum": ["known_error", "resolved"]}, "workaround": {"type": "string"},
          "matched_words": {"type": "integer"}}}},
      "words": {"type": "array", "items": {"type": "string"}, "description": "the words of q that were matched"}
    }
  },
  "SavedView": {
    "type": "object", "required": ["id", "name", "query", "created_at"],
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "query": {"type": "string"},
      "created_at": {"type": "string", "format": "date-time"}}
  },
  "SavedViewList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/SavedView"}}}
  },
  "NewSavedView": {
    "type": "object", "additionalProperties": false, "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 100},
      "query": {"type": "string", "maxLength": 2048, "description": "query string of GET /api/v1/incidents, without cursor"}}
  },
  "WorklogEntry": {
    "type": "object", "required": ["id", "author", "visibility", "kind", "audience", "body", "created_at"],
    "properties": {"id": {"type": "integer"}, "author": {"type": ["string", "null"]},
      "visibility": {"type": "string", "enum": ["public", "internal"]},
      "kind": {"type": "string", "enum": ["note", "workaround", "communication"]},
      "audience": {"type": ["string", "null"], "enum": ["internal", "users", "management", "authorities", "press", null]},
      "body": {"type": "string", "description": "Markdown"}, "created_at": {"type": "string", "format": "date-time"}}
  },
  "WorklogPage": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/WorklogEntry"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "NewWorklogEntry": {
    "type": "object", "additionalProperties": false, "required": ["body"],
    "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 65536, "description": "Markdown"},
      "visibility": {"type": "string", "enum": ["public", "internal"], "description": "default: internal for the service desk; reporters add public notes only"},
      "kind": {"type": "string", "enum": ["note", "workaround", "communication"], "default": "note"},
      "audience": {"type": "string", "enum": ["internal", "users", "management", "authorities", "press"], "description": "communications only, and required for them"}}
  },
  "NewCommunication": {
    "type": "object", "additionalProperties": false, "required": ["audience", "body"],
    "properties": {"audience": {"type": "string", "enum": ["internal", "users", "management", "authorities", "press"]},
      "body": {"type": "string", "minLength": 1, "maxLength": 65536},
      "visibility": {"type": "string", "enum": ["public", "internal"], "description": "default: public for audience users, else internal"}}
  },
  "TimelineItem": {
    "type": "object", "required": ["at", "type", "actor"],
    "properties": {"at": {"type": "string", "format": "date-time"}, "type": {"type": "string", "enum": ["worklog", "change"]},
      "actor": {"type": ["string", "null"]},
      "id": {"type": "integer", "description": "worklog: entry id"}, "visibility": {"type": "string"}, "kind": {"type": "string"},
      "audience": {"type": ["string", "null"]}, "body": {"type": "string"},
      "seq": {"type": "integer", "description": "change: audit sequence number"}, "action": {"type": "string"},
      "detail": {"type": "object", "description": "change: what changed (reporters: the statuses of a transition)"}}
  },
  "Timeline": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/TimelineItem"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "ChildIncidentList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"type": "object", "required": ["key", "title", "status", "priority"],
      "properties": {"key": {"type": "string"}, "title": {"type": "string"}, "status": {"$ref": "#/components/schemas/Status"},
        "priority": {"type": "integer"}, "priority_label": {"type": "string"}}}}}
  },
  "Task": {
    "type": "object", "required": ["id", "title", "assignee", "due_at", "status", "version"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "assignee": {"type": ["string", "null"]},
      "due_at": {"type": ["string", "null"], "format": "date-time"},
      "status": {"type": "string", "enum": ["open", "in_progress", "done", "cancelled"]},
      "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
      "version": {"type": "integer"}}
  },
  "TaskList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}}}
  },
  "TaskChanges": {
    "type": "object", "additionalProperties": false,
    "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200},
      "assignee": {"type": ["string", "null"], "description": "username of someone who works incidents"},
      "due_at": {"type": ["string", "null"], "format": "date-time"},
      "status": {"type": "string", "enum": ["open", "in_progress", "done", "cancelled"]}}
  },
  "NewTask": {"allOf": [{"$ref": "#/components/schemas/TaskChanges"}], "required": ["title"]},
  "Attachment": {
    "type": "object", "required": ["id", "filename", "content_type", "size", "sha256", "created_at", "download"],
    "properties": {"id": {"type": "integer"}, "filename": {"type": "string"}, "content_type": {"type": "string"},
      "size": {"type": "integer"}, "sha256": {"type": "string"}, "uploaded_by": {"type": ["string", "null"]},
      "created_at": {"type": "string", "format": "date-time"}, "download": {"type": "string", "description": "path of the download"}}
  },
  "AttachmentList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Attachment"}}}
  },
  "NewEvent": {
    "type": "object", "additionalProperties": false, "required": ["title"],
    "properties": {"kind": {"type": "string", "enum": ["event", "weakness"], "default": "event"},
      "title": {"type": "string", "minLength": 1, "maxLength": 200},
      "description": {"type": "string", "maxLength": 65536}, "observed": {"type": "string", "maxLength": 65536,
        "description": "what you saw; a description or an observation is required"},
      "observed_at": {"type": ["string", "null"], "format": "date-time"},
      "location": {"type": "string", "maxLength": 200, "description": "where: asset or service, free text"},
      "channel": {"type": "string", "enum": ["portal", "api", "email", "detection"], "description": "service desk only"}}
  },
  "NewAnonymousEvent": {
    "type": "object", "additionalProperties": false, "required": ["title"],
    "properties": {"kind": {"type": "string", "enum": ["event", "weakness"]}, "title": {"type": "string", "maxLength": 200},
      "description": {"type": "string"}, "observed": {"type": "string"}, "observed_at": {"type": ["string", "null"], "format": "date-time"},
      "location": {"type": "string", "maxLength": 200}, "email": {"type": "string", "maxLength": 254, "description": "where the outcome may be sent"}}
  },
  "AnonymousEventReceipt": {
    "type": "object", "required": ["key", "status", "message"],
    "properties": {"key": {"type": "string"}, "status": {"type": "string"}, "message": {"type": "string"}}
  },
  "Event": {
    "type": "object",
    "required": ["key", "kind", "title", "description", "observed", "observed_at", "location", "reporter", "reporter_email",
      "channel", "status", "classification", "decision", "incident", "created_at", "updated_at", "version"],
    "properties": {"key": {"type": "string", "pattern": "^EVT-[0-9]{6,}$"}, "kind": {"type": "string", "enum": ["event", "weakness"]},
      "title": {"type": "string"}, "description": {"type": "string"}, "observed": {"type": "string"},
      "observed_at": {"type": ["string", "null"], "format": "date-time"}, "location": {"type": "string"},
      "reporter": {"type": ["string", "null"], "description": "username"},
      "reporter_email": {"type": ["string", "null"], "description": "external sender or anonymous contact"},
      "system_report": {"type": "boolean", "description": "raised by custos itself (a ban, an evidence integrity finding); no person reported it"},
      "channel": {"type": "string", "enum": ["portal", "api", "email", "detection"]},
      "status": {"type": "string", "enum": ["new", "triaging", "dismissed", "merged", "promoted"]},
      "classification": {"type": "object", "properties": {"category": {"type": ["string", "null"]}, "subcategory": {"type": ["string", "null"]},
        "impact": {"type": ["string", "null"]}, "urgency": {"type": ["string", "null"]}, "by": {"type": ["string", "null"]},
        "at": {"type": ["string", "null"], "format": "date-time"}}},
      "decision": {"type": ["object", "null"], "properties": {"outcome": {"type": "string", "enum": ["dismissed", "merged", "promoted"]},
        "dismissal": {"type": ["string", "null"], "enum": ["false_positive", "not_security", "duplicate", null]},
        "duplicate_of": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]}, "by": {"type": ["string", "null"]},
        "at": {"type": ["string", "null"], "format": "date-time"}}},
      "incident": {"type": ["string", "null"], "description": "the incident it was merged into or promoted to"},
      "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
      "version": {"type": "integer"}}
  },
  "EventList": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Event"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "EventClassification": {
    "type": "object", "additionalProperties": false, "required": ["category"],
    "properties": {"category": {"type": "string"}, "subcategory": {"type": ["string", "null"]},
      "impact": {"type": "string", "enum": ["extensive", "significant", "moderate", "minor"]},
      "urgency": {"type": "string", "enum": ["critical", "high", "medium", "low"]}}
  },
  "EventDismissal": {
    "type": "object", "additionalProperties": false, "required": ["code", "reason"],
    "properties": {"code": {"type": "string", "enum": ["false_positive", "not_security", "duplicate"]},
      "reason": {"type": "string", "minLength": 1}, "duplicate_of": {"type": "string", "description": "EVT-… or INC-…, for duplicates"}}
  },
  "EventMerge": {
    "type": "object", "additionalProperties": false, "required": ["incident", "reason"],
    "properties": {"incident": {"type": "string", "pattern": "^INC-[0-9]+$"}, "reason": {"type": "string", "minLength": 1}}
  },
  "EventPromotion": {
    "type": "object", "additionalProperties": false, "required": ["reason"],
    "properties": {"reason": {"type": "string", "minLength": 1}, "title": {"type": "string", "maxLength": 200},
      "description": {"type": "string"}, "category": {"type": "string"}, "subcategory": {"type": ["string", "null"]},
      "impact": {"type": "string", "enum": ["extensive", "significant", "moderate", "minor"]},
      "urgency": {"type": "string", "enum": ["critical", "high", "medium", "low"]}}
  },
  "EventNote": {
    "type": "object", "required": ["id", "author", "author_email", "channel", "body", "created_at"],
    "properties": {"id": {"type": "integer"}, "author": {"type": ["string", "null"]}, "author_email": {"type": ["string", "null"]},
      "channel": {"type": "string"}, "body": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}}
  },
  "NewEventNote": {
    "type": "object", "additionalProperties": false, "required": ["body"],
    "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 65536}}
  },
  "EventNoteList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/EventNote"}}}
  },
  "EventAttachment": {"allOf": [{"$ref": "#/components/schemas/Attachment"}]},
  "EventAttachmentList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/EventAttachment"}}}
  },
  "MajorDeclaration": {
    "type": "object", "additionalProperties": false, "required": ["major_manager"],
    "properties": {"major_manager": {"type": "string", "description": "username of the major-incident manager"}}
  },
  "LessonsLearned": {
    "type": "object", "additionalProperties": false, "required": ["what_happened", "root_cause", "went_well", "to_improve"],
    "properties": {"what_happened": {"type": "string", "minLength": 1, "maxLength": 16384},
      "root_cause": {"type": "string", "minLength": 1, "maxLength": 16384},
      "went_well": {"type": "string", "minLength": 1, "maxLength": 16384},
      "to_improve": {"type": "string", "minLength": 1, "maxLength": 16384}}
  },
  "Review": {
    "type": "object", "required": ["incident", "required", "lessons_learned", "improvement_actions", "waiver", "closure_blocker"],
    "properties": {"incident": {"type": "string"}, "required": {"type": "boolean", "description": "major, P1 or P2"},
      "lessons_learned": {"oneOf": [{"type": "null"}, {"allOf": [{"$ref": "#/components/schemas/LessonsLearned"}],
        "properties": {"author": {"type": ["string", "null"]}, "updated_at": {"type": "string", "format": "date-time"}, "version": {"type": "integer"}}}]},
      "improvement_actions": {"type": "integer"},
      "waiver": {"type": ["object", "null"], "properties": {"by": {"type": ["string", "null"]}, "reason": {"type": ["string", "null"]},
        "at": {"type": ["string", "null"], "format": "date-time"}}},
      "closure_blocker": {"type": ["string", "null"], "description": "why closing would be refused now"}}
  },
  "Waiver": {
    "type": "object", "additionalProperties": false, "required": ["reason"],
    "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 4096}}
  },
  "ImprovementAction": {
    "type": "object", "required": ["id", "title", "owner", "due_at", "status", "created_at"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"}, "owner": {"type": "string"},
      "due_at": {"type": ["string", "null"], "format": "date-time"}, "status": {"type": "string", "enum": ["open", "done"]},
      "created_at": {"type": "string", "format": "date-time"}}
  },
  "ImprovementActionList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ImprovementAction"}}}
  },
  "NewImprovementAction": {
    "type": "object", "additionalProperties": false, "required": ["title", "owner"],
    "properties": {"title": {"type": "string", "minLength": 1, "maxLength": 200}, "owner": {"type": "string"},
      "due_at": {"type": ["string", "null"], "format": "date-time"}}
  },
  "ImprovementActionChanges": {
    "type": "object", "additionalProperties": false, "required": ["status"],
    "properties": {"status": {"type": "string", "enum": ["open", "done"]}}
  },
  "PriorityMatrix": {
    "type": "object", "additionalProperties": false,
    "description": "impact -> urgency -> priority (1-4); all 16 cells are required",
    "required": ["extensive", "significant", "moderate", "minor"],
    "properties": {
      "extensive": {"$ref": "#/components/schemas/PriorityRow"}, "significant": {"$ref": "#/components/schemas/PriorityRow"},
      "moderate": {"$ref": "#/components/schemas/PriorityRow"}, "minor": {"$ref": "#/components/schemas/PriorityRow"}
    }
  },
  "PriorityRow": {
    "type": "object", "additionalProperties": false, "required": ["critical", "high", "medium", "low"],
    "properties": {
      "critical": {"type": "integer", "minimum": 1, "maximum": 4}, "high": {"type": "integer", "minimum": 1, "maximum": 4},
      "medium": {"type": "integer", "minimum": 1, "maximum": 4}, "low": {"type": "integer", "minimum": 1, "maximum": 4}
    }
  },
  "PriorityMatrixVersion": {
    "type": "object", "required": ["version", "matrix", "created_at", "created_by"],
    "properties": {"version": {"type": "integer"}, "matrix": {"$ref": "#/components/schemas/PriorityMatrix"},
      "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}}
  },
  "PriorityMatrixHistory": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/PriorityMatrixVersion"}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "SlaTarget": {
    "type": "object", "additionalProperties": false, "required": ["response_minutes", "resolution_minutes", "calendar"],
    "properties": {
      "response_minutes": {"type": "integer", "minimum": 1, "maximum": 525600, "description": "business minutes to first response (time to own)"},
      "resolution_minutes": {"type": "integer", "minimum": 1, "maximum": 525600, "description": "business minutes to resolution"},
      "calendar": {"type": "string", "description": "name of an existing calendar"}
    }
  },
  "SlaPolicy": {
    "type": "object", "additionalProperties": false, "required": ["targets"],
    "properties": {
      "targets": {"type": "object", "additionalProperties": false, "required": ["P1", "P2", "P3", "P4"],
        "properties": {"P1": {"$ref": "#/components/schemas/SlaTarget"}, "P2": {"$ref": "#/components/schemas/SlaTarget"},
          "P3": {"$ref": "#/components/schemas/SlaTarget"}, "P4": {"$ref": "#/components/schemas/SlaTarget"}}},
      "thresholds_percent": {"type": "array", "maxItems": 10, "items": {"type": "integer", "minimum": 1, "maximum": 1000},
        "description": "ascending; below 75 warns, 75-99 escalates (functional and hierarchical), 100 and above is a breach"}
    }
  },
  "SlaPolicyVersion": {
    "type": "object", "required": ["version", "policy", "created_at", "created_by"],
    "properties": {"version": {"type": "integer"}, "policy": {"$ref": "#/components/schemas/SlaPolicy"},
      "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"}}
  },
  "WorkingInterval": {
    "type": "object", "additionalProperties": false, "required": ["start", "end"],
    "properties": {"start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}, "end": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}}
  },
  "Calendar": {"allOf": [{"$ref": "#/components/schemas/CalendarFields"}], "unevaluatedProperties": false},
  "CalendarFields": {
    "type": "object",
    "properties": {
      "name": {"type": "string", "pattern": "^[a-z0-9._-]{1,64}$"},
      "zone": {"type": "string", "description": "IANA time zone, e.g. Europe/Berlin"},
      "always_open": {"type": "boolean"},
      "week": {"type": "object", "additionalProperties": false,
        "properties": {"monday": {"type": "array", "items": {"$ref": "#/components/schemas/WorkingInterval"}},
          "tuesday": {"type": "array", "items": {"$ref": "#/components/schemas/WorkingInterval"}},
          "wednesday": {"type": "array", "items": {"$ref": "#/components/schemas/WorkingInterval"}},
          "thursday": {"type": "array", "items": {"$ref": "#/components/schemas/WorkingInterval"}},
          "friday": {"type": "array", "items": {"$ref": "#/components/schemas/WorkingInterval"}},
          "saturday": {"type": "array", "items": {"$ref": "#/components/schemas/WorkingInterval"}},
          "sunday": {"type": "array", "items": {"$ref": "#/components/schemas/WorkingInterval"}}}},
      "holidays": {"type": "array", "items": {"type": "string", "format": "date"}}
    }
  },
  "CalendarList": {
    "type": "object", "required": ["items", "next_cursor"],
    "properties": {"items": {"type": "array", "items": {"allOf": [{"$ref": "#/components/schemas/CalendarFields"}],
      "properties": {"version": {"type": "integer"}}, "unevaluatedProperties": false}}, "next_cursor": {"type": ["string", "null"]}}
  },
  "Notification": {
    "type": "object", "required": ["id", "incident", "kind", "message", "created_at", "read", "read_at"],
    "properties": {"id": {"type": "integer"}, "incident": {"type": ["string", "null"]},
      "kind": {"type": "string", "description": "sla.warning, sla.escalation or sla.breach"},
      "message": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
      "read": {"type": "boolean"}, "read_at": {"type": ["string", "null"], "format": "date-time"}}
  },
  "NotificationList": {
    "type": "object", "required": ["items", "next_cursor", "unread"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Notification"}},
      "next_cursor": {"type": ["string", "null"]}, "unread": {"type": "integer", "description": "all your unread notifications"}}
  },
  "EvidenceType": {"type": "string", "enum": ["disk_image", "memory_capture", "log_extract", "email", "screenshot", "document", "physical_item"]},
  "NewEvidence": {
    "type": "object", "additionalProperties": false, "required": ["type", "description", "collected_by"],
    "properties": {
      "type": {"$ref": "#/components/schemas/EvidenceType"}, "description": {"type": "string", "maxLength": 4000},
      "source": {"type": "string", "maxLength": 500, "description": "where it came from (host, mailbox, person)"},
      "location": {"type": "string", "maxLength": 500, "description": "where it is kept"},
      "collected_by": {"type": "string", "maxLength": 200}, "collected_at": {"type": "string", "format": "date-time"},
      "method": {"type": "string", "maxLength": 500, "description": "method or tool"},
      "declared_hash_algorithm": {"type": "string", "enum": ["sha256", "sha512", "sha1", "md5"]},
      "declared_hash": {"type": "string", "pattern": "^[0-9a-fA-F]+$", "description": "the collector's digest"}
    }
  },
  "Evidence": {
    "type": "object",
    "required": ["key", "incident", "type", "description", "collected_by", "collected_at", "custodian", "declared_hash", "hash_mismatch", "content", "integrity", "state"],
    "properties": {
      "key": {"type": "string", "pattern": "^EVD-[0-9]{6,}$"}, "incident": {"type": "string"},
      "type": {"$ref": "#/components/schemas/EvidenceType"}, "description": {"type": "string"},
      "source": {"type": "string"}, "location": {"type": "string"}, "collected_by": {"type": "string"},
      "collected_at": {"type": "string", "format": "date-time"}, "method": {"type": "string"},
      "custodian": {"type": "string", "description": "who holds it now"},
      "declared_hash": {"type": ["object", "null"], "properties": {"algorithm": {"type": "string"}, "value": {"type": "string"}, "matches": {"type": ["boolean", "null"]}}},
      "hash_mismatch": {"type": "boolean", "description": "the content does not match the declared hash"},
      "content": {"type": ["object", "null"], "properties": {
        "size": {"type": "integer"}, "sha256": {"type": "string"}, "sha512": {"type": "string"},
        "content_type": {"type": ["string", "null"]}, "filename": {"type": ["string", "null"]}, "encrypted": {"type": "boolean"},
        "stored_at": {"type": ["string", "null"], "format": "date-time"}, "download": {"type": "string"}}},
      "integrity": {"type": "string", "enum": ["unverified", "ok", "mismatch", "missing"]},
      "last_verified_at": {"type": ["string", "null"], "format": "date-time"},
      "state": {"type": "string", "enum": ["active", "disposed"]}, "created_by": {"type": ["string", "null"]},
      "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}
    }
  },
  "EvidenceList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Evidence"}}}
  },
  "NewCustodyEntry": {
    "type": "object", "additionalProperties": false, "required": ["action"],
    "properties": {
      "action": {"type": "string", "enum": ["received", "transferred", "accessed", "analysed", "returned", "disposed"]},
      "from": {"type": "string", "maxLength": 200}, "to": {"type": "string", "maxLength": 200},
      "at": {"type": "string", "format": "date-time"}, "location": {"type": "string", "maxLength": 500},
      "purpose": {"type": "string", "maxLength": 2000}
    }
  },
  "CustodyEntry": {
    "type": "object", "required": ["id", "action", "actor", "at", "audit_seq"],
    "properties": {
      "id": {"type": "integer"},
      "action": {"type": "string", "enum": ["collected", "received", "transferred", "accessed", "downloaded", "analysed", "exported", "returned", "disposed"]},
      "actor": {"type": "string"}, "from": {"type": ["string", "null"]}, "to": {"type": ["string", "null"]},
      "at": {"type": "string", "format": "date-time"}, "location": {"type": "string"}, "purpose": {"type": "string"},
      "audit_seq": {"type": "integer", "description": "the audit entry written with it"}
    }
  },
  "CustodyList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/CustodyEntry"}}}
  },
  "LegalHoldReason": {
    "type": "object", "additionalProperties": false, "required": ["reason"],
    "properties": {"reason": {"type": "string", "maxLength": 2000}}
  },
  "LegalHold": {
    "type": "object", "required": ["id", "incident", "active", "reason", "set_by", "set_at"],
    "properties": {
      "id": {"type": "integer"}, "incident": {"type": "string"}, "active": {"type": "boolean"},
      "reason": {"type": "string"}, "set_by": {"type": "string"}, "set_at": {"type": "string", "format": "date-time"},
      "released_by": {"type": ["string", "null"]}, "released_at": {"type": ["string", "null"], "format": "date-time"},
      "release_reason": {"type": ["string", "null"]}
    }
  },
  "LegalHoldList": {
    "type": "object", "required": ["active", "items"],
    "properties": {"active": {"type": "boolean"}, "items": {"type": "array", "items": {"$ref": "#/components/schemas/LegalHold"}}}
  },
  "IngestLine": {
    "type": "object", "required": ["message"],
    "description": "one line of an NDJSON ingest body; other members are ignored",
    "properties": {
      "message": {"type": "string", "description": "the log line (at most the source's max_line_bytes)"},
      "time": {"type": ["string", "number"], "description": "RFC 3339 or epoch seconds; when given, the filter does not look for a date in the message"},
      "host": {"type": "string"}, "app": {"type": "string"}, "pid": {"type": ["string", "integer"],
        "description": "host, app and pid are put in front of the message as syslog writes them: host app[pid]: message"}
    }
  },
  "IngestResult": {
    "type": "object", "required": ["source", "accepted", "rejected", "rejections"],
    "properties": {
      "source": {"type": "string"}, "accepted": {"type": "integer"}, "rejected": {"type": "integer"},
      "rejections": {"type": "array", "description": "the first ten rejected lines",
        "items": {"type": "object", "required": ["line", "problem"],
          "properties": {"line": {"type": "integer", "description": "from 1, counting every line of the body"}, "problem": {"type": "string"}}}}
    }
  },
  "DetectionJail": {
    "type": "object",
    "required": ["name", "filter", "filter_options", "sources", "maxretry", "findtime", "bantime", "bantime_factor", "bantime_max", "ignoreip", "actions", "failures", "tracked", "ignored", "evictions", "ban_requests", "active_bans"],
    "properties": {
      "name": {"type": "string"}, "filter": {"type": "string"},
      "filter_options": {"type": "object", "additionalProperties": {"type": "string"}},
      "sources": {"type": "array", "items": {"type": "string"}},
      "maxretry": {"type": "integer"}, "findtime": {"type": "integer", "description": "seconds"},
      "bantime": {"type": "integer", "description": "seconds"}, "bantime_factor": {"type": "number"},
      "bantime_max": {"type": "integer", "description": "seconds"},
      "ignoreip": {"type": "array", "items": {"type": "string"}},
      "actions": {"type": "array", "items": {"type": "string"}},
      "failures": {"type": "integer", "description": "failures counted since start-up (kept across reloads)"},
      "tracked": {"type": "integer", "description": "addresses being counted now"},
      "ignored": {"type": "integer"}, "evictions": {"type": "integer"}, "ban_requests": {"type": "integer"},
      "active_bans": {"type": "integer"}
    }
  },
  "DetectionJailList": {
    "type": "object", "required": ["items"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/DetectionJail"}}}
  },
  "DetectionReload": {
    "type": "object", "required": ["added", "kept", "removed"],
    "properties": {
      "added": {"type": "array", "items": {"type": "string"}, "description": "new jails, counting from zero"},
      "kept": {"type": "array", "items": {"type": "string"}, "description": "jails that keep their counters and bans (with their new settings)"},
      "removed": {"type": "array", "items": {"type": "string"}, "description": "jails that make no more bans; their active bans run out"}
    }
  },
  "Ban": {
    "type": "object",
    "required": ["id", "jail", "address", "family", "active", "banned_at", "expires_at", "ban_number", "failures"],
    "properties": {
      "id": {"type": "integer"}, "jail": {"type": "string"}, "address": {"type": "string"},
      "family": {"type": "integer", "enum": [4, 6]}, "active": {"type": "boolean"},
      "banned_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": "string", "format": "date-time"},
      "ban_number": {"type": "integer", "description": "1 for the first ban of this address in this jail; later bans last longer"},
      "failures": {"type": "integer"}, "user": {"type": ["string", "null"]},
      "lifted_at": {"type": ["string", "null"], "format": "date-time"},
      "lifted_by": {"type": ["string", "null"], "description": "expiry, or the administrator (user:NAME)"},
      "lift_reason": {"type": ["string", "null"]},
      "event": {"type": ["string", "null"], "description": "the security event (EVT-…) the ban raised or added a note to"}
    }
  },
  "BanList": {
    "type": "object", "required": ["items", "next_before"],
    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Ban"}},
      "next_before": {"type": ["integer", "null"], "description": "pass as before= for the next page"}}
  },
  "RegulatoryRegime": {
    "type": "object", "required": ["flagged", "aware_at", "flagged_at", "flagged_by", "withdrawn_at", "withdrawn_by", "withdraw_reason"],
    "properties": {"flagged": {"type": "boolean"}, "aware_at": {"type": ["string", "null"], "format": "date-time"},
      "flagged_at": {"type": ["string", "null"], "format": "date-time"}, "flagged_by": {"type": ["string", "null"]},
      "withdrawn_at": {"type": ["string", "null"], "format": "date-time"}, "withdrawn_by": {"type": ["string", "null"]},
      "withdraw_reason": {"type": ["string", "null"]}}
  },
  "RegulatoryObligation": {
    "type": "object", "required": ["obligation", "regime", "title", "starts_at", "due_at", "remaining_seconds", "state", "submitted_at", "recipient", "reference", "note", "recorded_by", "recorded_at", "overdue_at", "reminders_percent"],
    "properties": {
      "obligation": {"type": "string", "enum": ["gdpr_notification", "nis2_early_warning", "nis2_notification", "nis2_final_report"]},
      "regime": {"type": "string", "enum": ["gdpr", "nis2"]}, "title": {"type": "string"},
      "starts_at": {"type": "string", "format": "date-time", "description": "awareness, or (final report) the incident notification or its deadline"},
      "due_at": {"type": "string", "format": "date-time"},
      "remaining_seconds": {"type": ["integer", "null"], "description": "negative once overdue; null once met"},
      "state": {"type": "string", "enum": ["open", "met", "met_late", "overdue"]},
      "submitted_at": {"type": ["string", "null"], "format": "date-time"}, "recipient": {"type": ["string", "null"]},
      "reference": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]},
      "recorded_by": {"type": ["string", "null"]}, "recorded_at": {"type": ["string", "null"], "format": "date-time"},
      "overdue_at": {"type": ["string", "null"], "format": "date-time", "description": "when the sweep found the deadline missed"},
      "reminders_percent": {"type": "array", "items": {"type": "integer"}, "description": "reminders sent (100: the deadline)"}}
  },
  "RegulatoryState": {
    "type": "object", "required": ["incident", "now", "regimes", "obligations"],
    "properties": {"incident": {"type": "string"}, "now": {"type": "string", "format": "date-time"},
      "regimes": {"type": "object", "required": ["gdpr", "nis2"], "properties": {
        "gdpr": {"$ref": "#/components/schemas/RegulatoryRegime"}, "nis2": {"$ref": "#/components/schemas/RegulatoryRegime"}}},
      "obligations": {"type": "array", "items": {"$ref": "#/components/schemas/RegulatoryObligation"}}}
  },
  "RegulatoryFlagChange": {
    "type": "object", "additionalProperties": false, "required": ["flagged"],
    "properties": {"flagged": {"type": "boolean"},
      "aware_at": {"type": "string", "format": "date-time", "description": "when flagging; default now, never in the future"}}
  },
  "RegulatoryChange": {
    "type": "object", "additionalProperties": false, "minProperties": 1,
    "properties": {"gdpr": {"$ref": "#/components/schemas/RegulatoryFlagChange"}, "nis2": {"$ref": "#/components/schemas/RegulatoryFlagChange"},
      "reason": {"type": "string", "maxLength": 4096, "description": "required to withdraw a flag or move the awareness of a running clock"}}
  },
  "RegulatorySubmission": {
    "type": "object", "additionalProperties": false, "required": ["obligation", "submitted_at", "recipient"],
    "properties": {
      "obligation": {"type": "string", "enum": ["gdpr_notification", "nis2_early_warning", "nis2_notification", "nis2_final_report"]},
      "submitted_at": {"type": "string", "format": "date-time", "description": "not in the future, not before awareness"},
      "recipient": {"type": "string", "minLength": 1, "maxLength": 200, "description": "the authority"},
      "reference": {"type": "string", "maxLength": 200}, "note": {"type": "string", "maxLength": 4096}}
  }
})json";
}  // namespace

const nlohmann::json& openapi_schemas() {
  static const nlohmann::json schemas = nlohmann::json::parse(kSchemas);
  return schemas;
}

}  // namespace custos::api
