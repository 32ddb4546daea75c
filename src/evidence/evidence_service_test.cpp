#include "evidence/evidence_service.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "audit/audit_log.hpp"
#include "audit/signing_key.hpp"
#include "events/system_reports.hpp"
#include "incidents/categories.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/settings.hpp"
#include "store/scratch_database.hpp"
#include "util/time.hpp"

namespace custos::evidence {
namespace {

// ---- Service on SQLite, and on PostgreSQL when CUSTOS_TEST_POSTGRES_URL is set -------------

class EvidenceServiceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == store::Backend::postgres &&
        store::ScratchDatabase::postgres_server_url().empty()) {
      GTEST_SKIP() << "set CUSTOS_TEST_POSTGRES_URL to run";
    }
    scratch_.emplace(GetParam(), "evidence");
    db_ = store::open_database(scratch_->url());
    db_->migrate();
    dir_ = std::filesystem::temp_directory_path() /
           ("custos-evidence-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    audit_ = std::make_unique<audit::AuditLog>(nullptr);
    categories_ = std::make_unique<incidents::Categories>(*db_, *audit_);
    categories_->seed_builtin();
    settings_ = std::make_unique<incidents::Settings>(*db_, *audit_);
    settings_->load();
    incidents_ =
        std::make_unique<incidents::IncidentService>(*db_, *audit_, *categories_, *settings_);
    service_ = std::make_unique<EvidenceService>(*db_, *audit_, ContentStore(dir_, nullptr, false),
                                                 1 << 20);
    agent_ = user("alice", {auth::Role::agent});
    other_agent_ = user("bob", {auth::Role::agent});
    manager_ = user("sam", {auth::Role::security_manager});
  }
  void TearDown() override {
    service_.reset();
    db_.reset();
    scratch_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  auth::Principal user(const std::string& name, auth::RoleSet roles) {
    const auto now = util::now_ms();
    const auto id = db_->write_value([&](store::Connection& c) {
      return c
          .query_one(
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

  std::int64_t incident(bool restricted = false) {
    incidents::IncidentFields f;
    f.title = "Compromised laptop";
    f.category = "malicious-code";
    if (restricted) {
      f.restricted = true;
      f.assignee = agent_.username;
    }
    return incidents_->create(f, manager_).id;
  }

  EvidenceItem disk_image(std::int64_t incident_id, std::optional<std::string> declared = {}) {
    NewEvidence in;
    in.item_type = "disk_image";
    in.description = "laptop disk";
    in.collected_by = "alice";
    in.method = "dd";
    if (declared) {
      in.declared_hash_algorithm = "sha256";
      in.declared_hash = declared;
    }
    return service_->create(incident_id, in, agent_);
  }

  static Source bytes(const std::string& s) {
    auto at = std::make_shared<std::size_t>(0);
    return [s, at](char* b, std::size_t cap) {
      const auto n = std::min(cap, s.size() - *at);
      std::memcpy(b, s.data() + *at, n);
      *at += n;
      return n;
    };
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
  std::unique_ptr<EvidenceService> service_;
  auth::Principal agent_, other_agent_, manager_;
};

TEST_P(EvidenceServiceTest, UploadHashesFlagsMismatchAndIsWriteOnce) {
  const auto inc = incident();
  const auto good = disk_image(
      inc, std::string("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"));
  auto item = service_->put_content(good.id, bytes("hello world"), {}, agent_);
  EXPECT_EQ(item.declared_hash_matches, true);
  EXPECT_EQ(item.size, 11);
  EXPECT_EQ(item.sha256, "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");

  const auto bad = disk_image(inc, std::string(64, 'a'));
  item = service_->put_content(bad.id, bytes("hello world"), {}, agent_);
  EXPECT_EQ(item.declared_hash_matches, false);  // kept and shown, not refused
  EXPECT_EQ(to_json(item, "INC-000001")["hash_mismatch"], true);
  EXPECT_EQ(
      count("SELECT COUNT(*) FROM audit_log WHERE action = 'evidence.declared_hash_mismatch'"), 1);

  try {
    service_->put_content(good.id, bytes("other"), {}, agent_);
    FAIL() << "a second upload must be refused";
  } catch (const EvidenceError& e) {
    EXPECT_EQ(e.status, 409);
  }
  // Both items share one stored file.
  EXPECT_EQ(count("SELECT COUNT(DISTINCT sha256) FROM evidence_items WHERE sha256 IS NOT NULL"), 1);
}

TEST_P(EvidenceServiceTest, CustodyIsAppendOnlyAndAudited) {
  const auto inc = incident();
  const auto item = disk_image(inc);
  CustodyInput t;
  t.action = CustodyAction::transferred;
  t.from = "alice";
  t.to = "evidence locker";
  t.location = "room 4";
  service_->add_custody(item.id, t, agent_);
  EXPECT_EQ(service_->get(item.id, agent_).custodian, "evidence locker");
  const auto entries = service_->custody(item.id, agent_);
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].action, CustodyAction::collected);
  EXPECT_EQ(entries[1].action, CustodyAction::transferred);
  // Each custody entry names its audit entry.
  EXPECT_EQ(count("SELECT COUNT(*) FROM evidence_custody c JOIN audit_log a ON a.seq = c.audit_seq"
                  " AND a.action LIKE 'evidence.custody.%'"),
            2);
  // The database itself refuses to change or remove one.
  EXPECT_ANY_THROW(db_->write([](store::Connection& c) {
    c.execute("UPDATE evidence_custody SET actor = 'someone else'");
  }));
  EXPECT_ANY_THROW(
      db_->write([](store::Connection& c) { c.execute("DELETE FROM evidence_custody"); }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM evidence_custody"), 2);
}

TEST_P(EvidenceServiceTest, DownloadIsACustodyEntry) {
  const auto item = disk_image(incident());
  service_->put_content(item.id, bytes("memory"), {}, agent_);
  auto d = service_->download(item.id, other_agent_);
  std::string content;
  while (d.reader->read(content)) {
  }
  EXPECT_EQ(content, "memory");
  const auto entries = service_->custody(item.id, agent_);
  EXPECT_EQ(entries.back().action, CustodyAction::downloaded);
  EXPECT_EQ(entries.back().actor, "user:bob");
}

TEST_P(EvidenceServiceTest, LegalHoldBlocksDisposal) {
  const auto inc = incident();
  const auto item = disk_image(inc);
  service_->set_legal_hold(inc, "litigation expected", manager_);
  CustodyInput dispose;
  dispose.action = CustodyAction::disposed;
  dispose.purpose = "no longer needed";
  try {
    service_->add_custody(item.id, dispose, agent_);
    FAIL() << "disposal under legal hold";
  } catch (const EvidenceError& e) {
    EXPECT_EQ(e.status, 409);
  }
  service_->release_legal_hold(inc, "settled", manager_);
  service_->add_custody(item.id, dispose, agent_);
  EXPECT_TRUE(service_->get(item.id, agent_).disposed());
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'incident.legal_hold_%'"), 2);
}

TEST_P(EvidenceServiceTest, RestrictedIncidentsEvidenceIsNotFoundForOutsiders) {
  const auto inc = incident(true);
  const auto item = disk_image(inc);
  try {
    service_->get(item.id, other_agent_);
    FAIL() << "an outsider saw restricted evidence";
  } catch (const EvidenceError& e) {
    EXPECT_EQ(e.status, 404);
  }
  EXPECT_THROW(service_->list(inc, other_agent_), EvidenceError);
  EXPECT_EQ(service_->list(inc, agent_).size(), 1U);
}

TEST_P(EvidenceServiceTest, ExportVerifiesAndRehashFindsTampering) {
  const auto inc = incident();
  const auto item = disk_image(inc);
  service_->put_content(item.id, bytes(std::string(100'000, 'z')), {}, agent_);
  const auto key = audit::SigningKey::generate();
  auto exported = service_->export_package(inc, std::nullopt, &agent_, agent_.actor(), key);
  std::string package;
  while (exported.stream->next(package)) {
  }
  std::size_t at = 0;
  const auto r = verify_package(
      [&](char* b, std::size_t cap) {
        const auto n = std::min(cap, package.size() - at);
        std::memcpy(b, package.data() + at, n);
        at += n;
        return n;
      },
      {key.public_key_hex()});
  EXPECT_TRUE(r.ok) << (r.problems.empty() ? "" : r.problems[0]);
  EXPECT_EQ(r.files, 1);
  EXPECT_GE(r.custody_entries, 2);  // collected, exported
  EXPECT_GE(r.audit_entries, 3);

  auto report = service_->rehash([] { return true; });
  EXPECT_EQ(report.ok, 1);
  const auto stored = service_->get(item.id, agent_);
  const auto path = service_->store().path_for(*stored.sha256, false);
  std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5);
    f.put('!');
  }
  report = service_->rehash([] { return true; });
  EXPECT_EQ(report.mismatched, 1);
  EXPECT_EQ(service_->get(item.id, agent_).integrity, "mismatch");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'evidence.integrity_mismatch'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM notifications WHERE kind = 'evidence.integrity'"), 1);
  service_->rehash([] { return true; });  // told once, not every round
  EXPECT_EQ(count("SELECT COUNT(*) FROM notifications WHERE kind = 'evidence.integrity'"), 1);
}

// The server wires the finding hook to the events module (src/app/app.cpp); the same here.
TEST_P(EvidenceServiceTest, RehashFindingRaisesOneSecurityEventPerFinding) {
  events::Reports reports(*db_, *audit_, incidents::BlobStore(dir_ / "blobs"), "example.org",
                          1 << 20);
  service_->on_integrity_finding(
      [&reports](store::Connection& c, const EvidenceService::IntegrityFinding& f) {
        events::report_integrity_finding(
            c, reports, {f.evidence_key, f.incident_key, f.verdict, f.problem, f.at});
      });
  const auto inc = incident();
  const auto item = disk_image(inc);
  service_->put_content(item.id, bytes(std::string(50'000, 'q')), {}, agent_);
  service_->rehash([] { return true; });
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 0);  // intact: nothing to report

  const auto stored = service_->get(item.id, agent_);
  const auto path = service_->store().path_for(*stored.sha256, false);
  std::filesystem::permissions(path, std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(7);
    f.put('!');
  }
  service_->rehash([] { return true; });
  service_->rehash([] { return true; });  // the same finding again: no second event
  ASSERT_EQ(count("SELECT COUNT(*) FROM events"), 1);
  std::string title, observed, channel, location;
  db_->read([&](store::Connection& c) {
    auto r = c.query_one(
        "SELECT title, observed, channel, location, reporter_id IS NULL AND reporter_email IS "
        "NULL FROM events");
    title = r->str(0);
    observed = r->str(1);
    channel = r->str(2);
    location = r->str(3);
    EXPECT_EQ(r->i64(4), 1);  // reported by the system, no person
  });
  EXPECT_EQ(title, "Evidence " + item.key() + " failed its integrity check (mismatch)");
  EXPECT_EQ(channel, "detection");
  EXPECT_EQ(location, "evidence " + item.key() + " of " + incidents::incident_key(inc));
  EXPECT_NE(observed.find("now hashes to SHA-256"), std::string::npos) << observed;
  EXPECT_NE(observed.find("recorded " + *stored.sha256), std::string::npos) << observed;
  // In the transaction of the audit entry: the event's own audit entry follows it.
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_log WHERE action = 'event.report' AND actor = "
                  "'system:evidence' AND seq = (SELECT seq + 1 FROM audit_log WHERE action = "
                  "'evidence.integrity_mismatch')"),
            1);

  // A new finding (the file is gone now) is a new event.
  std::filesystem::remove(path);
  service_->rehash([] { return true; });
  EXPECT_EQ(count("SELECT COUNT(*) FROM events WHERE title = 'Evidence " + item.key() +
                  " failed its integrity check (missing)'"),
            1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM events"), 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, EvidenceServiceTest,
                         ::testing::Values(store::Backend::sqlite, store::Backend::postgres),
                         [](const auto& info) {
                           return info.param == store::Backend::sqlite ? "sqlite" : "postgres";
                         });

}  // namespace
}  // namespace custos::evidence
