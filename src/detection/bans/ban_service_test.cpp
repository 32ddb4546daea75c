#include "detection/bans/ban_service.hpp"
#include "detection/bans/recording_runner_test_support.hpp"

#include <gtest/gtest.h>

#include "store/scratch_database.hpp"

namespace custos::detection {
namespace {

using testing::RecordingRunner;

TEST(NftablesAction, BuildsArgumentVectorsForTimeoutSets) {
  RecordingRunner runner;
  NftablesAction nft(runner, "nft", "custos");
  nft.setup();
  ASSERT_EQ(runner.commands.size(), 7U);
  EXPECT_EQ(runner.commands[0], "nft add table inet custos");
  EXPECT_EQ(runner.commands[2],
            "nft add set inet custos banned_v4 '{ type ipv4_addr; flags timeout; }'");
  EXPECT_EQ(runner.commands[6], "nft add rule inet custos input ip6 saddr @banned_v6 drop");
  nft.ban({"sshd", *IpAddress::parse("2001:db8::1"), 600});
  EXPECT_EQ(runner.commands.back(),
            "nft add element inet custos banned_v6 '{ 2001:db8::1 timeout 600s }'");
  nft.unban({"sshd", *IpAddress::parse("192.0.2.1"), 0}, false);
  EXPECT_EQ(runner.commands.back(), "nft delete element inet custos banned_v4 '{ 192.0.2.1 }'");
  const auto before = runner.commands.size();
  nft.unban({"sshd", *IpAddress::parse("192.0.2.1"), 0}, true);  // the kernel already did it
  EXPECT_EQ(runner.commands.size(), before);
}

TEST(CommandAction, TemplatesStayOneArgumentEach) {
  const auto argv = CommandAction::expand(
      {"/usr/bin/block", "--ip={ip}", "{jail}", "{bantime}", "v{family}", "{unknown}"},
      {"sshd", *IpAddress::parse("192.0.2.7"), 3600});
  EXPECT_EQ(argv, (std::vector<std::string>{"/usr/bin/block", "--ip=192.0.2.7", "sshd", "3600",
                                            "v4", "{unknown}"}));
  EXPECT_THROW(
      (void)CommandAction::expand({"x", "{jail}"}, {"a b;rm", *IpAddress::parse("::1"), 1}),
      std::invalid_argument);
  EXPECT_EQ(shell_quoted({"logger", "a b", "it's"}), "logger 'a b' 'it'\\''s'");
}

class BanServiceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::Backend::postgres &&
        store::ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(GetParam(), "bans");
    db_ = store::open_database(scratch_->url());
    db_->migrate();
    jail_.name = "sshd";
    jail_.bantime = 600;
    jail_.bantime_factor = 2;
    jail_.bantime_max = 86400;
    command_.name = "notify";
    command_.ban = {"/usr/bin/notify", "ban", "{ip}", "{bantime}"};
    command_.unban = {"/usr/bin/notify", "unban", "{ip}"};
    make_service();
  }
  void make_service() {
    service_.reset();
    nft_ = std::make_unique<NftablesAction>(runner_, "nft", "custos");
    cmd_ = std::make_unique<CommandAction>(runner_, command_);
    service_ = std::make_unique<BanService>(
        *db_, audit_, std::map<std::string, JailConfig>{{"sshd", jail_}},
        std::map<std::string, std::vector<BanAction*>>{{"sshd", {nft_.get(), cmd_.get()}}},
        [this] { return now_ms_; });
  }
  BanRequest request(const std::string& address) {
    BanRequest r;
    r.jail = "sshd";
    r.address = *IpAddress::parse(address);
    r.failures = 5;
    r.user = "root";
    r.detected = std::chrono::steady_clock::now();
    return r;
  }
  std::int64_t audit_count(const std::string& action) {
    return db_->read_value([&](store::Connection& c) {
      return c.query_one("SELECT COUNT(*) FROM audit_log WHERE action = ?", {action})->i64(0);
    });
  }

  std::optional<store::ScratchDatabase> scratch_;
  std::unique_ptr<store::Database> db_;
  audit::AuditLog audit_{nullptr};
  RecordingRunner runner_;
  JailConfig jail_;
  CommandActionConfig command_;
  std::unique_ptr<NftablesAction> nft_;
  std::unique_ptr<CommandAction> cmd_;
  std::unique_ptr<BanService> service_;
  std::int64_t now_ms_ = 1'800'000'000'000;
};

TEST_P(BanServiceTest, ABanRunsItsActionsAndIsRecordedWithItsAuditEntry) {
  const auto ban = service_->apply(request("192.0.2.1"));
  ASSERT_TRUE(ban);
  EXPECT_EQ(ban->ban_number, 1);
  EXPECT_EQ(ban->expires_at, now_ms_ + 600'000);
  EXPECT_EQ(runner_.commands,
            (std::vector<std::string>{
                "nft add element inet custos banned_v4 '{ 192.0.2.1 timeout 600s }'",
                "/usr/bin/notify ban 192.0.2.1 600"}));
  EXPECT_EQ(audit_count("detection.ban"), 1);
  // Already banned: nothing more happens.
  EXPECT_FALSE(service_->apply(request("192.0.2.1")));
  EXPECT_EQ(runner_.commands.size(), 2U);
  const auto listed = service_->list({});
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].address, "192.0.2.1");
  EXPECT_EQ(listed[0].user, "root");
  EXPECT_TRUE(listed[0].active());
}

TEST_P(BanServiceTest, RepeatOffendersAreBannedLongerEachTime) {
  for (int n = 1; n <= 3; ++n) {
    const auto ban = service_->apply(request("2001:db8::5"));
    ASSERT_TRUE(ban);
    EXPECT_EQ(ban->ban_number, n);
    EXPECT_EQ(ban->expires_at - ban->banned_at, 600'000LL << (n - 1));
    now_ms_ = ban->expires_at;
    EXPECT_EQ(service_->expire_due(), 1);
  }
  EXPECT_EQ(service_->list({.active_only = false}).size(), 3U);
}

TEST_P(BanServiceTest, ExpiredBansAreLiftedOnTimeAndAudited) {
  service_->apply(request("192.0.2.2"));
  now_ms_ += 599'000;
  EXPECT_EQ(service_->expire_due(), 0);
  now_ms_ += 1'000;
  runner_.commands.clear();
  EXPECT_EQ(service_->expire_due(), 1);
  // nftables' timeout already dropped the element; the command action is told.
  EXPECT_EQ(runner_.commands, (std::vector<std::string>{"/usr/bin/notify unban 192.0.2.2"}));
  EXPECT_TRUE(service_->list({}).empty());
  const auto all = service_->list({.active_only = false});
  ASSERT_EQ(all.size(), 1U);
  EXPECT_EQ(all[0].lifted_by, "expiry");
  EXPECT_EQ(audit_count("detection.ban_expire"), 1);
  // The address may be banned again.
  EXPECT_TRUE(service_->apply(request("192.0.2.2")));
}

TEST_P(BanServiceTest, AnAdministratorLiftsABan) {
  const auto ban = service_->apply(request("192.0.2.3"));
  runner_.commands.clear();
  const auto lifted = service_->lift(ban->id, "user:admin", "our scanner");
  ASSERT_TRUE(lifted);
  EXPECT_FALSE(lifted->active());
  EXPECT_EQ(lifted->lifted_by, "user:admin");
  EXPECT_EQ(lifted->lift_reason, "our scanner");
  EXPECT_EQ(runner_.commands,
            (std::vector<std::string>{"nft delete element inet custos banned_v4 '{ 192.0.2.3 }'",
                                      "/usr/bin/notify unban 192.0.2.3"}));
  EXPECT_EQ(audit_count("detection.ban_lift"), 1);
  // Lifting again changes nothing; an unknown id is nothing.
  EXPECT_EQ(service_->lift(ban->id, "user:admin", "again")->lift_reason, "our scanner");
  EXPECT_EQ(audit_count("detection.ban_lift"), 1);
  EXPECT_FALSE(service_->lift(ban->id + 100, "user:admin", ""));
}

TEST_P(BanServiceTest, StartReappliesActiveBansWithTheirRemainingTime) {
  service_->apply(request("192.0.2.4"));
  service_->apply(request("192.0.2.5"));
  service_->lift(service_->list({})[0].id, "user:admin", "");  // 192.0.2.5, newest first
  now_ms_ += 100'000;
  make_service();  // a restart
  runner_.commands.clear();
  service_->start();
  service_->stop();
  ASSERT_EQ(runner_.commands.size(), 9U);
  EXPECT_EQ(runner_.commands[0], "nft add table inet custos");
  EXPECT_EQ(runner_.commands[7],
            "nft add element inet custos banned_v4 '{ 192.0.2.4 timeout 500s }'");
  EXPECT_EQ(runner_.commands[8], "/usr/bin/notify ban 192.0.2.4 500");
  // And still knows it is banned.
  EXPECT_FALSE(service_->apply(request("192.0.2.4")));
}

TEST_P(BanServiceTest, QueuedRequestsAreAppliedByTheWorker) {
  service_->start();
  service_->request(request("198.51.100.9"));
  for (int i = 0; i < 200 && service_->stats().bans == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  service_->stop();
  EXPECT_EQ(service_->stats().bans, 1U);
  EXPECT_LT(service_->stats().max_latency_ms, 1000.0);
}

// A notifying action: records what it was told, after the ban was recorded.
class RecordingNotifier : public BanAction {
 public:
  [[nodiscard]] const std::string& name() const override { return name_; }
  [[nodiscard]] bool enforces() const override { return false; }
  void ban(const BanTarget& t) override { told.push_back("ban " + t.event.value_or("-")); }
  void unban(const BanTarget& t, bool expired) override {
    told.push_back(std::string(expired ? "expire " : "lift ") + t.event.value_or("-"));
  }
  std::vector<std::string> told;
  std::string name_ = "notifier";
};

TEST_P(BanServiceTest, TheEventKeyIsKeptAndNotifyingActionsRunAfterTheRecordWithIt) {
  RecordingNotifier notifier;
  jail_.promote_after = 2;
  jail_.promote_window = 3600;
  service_ = std::make_unique<BanService>(
      *db_, audit_, std::map<std::string, JailConfig>{{"sshd", jail_}},
      std::map<std::string, std::vector<BanAction*>>{{"sshd", {nft_.get(), &notifier}}},
      [this] { return now_ms_; });
  std::vector<bool> promoted;
  service_->on_ban([&](store::Connection&, const Ban& b) -> std::optional<std::string> {
    promoted.push_back(b.promotion.has_value());
    return "EVT-" + std::to_string(b.ban_number);
  });
  const auto first = service_->apply(request("192.0.2.40"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "EVT-1");
  EXPECT_EQ(service_->get(first->id)->event, "EVT-1");
  ASSERT_TRUE(service_->lift(first->id, "user:admin", "test"));
  now_ms_ += 1000;
  const auto second = service_->apply(request("192.0.2.40"));
  ASSERT_TRUE(second);
  now_ms_ = second->expires_at;
  EXPECT_EQ(service_->expire_due(), 1);
  // An hour and more later the count starts afresh: the third ban alone is below the rule.
  now_ms_ += 3600'000;
  ASSERT_TRUE(service_->apply(request("192.0.2.40")));
  EXPECT_EQ(promoted, (std::vector<bool>{false, true, false}));
  EXPECT_EQ(notifier.told, (std::vector<std::string>{"ban EVT-1", "lift EVT-1", "ban EVT-2",
                                                     "expire EVT-2", "ban EVT-3"}));
  // Start-up re-applies active bans through the enforcing actions only.
  const auto told = notifier.told.size();
  service_->start();
  service_->stop();
  EXPECT_EQ(notifier.told.size(), told);
}

// "Postgres/…" so that the PostgreSQL run of the unit tests (filter Postgres*) picks them up.
INSTANTIATE_TEST_SUITE_P(Sqlite, BanServiceTest, ::testing::Values(store::Backend::sqlite));
INSTANTIATE_TEST_SUITE_P(Postgres, BanServiceTest, ::testing::Values(store::Backend::postgres));

}  // namespace
}  // namespace custos::detection
