#pragma once
// Reads the [detection] table of custos.toml (kept apart from jail_config.hpp so that only the
// configuration loader pays for toml++).
#include <toml++/toml.h>

#include "detection/jails/jail_config.hpp"

namespace custos::detection {

// Throws std::runtime_error naming the option ("detection.jails[sshd].maxretry: …") for a
// wrong type or an unknown key. Does not validate() — the caller does, after merging.
[[nodiscard]] DetectionConfig parse_detection_config(const toml::table& detection);

}  // namespace custos::detection
