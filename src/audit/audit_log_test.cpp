#include "audit/audit_log.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "audit/signing_key.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace custos::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-audit-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = std::make_unique<store::SqliteDatabase>(dir_ / "a.db", store::DatabaseOptions{});
    db_->migrate();
    key_.emplace(SigningKey::load_or_create(dir_ / "key"));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  void append(const AuditLog& log, int n) {
    db_->write([&](store::Connection& c) {
      for (int i = 0; i < n; ++i) {
        log.append(c, {"user:alice", "thing.change", "thing", std::to_string(i), {{"after", i}}});
      }
    });
  }
  void tamper(const std::string& sql) {
    db_->write([&](store::Connection& c) {
      c.execute_script(
          "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS "
          "audit_log_no_delete;");
      c.execute_script(sql);
    });
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDatabase> db_;
  std::optional<SigningKey> key_;
};

TEST_F(AuditLogTest, ChainsEntriesAndSignsCheckpoints) {
  AuditLog log(&*key_, 10);
  append(log, 25);
  auto report = AuditLog::verify(*db_, key_->public_key_hex());
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.entries, 25);
  EXPECT_EQ(report.checkpoints, 2);  // at 10 and 20
  db_->write([&](store::Connection& c) { EXPECT_TRUE(log.checkpoint(c)); });
  db_->write([&](store::Connection& c) { EXPECT_FALSE(log.checkpoint(c)); });  // nothing new
  EXPECT_EQ(AuditLog::verify(*db_, key_->public_key_hex()).checkpoints, 3);
}

TEST_F(AuditLogTest, DetectsAnAlteredDetail) {
  AuditLog log(&*key_, 1000);
  append(log, 20);
  tamper("UPDATE audit_log SET detail = '{\"after\":999}' WHERE seq = 7");
  auto report = AuditLog::verify(*db_, "");
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 7);
}

TEST_F(AuditLogTest, DetectsADeletedEntry) {
  AuditLog log(&*key_, 1000);
  append(log, 20);
  tamper("DELETE FROM audit_log WHERE seq = 12");
  auto report = AuditLog::verify(*db_, "");
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 12);
}

TEST_F(AuditLogTest, DetectsTruncationBehindACheckpoint) {
  AuditLog log(&*key_, 1000);
  append(log, 20);
  db_->write([&](store::Connection& c) { log.checkpoint(c); });
  tamper("DELETE FROM audit_log WHERE seq > 15");
  auto report = AuditLog::verify(*db_, key_->public_key_hex());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 16);
}

// Verification reads pages of 20000 and hashes batches of 4096 on another thread: a chain
// longer than both, broken near a boundary, early, and not at all.
TEST_F(AuditLogTest, VerifiesLongChainsAcrossPagesAndBatches) {
  AuditLog log(&*key_, 5000);
  for (int i = 0; i < 5; ++i) append(log, 5000);
  auto intact = AuditLog::verify(*db_, key_->public_key_hex());
  EXPECT_TRUE(intact.ok) << intact.problem;
  EXPECT_EQ(intact.entries, 25000);
  EXPECT_EQ(intact.last_seq, 25000);

  tamper("UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 20001");
  auto late = AuditLog::verify(*db_, "");
  EXPECT_FALSE(late.ok);
  EXPECT_EQ(late.first_bad_seq, 20001);

  tamper("DELETE FROM audit_log WHERE seq = 4097");
  auto early = AuditLog::verify(*db_, "");
  EXPECT_FALSE(early.ok);
  EXPECT_EQ(early.first_bad_seq, 4097);
  EXPECT_EQ(early.entries, 4096);
}

TEST_F(AuditLogTest, ListsNewestFirstWithFiltersAndCursor) {
  AuditLog log(&*key_, 1000);
  append(log, 10);
  db_->write([&](store::Connection& c) { log.append(c, {"user:bob", "other", "x", "1", {}}); });
  db_->read([&](store::Connection& c) {
    AuditFilter f;
    f.actor = "user:alice";
    f.limit = 3;
    auto page = AuditLog::list(c, f);
    ASSERT_EQ(page.size(), 3U);
    EXPECT_EQ(page[0].seq, 10);
    f.before_seq = page.back().seq;
    auto next = AuditLog::list(c, f);
    EXPECT_EQ(next[0].seq, 7);
    AuditFilter by_action;
    by_action.action = "other";
    EXPECT_EQ(AuditLog::list(c, by_action).size(), 1U);
  });
}

}  // namespace
}  // namespace custos::audit
