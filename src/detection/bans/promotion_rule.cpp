#include "detection/bans/promotion_rule.hpp"

namespace custos::detection {

namespace {

std::string window_text(std::int64_t seconds) {
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + " d";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + " h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds) + " s";
}

}  // namespace

std::optional<Promotion> promotion_for(const JailConfig& jail, int recent_bans) {
  std::string reason;
  if (jail.critical) {
    reason = "Jail " + jail.name +
             " guards a critical asset: every ban it makes is promoted to an incident.";
  } else if (jail.promote_after > 0 && recent_bans >= jail.promote_after) {
    reason = "Rule of jail " + jail.name + ": " + std::to_string(recent_bans) +
             " bans of this address within " + window_text(jail.promote_window) +
             " (promote_after = " + std::to_string(jail.promote_after) + ").";
  } else {
    return std::nullopt;
  }
  Promotion p;
  p.reason = std::move(reason);
  p.category = jail.incident_category;
  if (!jail.incident_subcategory.empty()) p.subcategory = jail.incident_subcategory;
  p.impact = jail.incident_impact;
  p.urgency = jail.incident_urgency;
  return p;
}

}  // namespace custos::detection
