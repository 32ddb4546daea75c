#pragma once
// The web application's built files (web/, built by Vite during the CMake build) are compiled
// into the binary, so that one file serves the API and the pages with nothing beside it.
#include <span>
#include <string_view>

namespace custos::app {

struct WebAsset {
  std::string_view path;          // "/index.html", "/assets/index-3f2a1b9c.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view body;
  std::string_view gzip;  // the body compressed at build time; empty when that did not pay
  std::string_view etag;  // quoted, from the content's SHA-256
};

// Generated at build time (see web/scripts/build.mjs); empty when built with -DCUSTOS_WEB=OFF.
std::span<const WebAsset> web_assets();

}  // namespace custos::app
