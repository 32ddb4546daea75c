#include "app/app.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/dispatcher.hpp"
#include "app/demo_routes.hpp"
#include "app/hangup.hpp"
#include "app/scheduler.hpp"
#include "app/system_routes.hpp"
#include "audit/routes.hpp"
#include "auth/routes.hpp"
#include "detection/bans/ban_routes.hpp"
#include "detection/detection_routes.hpp"
#include "detection/detection_runtime.hpp"
#include "events/event_routes.hpp"
#include "events/imap_poller.hpp"
#include "events/system_reports.hpp"
#include "evidence/routes.hpp"
#include "http/server.hpp"
#include "incidents/incident_routes.hpp"
#include "incidents/notification_routes.hpp"
#include "incidents/problem_routes.hpp"
#include "incidents/regulatory_routes.hpp"
#include "incidents/routes.hpp"
#include "incidents/saved_view_routes.hpp"
#include "incidents/settings_routes.hpp"
#include "incidents/work_routes.hpp"
#include "notify/stream_routes.hpp"
#include "store/sqlite/sqlite_database.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace custos::app {

namespace {

auth::PasswordParams password_params(const Config& c) {
  if (c.password_hashing == "minimum") return auth::PasswordParams::for_tests();
  if (c.password_hashing == "moderate") return auth::PasswordParams::moderate();
  return auth::PasswordParams::interactive();
}

auth::LockoutPolicy lockout_policy(const Config& c) {
  auth::LockoutPolicy p;
  p.account_threshold = c.lockout_account_threshold;
  p.address_threshold = c.lockout_address_threshold;
  p.window_ms = std::int64_t{c.lockout_window_minutes} * 60'000;
  p.base_lock_ms = std::int64_t{c.lockout_base_seconds} * 1000;
  p.max_lock_ms = std::int64_t{c.lockout_max_minutes} * 60'000;
  return p;
}

void prepare_data_dir(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  // The data directory holds the signing key and, with SQLite, every record.
  ::chmod(dir.c_str(), 0700);
}

// Periodic housekeeping on its own thread: signed audit checkpoints on a timer and
// removal of expired sessions and idempotency records.
class Housekeeper {
 public:
  Housekeeper(Core& core, std::chrono::seconds interval) : core_(core), interval_(interval) {
    thread_ = std::thread([this] { loop(); });
  }
  ~Housekeeper() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  Housekeeper(const Housekeeper&) = delete;
  Housekeeper& operator=(const Housekeeper&) = delete;

  void run_once() {
    try {
      const auto now = util::now_ms();
      core_.db->write([&](store::Connection& c) {
        core_.audit->checkpoint(c);
        c.execute("DELETE FROM sessions WHERE expires_at <= ?", {now});
        c.execute("DELETE FROM idempotency_keys WHERE created_at <= ?", {now - 86'400'000});
      });
    } catch (const std::exception& e) {
      spdlog::warn("housekeeping failed: {}", e.what());
    }
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, interval_, [this] { return stop_; })) {
      lock.unlock();
      run_once();
      lock.lock();
    }
  }

  Core& core_;
  std::chrono::seconds interval_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

Core::Core(const Config& cfg, bool with_signing_key) : config(cfg) {
  store::DatabaseOptions options;
  options.read_connections = config.database_pool;
  if (config.effective_database_url().starts_with("sqlite:")) prepare_data_dir(config.data_dir);
  db = store::open_database(config.effective_database_url(), options);
  if (with_signing_key) {
    prepare_data_dir(config.data_dir);
    signing_key.emplace(audit::SigningKey::load_or_create(config.key_file()));
  }
  audit = std::make_unique<audit::AuditLog>(signing_key ? &*signing_key : nullptr,
                                            config.checkpoint_every);
  accounts = std::make_unique<auth::Accounts>(*db, *audit, password_params(config));
  credentials = std::make_unique<auth::Credentials>(*db, *audit,
                                                    std::int64_t{config.session_hours} * 3'600'000);
  login = std::make_unique<auth::LoginService>(*db, *audit, *credentials,
                                               auth::LoginThrottle(lockout_policy(config)));
  categories = std::make_unique<incidents::Categories>(*db, *audit);
  groups = std::make_unique<incidents::SupportGroups>(*db, *audit);
  incident_settings = std::make_unique<incidents::Settings>(*db, *audit);
  incidents =
      std::make_unique<incidents::IncidentService>(*db, *audit, *categories, *incident_settings);
  escalation =
      std::make_unique<incidents::EscalationService>(*db, *audit, *incidents, *incident_settings);
  notifications = std::make_unique<incidents::Notifications>(*db);
  regulatory = std::make_unique<incidents::RegulatoryClocks>(*db, *audit);
  // The key is loaded whenever it exists, so content encrypted earlier stays readable after
  // evidence.encrypt is switched off; new content is encrypted only while it is on.
  std::shared_ptr<const evidence::ContentKey> content_key;
  if (config.evidence_encrypt || std::filesystem::exists(config.evidence_key_file())) {
    prepare_data_dir(config.data_dir);
    content_key = std::make_shared<evidence::ContentKey>(
        evidence::ContentKey::load_or_create(config.evidence_key_file()));
  }
  evidence = std::make_unique<evidence::EvidenceService>(
      *db, *audit,
      evidence::ContentStore(config.data_dir / "evidence", content_key, config.evidence_encrypt),
      static_cast<std::uint64_t>(config.evidence_max_upload_bytes));
}

int Core::prepare_database() {
  const int applied = db->migrate();
  categories->seed_builtin();
  incident_settings->load();
  return applied;
}

void ensure_first_admin(Core& core) {
  if (core.accounts->count_users() > 0) return;
  const char* from_env = std::getenv("CUSTOS_ADMIN_PASSWORD");
  const bool generated = from_env == nullptr || *from_env == '\0';
  const std::string password = generated ? util::random_token(18) : std::string(from_env);
  auth::NewUser admin{
      "admin", "Administrator", std::nullopt, auth::RoleSet{auth::Role::admin}, password, false};
  try {
    core.accounts->create(admin, "system");
  } catch (const store::UniqueViolation&) {
    return;  // another process created it first
  }
  if (generated) {
    // Printed once, to the terminal only; never written to the log.
    std::cout << "\n  First administrator created.\n    username: admin\n    password: " << password
              << "\n  Keep it safe: it is not shown again. Change it after signing in.\n\n"
              << std::flush;
  } else {
    spdlog::info(
        "first administrator 'admin' created with the password from CUSTOS_ADMIN_PASSWORD");
  }
}

namespace {

// <data_dir>/spool, emptied at start: what is left there belongs to uploads a crash cut short.
std::string prepare_spool_dir(const std::string& data_dir) {
  const std::filesystem::path dir = std::filesystem::path(data_dir) / "spool";
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  return dir.string();
}

}  // namespace

RouteServices::RouteServices(Core& core)
    : auth{*core.accounts,
           *core.credentials,
           *core.login,
           core.config.tls_enabled(),
           std::int64_t{core.config.session_hours} * 3'600'000,
           core.config.totp_issuer},
      reference{*core.categories, *core.groups},
      // Attachments are also bounded by server.max_body_bytes.
      work(*core.db, *core.audit, core.config.data_dir, core.config.max_attachment_bytes),
      events(*core.db, *core.audit, *core.categories, *core.incidents, core.config.data_dir,
             {core.config.anonymous_reports, core.config.anonymous_reports_per_hour,
              core.config.mail_domain, core.config.max_attachment_bytes}),
      problems(*core.db, *core.audit),
      saved_views(*core.db, *core.audit),
      live(*core.db, *core.incidents),
      detect(std::make_unique<detection::DetectionRuntime>(core.config.detection, *core.db,
                                                           *core.audit)) {}

RouteServices::~RouteServices() = default;

std::unique_ptr<RouteServices> add_all_routes(api::Router& router, Core& core, Metrics& metrics) {
  auto services = std::make_unique<RouteServices>(core);
  // What custos detects becomes a security event (EVT-…, channel detection) in the transaction
  // that records it: a ban (one open event per jail and address), an evidence integrity
  // finding. The hooks reference the reports service, which outlives the ban worker and the
  // re-hash job (both stop before the routes go).
  // A jail's promotion rule may make the event an incident at once (decided by
  // system:detection through triage); while that incident is open, later bans of the address
  // are worklog entries on it.
  for (const auto& j : core.config.detection.jails) {
    if (!j.critical && j.promote_after == 0) continue;
    const auto sub =
        j.incident_subcategory.empty() ? std::nullopt : std::optional(j.incident_subcategory);
    if (auto p = core.categories->classification_problem(j.incident_category, sub)) {
      throw std::runtime_error("custos.toml: detection.jails[" + j.name + "].incident_" + p->first +
                               ": " + p->second);
    }
  }
  services->detect->bans().on_ban(
      [&events = services->events](store::Connection& c, const detection::Ban& b) {
        std::optional<events::PromoteInput> promotion;
        if (b.promotion) {
          promotion.emplace();
          promotion->reason = b.promotion->reason;
          promotion->category = b.promotion->category;
          promotion->subcategory = b.promotion->subcategory;
          promotion->impact = b.promotion->impact;
          promotion->urgency = b.promotion->urgency;
        }
        return std::optional(events::record_ban(
            c, events.reports, events.triage, events.worklog,
            {b.jail, b.address, b.banned_at, b.expires_at, b.ban_number, b.failures, b.user},
            promotion));
      });
  core.evidence->on_integrity_finding(
      [&reports = services->events.reports](store::Connection& c,
                                            const evidence::EvidenceService::IntegrityFinding& f) {
        events::report_integrity_finding(
            c, reports, {f.evidence_key, f.incident_key, f.verdict, f.problem, f.at});
      });
  auth::add_session_routes(router, services->auth);
  auth::add_user_routes(router, services->auth);
  auth::add_token_routes(router, services->auth);
  auth::add_lockout_routes(router, services->auth);
  audit::add_audit_routes(router, *core.db,
                          core.signing_key ? core.signing_key->public_key_hex() : std::string{});
  incidents::add_reference_routes(router, services->reference);
  incidents::add_incident_routes(router, *core.incidents);
  incidents::add_settings_routes(router, *core.incident_settings, *core.escalation);
  incidents::add_notification_routes(router, *core.notifications);
  // Working an incident: worklog, timeline, tasks, attachments, major incidents, review.
  incidents::add_work_routes(router, *core.incidents, services->work);
  incidents::add_problem_routes(router, services->problems);
  incidents::add_regulatory_routes(router, *core.regulatory);
  events::add_event_routes(router, services->events);
  incidents::add_saved_view_routes(router, services->saved_views);
  add_demo_routes(router, core);
  evidence::add_evidence_routes(router, *core.evidence,
                                core.signing_key ? &*core.signing_key : nullptr);
  add_system_routes(router, *core.db, metrics, core.config);
  notify::add_stream_routes(router, services->live);
  metrics.add_collector([&live = services->live](std::string& out) {
    append_metric(out, "custos_live_streams", "gauge", "Open live-update event streams.",
                  static_cast<double>(live.subscribers()));
  });
  detection::add_ban_routes(router, services->detect->bans());
  detection::add_detection_routes(router, *services->detect);
  if (core.config.file) {
    // A reload reads the whole file again, with the environment's overrides, as at start-up.
    services->detect->set_config_loader([file = *core.config.file] {
      try {
        return load_config(file).detection;
      } catch (const std::exception& e) {
        const std::string what = e.what();
        throw std::runtime_error(what.starts_with(file.string()) ? what
                                                                 : file.string() + ": " + what);
      }
    });
  }
  metrics.add_collector(
      [detect = services->detect.get()](std::string& out) { detect->append_metrics(out); });
  return services;
}

int serve(const Config& config) {
  const auto started = std::chrono::steady_clock::now();
  Core core(config, true);
  const int applied = core.prepare_database();
  if (applied > 0) spdlog::info("applied {} migration(s) to {}", applied, core.db->describe());
  ensure_first_admin(core);
  // Make the dummy hash now (in the background, to keep start-up fast), so the first
  // sign-in of an unknown user costs no more than any other.
  std::jthread warm_up([] { auth::burn_verify_time(""); });

  Metrics metrics;
  metrics.add_collector([&core](std::string& out) {
    std::int64_t audit_head = 0;
    std::int64_t locked = 0;
    core.db->read([&](store::Connection& c) {
      audit_head = c.query_one("SELECT COALESCE(MAX(seq), 0) FROM audit_log")->i64(0);
      locked = c.query_one("SELECT COUNT(*) FROM login_throttle WHERE locked_until > ?",
                           {util::now_ms()})
                   ->i64(0);
    });
    append_metric(out, "custos_audit_entries", "gauge", "Entries in the audit chain.",
                  static_cast<double>(audit_head));
    append_metric(out, "custos_login_lockouts_active", "gauge",
                  "Accounts and addresses locked out now.", static_cast<double>(locked));
    if (auto* sqlite = dynamic_cast<store::SqliteDatabase*>(core.db.get())) {
      append_metric(out, "custos_db_commits_total", "counter",
                    "Durable commits (group commit batches).",
                    static_cast<double>(sqlite->commits()));
      append_metric(out, "custos_db_writes_total", "counter",
                    "Write transactions carried by those commits.",
                    static_cast<double>(sqlite->writes()));
    }
  });

  api::Router router;
  const auto route_services = add_all_routes(router, core, metrics);
  // [mail.imap]: mail from a mailbox, filed as `custos mailgate` files piped mail. The password
  // is read now, so that a missing one stops start-up naming the option.
  std::optional<events::Mailgate> mailgate;
  std::optional<events::ImapPoller> mail_poller;
  if (config.imap) {
    auto password = events::read_imap_password(*config.imap);
    mailgate.emplace(*core.db, *core.audit, route_services->events.reports,
                     route_services->events.worklog);
    events::mime::Limits limits;
    limits.max_bytes = static_cast<std::size_t>(config.mail_max_bytes);
    mail_poller.emplace(*config.imap, std::move(password), *mailgate, limits);
    metrics.add_collector([&poller = *mail_poller](std::string& out) {
      const auto s = poller.stats();
      append_metric(out, "custos_mail_imap_polls_total", "counter", "Polls of the IMAP mailbox.",
                    static_cast<double>(s.polls));
      append_metric(out, "custos_mail_imap_poll_failures_total", "counter",
                    "Polls that failed: server unreachable, login or command refused.",
                    static_cast<double>(s.poll_failures));
      append_metric(out, "custos_mail_imap_delivered_total", "counter",
                    "Messages from the mailbox filed as reports or replies.",
                    static_cast<double>(s.delivered));
      append_metric(out, "custos_mail_imap_rejected_total", "counter",
                    "Messages from the mailbox that cannot become a report (marked seen).",
                    static_cast<double>(s.rejected));
      append_metric(out, "custos_mail_imap_deferred_total", "counter",
                    "Messages not stored for a passing reason, tried again at the next poll.",
                    static_cast<double>(s.deferred));
    });
  }
  api::Dispatcher dispatcher(
      router,
      {[&core](const std::string& bearer) { return core.credentials->authenticate_token(bearer); },
       [&core](const std::string& cookie) {
         return core.credentials->authenticate_session(cookie);
       }},
      core.db.get());

  http::ServerOptions options;
  std::tie(options.host, options.port) = split_listen(config.listen);
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  options.max_body_bytes = static_cast<std::size_t>(config.max_body_bytes);
  options.max_header_bytes = static_cast<std::size_t>(config.max_header_bytes);
  options.max_connections = config.max_connections;
  options.header_timeout = std::chrono::seconds(config.header_timeout_seconds);
  options.body_timeout = std::chrono::seconds(config.body_timeout_seconds);
  if (config.tls_enabled())
    options.tls = http::TlsOptions{config.tls_certificate, config.tls_private_key};
  // Large uploads are spooled beside the data they become, so keeping one is a rename.
  options.spool_dir = prepare_spool_dir(config.data_dir);
  options.spool_limit = [&dispatcher](const http::Request& r) { return dispatcher.spool_limit(r); };
  options.admit = [&dispatcher](http::Request& r) { return dispatcher.admit(r); };

  std::shared_ptr<spdlog::logger> access;
  if (config.access_log) access = spdlog::default_logger()->clone("access");
  http::Server server(
      options, [&dispatcher](http::Request& r) { return dispatcher.handle(r); },
      [&metrics, access](const http::AccessRecord& a) {
        metrics.record_request(a.request->method, a.status, a.duration_ms);
        if (access) {
          access->info("method={} path=\"{}\" status={} bytes={} ms={:.3f} remote={} id={}",
                       a.request->method, a.request->path.substr(0, 200), a.status,
                       a.response_bytes, a.duration_ms, a.request->remote_address,
                       a.request->request_id);
        }
      },
      [&dispatcher](const http::Request& r) { return dispatcher.is_quick(r); });
  server.listen();
  route_services->detect->start();  // re-applies active bans, then opens the syslog sources
  HangupListener hangup([&detect = *route_services->detect] {
    try {
      detect.reload("system:sighup");
    } catch (const std::exception& e) {
      spdlog::error("detection: reload on SIGHUP refused: {}", e.what());
    }
  });
  Housekeeper housekeeper(core, std::chrono::seconds(config.checkpoint_interval_seconds));
  std::optional<IncidentScheduler> incident_jobs;  // SLA and regulatory sweeps, automatic closure
  incident_jobs.emplace(*core.escalation, *core.incidents, *core.regulatory,
                        SchedulerOptions{std::chrono::seconds(config.sweep_interval_seconds),
                                         config.auto_close_days});
  std::optional<EvidenceScheduler> evidence_jobs;  // re-hashing of stored evidence
  if (config.evidence_rehash_interval_hours > 0) {
    evidence_jobs.emplace(*core.evidence,
                          std::chrono::hours(config.evidence_rehash_interval_hours));
  }
  const double ready_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("custos {} serving {}://{}:{} with {} (ready in {:.0f} ms)", CUSTOS_VERSION,
               config.tls_enabled() ? "https" : "http", options.host, server.port(),
               core.db->describe(), ready_ms);
  server.run();
  route_services->detect->stop();
  mail_poller.reset();    // stops after the message in progress
  incident_jobs.reset();  // its last changes must be under the final checkpoint
  evidence_jobs.reset();
  housekeeper.run_once();  // sign the head so the last changes are covered by a checkpoint
  spdlog::info("stopped");
  return 0;
}

}  // namespace custos::app
