#pragma once
// Serves the web application: "/" and client-side pages answer index.html, "/assets/…" the
// hashed bundles. Everything is read from memory, so the route is quick.
#include <span>
#include <string_view>

#include "api/router.hpp"
#include "app/web_assets.hpp"

namespace custos::app {

void add_web_routes(api::Router& router, std::span<const WebAsset> assets);

// Whether an Accept-Encoding header admits gzip (a q of 0 refuses it).
bool accepts_gzip(std::string_view accept_encoding);

// Whether an If-None-Match header names this ETag (or is "*").
bool etag_matches(std::string_view if_none_match, std::string_view etag);

}  // namespace custos::app
