#pragma once
// When a ban's security event becomes an incident: the rule of the jail that made the ban.
// A jail guarding a critical asset promotes at its first ban; otherwise an address banned
// `promote_after` times within `promote_window` is a persistent attacker worth an incident.
#include <optional>
#include <string>

#include "detection/jails/jail_config.hpp"

namespace custos::detection {

// What the incident is classified as, and why it was opened (the triage decision's reason).
struct Promotion {
  std::string reason;
  std::string category;
  std::optional<std::string> subcategory;
  std::string impact;
  std::string urgency;
};

// `recent_bans`: this address's bans in this jail within the jail's promote_window, the new
// one included. nullopt when the event stays an event.
[[nodiscard]] std::optional<Promotion> promotion_for(const JailConfig& jail, int recent_bans);

}  // namespace custos::detection
