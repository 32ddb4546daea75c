#pragma once
// Wiring: builds every component from the configuration, in dependency order,
// and tears them down in reverse. The CLI commands and the server share it.
#include <memory>
#include <string>

#include "api/router.hpp"
#include "app/config.hpp"
#include "app/metrics.hpp"
#include "audit/audit_log.hpp"
#include "audit/signing_key.hpp"
#include "auth/accounts.hpp"
#include "auth/credentials.hpp"
#include "auth/login.hpp"
#include "auth/routes.hpp"
#include "events/event_routes.hpp"
#include "evidence/evidence_service.hpp"
#include "incidents/categories.hpp"
#include "incidents/escalation.hpp"
#include "incidents/groups.hpp"
#include "incidents/incident_service.hpp"
#include "incidents/notifications.hpp"
#include "incidents/problems.hpp"
#include "incidents/regulatory.hpp"
#include "incidents/routes.hpp"
#include "incidents/saved_views.hpp"
#include "incidents/settings.hpp"
#include "incidents/work_services.hpp"
#include "notify/live_feed.hpp"
#include "store/database.hpp"

namespace custos::detection {
class DetectionRuntime;
}

namespace custos::app {

// The parts that need only the database: used by `migrate`, `user add`, `token issue`.
struct Core {
  explicit Core(const Config& config, bool with_signing_key);

  Config config;
  std::unique_ptr<store::Database> db;
  std::optional<audit::SigningKey> signing_key;
  std::unique_ptr<audit::AuditLog> audit;
  std::unique_ptr<auth::Accounts> accounts;
  std::unique_ptr<auth::Credentials> credentials;
  std::unique_ptr<auth::LoginService> login;
  std::unique_ptr<incidents::Categories> categories;
  std::unique_ptr<incidents::SupportGroups> groups;
  std::unique_ptr<incidents::Settings> incident_settings;
  std::unique_ptr<incidents::IncidentService> incidents;
  std::unique_ptr<incidents::EscalationService> escalation;
  std::unique_ptr<incidents::Notifications> notifications;
  // GDPR and NIS2 deadlines
  std::unique_ptr<incidents::RegulatoryClocks> regulatory;
  std::unique_ptr<evidence::EvidenceService> evidence;  // content under <data_dir>/evidence

  // Applies migrations and loads shipped reference data (taxonomy). Idempotent.
  int prepare_database();
};

// Prints the first admin's password once when the database has no users.
// The password comes from CUSTOS_ADMIN_PASSWORD when set.
void ensure_first_admin(Core& core);

// Runs the HTTP server until SIGINT/SIGTERM. Returns the process exit code.
int serve(const Config& config);

// What only the HTTP routes use, built from the Core. The router's handlers keep references
// into it, so it must live as long as the router.
struct RouteServices {
  explicit RouteServices(Core& core);

  auth::AuthRouteDeps auth;
  incidents::IncidentRouteDeps reference;
  incidents::WorkServices work;  // attachments under <data_dir>/blobs
  events::EventServices events;  // reports and triage; files in the same blob store
  incidents::ProblemService problems;
  incidents::SavedViews saved_views;
  notify::LiveFeed live;  // GET /api/v1/stream
  // Jails, bans and syslog sources; started by serve() once the server listens.
  std::unique_ptr<detection::DetectionRuntime> detect;
  ~RouteServices();
};

// Registers every route of the application. Keep the result as long as the router.
[[nodiscard]] std::unique_ptr<RouteServices> add_all_routes(api::Router& router, Core& core,
                                                            Metrics& metrics);

}  // namespace custos::app
