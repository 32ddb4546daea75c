#pragma once
// Triage: the assessor classifies a new report (category from the incident taxonomy, impact
// and urgency) and decides it: dismiss, merge into an incident that is already being worked,
// or promote to a new incident. Each decision is written with its audit entry in one
// transaction, tells the reporter the outcome, and is final (a second decision is a conflict).
#include <cstdint>
#include <optional>
#include <string>

#include "auth/principal.hpp"
#include "events/event.hpp"
#include "events/triage_rules.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}
namespace custos::incidents {
class Categories;
class IncidentService;
class Worklog;
}  // namespace custos::incidents

namespace custos::events {

struct Classification {
  std::string category;
  std::optional<std::string> subcategory;
  std::optional<std::string> impact, urgency;
};

struct MergeInput {
  std::string incident;  // INC-…
  std::string reason;
};

// Unset fields come from the report and its classification.
struct PromoteInput {
  std::optional<std::string> title, description, category, subcategory, impact, urgency;
  std::string reason;
};

class Triage {
 public:
  Triage(store::Database& db, const audit::AuditLog& audit, const incidents::Categories& categories,
         incidents::IncidentService& incidents, incidents::Worklog& worklog,
         std::string mail_domain)
      : db_(db),
        audit_(audit),
        categories_(categories),
        incidents_(incidents),
        worklog_(worklog),
        mail_domain_(std::move(mail_domain)) {}

  // Each returns nullopt when the report does not exist; throws EventError otherwise.
  std::optional<Event> classify(std::int64_t id, const Classification& input,
                                const auth::Principal& who);
  std::optional<Event> dismiss(std::int64_t id, const Dismissal& input, const auth::Principal& who);
  std::optional<Event> merge(std::int64_t id, const MergeInput& input, const auth::Principal& who);
  std::optional<Event> promote(std::int64_t id, const PromoteInput& input,
                               const auth::Principal& who);
  // The same inside the caller's transaction (a ban promoting its own security event).
  std::optional<Event> promote(store::Connection& c, std::int64_t id, const PromoteInput& input,
                               const auth::Principal& who);

 private:
  void check_classification(const std::string& category,
                            const std::optional<std::string>& subcategory,
                            const std::optional<std::string>& impact,
                            const std::optional<std::string>& urgency) const;
  // Marks the report decided (only if it still is undecided) and tells the reporter.
  Event decide(store::Connection& c, const Event& before, const std::string& status,
               const nlohmann::json& audit_detail, const auth::Principal& who, std::int64_t now);
  void copy_attachments(store::Connection& c, std::int64_t event_id, std::int64_t incident_id,
                        std::int64_t now) const;

  store::Database& db_;
  const audit::AuditLog& audit_;
  const incidents::Categories& categories_;
  incidents::IncidentService& incidents_;
  incidents::Worklog& worklog_;
  std::string mail_domain_;
};

}  // namespace custos::events
