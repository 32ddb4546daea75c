// custos command line: one binary for the server and its administration.
// Only argument parsing and dispatch live here; the work is in src/app and the features.
#include <pwd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/app.hpp"
#include "app/config.hpp"
#include "app/demo_data.hpp"
#include "audit/audit_log.hpp"
#include "detection/scan.hpp"
#include "evidence/cli.hpp"
#include "events/event_routes.hpp"
#include "events/mailgate.hpp"
#include "util/time.hpp"

namespace {

using custos::app::Config;

struct CommonOptions {
  std::string config_file;
  std::string data_dir;
  std::string db;
};

void add_common(CLI::App* cmd, CommonOptions& o, bool with_config = true) {
  if (with_config) {
    cmd->add_option("--config", o.config_file,
                    "custos.toml to read (settings: see docs/configuration.md)")
        ->check(CLI::ExistingFile);
  }
  cmd->add_option("--data-dir", o.data_dir,
                  "directory for the SQLite database and the audit signing key")
      ->envname("CUSTOS_DATA_DIR");
  cmd->add_option(
         "--db", o.db,
         "database URL: sqlite:PATH (default: sqlite:DATA_DIR/custos.db) or postgresql://...")
      ->envname("CUSTOS_DB");
}

Config resolve(const CommonOptions& o) {
  Config c = custos::app::load_config(
      o.config_file.empty() ? std::nullopt : std::optional<std::filesystem::path>(o.config_file));
  if (!o.data_dir.empty()) c.data_dir = o.data_dir;
  if (!o.db.empty()) c.database_url = o.db;
  custos::app::validate_config(c);
  return c;
}

// Who runs the CLI, as the audit trail names them.
std::string cli_actor() {
  const passwd* pw = getpwuid(geteuid());
  return std::string("cli:") + (pw != nullptr ? pw->pw_name : std::to_string(geteuid()));
}

std::string read_password_stdin() {
  std::string password;
  std::getline(std::cin, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"custos — security incident and information-security management"};
  app.require_subcommand(1);
  app.set_version_flag("--version", CUSTOS_VERSION);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");

  // serve
  CommonOptions serve_opts;
  std::string listen;
  auto* serve = app.add_subcommand("serve", "run the web application and API server");
  add_common(serve, serve_opts);
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)")
      ->envname("CUSTOS_LISTEN");

  // migrate
  CommonOptions migrate_opts;
  auto* migrate = app.add_subcommand("migrate", "apply pending database migrations and exit");
  add_common(migrate, migrate_opts);

  // user add
  CommonOptions user_opts;
  auto* user = app.add_subcommand("user", "manage user accounts");
  user->require_subcommand(1);
  auto* user_add =
      user->add_subcommand("add", "create a user; the password is read from standard input");
  add_common(user_add, user_opts);
  std::string username, email, display_name;
  std::vector<std::string> roles;
  bool password_stdin = false;
  user_add->add_option("--username", username, "login name: a-z, 0-9, '.', '_', '-', '@'")
      ->required();
  user_add
      ->add_option("--role", roles,
                   "reporter | agent | incident_manager | security_manager | auditor | admin "
                   "(repeat or comma-separate for several)")
      ->required()
      ->delimiter(',');
  user_add->add_option("--email", email, "e-mail address");
  user_add->add_option("--display-name", display_name,
                       "name shown to people (default: the username)");
  user_add
      ->add_flag("--password-stdin", password_stdin,
                 "read the password from the first line of standard input")
      ->required();

  // token issue
  CommonOptions token_opts;
  auto* token = app.add_subcommand("token", "manage API tokens");
  token->require_subcommand(1);
  auto* token_issue =
      token->add_subcommand("issue", "issue a bearer token for a user and print only the token");
  add_common(token_issue, token_opts);
  std::string token_user, token_name = "cli", expires = "90d";
  token_issue->add_option("--user", token_user, "username the token acts as")->required();
  token_issue->add_option("--name", token_name, "label shown in token lists (default: cli)");
  token_issue->add_option("--expires", expires,
                          "lifetime such as 90d, 12h, 30m, or 'never' (default 90d)");

  // audit verify
  CommonOptions audit_opts;
  auto* audit = app.add_subcommand("audit", "inspect the tamper-evident audit trail");
  audit->require_subcommand(1);
  auto* audit_verify = audit->add_subcommand("verify",
                                             "prove the hash chain and signed checkpoints intact "
                                             "(exit 0) or name the first bad entry (exit 1)");
  add_common(audit_verify, audit_opts);
  std::string public_key;
  audit_verify->add_option(
      "--public-key", public_key,
      "trusted Ed25519 public key (hex); default: DATA_DIR/audit-signing.key.pub if present");

  // evidence export | verify
  CommonOptions evidence_opts;
  auto* evidence = app.add_subcommand("evidence", "signed, verifiable evidence packages");
  evidence->require_subcommand(1);
  auto* evidence_export = evidence->add_subcommand(
      "export",
      "write a signed package (tar: manifest, signature, files) of one evidence item or of all "
      "evidence of an incident");
  add_common(evidence_export, evidence_opts);
  std::string export_scope, export_out;
  evidence_export->add_option("SCOPE", export_scope, "EVD-… or INC-…")->required();
  evidence_export->add_option("--out", export_out, "the package file to write")->required();
  auto* evidence_verify = evidence->add_subcommand(
      "verify",
      "check a package offline: exit 0 and a summary when intact, 1 and what was changed "
      "(file, field, signature) otherwise");
  std::string verify_file, verify_key;
  evidence_verify->add_option("FILE", verify_file, "the package")->required();
  evidence_verify->add_option("--public-key", verify_key,
                              "require this Ed25519 public key (hex), e.g. the content of "
                              "DATA_DIR/audit-signing.key.pub");

  // demo load
  CommonOptions demo_opts;
  auto* demo = app.add_subcommand("demo", "demo data for trying custos out");
  demo->require_subcommand(1);
  auto* demo_load = demo->add_subcommand(
      "load",
      "add demo people, support groups and N realistic incidents reported over the past days "
      "(through the same rules as the API: audited, SLA-rated, searchable)");
  add_common(demo_load, demo_opts);
  custos::app::DemoOptions demo_options;
  demo_load->add_option("--incidents", demo_options.incidents, "how many incidents (default 1000)")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{100'000'000}));
  demo_load
      ->add_option("--days", demo_options.days,
                   "spread them over this many days up to now (default 365)")
      ->check(CLI::Range(1, 36500));
  demo_load->add_option("--seed", demo_options.seed,
                        "random seed; the same seed gives the same data");
  demo_load->add_option("--batch", demo_options.batch, "incidents per transaction (default 100)")
      ->check(CLI::Range(1, 100'000));

  // scan
  custos::detection::ScanOptions scan_options;
  std::vector<std::string> scan_filter_options;
  std::string scan_format = "text";
  auto* scan = app.add_subcommand(
      "scan",
      "run a fail2ban filter over log files, as fail2ban-regex does: every failing line "
      "(--format ndjson) or a summary (text). Times are read and printed in the local time of "
      "the TZ environment variable");
  scan->add_option("--filter", scan_options.filter,
                   "fail2ban filter file, e.g. /etc/fail2ban/filter.d/sshd.conf (its .local, "
                   ".d/ and [INCLUDES] are read too)")
      ->required();
  scan->add_option("--filter-option", scan_filter_options,
                   "NAME=VALUE filter option as a jail sets it, e.g. mode=aggressive (repeatable)");
  scan->add_option("--now", scan_options.now,
                   "reference time for dates without a year: RFC 3339 with offset "
                   "(2005-08-14T12:00:00+02:00) or epoch seconds (default: the clock)");
  scan->add_option("--format", scan_format,
                   "text: summary with counts, per-regex hits, elapsed time and lines/s; ndjson: "
                   "one JSON object per failing line {line, time, epoch, host, fields}")
      ->check(CLI::IsMember({"text", "ndjson"}));
  scan->add_flag("!--no-prefilter", scan_options.prefilter,
                 "match every failregex with PCRE2 instead of screening them with Hyperscan first");
  scan->add_option("LOGFILE", scan_options.logs, "log files to read ('-' for standard input)")
      ->required();

  // mailgate
  CommonOptions mailgate_opts;
  auto* mailgate = app.add_subcommand(
      "mailgate",
      "read one e-mail (RFC 5322) on standard input, as an MTA pipe delivers it, and file it as "
      "a new report or a reply to a report or incident; exit 0 when stored, 65 when the mail is "
      "unreadable (bounce), 75 when storing failed for now (the MTA retries)");
  add_common(mailgate, mailgate_opts);

  app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  try {
    if (app.got_subcommand("version")) {
      std::cout << "custos " << CUSTOS_VERSION << "\n";
      return 0;
    }
    if (serve->parsed()) {
      Config c = resolve(serve_opts);
      if (!listen.empty()) c.listen = listen;
      custos::app::validate_config(c);
      spdlog::set_level(spdlog::level::from_str(c.log_level));
      return custos::app::serve(c);
    }
    if (migrate->parsed()) {
      custos::app::Core core(resolve(migrate_opts), false);
      const int applied = core.prepare_database();
      std::cout << "applied " << applied << " migration(s); " << core.db->describe()
                << " is up to date\n";
      return 0;
    }
    if (user_add->parsed()) {
      custos::app::Core core(resolve(user_opts), false);
      core.prepare_database();
      const std::string password = read_password_stdin();
      custos::auth::NewUser u;
      u.username = username;
      u.display_name = display_name.empty() ? username : display_name;
      if (!email.empty()) u.email = email;
      for (const auto& r : roles) {
        auto role = custos::auth::parse_role(r);
        if (!role) {
          std::cerr
              << "custos: --role: unknown role '" << r
              << "' (use reporter, agent, incident_manager, security_manager, auditor or admin)\n";
          return 2;
        }
        u.roles.add(*role);
      }
      u.password = password;
      try {
        auto created = core.accounts->create(u, cli_actor());
        std::cout << "created user " << created.username << " (" << created.roles.to_csv() << ")\n";
      } catch (const custos::auth::AccountError& e) {
        std::cerr << "custos: " << (e.field == "password" ? "password (stdin)" : "--" + e.field)
                  << ": " << e.message << "\n";
        return 2;
      } catch (const custos::store::UniqueViolation&) {
        std::cerr << "custos: --username: a user named '" << username << "' already exists\n";
        return 1;
      }
      return 0;
    }
    if (token_issue->parsed()) {
      custos::app::Core core(resolve(token_opts), false);
      core.prepare_database();
      std::optional<std::int64_t> ttl;
      if (expires != "never") {
        ttl = custos::util::parse_duration_ms(expires);
        if (!ttl) {
          std::cerr << "custos: --expires: '" << expires
                    << "' is not a duration like 90d, 12h or 'never'\n";
          return 2;
        }
      }
      auto target = core.accounts->find(token_user);
      if (!target || !target->active) {
        std::cerr << "custos: --user: no active user named '" << token_user << "'\n";
        return 1;
      }
      auto issued = core.credentials->issue_token(target->id, token_name, ttl, cli_actor());
      std::cout << issued.token << "\n";
      return 0;
    }
    if (demo_load->parsed()) {
      custos::app::Core core(resolve(demo_opts), true);
      core.prepare_database();
      custos::app::ensure_first_admin(core);
      demo_options.progress = [next = std::int64_t{50'000}](std::int64_t done,
                                                            std::int64_t total) mutable {
        if (done < next && done != total) return;
        std::cerr << "  " << done << " / " << total << " incidents\n";
        next = done + 50'000;
      };
      const auto r = custos::app::load_demo_data(core, demo_options);
      std::cout << "loaded " << r.incidents << " incident(s) (" << r.open << " open, "
                << r.worklog_entries << " worklog entries, " << r.escalation_steps
                << " escalation step(s) fired, " << r.audit_entries << " audit entries) in "
                << r.seconds << " s into " << core.db->describe() << "\n";
      return 0;
    }
    if (mailgate->parsed()) {
      Config c;
      try {
        c = resolve(mailgate_opts);
      } catch (const std::exception& e) {
        // A configuration mistake must not bounce mail: the MTA keeps it until it is fixed.
        std::cerr << "custos mailgate: " << e.what() << "\n";
        return custos::events::kExitTempFail;
      }
      custos::events::MailgateSettings settings;
      settings.database_url = c.effective_database_url();
      settings.data_dir = c.data_dir;
      settings.mail_domain =
          c.mail_domain.empty() ? custos::events::default_mail_domain() : c.mail_domain;
      settings.max_file_bytes = c.max_attachment_bytes;
      settings.limits.max_bytes = static_cast<std::size_t>(c.mail_max_bytes);
      return custos::events::run_mailgate(settings, std::cin, std::cout, std::cerr);
    }
    if (scan->parsed()) {
      for (const auto& text : scan_filter_options) {
        auto option = custos::detection::parse_filter_option(text);
        if (!option) {
          std::cerr << "custos: --filter-option: '" << text << "' is not NAME=VALUE\n";
          return 2;
        }
        scan_options.filter_options.push_back(*option);
      }
      scan_options.format = scan_format == "ndjson"
                                ? custos::detection::ScanOptions::Format::kNdjson
                                : custos::detection::ScanOptions::Format::kText;
      return custos::detection::run_scan(scan_options, std::cout, std::cerr);
    }
    if (evidence_verify->parsed()) {
      return custos::evidence::run_verify(verify_file, verify_key, std::cout, std::cerr);
    }
    if (evidence_export->parsed()) {
      Config c = resolve(evidence_opts);
      if (!std::filesystem::exists(c.key_file())) {
        std::cerr << "custos evidence export: no signing key at " << c.key_file()
                  << " (the server creates it on its first start)\n";
        return 1;
      }
      custos::app::Core core(c, true);
      return custos::evidence::run_export(*core.evidence, *core.signing_key, export_scope,
                                          export_out, cli_actor(), std::cout, std::cerr);
    }
    if (audit_verify->parsed()) {
      Config c = resolve(audit_opts);
      custos::app::Core core(c, false);
      if (public_key.empty()) {
        std::ifstream pub(c.key_file().string() + ".pub");
        std::getline(pub, public_key);
      }
      auto report = custos::audit::AuditLog::verify(*core.db, public_key);
      if (report.ok) {
        std::cout << "audit chain intact: " << report.entries << " entries, " << report.checkpoints
                  << " signed checkpoint(s)" << (public_key.empty() ? " (signer not pinned)" : "")
                  << ", head seq " << report.last_seq << " " << report.last_hash << ", verified in "
                  << report.seconds << " s\n";
        return 0;
      }
      std::cout << "audit chain BROKEN at seq " << report.first_bad_seq.value_or(0) << ": "
                << report.problem << "\n";
      return 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "custos: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
