#pragma once
// HTTP routes of detection bans (/api/v1/bans): list and look at bans, lift one.
#include "api/router.hpp"
#include "detection/bans/ban_service.hpp"

namespace custos::detection {

nlohmann::json to_json(const Ban& ban);
void add_ban_routes(api::Router& router, BanService& bans);

}  // namespace custos::detection
