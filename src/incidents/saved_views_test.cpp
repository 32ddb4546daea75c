#include "incidents/saved_views.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "audit/audit_log.hpp"
#include "store/sqlite/sqlite_database.hpp"

namespace custos::incidents {
namespace {

TEST(ViewQuery, AcceptsWhatTheIncidentListAccepts) {
  EXPECT_FALSE(view_query_problem(""));
  EXPECT_FALSE(view_query_problem("?"));
  EXPECT_FALSE(view_query_problem("status=new,assigned&priority=P1,2&assignee=me&sort=-updated"));
  EXPECT_FALSE(view_query_problem("?q=vpn+down&major=true&restricted=false&limit=200"));
  EXPECT_FALSE(view_query_problem(
      "created_since=2026-01-01T00:00:00Z&created_until=2026-02-01T00:00:00%2B01:00"));
  EXPECT_FALSE(view_query_problem("group=soc-l1&reporter=alice&category=malware&"));
  EXPECT_FALSE(view_query_problem("st%61tus=new"));  // names are decoded like the server does
}

TEST(ViewQuery, NamesWhatIsWrong) {
  auto problem = [](std::string_view q) { return view_query_problem(q).value_or("(accepted)"); };
  EXPECT_NE(problem("stauts=new").find("'stauts' is not a parameter"), std::string::npos);
  EXPECT_NE(problem("cursor=abc").find("'cursor' is not a parameter"), std::string::npos);
  EXPECT_NE(problem("status=new&status=closed").find("more than once"), std::string::npos);
  EXPECT_NE(problem("status=open").find("status: 'open'"), std::string::npos);
  EXPECT_NE(problem("priority=P5").find("priority:"), std::string::npos);
  EXPECT_NE(problem("major=yes").find("major:"), std::string::npos);
  EXPECT_NE(problem("created_since=yesterday").find("created_since:"), std::string::npos);
  EXPECT_NE(problem("sort=title").find("sort:"), std::string::npos);
  EXPECT_NE(problem("limit=0").find("limit:"), std::string::npos);
  EXPECT_NE(problem("limit=201").find("limit:"), std::string::npos);
  EXPECT_NE(problem("q=%zz").find("%-escape"), std::string::npos);
  EXPECT_NE(problem("q=%ff").find("UTF-8"), std::string::npos);
  EXPECT_NE(problem("q=a%0Ab").find("control"), std::string::npos);
  EXPECT_NE(problem("q=" + std::string(201, 'a')).find("q:"), std::string::npos);
  EXPECT_NE(problem(std::string(2049, 'a')).find("2048"), std::string::npos);
}

class SavedViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-views-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = std::make_unique<store::SqliteDatabase>(dir_ / "v.db", store::DatabaseOptions{});
    db_->migrate();
    audit_ = std::make_unique<audit::AuditLog>(nullptr);
    views_ = std::make_unique<SavedViews>(*db_, *audit_);
    alice_ = add_user("alice");
    bob_ = add_user("bob");
  }
  void TearDown() override {
    views_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  auth::Principal add_user(const std::string& name) {
    auth::Principal p;
    p.username = name;
    p.roles = {auth::Role::agent};
    db_->write([&](store::Connection& c) {
      p.user_id =
          c.query_one(
               "INSERT INTO users (username, display_name, roles, password_hash, created_at,"
               " updated_at) VALUES (?, ?, 'agent', 'x', 0, 0) RETURNING id",
               {name, name})
              ->i64(0);
    });
    return p;
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteDatabase> db_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<SavedViews> views_;
  auth::Principal alice_, bob_;
};

TEST_F(SavedViewsTest, EachUserSeesAndDeletesOnlyTheirOwn) {
  auto mine = views_->create(alice_, "My P1s", "?priority=1&assignee=me");
  EXPECT_EQ(mine.query, "priority=1&assignee=me");  // stored without the '?'
  views_->create(alice_, "Another", "");
  views_->create(bob_, "My P1s", "priority=1");  // names are per user

  auto list = views_->list(alice_);
  ASSERT_EQ(list.size(), 2U);
  EXPECT_EQ(list[0].name, "Another");  // by name
  EXPECT_EQ(views_->list(bob_).size(), 1U);

  EXPECT_FALSE(views_->remove(bob_, mine.id));  // not bob's
  EXPECT_EQ(views_->list(alice_).size(), 2U);
  EXPECT_TRUE(views_->remove(alice_, mine.id));
  EXPECT_FALSE(views_->remove(alice_, mine.id));
  EXPECT_EQ(views_->list(alice_).size(), 1U);
}

TEST_F(SavedViewsTest, RefusesBadNamesQueriesAndDuplicates) {
  views_->create(alice_, "Open", "status=new");
  EXPECT_THROW(views_->create(alice_, "Open", "status=assigned"), SavedViewConflict);
  try {
    views_->create(alice_, "Typo", "stauts=new");
    FAIL();
  } catch (const SavedViewError& e) {
    EXPECT_EQ(e.field, "query");
  }
  EXPECT_THROW(views_->create(alice_, "   ", ""), SavedViewError);
  EXPECT_THROW(views_->create(alice_, std::string(101, 'n'), ""), SavedViewError);
  EXPECT_THROW(views_->create(alice_, "tab\there", ""), SavedViewError);
  EXPECT_EQ(views_->list(alice_).size(), 1U);
}

TEST_F(SavedViewsTest, KeepsAtMostAHundredPerUser) {
  for (int i = 0; i < kMaxViewsPerUser; ++i) views_->create(alice_, "v" + std::to_string(i), "");
  EXPECT_THROW(views_->create(alice_, "one more", ""), SavedViewConflict);
  EXPECT_NO_THROW(views_->create(bob_, "one more", ""));
}

}  // namespace
}  // namespace custos::incidents
