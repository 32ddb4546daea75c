#pragma once
// The major incident procedure: an incident manager declares an incident major and names a
// major-incident manager who leads it; the incident managers are told at once (in-app
// notifications). From then on its communications are logged (worklog entries of kind
// 'communication' with an audience) and it cannot be closed without a review (lessons
// learned and improvement actions, or a waiver).
#include <cstdint>
#include <optional>
#include <string>

#include "incidents/work_access.hpp"
#include "store/database.hpp"

namespace custos::audit {
class AuditLog;
}

namespace custos::incidents {

class MajorIncidents {
 public:
  MajorIncidents(store::Database& db, const audit::AuditLog& audit) : db_(db), audit_(audit) {}

  // Declares the incident major with `manager` (a user who works incidents and may see this
  // one) leading it; declaring again names a new manager. `expected_version`, when given, must
  // be the incident's version. Returns false when the incident does not exist or the caller may
  // not see it; throws WorkError for everything else.
  bool declare(std::int64_t incident_id, const std::string& manager,
               std::optional<std::int64_t> expected_version, const auth::Principal& who);

 private:
  store::Database& db_;
  const audit::AuditLog& audit_;
};

}  // namespace custos::incidents
