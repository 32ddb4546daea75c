// A reload of the rules as the ban service sees it: new jails and actions for the bans to come,
// while a removed jail's active ban still runs out through the actions it had.
#include <gtest/gtest.h>

#include "detection/bans/ban_service.hpp"
#include "detection/bans/recording_runner_test_support.hpp"
#include "store/scratch_database.hpp"

namespace custos::detection {
namespace {

using testing::RecordingRunner;

JailConfig jail(const std::string& name, std::int64_t bantime) {
  JailConfig j;
  j.name = name;
  j.bantime = bantime;
  j.bantime_max = 86400;
  return j;
}

BanRequest request(const std::string& jail, const std::string& address) {
  BanRequest r;
  r.jail = jail;
  r.address = *IpAddress::parse(address);
  r.failures = 3;
  r.detected = std::chrono::steady_clock::now();
  return r;
}

TEST(BanServiceReload, NewJailsBanWithTheirSettingsAndARemovedJailsBanRunsOut) {
  store::ScratchDatabase scratch(store::Backend::sqlite, "ban-reload");
  auto db = store::open_database(scratch.url());
  db->migrate();
  audit::AuditLog audit(nullptr);
  RecordingRunner runner;
  CommandAction old_command(
      runner, {"old-notify", {"/bin/old", "ban", "{ip}"}, {"/bin/old", "unban", "{ip}"}});
  CommandAction new_command(runner, {"new-notify", {"/bin/new", "ban", "{ip}"}, {}});
  std::int64_t now = 1'800'000'000'000;
  BanService service(*db, audit, {{"old", jail("old", 60)}}, {{"old", {&old_command}}},
                     [&] { return now; });

  ASSERT_TRUE(service.apply(request("old", "192.0.2.1")));
  EXPECT_EQ(runner.commands.back(), "/bin/old ban 192.0.2.1");

  service.reconfigure({{"new", jail("new", 600)}}, {{"new", {&new_command}}});
  EXPECT_EQ(service.active_by_jail(), (std::map<std::string, std::size_t>{{"old", 1}}));
  EXPECT_FALSE(service.apply(request("old", "192.0.2.2"))) << "a removed jail bans no more";
  const auto ban = service.apply(request("new", "192.0.2.3"));
  ASSERT_TRUE(ban);
  EXPECT_EQ(ban->expires_at - ban->banned_at, 600'000);
  EXPECT_EQ(runner.commands.back(), "/bin/new ban 192.0.2.3");

  now += 61'000;  // the old jail's ban is up; it is lifted through the action it had
  EXPECT_EQ(service.expire_due(), 1);
  EXPECT_EQ(runner.commands.back(), "/bin/old unban 192.0.2.1");
  EXPECT_EQ(service.active_by_jail(), (std::map<std::string, std::size_t>{{"new", 1}}));
}

}  // namespace
}  // namespace custos::detection
