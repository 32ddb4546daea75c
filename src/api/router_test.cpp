#include "api/router.hpp"

#include <gtest/gtest.h>

namespace custos::api {
namespace {

Route route(std::string method, std::string pattern) {
  return Route{std::move(method),
               std::move(pattern),
               auth::Permission::anyone,
               [](Context&) { return http::Response{}; },
               {}};
}

TEST(Router, MatchesLiteralAndParameterSegments) {
  Router r;
  r.add(route("GET", "/api/v1/users"));
  r.add(route("GET", "/api/v1/users/{username}"));
  auto m = r.match("GET", "/api/v1/users/alice");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/users/{username}");
  ASSERT_EQ(m.params.size(), 1U);
  EXPECT_EQ(m.params[0].second, "alice");
  EXPECT_EQ(r.match("GET", "/api/v1/users").route->pattern, "/api/v1/users");
}

TEST(Router, LiteralBeatsParameter) {
  Router r;
  r.add(route("GET", "/api/v1/audit/{seq}"));
  r.add(route("GET", "/api/v1/audit/verify"));
  EXPECT_EQ(r.match("GET", "/api/v1/audit/verify").route->pattern, "/api/v1/audit/verify");
}

TEST(Router, ReportsAllowedMethodsWhenOnlyTheMethodDiffers) {
  Router r;
  r.add(route("GET", "/x/{id}"));
  r.add(route("PATCH", "/x/{id}"));
  auto m = r.match("DELETE", "/x/1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PATCH"}));
}

TEST(Router, RejectsEmptyDotAndExtraSegments) {
  Router r;
  r.add(route("GET", "/x/{id}"));
  EXPECT_EQ(r.match("GET", "/x/").route, nullptr);
  EXPECT_EQ(r.match("GET", "/x/..").route, nullptr);
  EXPECT_EQ(r.match("GET", "/x/.").route, nullptr);
  EXPECT_EQ(r.match("GET", "/x/1/2").route, nullptr);
  EXPECT_EQ(r.match("GET", "/x").route, nullptr);
  EXPECT_EQ(r.match("GET", "x/1").route, nullptr);
}

TEST(Router, HeadIsServedByGet) {
  Router r;
  r.add(route("GET", "/healthz"));
  EXPECT_NE(r.match("HEAD", "/healthz").route, nullptr);
}

TEST(Router, FindAgreesWithMatchAndIgnoresOtherMethods) {
  Router r;
  r.add(route("GET", "/api/v1/audit/{seq}"));
  r.add(route("GET", "/api/v1/audit/verify"));
  r.add(route("POST", "/api/v1/audit/{seq}"));
  for (const char* path : {"/api/v1/audit/verify", "/api/v1/audit/7", "/api/v1/audit", "/x"}) {
    EXPECT_EQ(r.find("GET", path), r.match("GET", path).route) << path;
  }
  EXPECT_EQ(r.find("POST", "/api/v1/audit/7")->method, "POST");
  EXPECT_EQ(r.find("DELETE", "/api/v1/audit/7"), nullptr);
}

TEST(Router, VeryDeepPathsMatchNothing) {
  Router r;
  r.add(route("GET", "/x/{id}"));
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "/x";
  EXPECT_EQ(r.match("GET", deep).route, nullptr);
  EXPECT_EQ(r.find("GET", deep), nullptr);
}

TEST(Router, FallbackServesOnlyPathsNoRouteHas) {
  Router r;
  r.add(route("GET", "/api/v1/users/{username}"));
  r.add(route("POST", "/api/v1/auth/login"));
  r.set_fallback(route("GET", "/"));
  for (const char* path :
       {"/incidents", "/incidents/INC-000001", "/a/b/c/d/e", "/api/v1/nothing"}) {
    EXPECT_EQ(r.match("GET", path).route->pattern, "/") << path;
    EXPECT_EQ(r.match("HEAD", path).route->pattern, "/") << path;
    EXPECT_EQ(r.find("GET", path), r.match("GET", path).route) << path;
  }
  EXPECT_EQ(r.match("GET", "/api/v1/users/alice").route->pattern, "/api/v1/users/{username}");
  // A path known under another method stays a 405, and other methods never fall back.
  auto login = r.match("GET", "/api/v1/auth/login");
  EXPECT_EQ(login.route, nullptr);
  EXPECT_EQ(login.allowed_methods, (std::vector<std::string>{"POST"}));
  EXPECT_EQ(r.find("GET", "/api/v1/auth/login"), nullptr);
  EXPECT_EQ(r.match("POST", "/incidents").route, nullptr);
  EXPECT_EQ(r.find("DELETE", "/incidents"), nullptr);
  EXPECT_EQ(r.routes().size(), 2U);
}

TEST(Router, RejectsRelativePatterns) {
  EXPECT_THROW(Router().add(route("GET", "x")), std::invalid_argument);
}

}  // namespace
}  // namespace custos::api
