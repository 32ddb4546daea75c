#include "audit/routes.hpp"

#include <charconv>

#include "api/context.hpp"
#include "util/time.hpp"

namespace custos::audit {

using api::Context;

nlohmann::json to_json(const AuditEntry& e) {
  nlohmann::json detail = nlohmann::json::parse(e.detail, nullptr, false);
  return {{"seq", e.seq},
          {"at", util::to_rfc3339(e.at_ms)},
          {"actor", e.actor},
          {"action", e.action},
          {"object_type", e.object_type},
          {"object_id", e.object_id},
          {"detail", detail.is_discarded() ? nlohmann::json(e.detail) : detail},
          {"digest", e.digest},
          {"prev_hash", e.prev_hash},
          {"hash", e.hash}};
}

nlohmann::json to_json(const VerifyReport& r) {
  return {{"ok", r.ok},
          {"entries", r.entries},
          {"checkpoints", r.checkpoints},
          {"last_seq", r.last_seq},
          {"last_hash", r.last_hash},
          {"first_bad_seq",
           r.first_bad_seq ? nlohmann::json(*r.first_bad_seq) : nlohmann::json(nullptr)},
          {"problem", r.problem.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.problem)},
          {"seconds", r.seconds}};
}

namespace {

std::optional<std::int64_t> time_param(const Context& ctx, const char* name) {
  auto raw = ctx.request().query(name);
  if (!raw) return std::nullopt;
  auto ms = util::parse_rfc3339(*raw);
  if (!ms) throw api::invalid_field(name, "must be an RFC 3339 time like 2026-01-31T12:00:00Z");
  return ms;
}

std::optional<std::string> text_param(const Context& ctx, const char* name) {
  auto raw = ctx.request().query(name);
  if (raw && raw->size() > 200) throw api::invalid_field(name, "is too long");
  return raw;
}

}  // namespace

void add_audit_routes(api::Router& router, store::Database& db, const std::string& public_key_hex) {
  router.add({"GET",
              "/api/v1/audit",
              auth::Permission::audit_read,
              [&db](Context& ctx) {
                ctx.allow_query({"actor", "action", "object_type", "object_id", "since", "until",
                                 "cursor", "limit"});
                AuditFilter f;
                f.actor = text_param(ctx, "actor");
                f.action = text_param(ctx, "action");
                f.object_type = text_param(ctx, "object_type");
                f.object_id = text_param(ctx, "object_id");
                f.since_ms = time_param(ctx, "since");
                f.until_ms = time_param(ctx, "until");
                if (auto c = ctx.request().query("cursor")) {
                  std::int64_t seq = 0;
                  auto [ptr, ec] = std::from_chars(c->data(), c->data() + c->size(), seq);
                  if (ec != std::errc{} || ptr != c->data() + c->size() || seq <= 0) {
                    throw api::invalid_field("cursor", "is not a cursor this server issued");
                  }
                  f.before_seq = seq;
                }
                f.limit = ctx.limit(50, 1000);
                const int wanted = f.limit;
                f.limit = wanted + 1;
                std::vector<AuditEntry> entries;
                db.read([&](store::Connection& c) { entries = AuditLog::list(c, f); });
                nlohmann::json items = nlohmann::json::array();
                for (int i = 0; i < static_cast<int>(entries.size()) && i < wanted; ++i) {
                  items.push_back(to_json(entries[static_cast<std::size_t>(i)]));
                }
                nlohmann::json next = nullptr;
                if (static_cast<int>(entries.size()) > wanted) {
                  next = std::to_string(entries[static_cast<std::size_t>(wanted - 1)].seq);
                }
                return api::json_response(200, {{"items", items}, {"next_cursor", next}});
              },
              {"Audit trail, newest first",
               "audit",
               "",
               "AuditList",
               200,
               {{"actor", "string", "e.g. user:alice"},
                {"action", "string", "e.g. user.create"},
                {"object_type", "string", "e.g. user"},
                {"object_id", "string", "the object's key"},
                {"since", "string", "RFC 3339, inclusive"},
                {"until", "string", "RFC 3339, exclusive"},
                {"cursor", "string", "next_cursor of the previous page"},
                {"limit", "integer", "page size, 1-1000 (default 50)"}},
               {401, 403, 422}}});

  router.add({"GET",
              "/api/v1/audit/verify",
              auth::Permission::audit_read,
              [&db, public_key_hex](Context& ctx) {
                ctx.allow_query({});
                auto report = AuditLog::verify(db, public_key_hex);
                auto body = to_json(report);
                body["public_key"] = public_key_hex;
                return api::json_response(200, body);
              },
              {"Verify the whole hash chain and its signed checkpoints",
               "audit",
               "",
               "AuditVerify",
               200,
               {},
               {401, 403}}});
}

}  // namespace custos::audit
