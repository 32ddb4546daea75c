#pragma once
// Test fixture for the incident-work services: a migrated SQLite database in a temporary
// directory, the incident service, a few users and a way to log incidents.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "audit/audit_log.hpp"
#include "incidents/categories.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/settings.hpp"
#include "incidents/work_services.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "util/time.hpp"

namespace custos::incidents::testing {

class WorkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-work-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = std::make_unique<store::SqliteDatabase>(dir_ / "t.db", store::DatabaseOptions{});
    db_->migrate();
    audit_ = std::make_unique<audit::AuditLog>(nullptr);
    categories_ = std::make_unique<Categories>(*db_, *audit_);
    categories_->seed_builtin();
    settings_ = std::make_unique<Settings>(*db_, *audit_);
    settings_->load();
    incidents_ = std::make_unique<IncidentService>(*db_, *audit_, *categories_, *settings_);
    work_ = std::make_unique<WorkServices>(*db_, *audit_, dir_ / "data", 1024);
    reporter_ = user("rita", {auth::Role::reporter});
    other_reporter_ = user("otto", {auth::Role::reporter});
    agent_ = user("alice", {auth::Role::agent});
    manager_ = user("maria", {auth::Role::incident_manager});
    auditor_ = user("aude", {auth::Role::auditor});
  }
  void TearDown() override {
    work_.reset();
    incidents_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  auth::Principal user(const std::string& name, auth::RoleSet roles) {
    const auto now = util::now_ms();
    std::int64_t id = 0;
    db_->write([&](store::Connection& c) {
      id = c.query_one(
                "INSERT INTO users (username, display_name, roles, password_hash, created_at,"
                " updated_at) VALUES (?, ?, ?, 'x', ?, ?) RETURNING id",
                {name, name, roles.to_csv(), now, now})
               ->i64(0);
    });
    auth::Principal p;
    p.user_id = id;
    p.username = name;
    p.roles = roles;
    return p;
  }

  // A P4 incident by default; extensive × critical makes it P1.
  Incident log(const auth::Principal& by, bool p1 = false, bool restricted = false) {
    IncidentFields f;
    f.title = "Phishing mail with a link to a fake login page";
    f.description = "Seen by several people in finance.";
    f.category = "fraud";
    f.impact = p1 ? Impact::extensive : Impact::minor;
    f.urgency = p1 ? Urgency::critical : Urgency::low;
    if (restricted) f.restricted = true;
    return incidents_->create(f, by);
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDatabase> db_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<Categories> categories_;
  std::unique_ptr<Settings> settings_;
  std::unique_ptr<IncidentService> incidents_;
  std::unique_ptr<WorkServices> work_;
  auth::Principal reporter_, other_reporter_, agent_, manager_, auditor_;
};

}  // namespace custos::incidents::testing
