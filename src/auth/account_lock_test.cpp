#include "auth/account_lock.hpp"

#include <gtest/gtest.h>

#include "audit/audit_log.hpp"
#include "store/scratch_database.hpp"

namespace custos::auth {
namespace {

class AccountLockTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::Backend::postgres &&
        store::ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(GetParam(), "account_lock");
    db_ = store::open_database(scratch_->url());
    db_->migrate();
    db_->write([](store::Connection& c) {
      c.execute(
          "INSERT INTO users (username, display_name, roles, password_hash, created_at, "
          "updated_at) VALUES ('victor', 'Victor', 'agent', 'x', 0, 0)");
    });
  }
  std::int64_t locked_until(const std::string& subject) {
    return db_->read_value([&](store::Connection& c) {
      auto r = c.query_one(
          "SELECT locked_until FROM login_throttle WHERE kind = 'account' AND subject = ?",
          {subject});
      return r ? r->i64(0) : -1;
    });
  }
  bool lock(const std::string& user, std::int64_t until) {
    return db_->write_value([&](store::Connection& c) {
      return lock_account(c, audit_, user, until, kNow, "system:detection", {{"jail", "x"}});
    });
  }
  bool unlock(const std::string& user, std::int64_t until) {
    return db_->write_value([&](store::Connection& c) {
      return unlock_account(c, audit_, user, until, kNow, "system:detection", {});
    });
  }

  static constexpr std::int64_t kNow = 1'800'000'000'000;
  std::optional<store::ScratchDatabase> scratch_;
  std::unique_ptr<store::Database> db_;
  audit::AuditLog audit_{nullptr};
};

TEST_P(AccountLockTest, LocksKnownAccountsOnlyAndKeepsALongerLock) {
  EXPECT_FALSE(lock("ghost", kNow + 60'000));
  EXPECT_EQ(locked_until("ghost"), -1);
  EXPECT_TRUE(lock("Victor", kNow + 60'000));  // names are matched as sign-in does
  EXPECT_EQ(locked_until("victor"), kNow + 60'000);
  EXPECT_TRUE(lock("victor", kNow + 30'000));  // a shorter lock does not shorten it
  EXPECT_EQ(locked_until("victor"), kNow + 60'000);
  // A lift for the shorter ban leaves the longer lock alone; the longer ban's lift ends it.
  EXPECT_FALSE(unlock("victor", kNow + 30'000));
  EXPECT_EQ(locked_until("victor"), kNow + 60'000);
  EXPECT_TRUE(unlock("victor", kNow + 60'000));
  EXPECT_EQ(locked_until("victor"), 0);
  EXPECT_FALSE(unlock("victor", kNow + 60'000));
  const auto audited = db_->read_value([](store::Connection& c) {
    return c
        .query_one(
            "SELECT COUNT(*) FROM audit_log WHERE actor = 'system:detection' AND object_id ="
            " 'victor' AND action IN ('auth.lockout', 'auth.unlock')")
        ->i64(0);
  });
  EXPECT_EQ(audited, 3);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, AccountLockTest, ::testing::Values(store::Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, AccountLockTest, ::testing::Values(store::Backend::postgres));

}  // namespace
}  // namespace custos::auth
