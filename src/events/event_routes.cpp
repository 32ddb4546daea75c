// The report and triage API: report (signed in or, when switched on, anonymously), follow
// one's own reports, the triage queue, and the three decisions.
#include "events/event_routes.hpp"

#include <unistd.h>

#include <charconv>

#include "api/context.hpp"
#include "api/etag.hpp"
#include "incidents/attachments.hpp"
#include "incidents/work_access.hpp"
#include "util/time.hpp"

namespace custos::events {

using api::Context;
using auth::Permission;

std::string default_mail_domain() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

EventServices::EventServices(store::Database& db, const audit::AuditLog& audit,
                             const incidents::Categories& categories,
                             incidents::IncidentService& incidents,
                             const std::filesystem::path& data_dir, const EventSettings& s)
    : settings(s),
      reports(db, audit, incidents::BlobStore(data_dir / "blobs"),
              s.mail_domain.empty() ? default_mail_domain() : s.mail_domain, s.max_file_bytes),
      worklog(db, audit),
      triage(db, audit, categories, incidents, worklog, reports.mail_domain()),
      anonymous_limit(s.anonymous_per_hour, 3'600'000) {}

namespace {

api::ApiError to_api_error(const EventError& e) {
  switch (e.refusal) {
    case EventRefusal::invalid:
      return api::invalid_field(e.field, e.what());
    case EventRefusal::forbidden:
      return api::forbidden(e.what());
    case EventRefusal::not_found:
      return api::not_found(e.what());
    case EventRefusal::conflict:
      return api::conflict(e.what());
    case EventRefusal::too_large:
      return {413, "too-large", e.what(), {{e.field, e.what()}}};
    case EventRefusal::unsupported_type:
      return {415, "unsupported-media-type", e.what(), {{e.field, e.what()}}};
    case EventRefusal::too_many:
      return {429, "too-many-requests", e.what()};
  }
  return api::bad_request(e.what());
}

template <class F>
http::Response guarded(F&& handler) {
  try {
    return handler();
  } catch (const EventError& e) {
    throw to_api_error(e);
  }
}

std::int64_t key_param(const Context& ctx) {
  const auto key = ctx.param("key");
  auto id = parse_event_key(key);
  if (!id) throw api::not_found("report '" + key.substr(0, 24) + "'");
  return *id;
}

[[noreturn]] void report_not_found(std::int64_t id) {
  throw api::not_found("report " + event_key(id));
}

std::optional<std::int64_t> time_field(api::JsonObject& body, const std::string& name) {
  auto text = body.nullable_string(name, 64);
  if (!text || !*text) return std::nullopt;
  auto ms = util::parse_rfc3339(**text);
  if (!ms) throw api::invalid_field(name, "must be an RFC 3339 time like 2026-01-31T12:00:00Z");
  return ms;
}

NewReport read_report(api::JsonObject& body) {
  NewReport r;
  r.kind = body.optional_string("kind", 16).value_or("event");
  r.title = body.required_string("title", kMaxTitle);
  r.description = body.optional_text("description", kMaxText).value_or("");
  r.observed = body.optional_text("observed", kMaxText).value_or("");
  r.observed_at = time_field(body, "observed_at");
  r.location = body.optional_string("location", kMaxLocation).value_or("");
  return r;
}

http::Response event_response(int status, const Event& e) {
  auto res = api::json_response(status, to_json(e));
  res.header("ETag", api::etag_for(e.version));
  return res;
}

EventQuery read_query(const Context& ctx) {
  ctx.allow_query({"status", "kind", "channel", "reporter", "incident", "sort", "cursor", "limit"});
  EventQuery q;
  if (auto s = ctx.request().query("status")) {
    for (const auto& name : api::split_csv(*s)) {
      if (!one_of(name, kStatuses)) {
        throw api::invalid_field("status",
                                 "'" + name.substr(0, 32) +
                                     "' is not one of new, triaging, dismissed, merged, promoted");
      }
      q.statuses.push_back(name);
    }
  }
  if (auto k = ctx.request().query("kind")) {
    if (!one_of(*k, kKinds)) throw api::invalid_field("kind", "must be event or weakness");
    q.kind = *k;
  }
  if (auto ch = ctx.request().query("channel")) {
    if (!one_of(*ch, kChannels)) {
      throw api::invalid_field("channel", "must be one of portal, api, email, detection");
    }
    q.channel = *ch;
  }
  if (auto r = ctx.request().query("reporter")) {
    if (r->empty() || r->size() > 64)
      throw api::invalid_field("reporter", "must be a username or 'me'");
    q.reporter = *r;
  }
  if (auto i = ctx.request().query("incident")) {
    q.incident_id = incidents::parse_incident_key(*i);
    if (!q.incident_id)
      throw api::invalid_field("incident", "must be an incident key like INC-000123");
  }
  if (auto s = ctx.request().query("sort")) {
    if (*s != "created" && *s != "-created") {
      throw api::invalid_field("sort", "must be created (oldest first) or -created (newest first)");
    }
    q.oldest_first = *s == "created";
  }
  if (auto c = ctx.request().query("cursor")) {
    const auto text = api::decode_cursor(*c);
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc{} || p != text.data() + text.size() || id < 0) {
      throw api::invalid_field("cursor", "is not a cursor this server issued");
    }
    q.after_id = id;
  }
  q.limit = ctx.limit(50, 200);
  return q;
}

http::Response page_response(const EventPage& page) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& e : page.items) items.push_back(to_json(e));
  return api::json_response(
      200,
      {{"items", items},
       {"next_cursor", page.next_after_id
                           ? nlohmann::json(api::encode_cursor(std::to_string(*page.next_after_id)))
                           : nlohmann::json(nullptr)}});
}

}  // namespace

void add_event_routes(api::Router& router, EventServices& ev) {
  const std::vector<api::QueryParam> list_query = {
      {"status", "string", "comma-separated: new, triaging, dismissed, merged, promoted"},
      {"kind", "string", "event or weakness"},
      {"channel", "string", "portal, api, email or detection"},
      {"reporter", "string", "username, or 'me' for your own reports"},
      {"incident", "string", "reports merged into or promoted to this incident (INC-…)"},
      {"sort", "string",
       "-created (newest first, default) or created (oldest first, the triage order)"},
      {"cursor", "string", "next_cursor of the previous page"},
      {"limit", "integer", "page size, 1-200 (default 50)"}};

  router.add({"POST",
              "/api/v1/events",
              Permission::signed_in,
              [&ev](Context& ctx) {
                auto body = ctx.body();
                auto report = read_report(body);
                auto channel = body.optional_string("channel", 16);
                body.reject_unknown();
                report.channel = ctx.user().method == auth::AuthMethod::token ? "api" : "portal";
                if (channel) {
                  // Machines that work for the service desk (detection rules) say where a report
                  // came from; a person reports through the portal or the API.
                  if (!incidents::works_incidents(ctx.user().roles)) {
                    throw api::invalid_field("channel", "only the service desk sets this");
                  }
                  report.channel = *channel;
                }
                return guarded([&] {
                  auto e = ev.reports.create(
                      report, {ctx.user().user_id, std::nullopt, ctx.user().actor()}, {});
                  auto res = event_response(201, e);
                  res.header("Location", "/api/v1/events/" + event_key(e.id));
                  return res;
                });
              },
              {"Report a security event or weakness; you get an acknowledgement and can follow it",
               "events",
               "NewEvent",
               "Event",
               201,
               {},
               {400, 401, 415, 422}}});

  router.add(
      {"POST",
       "/api/v1/events/anonymous/report",
       Permission::anyone,
       [&ev](Context& ctx) {
         if (!ev.settings.anonymous_reports) {
           throw api::forbidden(
               "anonymous reporting is switched off on this server (events.anonymous_reports); "
               "sign in to report");
         }
         auto body = ctx.body();
         auto report = read_report(body);
         auto email = body.optional_string("email", 254);
         body.reject_unknown();
         report.channel = "portal";
         if (email && !plausible_email(*email)) {
           throw api::invalid_field("email", "must be an e-mail address like name@example.org");
         }
         const auto& address = ctx.request().remote_address;
         if (auto wait = ev.anonymous_limit.admit(address, util::now_ms()); wait > 0) {
           const auto seconds = std::to_string((wait + 999) / 1000);
           throw api::ApiError(429, "too-many-requests",
                               "too many anonymous reports from your address; try again in " +
                                   seconds + " s, or sign in")
               .with_header("Retry-After", seconds);
         }
         return guarded([&] {
           auto e = ev.reports.create(report, {std::nullopt, email, "anonymous:" + address}, {});
           // An anonymous reporter gets the key (to quote it) but no way to read the report.
           return api::json_response(201, {{"key", event_key(e.id)},
                                           {"status", e.status},
                                           {"message", "Thank you. Your report " + event_key(e.id) +
                                                           " was received and will be assessed."}});
         });
       },
       {"Report without an account (off unless events.anonymous_reports is set; rate limited "
        "per address)",
        "events",
        "NewAnonymousEvent",
        "AnonymousEventReceipt",
        201,
        {},
        {400, 403, 415, 422, 429}}});

  router.add(
      {"GET",
       "/api/v1/events",
       Permission::signed_in,
       [&ev](Context& ctx) { return page_response(ev.reports.list(read_query(ctx), ctx.user())); },
       {"List reports: the service desk, managers and auditors see all (the triage queue is "
        "?status=new,triaging&sort=created), everyone else their own",
        "events",
        "",
        "EventList",
        200,
        list_query,
        {400, 401, 422}}});

  router.add({"GET",
              "/api/v1/events/mine",
              Permission::signed_in,
              [&ev](Context& ctx) {
                auto q = read_query(ctx);
                q.reporter = "me";
                return page_response(ev.reports.list(q, ctx.user()));
              },
              {"Your own reports and what became of them",
               "events",
               "",
               "EventList",
               200,
               list_query,
               {400, 401, 422}}});

  router.add({"GET",
              "/api/v1/events/{key}",
              Permission::signed_in,
              [&ev](Context& ctx) {
                ctx.allow_query({});
                const auto id = key_param(ctx);
                auto e = ev.reports.get(id, ctx.user());
                if (!e) report_not_found(id);
                return event_response(200, *e);
              },
              {"Read a report (reporters: their own), with its classification and decision",
               "events",
               "",
               "Event",
               200,
               {},
               {401, 404}},
              false,
              true});

  router.add({"GET",
              "/api/v1/events/{key}/notes",
              Permission::signed_in,
              [&ev](Context& ctx) {
                ctx.allow_query({});
                const auto id = key_param(ctx);
                auto notes = ev.reports.notes(id, ctx.user());
                if (!notes) report_not_found(id);
                nlohmann::json items = nlohmann::json::array();
                for (const auto& n : *notes) items.push_back(to_json(n));
                return api::json_response(200, {{"items", items}});
              },
              {"Notes added to a report (replies by mail, the reporter's additions)",
               "events",
               "",
               "EventNoteList",
               200,
               {},
               {401, 404}}});

  router.add({"POST",
              "/api/v1/events/{key}/notes",
              Permission::signed_in,
              [&ev](Context& ctx) {
                const auto id = key_param(ctx);
                auto body = ctx.body();
                auto text = body.optional_text("body", kMaxText);
                body.reject_unknown();
                if (!text) throw api::invalid_field("body", "is required");
                return guarded([&] {
                  auto note = ev.reports.add_note(id, *text, ctx.user());
                  if (!note) report_not_found(id);
                  return api::json_response(201, to_json(*note));
                });
              },
              {"Add to a report (its reporter, the service desk)",
               "events",
               "NewEventNote",
               "EventNote",
               201,
               {},
               {400, 401, 404, 415, 422}}});

  router.add({"POST",
              "/api/v1/events/{key}/attachments",
              Permission::signed_in,
              [&ev](Context& ctx) {
                ctx.allow_query({"filename"});
                const auto id = key_param(ctx);
                IncomingFile file;
                file.content_type = std::string(ctx.request().header("content-type"));
                if (auto name = ctx.request().query("filename")) {
                  file.filename = *name;
                } else if (auto disposition = ctx.request().header("content-disposition");
                           !disposition.empty()) {
                  file.filename = incidents::filename_from_disposition(disposition).value_or("");
                }
                file.bytes = ctx.request().body;
                return guarded([&] {
                  auto added = ev.reports.add_attachment(id, file, ctx.user());
                  if (!added) report_not_found(id);
                  auto res = api::json_response(201, to_json(*added));
                  res.header("Location", "/api/v1/events/" + event_key(id) + "/attachments/" +
                                             std::to_string(added->id));
                  return res;
                });
              },
              {"Attach a file to a report before it is decided: the raw file is the body, "
               "Content-Type its type, ?filename= its name (the same types and limits as incident "
               "attachments; promoted or merged reports take their files along)",
               "events",
               "",
               "EventAttachment",
               201,
               {{"filename", "string", "the file's name"}},
               {401, 404, 409, 413, 415, 422}}});

  router.add({"GET",
              "/api/v1/events/{key}/attachments",
              Permission::signed_in,
              [&ev](Context& ctx) {
                ctx.allow_query({});
                const auto id = key_param(ctx);
                auto items = ev.reports.attachments(id, ctx.user());
                if (!items) report_not_found(id);
                nlohmann::json out = nlohmann::json::array();
                for (const auto& a : *items) out.push_back(to_json(a));
                return api::json_response(200, {{"items", out}});
              },
              {"Files of a report", "events", "", "EventAttachmentList", 200, {}, {401, 404}}});

  router.add(
      {"GET",
       "/api/v1/events/{key}/attachments/{id}",
       Permission::signed_in,
       [&ev](Context& ctx) {
         ctx.allow_query({});
         const auto id = key_param(ctx);
         std::int64_t attachment_id = 0;
         const auto text = ctx.param("id");
         auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), attachment_id);
         if (ec != std::errc{} || p != text.data() + text.size() || attachment_id <= 0) {
           throw api::not_found("attachment '" + text.substr(0, 24) + "'");
         }
         return guarded([&] {
           auto file = ev.reports.download(id, attachment_id, ctx.user());
           if (!file) report_not_found(id);
           http::Response res;
           res.status = 200;
           res.header("Content-Type", file->first.content_type);
           res.header("Content-Disposition", incidents::content_disposition(file->first.filename));
           res.header("X-Content-Type-Options", "nosniff");
           res.header("Content-Security-Policy", "default-src 'none'; sandbox");
           res.header("ETag", "\"" + file->first.sha256 + "\"");
           res.body = std::move(file->second);
           return res;
         });
       },
       {"Download a file of a report (always as a download)",
        "events",
        "",
        "",
        200,
        {},
        {401, 404}}});

  router.add({"POST",
              "/api/v1/events/{key}/classification",
              Permission::incidents_work,
              [&ev](Context& ctx) {
                const auto id = key_param(ctx);
                auto body = ctx.body();
                Classification c;
                c.category = body.required_string("category", 64);
                if (auto sub = body.nullable_string("subcategory", 64)) c.subcategory = *sub;
                c.impact = body.optional_string("impact", 16);
                c.urgency = body.optional_string("urgency", 16);
                body.reject_unknown();
                return guarded([&] {
                  auto e = ev.triage.classify(id, c, ctx.user());
                  if (!e) report_not_found(id);
                  return event_response(200, *e);
                });
              },
              {"Classify a report (category from the incident taxonomy, impact, urgency); it "
               "moves to triaging",
               "events",
               "EventClassification",
               "Event",
               200,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"POST",
              "/api/v1/events/{key}/dismiss",
              Permission::incidents_work,
              [&ev](Context& ctx) {
                const auto id = key_param(ctx);
                auto body = ctx.body();
                Dismissal d;
                d.code = body.required_string("code", 32);
                d.reason = body.optional_text("reason", 16 * 1024).value_or("");
                d.duplicate_of = body.optional_string("duplicate_of", 24);
                body.reject_unknown();
                return guarded([&] {
                  auto e = ev.triage.dismiss(id, d, ctx.user());
                  if (!e) report_not_found(id);
                  return event_response(200, *e);
                });
              },
              {"Dismiss a report as false_positive, not_security or duplicate (naming the "
               "other report or incident), with the reason; the reporter is told",
               "events",
               "EventDismissal",
               "Event",
               200,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"POST",
              "/api/v1/events/{key}/merge",
              Permission::incidents_work,
              [&ev](Context& ctx) {
                const auto id = key_param(ctx);
                auto body = ctx.body();
                MergeInput m;
                m.incident = body.required_string("incident", 24);
                m.reason = body.optional_text("reason", 16 * 1024).value_or("");
                body.reject_unknown();
                return guarded([&] {
                  auto e = ev.triage.merge(id, m, ctx.user());
                  if (!e) report_not_found(id);
                  return event_response(200, *e);
                });
              },
              {"Merge a report into an open incident: a worklog entry on the incident, the "
               "files copied, the reporter told",
               "events",
               "EventMerge",
               "Event",
               200,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add({"POST",
              "/api/v1/events/{key}/promote",
              Permission::incidents_work,
              [&ev](Context& ctx) {
                const auto id = key_param(ctx);
                auto body = ctx.body();
                PromoteInput p;
                p.reason = body.optional_text("reason", 16 * 1024).value_or("");
                p.title = body.optional_string("title", 200);
                p.description = body.optional_text("description", kMaxText);
                p.category = body.optional_string("category", 64);
                if (auto sub = body.nullable_string("subcategory", 64)) p.subcategory = *sub;
                p.impact = body.optional_string("impact", 16);
                p.urgency = body.optional_string("urgency", 16);
                body.reject_unknown();
                return guarded([&] {
                  auto e = ev.triage.promote(id, p, ctx.user());
                  if (!e) report_not_found(id);
                  auto res = event_response(200, *e);
                  if (e->incident_id) {
                    res.header("Location",
                               "/api/v1/incidents/" + incidents::incident_key(*e->incident_id));
                  }
                  return res;
                });
              },
              {"Promote a report to a new incident carrying its title, description, "
               "classification, reporter, channel and files; the report keeps the incident key",
               "events",
               "EventPromotion",
               "Event",
               200,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});
}

}  // namespace custos::events
