#include "app/web_routes.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "api/context.hpp"
#include "api/problem.hpp"

namespace custos::app {

using api::Context;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Calls f(item) for each comma-separated item of a header value, trimmed.
template <class F>
void for_each_item(std::string_view value, F&& f) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    f(trim(value.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// Hashed bundles never change under their name; everything else is checked on every load,
// so a new build is picked up at once.
enum class Caching { immutable, revalidate };

class WebFiles {
 public:
  explicit WebFiles(std::span<const WebAsset> assets) : assets_(assets) {
    index_ = find("/index.html");
  }

  [[nodiscard]] const WebAsset* find(std::string_view path) const {
    for (const auto& a : assets_) {
      if (a.path == path) return &a;
    }
    return nullptr;
  }

  [[nodiscard]] http::Response serve(const Context& ctx, const WebAsset& asset,
                                     Caching caching) const {
    const auto& request = ctx.request();
    http::Response res;
    res.header("Cache-Control",
               caching == Caching::immutable ? "public, max-age=31536000, immutable" : "no-cache");
    res.header("ETag", std::string(asset.etag));
    res.header("Vary", "Accept-Encoding");
    if (etag_matches(request.header("if-none-match"), asset.etag)) {
      res.status = 304;
      return res;
    }
    res.header("Content-Type", std::string(asset.content_type));
    if (!asset.gzip.empty() && accepts_gzip(request.header("accept-encoding"))) {
      res.header("Content-Encoding", "gzip");
      res.body.assign(asset.gzip);
    } else {
      res.body.assign(asset.body);
    }
    return res;
  }

  [[nodiscard]] http::Response index(const Context& ctx) const {
    if (index_ == nullptr) {
      throw api::ApiError(404, "not-found",
                          "this custos was built without its web application (-DCUSTOS_WEB=OFF); "
                          "the API is at /api/v1");
    }
    return serve(ctx, *index_, Caching::revalidate);
  }

 private:
  std::span<const WebAsset> assets_;
  const WebAsset* index_ = nullptr;
};

// "." and ".." segments and backslashes never name one of the application's pages; whatever
// a client means by them (usually a traversal attempt), the answer is that nothing is there.
bool is_page_path(std::string_view path) {
  if (path.find('\\') != std::string_view::npos) return false;
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const auto end = path.find('/');
    const auto segment = path.substr(0, end);
    if (segment == "." || segment == "..") return false;
    path = end == std::string_view::npos ? std::string_view{} : path.substr(end);
  }
  return true;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) {
  bool gzip = false;
  bool any = false;
  bool gzip_named = false;
  for_each_item(accept_encoding, [&](std::string_view item) {
    const auto semi = item.find(';');
    const auto coding = trim(item.substr(0, semi));
    bool refused = false;
    if (semi != std::string_view::npos) {
      auto params = item.substr(semi + 1);
      for (;;) {
        const auto next = params.find(';');
        const auto param = trim(params.substr(0, next));
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
          // "q=0", "q=0.0", "q=0.000" refuse; any other weight accepts.
          const auto weight = param.substr(2);
          refused = !weight.empty() && weight.find_first_not_of("0.") == std::string_view::npos;
        }
        if (next == std::string_view::npos) break;
        params.remove_prefix(next + 1);
      }
    }
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip_named = true;
      gzip = !refused;
    } else if (coding == "*") {
      any = !refused;
    }
  });
  return gzip_named ? gzip : any;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  bool matched = false;
  for_each_item(if_none_match, [&](std::string_view item) {
    if (item.starts_with("W/")) item.remove_prefix(2);  // weak comparison, as for GET
    matched = matched || item == "*" || item == etag;
  });
  return matched;
}

void add_web_routes(api::Router& router, std::span<const WebAsset> assets) {
  auto files = std::make_shared<const WebFiles>(assets);
  // Every GET that no API route has is the web application's: "/" and the client-side pages
  // (/incidents/INC-000042, ...) answer index.html, which the browser script renders; files
  // answer themselves. Never the page for the API, nor for a path that names a missing file,
  // so that a mistyped URL or a stale script reference fails visibly. The pages are not part of
  // the API, so they stay out of the route table and the OpenAPI document.
  router.set_fallback({"GET",
                       "/{page}",
                       auth::Permission::anyone,
                       [files](Context& ctx) {
                         const std::string& path = ctx.request().path;
                         const std::string shown = path.size() <= 200 ? path : "requested";
                         if (path == "/api" || path.starts_with("/api/")) {
                           throw api::not_found("the resource " + shown);
                         }
                         if (path == "/" || path == "/index.html") return files->index(ctx);
                         if (const auto* asset = files->find(path)) {
                           return files->serve(ctx, *asset,
                                               path.starts_with("/assets/") ? Caching::immutable
                                                                            : Caching::revalidate);
                         }
                         const auto last = path.substr(path.rfind('/') + 1);
                         if (path.starts_with("/assets/") || last.find('.') != std::string::npos ||
                             !is_page_path(path)) {
                           throw api::not_found("the file " + shown);
                         }
                         return files->index(ctx);
                       },
                       {"The web application", "web", "", "", 200, {}, {404}},
                       false,
                       true});
}

}  // namespace custos::app
