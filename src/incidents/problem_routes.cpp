// The problem API: record problems, investigate them into known errors, link the incidents
// they cause, and suggest known errors to whoever is logging an incident.
#include "incidents/problem_routes.hpp"

#include <algorithm>
#include <charconv>

#include "api/context.hpp"
#include "api/etag.hpp"
#include "incidents/incident.hpp"

namespace custos::incidents {

using api::Context;
using auth::Permission;

namespace {

// A strict JSON body whose text fields may span lines. JsonObject::optional_string refuses
// line breaks, but descriptions, root causes and workarounds are Markdown.
class Body {
 public:
  Body(Context& ctx, std::initializer_list<std::string_view> known) {
    (void)ctx.body();  // content type, JSON syntax, an object
    raw_ = api::parse_json_body(ctx.request().body);
    for (const auto& item : raw_.items()) {
      if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
        throw api::invalid_field(item.key().substr(0, 64), "is not a known field");
      }
    }
  }
  [[nodiscard]] bool has(const std::string& name) const { return raw_.contains(name); }
  [[nodiscard]] bool is_null(const std::string& name) const {
    return raw_.contains(name) && raw_[name].is_null();
  }
  // nullopt when absent or null.
  std::optional<std::string> text(const std::string& name, std::size_t max, bool multiline) const {
    if (!has(name) || is_null(name)) return std::nullopt;
    const auto& v = raw_[name];
    if (!v.is_string()) {
      throw api::invalid_field(name, std::string("must be a string, not ") + v.type_name());
    }
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > max) {
      throw api::invalid_field(name, "must be at most " + std::to_string(max) + " bytes");
    }
    if (auto problem = api::text_problem(s, multiline)) throw api::invalid_field(name, *problem);
    return s;
  }

 private:
  nlohmann::json raw_;
};

constexpr std::size_t kTitleMax = 200;
constexpr std::size_t kTextMax = 64 * 1024;

void require_reader(const Context& ctx) {
  if (!can_read_problems(ctx.user().roles)) {
    throw api::forbidden(
        "problems and known errors are for the service desk, incident and security managers and "
        "auditors");
  }
}

std::int64_t problem_param(const Context& ctx) {
  const auto key = ctx.param("key");
  auto id = parse_problem_key(key);
  if (!id) throw api::not_found("problem '" + key.substr(0, 24) + "'");
  return *id;
}

[[noreturn]] void rethrow(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const ProblemInputError& e) {
    throw api::invalid_field(e.field, e.what());
  } catch (const ProblemConflict& e) {
    throw api::conflict(e.what());
  } catch (const ProblemStale& e) {
    throw api::precondition_failed("the problem was changed since you read it (now version " +
                                   std::to_string(e.current_version) + "); reload and retry");
  } catch (const ProblemTransitionRefused& e) {
    const auto& v = e.verdict;
    std::vector<std::string> allowed;
    for (auto s : v.allowed_targets) allowed.emplace_back(problem_status_name(s));
    const std::string members = nlohmann::json(allowed).dump();
    if (v.refusal == ProblemRefusal::missing_input) {
      throw api::invalid_field(v.field, v.problem).with_member("allowed_transitions", members);
    }
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    throw api::conflict(v.problem + " (allowed from here: " + (list.empty() ? "none" : list) + ")")
        .with_member("allowed_transitions", members);
  }
}

// Runs a service call and turns its rule violations into problem details.
template <class F>
auto translated(F&& f) {
  try {
    return f();
  } catch (const api::ApiError&) {
    throw;
  } catch (const ProblemInputError&) {
    rethrow(std::current_exception());
  } catch (const ProblemConflict&) {
    rethrow(std::current_exception());
  } catch (const ProblemStale&) {
    rethrow(std::current_exception());
  } catch (const ProblemTransitionRefused&) {
    rethrow(std::current_exception());
  }
}

nlohmann::json linked_json(const std::vector<LinkedIncident>& incidents) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& i : incidents) {
    out.push_back({{"key", incident_key(i.id)},
                   {"title", i.title},
                   {"status", i.status},
                   {"priority", i.priority}});
  }
  return out;
}

// The full view of one problem: the record, its ETag and the incidents the caller may see.
http::Response problem_response(int status, ProblemService& service, const Problem& problem,
                                const auth::Principal& who) {
  bool truncated = false;
  auto incidents = service.linked_incidents(problem.id, who, truncated);
  auto body = ProblemService::to_json(problem);
  body["incidents"] = linked_json(incidents);
  body["incidents_truncated"] = truncated;
  auto res = api::json_response(status, body);
  res.header("ETag", api::etag_for(problem.version));
  return res;
}

ProblemFields read_fields(const Body& body) {
  ProblemFields f;
  f.title = body.text("title", kTitleMax, false);
  f.description = body.text("description", kTextMax, true);
  f.root_cause = body.text("root_cause", kTextMax, true);
  f.workaround = body.text("workaround", kTextMax, true);
  if (body.has("owner")) f.owner = body.text("owner", 64, false);
  return f;
}

ProblemQuery read_query(const Context& ctx) {
  ctx.allow_query({"status", "q", "cursor", "limit"});
  ProblemQuery q;
  if (auto s = ctx.request().query("status")) {
    for (const auto& name : api::split_csv(*s)) {
      auto status = parse_problem_status(name);
      if (!status) {
        throw api::invalid_field(
            "status", "'" + name.substr(0, 32) +
                          "' is not a problem status (new, investigating, known_error, resolved, "
                          "closed)");
      }
      q.statuses.push_back(*status);
    }
  }
  if (auto text = ctx.request().query("q")) {
    if (text->size() > 200) throw api::invalid_field("q", "must be at most 200 bytes");
    q.text = *text;
  }
  if (auto cursor = ctx.request().query("cursor")) {
    const auto position = api::decode_cursor(*cursor);  // "prb|<id>"
    std::int64_t id = 0;
    const auto digits =
        std::string_view(position).substr(std::min<std::size_t>(4, position.size()));
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (!position.starts_with("prb|") || ec != std::errc{} ||
        ptr != digits.data() + digits.size() || id <= 0) {
      throw api::invalid_field("cursor", "is not a cursor of the problem list");
    }
    q.before_id = id;
  }
  q.limit = ctx.limit(50, 200);
  return q;
}

}  // namespace

void add_problem_routes(api::Router& router, ProblemService& service) {
  router.add({"POST",
              "/api/v1/problems",
              Permission::problems_work,
              [&service](Context& ctx) {
                Body body(ctx, {"title", "description", "owner"});
                auto fields = read_fields(body);
                if (!fields.title) throw api::invalid_field("title", "is required");
                auto problem = translated([&] { return service.create(fields, ctx.user()); });
                auto res = problem_response(201, service, problem, ctx.user());
                res.header("Location", "/api/v1/problems/" + problem_key(problem.id));
                return res;
              },
              {"Record a problem: the unknown cause of one or more incidents",
               "problems",
               "NewProblem",
               "ProblemRecord",
               201,
               {},
               {400, 401, 403, 415, 422}}});

  router.add({"GET",
              "/api/v1/problems",
              Permission::incidents_read,
              [&service](Context& ctx) {
                require_reader(ctx);
                const auto query = read_query(ctx);
                const auto page = service.list(query);
                nlohmann::json items = nlohmann::json::array();
                for (const auto& p : page.items) items.push_back(ProblemService::to_json(p));
                nlohmann::json next = nullptr;
                if (page.next_before_id)
                  next = api::encode_cursor("prb|" + std::to_string(*page.next_before_id));
                return api::json_response(200, {{"items", items}, {"next_cursor", next}});
              },
              {"List problems, newest first: by status, full-text search, cursor pagination",
               "problems",
               "",
               "ProblemList",
               200,
               {{"status", "string", "comma-separated problem statuses"},
                {"q", "string",
                 "words that must all occur in title, description, root cause or workaround"},
                {"cursor", "string", "next_cursor of the previous page"},
                {"limit", "integer", "page size, 1-200 (default 50)"}},
               {401, 403, 422}}});

  router.add({"GET",
              "/api/v1/problems/{key}",
              Permission::incidents_read,
              [&service](Context& ctx) {
                require_reader(ctx);
                ctx.allow_query({});
                const auto id = problem_param(ctx);
                auto problem = service.get(id);
                if (!problem) throw api::not_found("problem " + problem_key(id));
                return problem_response(200, service, *problem, ctx.user());
              },
              {"Read a problem with the linked incidents you may see",
               "problems",
               "",
               "ProblemRecord",
               200,
               {},
               {401, 403, 404}}});

  router.add(
      {"PATCH",
       "/api/v1/problems/{key}",
       Permission::problems_work,
       [&service](Context& ctx) {
         const auto version = api::required_if_match(ctx);
         const auto id = problem_param(ctx);
         Body body(ctx, {"title", "description", "root_cause", "workaround", "owner"});
         const auto fields = read_fields(body);
         auto problem = translated([&] { return service.update(id, version, fields, ctx.user()); });
         if (!problem) throw api::not_found("problem " + problem_key(id));
         return problem_response(200, service, *problem, ctx.user());
       },
       {"Change a problem (send If-Match): title, description, root cause, workaround, owner",
        "problems",
        "ProblemChanges",
        "ProblemRecord",
        200,
        {},
        {400, 401, 403, 404, 409, 412, 415, 422, 428}}});

  router.add({"POST",
              "/api/v1/problems/{key}/transitions",
              Permission::problems_work,
              [&service](Context& ctx) {
                const auto id = problem_param(ctx);
                Body body(ctx, {"to", "root_cause", "workaround"});
                ProblemTransitionInput input;
                const auto to = body.text("to", 32, false);
                if (!to) throw api::invalid_field("to", "is required");
                auto status = parse_problem_status(*to);
                if (!status) {
                  throw api::invalid_field(
                      "to", "'" + *to +
                                "' is not a problem status (new, investigating, known_error, "
                                "resolved, closed)");
                }
                input.to = *status;
                input.root_cause = body.text("root_cause", kTextMax, true);
                input.workaround = body.text("workaround", kTextMax, true);
                if (!ctx.request().header("if-match").empty())
                  input.expected_version = api::required_if_match(ctx);
                auto problem =
                    translated([&] { return service.transition(id, input, ctx.user()); });
                if (!problem) throw api::not_found("problem " + problem_key(id));
                return problem_response(200, service, *problem, ctx.user());
              },
              {"Move a problem on: investigating, known_error (needs a workaround), resolved "
               "(needs the root cause), closed",
               "problems",
               "ProblemTransition",
               "ProblemRecord",
               200,
               {},
               {400, 401, 403, 404, 409, 412, 415, 422}}});

  router.add({"POST",
              "/api/v1/problems/{key}/incidents",
              Permission::problems_work,
              [&service](Context& ctx) {
                const auto id = problem_param(ctx);
                Body body(ctx, {"incident"});
                const auto key = body.text("incident", 24, false);
                if (!key) throw api::invalid_field("incident", "is required");
                const auto incident = parse_incident_key(*key);
                if (!incident) {
                  throw api::invalid_field("incident", "must be an incident key like INC-000123");
                }
                auto linked = translated([&] { return service.link(id, *incident, ctx.user()); });
                if (!linked) throw api::not_found("problem " + problem_key(id));
                auto problem = service.get(id);
                if (!problem) throw api::not_found("problem " + problem_key(id));
                return problem_response(200, service, *problem, ctx.user());
              },
              {"Link an incident to the problem that causes it",
               "problems",
               "ProblemLink",
               "ProblemRecord",
               200,
               {},
               {400, 401, 403, 404, 409, 415, 422}}});

  router.add(
      {"DELETE",
       "/api/v1/problems/{key}/incidents/{incident}",
       Permission::problems_work,
       [&service](Context& ctx) {
         const auto id = problem_param(ctx);
         const auto key = ctx.param("incident");
         const auto incident = parse_incident_key(key);
         if (!incident) throw api::not_found("incident '" + key.substr(0, 24) + "'");
         auto unlinked = translated([&] { return service.unlink(id, *incident, ctx.user()); });
         if (!unlinked) throw api::not_found("problem " + problem_key(id));
         if (!*unlinked) {
           throw api::not_found("incident " + incident_key(*incident) + " linked to " +
                                problem_key(id));
         }
         return api::no_content();
       },
       {"Unlink an incident from a problem", "problems", "", "", 204, {}, {401, 403, 404, 409}}});

  router.add({"GET",
              "/api/v1/known-errors/suggest",
              Permission::incidents_read,
              [&service](Context& ctx) {
                require_reader(ctx);
                ctx.allow_query({"q", "limit"});
                const auto text = ctx.request().query("q");
                if (!text) throw api::invalid_field("q", "is required: the title being typed");
                if (text->size() > 500) throw api::invalid_field("q", "must be at most 500 bytes");
                const int limit = ctx.limit(5, 20);
                nlohmann::json items = nlohmann::json::array();
                for (const auto& s : service.suggest(*text, limit)) {
                  items.push_back({{"key", problem_key(s.id)},
                                   {"title", s.title},
                                   {"status", s.status},
                                   {"workaround", s.workaround},
                                   {"matched_words", s.matched_words}});
                }
                nlohmann::json words = meaningful_words(*text);
                return api::json_response(200, {{"items", items}, {"words", words}});
              },
              {"Known errors matching the words of an incident title, with their workarounds",
               "problems",
               "",
               "KnownErrorSuggestions",
               200,
               {{"q", "string",
                 "the title being typed; words under 3 characters and stop words are ignored"},
                {"limit", "integer", "1-20 (default 5)"}},
               {401, 403, 422}}});
}

}  // namespace custos::incidents
