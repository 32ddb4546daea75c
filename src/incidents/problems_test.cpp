#include "incidents/problems.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "audit/audit_log.hpp"
#include "store/database.hpp"
#include "store/scratch_database.hpp"

namespace custos::incidents {
namespace {

using PS = ProblemStatus;

// ---- Pure rules ----------------------------------------------------------------------------

TEST(ProblemKey, FormatsAndParses) {
  EXPECT_EQ(problem_key(123), "PRB-000123");
  EXPECT_EQ(problem_key(1234567), "PRB-1234567");
  EXPECT_EQ(parse_problem_key("PRB-000123"), 123);
  EXPECT_EQ(parse_problem_key("prb-7"), 7);
  EXPECT_FALSE(parse_problem_key("INC-000123"));
  EXPECT_FALSE(parse_problem_key("PRB-"));
  EXPECT_FALSE(parse_problem_key("PRB-0"));
  EXPECT_FALSE(parse_problem_key("PRB-12x"));
  EXPECT_FALSE(parse_problem_key("PRB--5"));
}

TEST(ProblemStatusNames, RoundTrip) {
  for (auto s : kAllProblemStatuses) EXPECT_EQ(parse_problem_status(problem_status_name(s)), s);
  EXPECT_FALSE(parse_problem_status("known-error"));
  EXPECT_FALSE(parse_problem_status("NEW"));
}

TEST(ProblemLifecycle, FollowsTheTable) {
  EXPECT_EQ(problem_targets(PS::new_), std::vector<PS>{PS::investigating});
  EXPECT_EQ(problem_targets(PS::investigating), (std::vector<PS>{PS::known_error, PS::resolved}));
  EXPECT_EQ(problem_targets(PS::known_error), std::vector<PS>{PS::resolved});
  EXPECT_EQ(problem_targets(PS::resolved), (std::vector<PS>{PS::closed, PS::investigating}));
  EXPECT_TRUE(problem_targets(PS::closed).empty());
}

TEST(ProblemLifecycle, RefusesEdgesNotInTheTableWithTheAllowedTargets) {
  auto v = check_problem_transition(PS::new_, PS::resolved, "cause", "workaround");
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.refusal, ProblemRefusal::invalid_transition);
  EXPECT_EQ(v.allowed_targets, std::vector<PS>{PS::investigating});
  EXPECT_NE(v.problem.find("new to resolved"), std::string::npos);

  v = check_problem_transition(PS::investigating, PS::investigating, "", "");
  EXPECT_EQ(v.refusal, ProblemRefusal::invalid_transition);
  EXPECT_NE(v.problem.find("already"), std::string::npos);

  v = check_problem_transition(PS::closed, PS::investigating, "cause", "");
  EXPECT_EQ(v.refusal, ProblemRefusal::invalid_transition);
  EXPECT_TRUE(v.allowed_targets.empty());

  v = check_problem_transition(PS::known_error, PS::closed, "cause", "w");
  EXPECT_EQ(v.refusal, ProblemRefusal::invalid_transition);  // resolve first
}

TEST(ProblemLifecycle, KnownErrorNeedsAWorkaroundButNotYetTheRootCause) {
  auto v = check_problem_transition(PS::investigating, PS::known_error, "", "");
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.refusal, ProblemRefusal::missing_input);
  EXPECT_EQ(v.field, "workaround");
  v = check_problem_transition(PS::investigating, PS::known_error, "", " \n\t ");
  EXPECT_EQ(v.field, "workaround");  // blank is not a workaround
  EXPECT_TRUE(
      check_problem_transition(PS::investigating, PS::known_error, "", "restart it").allowed);
}

TEST(ProblemLifecycle, ResolvingNeedsTheRootCause) {
  auto v = check_problem_transition(PS::known_error, PS::resolved, "  ", "restart it");
  EXPECT_EQ(v.refusal, ProblemRefusal::missing_input);
  EXPECT_EQ(v.field, "root_cause");
  v = check_problem_transition(PS::investigating, PS::resolved, "", "");
  EXPECT_EQ(v.field, "root_cause");
  EXPECT_TRUE(check_problem_transition(PS::investigating, PS::resolved, "leak", "").allowed);
  EXPECT_TRUE(check_problem_transition(PS::resolved, PS::closed, "leak", "").allowed);
  EXPECT_TRUE(check_problem_transition(PS::resolved, PS::investigating, "leak", "").allowed);
}

TEST(ProblemAccess, ReportersDoNotSeeProblems) {
  using auth::Role;
  EXPECT_FALSE(can_read_problems({Role::reporter}));
  EXPECT_FALSE(can_read_problems({}));
  for (auto r :
       {Role::agent, Role::incident_manager, Role::security_manager, Role::auditor, Role::admin}) {
    EXPECT_TRUE(can_read_problems({r})) << auth::role_name(r);
  }
  EXPECT_TRUE(can_read_problems({Role::reporter, Role::auditor}));
}

TEST(SuggestWords, DropsShortWordsStopWordsAndRepeats) {
  EXPECT_EQ(meaningful_words("The VPN is down for all of us"),
            (std::vector<std::string>{"vpn", "down"}));
  EXPECT_EQ(meaningful_words("Outlook: outlook OUTLOOK crashes"),
            (std::vector<std::string>{"outlook", "crashes"}));
  EXPECT_TRUE(meaningful_words("it is an ox").empty());
  EXPECT_TRUE(meaningful_words("").empty());
  // Characters, not bytes: "été" is three letters.
  EXPECT_EQ(meaningful_words("été au"), std::vector<std::string>{"été"});
  EXPECT_EQ(meaningful_words("alpha beta gamma delta epsilon zeta theta iota kappa lambda").size(),
            kMaxSuggestWords);
}

// ---- Service on SQLite, and on PostgreSQL when CUSTOS_TEST_POSTGRES_URL is set -------------

class ProblemServiceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::Backend::postgres &&
        store::ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(GetParam(), "problems");
    db_ = store::open_database(scratch_->url());
    db_->migrate();
    audit_ = std::make_unique<audit::AuditLog>(nullptr);
    service_ = std::make_unique<ProblemService>(*db_, *audit_);
    agent_ = add_user("alice", "agent");
    other_agent_ = add_user("bob", "agent");
    reporter_ = add_user("rita", "reporter");
    db_->write([&](store::Connection& c) {
      c.execute("INSERT INTO categories (code, name) VALUES ('malware', 'Malware')");
      c.execute(
          "INSERT INTO support_groups (id, name, display_name, level, created_at, updated_at)"
          " VALUES (1, 'soc', 'SOC', 1, 0, 0)");
    });
  }
  void TearDown() override {
    service_.reset();
    db_.reset();
    scratch_.reset();
  }

  auth::Principal add_user(const std::string& name, const std::string& roles) {
    auth::Principal p;
    p.username = name;
    p.roles = auth::RoleSet::from_csv(roles);
    db_->write([&](store::Connection& c) {
      p.user_id =
          c.query_one(
               "INSERT INTO users (username, display_name, roles, password_hash, created_at,"
               " updated_at) VALUES (?, ?, ?, 'x', 0, 0) RETURNING id",
               {name, name, roles})
              ->i64(0);
    });
    return p;
  }

  std::int64_t add_incident(const std::string& title, bool restricted) {
    return db_->write_value([&](store::Connection& c) {
      return c
          .query_one(
              "INSERT INTO incidents (title, category, impact, urgency, priority, matrix_version,"
              " source, reporter_id, group_id, status, restricted, reported_at, sla_policy_version,"
              " sla_calendar, response_target_ms, resolution_target_ms, created_at, updated_at)"
              " VALUES (?, 'malware', 'minor', 'low', 4, 1, 'api', ?, 1, 'new', ?, 0, 1, '24x7',"
              " 1, 1, 0, 0) RETURNING id",
              {title, reporter_.user_id, std::int64_t{restricted}})
          ->i64(0);
    });
  }

  // A problem moved to `status` with the text each step needs.
  Problem problem(const std::string& title, const std::string& description, PS status,
                  const std::string& workaround = "do this meanwhile") {
    ProblemFields f;
    f.title = title;
    f.description = description;
    auto p = service_->create(f, agent_);
    auto go = [&](PS to) {
      ProblemTransitionInput in;
      in.to = to;
      if (to == PS::known_error) in.workaround = workaround;
      if (to == PS::resolved) in.root_cause = "found it";
      p = *service_->transition(p.id, in, agent_);
    };
    if (status == PS::new_) return p;
    go(PS::investigating);
    if (status == PS::investigating) return p;
    if (status != PS::resolved || !workaround.empty()) go(PS::known_error);
    if (status == PS::known_error) return p;
    go(PS::resolved);
    if (status == PS::resolved) return p;
    go(PS::closed);
    return p;
  }

  std::vector<std::string> suggested(const std::string& text, int limit = 5) {
    std::vector<std::string> titles;
    for (const auto& s : service_->suggest(text, limit)) titles.push_back(s.title);
    return titles;
  }

  std::int64_t audit_count(const std::string& action) {
    return db_->read_value([&](store::Connection& c) {
      return c.query_one("SELECT COUNT(*) FROM audit_log WHERE action = ?", {action})->i64(0);
    });
  }

  std::optional<store::ScratchDatabase> scratch_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<ProblemService> service_;
  auth::Principal agent_, other_agent_, reporter_;
};

TEST_P(ProblemServiceTest, CreatesAuditsAndIndexes) {
  ProblemFields f;
  f.title = "Mail relay drops messages";
  f.description = "Since Monday\nqueue grows";
  f.owner = std::optional<std::string>("bob");
  auto p = service_->create(f, agent_);
  EXPECT_EQ(p.status, PS::new_);
  EXPECT_EQ(p.owner, "bob");
  EXPECT_EQ(p.created_by, "alice");
  EXPECT_EQ(p.version, 1);
  EXPECT_EQ(audit_count("problem.create"), 1);
  ProblemQuery q;
  q.text = "QUEUE relay";
  EXPECT_EQ(service_->list(q).items.size(), 1U);
  q.text = "queue printer";  // all words must occur
  EXPECT_TRUE(service_->list(q).items.empty());
}

TEST_P(ProblemServiceTest, RefusesBadInputAndChangesNothing) {
  ProblemFields f;
  f.title = "  ";
  EXPECT_THROW(service_->create(f, agent_), ProblemInputError);
  f.title = "ok";
  f.owner = std::optional<std::string>("rita");  // a reporter cannot own a problem
  try {
    service_->create(f, agent_);
    FAIL();
  } catch (const ProblemInputError& e) {
    EXPECT_EQ(e.field, "owner");
  }
  f.owner.reset();
  f.workaround = "later";
  EXPECT_THROW(service_->create(f, agent_), ProblemInputError);
  EXPECT_TRUE(service_->list({}).items.empty());
  EXPECT_EQ(audit_count("problem.create"), 0);
}

TEST_P(ProblemServiceTest, TransitionsRecordTextTimesAndVersions) {
  auto p = problem("Disk fills up", "", PS::investigating);
  ProblemTransitionInput in;
  in.to = PS::known_error;
  try {
    service_->transition(p.id, in, agent_);
    FAIL();
  } catch (const ProblemTransitionRefused& e) {
    EXPECT_EQ(e.verdict.field, "workaround");
  }
  in.workaround = "rotate the logs by hand";
  in.expected_version = p.version + 5;
  EXPECT_THROW(service_->transition(p.id, in, agent_), ProblemStale);
  in.expected_version = p.version;
  auto ke = *service_->transition(p.id, in, agent_);
  EXPECT_EQ(ke.status, PS::known_error);
  EXPECT_EQ(ke.workaround, "rotate the logs by hand");
  EXPECT_EQ(ke.version, p.version + 1);

  // The workaround is searchable right away.
  ProblemQuery q;
  q.text = "rotate";
  EXPECT_EQ(service_->list(q).items.size(), 1U);

  in = {};
  in.to = PS::closed;
  try {
    service_->transition(p.id, in, agent_);
    FAIL();
  } catch (const ProblemTransitionRefused& e) {
    EXPECT_EQ(e.verdict.refusal, ProblemRefusal::invalid_transition);
    EXPECT_EQ(e.verdict.allowed_targets, std::vector<PS>{PS::resolved});
  }
  in.to = PS::resolved;
  in.root_cause = "log rotation disabled by a package update";
  auto resolved = *service_->transition(p.id, in, agent_);
  EXPECT_TRUE(resolved.resolved_at);
  in = {};
  in.to = PS::investigating;  // the fix did not hold
  auto reopened = *service_->transition(p.id, in, agent_);
  EXPECT_FALSE(reopened.resolved_at);
  EXPECT_EQ(reopened.root_cause, "log rotation disabled by a package update");
  EXPECT_EQ(audit_count("problem.transition"), 1 + 3);  // investigating, then the three above
}

TEST_P(ProblemServiceTest, UpdatesKeepTheRequirementsOfTheStatus) {
  auto p = problem("VPN drops", "", PS::known_error);
  ProblemFields f;
  f.workaround = "";
  EXPECT_THROW(service_->update(p.id, p.version, f, agent_), ProblemInputError);
  f = {};
  f.title = "VPN drops every hour";
  EXPECT_THROW(service_->update(p.id, p.version - 1, f, agent_), ProblemStale);
  auto changed = *service_->update(p.id, p.version, f, agent_);
  EXPECT_EQ(changed.title, "VPN drops every hour");
  EXPECT_EQ(changed.version, p.version + 1);
  EXPECT_FALSE(service_->update(9999, 1, f, agent_));

  auto closed = problem("Printer jam", "", PS::closed);
  EXPECT_THROW(service_->update(closed.id, closed.version, f, agent_), ProblemConflict);
}

TEST_P(ProblemServiceTest, ListsNewestFirstByStatusWithCursor) {
  for (int i = 0; i < 5; ++i) problem("P" + std::to_string(i), "", PS::new_);
  problem("K", "", PS::known_error);
  ProblemQuery q;
  q.limit = 2;
  auto page = service_->list(q);
  ASSERT_EQ(page.items.size(), 2U);
  EXPECT_EQ(page.items[0].title, "K");
  ASSERT_TRUE(page.next_before_id);
  q.before_id = page.next_before_id;
  page = service_->list(q);
  EXPECT_EQ(page.items[0].title, "P3");
  q = {};
  q.statuses = {PS::known_error};
  EXPECT_EQ(service_->list(q).items.size(), 1U);
}

TEST_P(ProblemServiceTest, LinksOnlyIncidentsTheCallerMaySee) {
  auto p = problem("Phishing wave", "", PS::investigating);
  auto other = problem("Other", "", PS::investigating);
  const auto open = add_incident("Phish mail", false);
  const auto secret = add_incident("Phish at the board", true);

  EXPECT_EQ(service_->link(p.id, open, agent_), true);
  EXPECT_EQ(service_->link(p.id, open, agent_), false);  // again: nothing changes
  EXPECT_FALSE(service_->link(9999, open, agent_));      // no such problem
  EXPECT_THROW(service_->link(other.id, open, agent_), ProblemConflict);
  // alice is not in the restricted incident's group: it does not exist for her.
  EXPECT_THROW(service_->link(p.id, secret, agent_), ProblemInputError);
  EXPECT_THROW(service_->link(p.id, 424242, agent_), ProblemInputError);

  auto version = db_->read_value([&](store::Connection& c) {
    return c.query_one("SELECT version, problem_id FROM incidents WHERE id = ?", {open})->i64(0);
  });
  EXPECT_EQ(version, 2);  // the link is a change of the incident
  EXPECT_EQ(audit_count("problem.link_incident"), 1);
  EXPECT_EQ(audit_count("incident.link_problem"), 1);

  // A security manager sees and links the restricted one; alice still sees only hers.
  auto manager = add_user("maria", "security_manager");
  EXPECT_EQ(service_->link(p.id, secret, manager), true);
  bool truncated = true;
  EXPECT_EQ(service_->linked_incidents(p.id, agent_, truncated).size(), 1U);
  EXPECT_FALSE(truncated);
  EXPECT_EQ(service_->linked_incidents(p.id, manager, truncated).size(), 2U);

  EXPECT_EQ(service_->unlink(p.id, secret, agent_), false);  // invisible: not hers to unlink
  EXPECT_EQ(service_->unlink(other.id, open, agent_), false);
  EXPECT_EQ(service_->unlink(p.id, open, agent_), true);
  EXPECT_EQ(audit_count("incident.unlink_problem"), 1);
  EXPECT_EQ(service_->link(other.id, open, agent_), true);  // free to move now
}

TEST_P(ProblemServiceTest, ClosedProblemsKeepTheirIncidents) {
  auto p = problem("Old", "", PS::resolved);
  const auto inc = add_incident("x", false);
  ASSERT_EQ(service_->link(p.id, inc, agent_), true);
  ProblemTransitionInput in;
  in.to = PS::closed;
  service_->transition(p.id, in, agent_);
  EXPECT_THROW(service_->unlink(p.id, inc, agent_), ProblemConflict);
  EXPECT_THROW(service_->link(p.id, add_incident("y", false), agent_), ProblemConflict);
}

TEST_P(ProblemServiceTest, SuggestsKnownErrorsRankedByMatchingWords) {
  problem("VPN client disconnects", "Users lose the tunnel after sleep", PS::known_error,
          "reconnect");
  problem("Outlook crashes on start", "Add-in conflict", PS::known_error, "start in safe mode");
  problem("VPN certificate expired", "Tunnel refused; certificate must be renewed", PS::resolved,
          "use the backup gateway");
  problem("Printer offline", "", PS::known_error, "power cycle");
  problem("VPN tunnel flaps", "under investigation", PS::investigating);  // not a known error
  problem("VPN tunnel broken forever", "", PS::closed);                   // closed: not suggested

  // "vpn" and "tunnel" both match the two VPN known errors (title + body), certificate matches
  // one of them: three words beat two.
  EXPECT_EQ(suggested("VPN tunnel certificate problem"),
            (std::vector<std::string>{"VPN certificate expired", "VPN client disconnects"}));
  // Same number of words: a match in the title ranks higher ("disconnects" is in the title of
  // the older one, "renewed" only in the description of the newer one)...
  EXPECT_EQ(suggested("disconnects renewed"),
            (std::vector<std::string>{"VPN client disconnects", "VPN certificate expired"}));
  // ...and when that ties too, the newest problem comes first.
  EXPECT_EQ(suggested("vpn"),
            (std::vector<std::string>{"VPN certificate expired", "VPN client disconnects"}));
  EXPECT_EQ(suggested("vpn", 1), std::vector<std::string>{"VPN certificate expired"});
  // Words match as prefixes: a word being typed, or a plural, finds the whole word.
  EXPECT_EQ(suggested("cert"), std::vector<std::string>{"VPN certificate expired"});
  EXPECT_EQ(suggested("Outlo"), std::vector<std::string>{"Outlook crashes on start"});
  // Any word is enough; stop words and short words never match.
  EXPECT_EQ(suggested("my outlook is ok"), std::vector<std::string>{"Outlook crashes on start"});
  EXPECT_TRUE(suggested("the and for with").empty());
  EXPECT_TRUE(suggested("is it on").empty());
  // FTS syntax typed by a user is searched for, never obeyed.
  EXPECT_NO_THROW(suggested("\"vpn\" OR NEAR(x y) title: *"));

  auto s = service_->suggest("printer power", 5);
  ASSERT_EQ(s.size(), 1U);
  EXPECT_EQ(s[0].workaround, "power cycle");
  EXPECT_EQ(s[0].matched_words, 2);
  EXPECT_EQ(s[0].status, "known_error");
}

INSTANTIATE_TEST_SUITE_P(Backends, ProblemServiceTest,
                         ::testing::Values(store::Backend::sqlite, store::Backend::postgres),
                         [](const auto& info) {
                           return info.param == store::Backend::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace custos::incidents
