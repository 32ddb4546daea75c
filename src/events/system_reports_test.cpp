#include "events/system_reports.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "audit/audit_log.hpp"
#include "store/scratch_database.hpp"

namespace custos::events {
namespace {

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kT0 = 1'795'000'000'000;  // 2026-11-18

class SystemReportsTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::Backend::postgres &&
        store::ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(GetParam(), "system_reports");
    db_ = store::open_database(scratch_->url());
    db_->migrate();
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-system-reports-test-" + std::to_string(::getpid()));
    audit_ = std::make_unique<audit::AuditLog>(nullptr);
    reports_ = std::make_unique<Reports>(*db_, *audit_, incidents::BlobStore(dir_), "example.org",
                                         1 << 20);
  }
  void TearDown() override {
    reports_.reset();
    db_.reset();
    scratch_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  BanEventResult ban(const std::string& jail, const std::string& address, std::int64_t at,
                     int number, std::optional<std::string> user = "root") {
    BanEventResult out;
    db_->write([&](store::Connection& c) {
      out = report_ban(c, *reports_, {jail, address, at, at + kHour, number, 5, user});
    });
    return out;
  }
  std::int64_t count(const std::string& sql) {
    std::int64_t n = 0;
    db_->read([&](store::Connection& c) { n = c.query_one(sql)->i64(0); });
    return n;
  }

  std::optional<store::ScratchDatabase> scratch_;
  std::unique_ptr<store::Database> db_;
  std::filesystem::path dir_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<Reports> reports_;
};

TEST_P(SystemReportsTest, OneOpenEventPerJailAndAddressWithinADay) {
  const auto first = ban("sshd", "203.0.113.7", kT0, 1);
  EXPECT_TRUE(first.opened);
  EXPECT_EQ(first.event.title, "sshd: repeated authentication failures from 203.0.113.7");
  EXPECT_EQ(first.event.channel, "detection");
  EXPECT_EQ(first.event.kind, "event");
  EXPECT_TRUE(first.event.system_report());
  EXPECT_EQ(first.event.observed_at.value_or(0), kT0);

  const auto again = ban("sshd", "203.0.113.7", kT0 + 2 * kHour, 2);
  EXPECT_FALSE(again.opened);
  EXPECT_EQ(again.event.id, first.event.id);
  EXPECT_EQ(again.event.updated_at, kT0 + 2 * kHour);
  const auto third = ban("sshd", "203.0.113.7", kT0 + 3 * kHour, 3);
  EXPECT_EQ(third.event.id, first.event.id);
  std::string last_note;
  db_->read([&](store::Connection& c) {
    last_note = c.query_one("SELECT body FROM event_notes ORDER BY id DESC LIMIT 1")->str(0);
  });
  EXPECT_NE(last_note.find("ban #3 of 203.0.113.7 in jail sshd"), std::string::npos) << last_note;
  EXPECT_NE(last_note.find("Bans since this report: 3"), std::string::npos) << last_note;

  // Another address, another jail: their own events.
  EXPECT_TRUE(ban("sshd", "198.51.100.23", kT0, 1).opened);
  EXPECT_TRUE(ban("dovecot", "203.0.113.7", kT0, 1).opened);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 3);
  EXPECT_EQ(count("SELECT COUNT(*) FROM event_notes"), 2);

  // A day after the event was opened, the next ban opens a new one.
  const auto later = ban("sshd", "203.0.113.7", kT0 + 25 * kHour, 4);
  EXPECT_TRUE(later.opened);
  EXPECT_NE(later.event.id, first.event.id);
}

TEST_P(SystemReportsTest, ADecidedEventIsNotReopenedNorAPersonsReportUsed) {
  const auto first = ban("sshd", "203.0.113.7", kT0, 1);
  db_->write([&](store::Connection& c) {
    c.execute("UPDATE events SET status = 'dismissed' WHERE id = ?", {first.event.id});
  });
  const auto next = ban("sshd", "203.0.113.7", kT0 + kHour, 2);
  EXPECT_TRUE(next.opened);
  EXPECT_NE(next.event.id, first.event.id);
  db_->write([&](store::Connection& c) {
    c.execute("UPDATE events SET status = 'triaging' WHERE id = ?", {next.event.id});
  });
  EXPECT_EQ(ban("sshd", "203.0.113.7", kT0 + 2 * kHour, 3).event.id, next.event.id);

  // A person's report with the same words (through the API, with a reporter) is not custos's.
  db_->write([&](store::Connection& c) {
    NewReport r;
    r.channel = "detection";
    r.title = ban_event_title("nginx", "192.0.2.1");
    r.description = "seen by our own monitoring";
    reports_->create(c, r, {std::nullopt, std::string("soc@example.org"), "email:soc"}, {},
                     std::nullopt, kT0);
  });
  EXPECT_TRUE(ban("nginx", "192.0.2.1", kT0 + kHour, 1).opened);
}

TEST_P(SystemReportsTest, HostileUserNamesNeverStopABan) {
  // The user name comes from the log line: control characters, invalid UTF-8, any length.
  const auto r = ban("sshd", "203.0.113.9", kT0, 1,
                     std::string("ro\x01ot\n\xff\xfe") + std::string(5000, 'x'));
  EXPECT_TRUE(r.opened);
  EXPECT_NE(r.event.observed.find("(user name ro?ot???xxx"), std::string::npos) << r.event.observed;
  EXPECT_LT(r.event.observed.size(), 300U);
  EXPECT_TRUE(ban("sshd", "203.0.113.10", kT0, 1, std::nullopt).opened);
}

INSTANTIATE_TEST_SUITE_P(Backends, SystemReportsTest,
                         ::testing::Values(store::Backend::sqlite, store::Backend::postgres),
                         [](const auto& info) {
                           return info.param == store::Backend::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace custos::events
