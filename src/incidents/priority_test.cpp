#include "incidents/priority.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string>

namespace custos::incidents {
namespace {

using nlohmann::json;

std::string parse_error(const json& j) {
  try {
    (void)j.get<PriorityMatrix>();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(PriorityMatrix, NamesRoundTrip) {
  for (Impact i : kAllImpacts) EXPECT_EQ(parse_impact(impact_name(i)), i);
  for (Urgency u : kAllUrgencies) EXPECT_EQ(parse_urgency(urgency_name(u)), u);
  EXPECT_FALSE(parse_impact("Extensive").has_value());
  EXPECT_FALSE(parse_urgency("urgent").has_value());
}

TEST(PriorityMatrix, DefaultsAreTheItilTable) {
  const auto m = PriorityMatrix::defaults();
  const int expected[4][4] = {{1, 1, 2, 3}, {1, 2, 3, 3}, {2, 3, 3, 4}, {3, 4, 4, 4}};
  for (Impact i : kAllImpacts) {
    for (Urgency u : kAllUrgencies) {
      EXPECT_EQ(m.priority(i, u), expected[static_cast<int>(i)][static_cast<int>(u)])
          << impact_name(i) << "/" << urgency_name(u);
    }
  }
  EXPECT_EQ(PriorityMatrix{}, m);
}

TEST(PriorityMatrix, SetValidates) {
  auto m = PriorityMatrix::defaults();
  m.set(Impact::minor, Urgency::critical, 2);
  EXPECT_EQ(m.priority(Impact::minor, Urgency::critical), 2);
  EXPECT_THROW(m.set(Impact::minor, Urgency::low, 0), std::invalid_argument);
  EXPECT_THROW(m.set(Impact::minor, Urgency::low, 5), std::invalid_argument);
}

TEST(PriorityMatrix, JsonRoundTrip) {
  auto m = PriorityMatrix::defaults();
  m.set(Impact::moderate, Urgency::low, 3);
  const json j = m;
  EXPECT_EQ(j["extensive"]["critical"], 1);
  EXPECT_EQ(j["significant"]["low"], 3);
  EXPECT_EQ(j["moderate"]["low"], 3);
  EXPECT_EQ(j["minor"]["low"], 4);
  EXPECT_EQ(j.size(), 4U);
  EXPECT_EQ(j["minor"].size(), 4U);
  EXPECT_EQ(j.get<PriorityMatrix>(), m);
}

TEST(PriorityMatrix, JsonAcceptsWholeFloats) {
  json j = PriorityMatrix::defaults();
  j["minor"]["critical"] = 2.0;
  EXPECT_EQ(j.get<PriorityMatrix>().priority(Impact::minor, Urgency::critical), 2);
}

TEST(PriorityMatrix, JsonErrorsNameTheCell) {
  const json good = PriorityMatrix::defaults();

  json j = good;
  j["significant"]["low"] = 5;
  EXPECT_EQ(parse_error(j), "significant.low: must be an integer 1-4");
  j["significant"]["low"] = 0;
  EXPECT_EQ(parse_error(j), "significant.low: must be an integer 1-4");
  j["significant"]["low"] = 2.5;
  EXPECT_EQ(parse_error(j), "significant.low: must be an integer 1-4");
  j["significant"]["low"] = "2";
  EXPECT_EQ(parse_error(j), "significant.low: must be an integer 1-4");
  j["significant"]["low"] = true;
  EXPECT_EQ(parse_error(j), "significant.low: must be an integer 1-4");
  j["significant"]["low"] = 1e300;
  EXPECT_EQ(parse_error(j), "significant.low: must be an integer 1-4");

  j = good;
  j["moderate"].erase("medium");
  EXPECT_EQ(parse_error(j), "moderate.medium: missing");

  j = good;
  j.erase("minor");
  EXPECT_EQ(parse_error(j), "minor: missing");

  j = good;
  j["catastrophic"] = good["extensive"];
  EXPECT_EQ(parse_error(j),
            "catastrophic: unknown impact (expected one of extensive, significant, moderate, "
            "minor)");

  j = good;
  j["extensive"]["urgent"] = 1;
  EXPECT_EQ(parse_error(j),
            "extensive.urgent: unknown urgency (expected one of critical, high, medium, low)");

  j = good;
  j["minor"] = json::array({3, 4, 4, 4});
  EXPECT_EQ(parse_error(j),
            "minor: must be an object with one entry per urgency (critical, high, medium, low)");

  EXPECT_NE(parse_error(json::array()).find("must be an object"), std::string::npos);
}

}  // namespace
}  // namespace custos::incidents
