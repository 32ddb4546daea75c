#include "api/json_input.hpp"

#include <gtest/gtest.h>

#include "api/problem.hpp"

namespace custos::api {
namespace {

int status_of(const std::function<void()>& f, std::string* field = nullptr) {
  try {
    f();
  } catch (const ApiError& e) {
    if (field != nullptr && !e.errors().empty()) *field = e.errors().front().field;
    return e.status();
  }
  return 0;
}

TEST(JsonInput, ReadsKnownFieldsAndRejectsUnknownOnes) {
  auto j = nlohmann::json::parse(R"({"name":"x","count":3,"flag":true,"tags":["a"],"extra":1})");
  JsonObject o(j);
  EXPECT_EQ(o.required_string("name", 10), "x");
  EXPECT_EQ(o.optional_int("count", 0, 10), 3);
  EXPECT_EQ(o.optional_bool("flag"), true);
  EXPECT_EQ(o.optional_string_array("tags", 5, 5)->front(), "a");
  std::string field;
  EXPECT_EQ(status_of([&] { o.reject_unknown(); }, &field), 422);
  EXPECT_EQ(field, "extra");
}

TEST(JsonInput, WrongTypesAndLimitsNameTheField) {
  auto j = nlohmann::json::parse(
      R"({"s":1,"n":"1","b":"true","a":[1],"long":"abcdef","ctl":"a\u0001"})");
  JsonObject o(j);
  std::string field;
  EXPECT_EQ(status_of([&] { o.optional_string("s", 10); }, &field), 422);
  EXPECT_EQ(field, "s");
  EXPECT_EQ(status_of([&] { o.optional_int("n", 0, 9); }, &field), 422);
  EXPECT_EQ(status_of([&] { o.optional_bool("b"); }, &field), 422);
  EXPECT_EQ(status_of([&] { o.optional_string_array("a", 3, 3); }, &field), 422);
  EXPECT_EQ(field, "a[0]");
  EXPECT_EQ(status_of([&] { o.optional_string("long", 3); }, &field), 422);
  EXPECT_EQ(status_of([&] { o.optional_string("ctl", 10); }, &field), 422);
  EXPECT_EQ(status_of([&] { o.required_string("missing", 10); }, &field), 422);
  EXPECT_EQ(field, "missing");
}

TEST(JsonInput, BodyMustBeAnObjectOfValidJson) {
  EXPECT_EQ(status_of([] { JsonObject o(nlohmann::json::parse("[1]")); }), 422);
  EXPECT_EQ(status_of([] { parse_json_body("{"); }), 400);
  EXPECT_EQ(status_of([] { parse_json_body(""); }), 400);
  EXPECT_EQ(status_of([] { parse_json_body("{\"a\":\"\xff\"}"); }), 400);
}

TEST(JsonInput, IntegerRangeIncludesHugeUnsigned) {
  auto j = nlohmann::json::parse(R"({"n":18446744073709551615})");
  JsonObject o(j);
  EXPECT_EQ(status_of([&] { o.optional_int("n", 0, 100); }), 422);
}

}  // namespace
}  // namespace custos::api
