// A ban's security event promoted by a jail's rule: exactly one incident, later bans as worklog
// entries while it is open, and a person deciding the event at the same moment finds it decided.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>

#include "audit/audit_log.hpp"
#include "events/system_reports.hpp"
#include "incidents/categories.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/settings.hpp"
#include "incidents/worklog.hpp"
#include "store/scratch_database.hpp"
#include "util/time.hpp"

namespace custos::events {
namespace {

class BanPromotionTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::Backend::postgres &&
        store::ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(GetParam(), "ban_promotion");
    db_ = store::open_database(scratch_->url());
    db_->migrate();
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-ban-promotion-test-" + std::to_string(::getpid()));
    audit_ = std::make_unique<audit::AuditLog>(nullptr);
    categories_ = std::make_unique<incidents::Categories>(*db_, *audit_);
    categories_->seed_builtin();
    settings_ = std::make_unique<incidents::Settings>(*db_, *audit_);
    settings_->load();
    incidents_ =
        std::make_unique<incidents::IncidentService>(*db_, *audit_, *categories_, *settings_);
    worklog_ = std::make_unique<incidents::Worklog>(*db_, *audit_);
    reports_ = std::make_unique<Reports>(*db_, *audit_, incidents::BlobStore(dir_), "example.org",
                                         1 << 20);
    triage_ = std::make_unique<Triage>(*db_, *audit_, *categories_, *incidents_, *worklog_,
                                       "example.org");
    promotion_.reason = "Rule of jail sshd: 2 bans of this address within 1 h (promote_after = 2).";
    promotion_.category = "intrusion-attempt";
    promotion_.subcategory = "brute-force";
    promotion_.impact = "moderate";
    promotion_.urgency = "high";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string record(store::Connection& c, int number, bool promote) {
    const auto now = util::now_ms();
    return record_ban(c, *reports_, *triage_, *worklog_,
                      {"sshd", "203.0.113.9", now, now + 3'600'000, number, 5, "root"},
                      promote ? std::optional(promotion_) : std::nullopt);
  }
  std::int64_t count(const std::string& sql) {
    return db_->read_value([&](store::Connection& c) { return c.query_one(sql)->i64(0); });
  }

  std::optional<store::ScratchDatabase> scratch_;
  std::unique_ptr<store::Database> db_;
  std::filesystem::path dir_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<incidents::Categories> categories_;
  std::unique_ptr<incidents::Settings> settings_;
  std::unique_ptr<incidents::IncidentService> incidents_;
  std::unique_ptr<incidents::Worklog> worklog_;
  std::unique_ptr<Reports> reports_;
  std::unique_ptr<Triage> triage_;
  PromoteInput promotion_;
};

TEST_P(BanPromotionTest, OneIncidentAndWorklogEntriesWhileItIsOpen) {
  const auto key = db_->write_value([&](store::Connection& c) { return record(c, 1, true); });
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE status = 'promoted' AND incident_id IS NOT "
                  "NULL AND decided_by IS NULL"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents WHERE reporter_id IS NULL AND source = "
                  "'detection' AND category = 'intrusion-attempt'"),
            1);
  for (int n = 2; n <= 3; ++n) {
    EXPECT_EQ(db_->write_value([&](store::Connection& c) { return record(c, n, true); }), key);
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM worklog WHERE author_id IS NULL AND body LIKE 'Banned "
                  "again: ban #%'"),
            2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE actor = 'system:detection' AND action IN "
                  "('event.promote', 'incident.create')"),
            2);
}

TEST_P(BanPromotionTest, APersonDecidingAtTheSameMomentFindsItDecided) {
  const auto key = db_->write_value([&](store::Connection& c) { return record(c, 1, false); });
  const auto id = *parse_event_key(key);
  db_->write([](store::Connection& c) {
    c.execute(
        "INSERT INTO users (username, display_name, roles, password_hash, created_at, "
        "updated_at) VALUES ('sam', 'Sam', 'security_manager', 'x', 0, 0)");
  });
  auth::Principal sam;
  sam.user_id = db_->read_value(
      [](store::Connection& c) { return c.query_one("SELECT id FROM users")->i64(0); });
  sam.username = "sam";
  sam.roles = auth::RoleSet{auth::Role::security_manager};

  std::atomic<bool> in_ban{false};
  std::thread ban([&] {
    db_->write([&](store::Connection& c) {
      record(c, 2, true);
      in_ban = true;
      // The person decides while the ban's transaction is still open.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    });
  });
  while (!in_ban) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  bool conflict = false;
  try {
    triage_->dismiss(id, {"false_positive", "our scanner", std::nullopt}, sam);
  } catch (const EventError& e) {
    conflict = e.refusal == EventRefusal::conflict;
  }
  ban.join();
  EXPECT_TRUE(conflict) << "the person's decision must lose to the one already taken";
  EXPECT_EQ(count("SELECT COUNT(*) FROM incidents"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE status = 'promoted'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'event.dismiss'"), 0);
}

// "Postgres/…" so that the PostgreSQL run of the unit tests (filter Postgres*) picks them up.
INSTANTIATE_TEST_SUITE_P(Sqlite, BanPromotionTest, ::testing::Values(store::Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, BanPromotionTest, ::testing::Values(store::Backend::postgres));

}  // namespace
}  // namespace custos::events
