#include "app/web_routes.hpp"

#include <gtest/gtest.h>

#include <array>

#include "api/dispatcher.hpp"

namespace custos::app {
namespace {

using namespace std::string_view_literals;

const std::array kAssets{
    WebAsset{"/index.html", "text/html; charset=utf-8", "<!doctype html><title>custos</title>",
             "GZ-INDEX", "\"i1\""},
    WebAsset{"/assets/index-abc123.js", "text/javascript; charset=utf-8", "console.log(1)", "GZ-JS",
             "\"j1\""},
    WebAsset{"/assets/logo-def456.svg", "image/svg+xml", "<svg/>", "", "\"s1\""},
    WebAsset{"/favicon.ico", "image/x-icon", "ICO", "", "\"f1\""},
};

class WebRoutes : public ::testing::Test {
 protected:
  WebRoutes() {
    router.add({"POST",
                "/api/v1/auth/login",
                auth::Permission::anyone,
                [](api::Context&) { return http::Response{}; },
                {}});
    add_web_routes(router, kAssets);
  }

  http::Response get(std::string path, http::Headers headers = {}, std::string method = "GET") {
    http::Request req;
    req.method = std::move(method);
    req.path = path;
    req.target = std::move(path);
    req.headers = std::move(headers);
    return dispatcher.handle(req);
  }

  api::Router router;
  api::Dispatcher dispatcher{router, {}, nullptr};
};

TEST_F(WebRoutes, RootAndClientPagesAnswerIndexThatIsAlwaysRevalidated) {
  for (const char* path : {"/", "/incidents", "/incidents/INC-000042", "/admin/users/alice/x"}) {
    auto res = get(path);
    EXPECT_EQ(res.status, 200) << path;
    EXPECT_EQ(res.body, "<!doctype html><title>custos</title>") << path;
    EXPECT_EQ(res.find_header("Content-Type"), "text/html; charset=utf-8") << path;
    EXPECT_EQ(res.find_header("Cache-Control"), "no-cache") << path;
    EXPECT_EQ(res.find_header("ETag"), "\"i1\"") << path;
  }
}

TEST_F(WebRoutes, HashedAssetsAreCachedForAYear) {
  auto res = get("/assets/index-abc123.js");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "console.log(1)");
  EXPECT_EQ(res.find_header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(res.find_header("Cache-Control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(res.find_header("Vary"), "Accept-Encoding");
  EXPECT_EQ(res.find_header("Content-Encoding"), "");
}

TEST_F(WebRoutes, GzipWhenTheClientAcceptsItAndItWasWorthIt) {
  auto js = get("/assets/index-abc123.js", {{"accept-encoding", "gzip, deflate, br"}});
  EXPECT_EQ(js.body, "GZ-JS");
  EXPECT_EQ(js.find_header("Content-Encoding"), "gzip");
  auto index = get("/incidents", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(index.body, "GZ-INDEX");
  auto svg = get("/assets/logo-def456.svg", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(svg.body, "<svg/>");
  EXPECT_EQ(svg.find_header("Content-Encoding"), "");
  auto refused = get("/assets/index-abc123.js", {{"accept-encoding", "gzip;q=0, identity"}});
  EXPECT_EQ(refused.body, "console.log(1)");
}

TEST_F(WebRoutes, MatchingEtagAnswersNotModified) {
  auto res = get("/", {{"if-none-match", "\"x\", \"i1\""}});
  EXPECT_EQ(res.status, 304);
  EXPECT_TRUE(res.body.empty());
  EXPECT_EQ(res.find_header("ETag"), "\"i1\"");
  EXPECT_EQ(get("/", {{"if-none-match", "\"old\""}}).status, 200);
}

TEST_F(WebRoutes, TopLevelFilesAreServedAsThemselves) {
  auto res = get("/favicon.ico");
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body, "ICO");
  EXPECT_EQ(res.find_header("Cache-Control"), "no-cache");
}

TEST_F(WebRoutes, MissingFilesAndTheApiAreNeverThePage) {
  for (const char* path : {"/assets/index-000000.js", "/robots.txt", "/incidents/x.png", "/api",
                           "/api/v1/nothing-here", "/api/v2/users", "/../../etc/passwd",
                           "/incidents/../admin", "/./incidents", "/a\\b", "/incidents/.."}) {
    auto res = get(path);
    EXPECT_EQ(res.status, 404) << path;
    EXPECT_EQ(res.find_header("Content-Type"), "application/problem+json") << path;
  }
}

TEST_F(WebRoutes, OtherMethodsAndKnownApiPathsKeepTheirAnswers) {
  EXPECT_EQ(get("/api/v1/auth/login").status, 405);
  EXPECT_EQ(get("/incidents", {}, "POST").status, 404);
  auto head = get("/incidents", {}, "HEAD");
  EXPECT_EQ(head.status, 200);
}

TEST_F(WebRoutes, RoutesAreQuick) {
  http::Request req;
  req.method = "GET";
  for (const char* path : {"/", "/assets/index-abc123.js", "/incidents/INC-000001"}) {
    req.path = path;
    EXPECT_TRUE(dispatcher.is_quick(req)) << path;
  }
  req.path = "/api/v1/auth/login";
  EXPECT_FALSE(dispatcher.is_quick(req));
}

TEST(WebRoutesBuiltWithout, RootExplainsWhy) {
  api::Router router;
  add_web_routes(router, {});
  api::Dispatcher dispatcher{router, {}, nullptr};
  http::Request req;
  req.method = "GET";
  req.path = req.target = "/";
  auto res = dispatcher.handle(req);
  EXPECT_EQ(res.status, 404);
  EXPECT_NE(res.body.find("CUSTOS_WEB=OFF"), std::string::npos);
}

TEST(AcceptsGzip, ReadsCodingsAndWeights) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("br;q=1.0, x-gzip"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("*, gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("gzipped"));
}

TEST(EtagMatches, ListsStarAndWeakTags) {
  EXPECT_TRUE(etag_matches("\"a\"", "\"a\""));
  EXPECT_TRUE(etag_matches("\"b\", W/\"a\"", "\"a\""));
  EXPECT_TRUE(etag_matches("*", "\"a\""));
  EXPECT_FALSE(etag_matches("", "\"a\""));
  EXPECT_FALSE(etag_matches("\"ab\"", "\"a\""));
}

}  // namespace
}  // namespace custos::app
