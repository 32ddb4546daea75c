#include "incidents/settings_routes.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "api/context.hpp"
#include "audit/audit_log.hpp"
#include "incidents/categories.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/notification_routes.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace custos::incidents {
namespace {

struct Answer {
  int status = 0;
  nlohmann::json body;
  std::string field;  // of the first field error
  std::string etag;
};

// Drives the handlers directly (the dispatcher's permission check is asserted separately).
class SettingsRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-settings-routes-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = std::make_unique<store::SqliteDatabase>(dir_ / "s.db", store::DatabaseOptions{});
    db_->migrate();
    categories_ = std::make_unique<Categories>(*db_, audit_);
    categories_->seed_builtin();
    settings_ = std::make_unique<Settings>(*db_, audit_);
    settings_->load();
    incidents_ = std::make_unique<IncidentService>(*db_, audit_, *categories_, *settings_);
    escalation_ = std::make_unique<EscalationService>(*db_, audit_, *incidents_, *settings_);
    notifications_ = std::make_unique<Notifications>(*db_);
    add_settings_routes(router_, *settings_, *escalation_);
    add_notification_routes(router_, *notifications_);
  }
  void TearDown() override {
    notifications_.reset();
    escalation_.reset();
    incidents_.reset();
    settings_.reset();
    categories_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  Answer call(const std::string& method, const std::string& target, const std::string& body = "",
              const std::string& if_match = "", std::int64_t user_id = 1) {
    http::Request request;
    request.method = method;
    request.target = target;
    const auto q = target.find('?');
    request.path = target.substr(0, q);
    if (q != std::string::npos) request.query_string = target.substr(q + 1);
    if (!body.empty()) request.headers.emplace_back("content-type", "application/json");
    if (!if_match.empty()) request.headers.emplace_back("if-match", if_match);
    request.body = body;
    auto match = router_.match(method, request.path);
    if (match.route == nullptr) return {404, {}, "", ""};
    api::Context ctx(request, match.params);
    auth::Principal p;
    p.user_id = user_id;
    p.username = "admin";
    p.roles = auth::RoleSet{auth::Role::admin};
    ctx.set_principal(p);
    try {
      auto res = match.route->handler(ctx);
      Answer a{res.status, res.body.empty() ? nlohmann::json() : nlohmann::json::parse(res.body),
               "", std::string(res.find_header("ETag"))};
      return a;
    } catch (const api::ApiError& e) {
      return {
          e.status(), {{"detail", e.detail()}}, e.errors().empty() ? "" : e.errors()[0].field, ""};
    }
  }

  const api::Route* route(const std::string& method, const std::string& path) {
    return router_.match(method, path).route;
  }

  std::filesystem::path dir_;
  audit::AuditLog audit_{nullptr};
  std::unique_ptr<store::SqliteDatabase> db_;
  std::unique_ptr<Categories> categories_;
  std::unique_ptr<Settings> settings_;
  std::unique_ptr<IncidentService> incidents_;
  std::unique_ptr<EscalationService> escalation_;
  std::unique_ptr<Notifications> notifications_;
  api::Router router_;
};

TEST_F(SettingsRoutesTest, ReadingNeedsASignInChangingNeedsReferenceManage) {
  for (const char* path : {"/api/v1/settings/priority-matrix", "/api/v1/settings/sla-policy",
                           "/api/v1/settings/calendars/business"}) {
    EXPECT_EQ(route("GET", path)->permission, auth::Permission::signed_in) << path;
    EXPECT_EQ(route("PUT", path)->permission, auth::Permission::reference_manage) << path;
  }
  EXPECT_EQ(route("GET", "/api/v1/settings/calendars")->permission, auth::Permission::signed_in);
  EXPECT_EQ(route("GET", "/api/v1/settings/priority-matrix/history")->permission,
            auth::Permission::signed_in);
}

TEST_F(SettingsRoutesTest, PriorityMatrixIsVersionedAndValidatedCellByCell) {
  auto current = call("GET", "/api/v1/settings/priority-matrix");
  ASSERT_EQ(current.status, 200);
  EXPECT_EQ(current.body["version"], 1);
  EXPECT_EQ(current.etag, "\"1\"");
  auto matrix = current.body["matrix"];

  auto bad = matrix;
  bad["significant"]["low"] = 7;
  auto a = call("PUT", "/api/v1/settings/priority-matrix", bad.dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.field, "significant.low");
  bad = matrix;
  bad["minor"].erase("high");
  EXPECT_EQ(call("PUT", "/api/v1/settings/priority-matrix", bad.dump()).field, "minor.high");
  EXPECT_EQ(call("PUT", "/api/v1/settings/priority-matrix", "[1]").status, 422);
  EXPECT_EQ(call("PUT", "/api/v1/settings/priority-matrix", "{").status, 400);
  EXPECT_EQ(settings_->matrix().version, 1) << "nothing stored by bad input";

  matrix["minor"]["low"] = 3;
  a = call("PUT", "/api/v1/settings/priority-matrix", matrix.dump(), "\"1\"");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["version"], 2);
  EXPECT_EQ(a.body["matrix"]["minor"]["low"], 3);
  EXPECT_EQ(call("PUT", "/api/v1/settings/priority-matrix", matrix.dump(), "\"1\"").status, 412)
      << "a stale If-Match";
  auto history = call("GET", "/api/v1/settings/priority-matrix/history");
  ASSERT_EQ(history.body["items"].size(), 2U);
  EXPECT_EQ(history.body["items"][0]["version"], 2);
}

TEST_F(SettingsRoutesTest, SlaPolicyNamesTheBadFieldAndChecksCalendars) {
  auto current = call("GET", "/api/v1/settings/sla-policy");
  ASSERT_EQ(current.status, 200);
  auto policy = current.body["policy"];

  auto bad = policy;
  bad["targets"]["P2"]["response_minutes"] = 0;
  auto a = call("PUT", "/api/v1/settings/sla-policy", bad.dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.field, "targets.P2.response_minutes");

  bad = policy;
  bad["targets"]["P3"]["calendar"] = "mars-office";
  a = call("PUT", "/api/v1/settings/sla-policy", bad.dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.field, "targets.P3.calendar");

  bad = policy;
  bad["thresholds_percent"] = {50, 40};
  EXPECT_EQ(call("PUT", "/api/v1/settings/sla-policy", bad.dump()).field, "thresholds_percent[1]");
  bad = policy;
  bad["surprise"] = true;
  EXPECT_EQ(call("PUT", "/api/v1/settings/sla-policy", bad.dump()).field, "surprise");
  EXPECT_EQ(settings_->sla_policy().version, 1);

  policy["targets"]["P4"]["resolution_minutes"] = 4800;
  a = call("PUT", "/api/v1/settings/sla-policy", policy.dump());
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.body["version"], 2);
  EXPECT_EQ(settings_->targets_for(4).resolution_ms, 4800 * 60'000);
}

TEST_F(SettingsRoutesTest, CalendarsAreCreatedReplacedAndValidated) {
  auto list = call("GET", "/api/v1/settings/calendars");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body["items"].size(), 2U);  // 24x7 and business
  EXPECT_EQ(call("GET", "/api/v1/settings/calendars/nowhere").status, 404);

  const nlohmann::json berlin = {{"zone", "Europe/Berlin"},
                                 {"week", {{"monday", {{{"start", "08:00"}, {"end", "18:00"}}}}}},
                                 {"holidays", {"2026-12-25"}}};
  auto a = call("PUT", "/api/v1/settings/calendars/berlin", berlin.dump());
  ASSERT_EQ(a.status, 201) << a.body.dump();
  EXPECT_EQ(a.body["name"], "berlin");
  EXPECT_EQ(a.etag, "\"1\"");

  auto bad = berlin;
  bad["zone"] = "Europe/Berln";
  a = call("PUT", "/api/v1/settings/calendars/berlin", bad.dump());
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.field, "zone");
  bad = berlin;
  bad["holidays"] = {"2026-13-01"};
  EXPECT_EQ(call("PUT", "/api/v1/settings/calendars/berlin", bad.dump()).field, "holidays[0]");
  bad = berlin;
  bad["name"] = "paris";
  EXPECT_EQ(call("PUT", "/api/v1/settings/calendars/berlin", bad.dump()).field, "name");
  EXPECT_EQ(call("PUT", "/api/v1/settings/calendars/Bad%20Name", berlin.dump()).field, "name");
  EXPECT_EQ(call("PUT", "/api/v1/settings/calendars/24x7", berlin.dump()).status, 409);

  auto changed = berlin;
  changed["week"]["tuesday"] = {{{"start", "09:00"}, {"end", "12:00"}}};
  EXPECT_EQ(call("PUT", "/api/v1/settings/calendars/berlin", changed.dump(), "\"7\"").status, 412);
  a = call("PUT", "/api/v1/settings/calendars/berlin", changed.dump(), "\"1\"");
  ASSERT_EQ(a.status, 200) << a.body.dump();
  EXPECT_EQ(a.etag, "\"2\"");
  auto got = call("GET", "/api/v1/settings/calendars/berlin");
  EXPECT_EQ(got.body["week"]["tuesday"][0]["start"], "09:00");
  EXPECT_EQ(got.etag, "\"2\"");

  // The policy may now use it; an unknown one it may not.
  auto policy = call("GET", "/api/v1/settings/sla-policy").body["policy"];
  policy["targets"]["P3"]["calendar"] = "berlin";
  EXPECT_EQ(call("PUT", "/api/v1/settings/sla-policy", policy.dump()).status, 200);
}

TEST_F(SettingsRoutesTest, NotificationsAnswer404ForOthersAndBadIds) {
  EXPECT_EQ(call("POST", "/api/v1/me/notifications/abc/read").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/me/notifications/99/read").status, 404);
  auto page = call("GET", "/api/v1/me/notifications?unread=maybe");
  EXPECT_EQ(page.status, 422);
  EXPECT_EQ(page.field, "unread");
  EXPECT_EQ(call("GET", "/api/v1/me/notifications?cursor=%21%21").field, "cursor");
  page = call("GET", "/api/v1/me/notifications?unread=true&limit=5");
  ASSERT_EQ(page.status, 200);
  EXPECT_TRUE(page.body["items"].empty());
  EXPECT_EQ(page.body["unread"], 0);
}

}  // namespace
}  // namespace custos::incidents
