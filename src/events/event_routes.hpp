#pragma once
// HTTP routes of event and weakness reports (/api/v1/events), and the services behind them.
#include <cstdint>
#include <filesystem>
#include <string>

#include "api/router.hpp"
#include "events/anonymous_limit.hpp"
#include "events/reports.hpp"
#include "events/triage.hpp"
#include "incidents/worklog.hpp"

namespace custos::incidents {
class Categories;
class IncidentService;
}  // namespace custos::incidents

namespace custos::events {

struct EventSettings {
  bool anonymous_reports = false;  // the form without an account is off unless switched on
  int anonymous_per_hour = 5;      // per client address
  std::string mail_domain;         // right-hand side of the Message-IDs custos sends
  std::int64_t max_file_bytes = 10 * 1024 * 1024;
};

// The host's name: the right-hand side of Message-IDs when none is configured.
std::string default_mail_domain();

struct EventServices {
  // Files go to the blob store the incident attachments use: <data_dir>/blobs.
  EventServices(store::Database& db, const audit::AuditLog& audit,
                const incidents::Categories& categories, incidents::IncidentService& incidents,
                const std::filesystem::path& data_dir, const EventSettings& settings);

  EventSettings settings;
  Reports reports;
  incidents::Worklog worklog;
  Triage triage;
  AnonymousLimit anonymous_limit;
};

void add_event_routes(api::Router& router, EventServices& events);

}  // namespace custos::events
