#include "detection/date_detector.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace custos::detection {
namespace {

class DetectionDates : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "CET-01CEST-02,M3.5.0,M10.5.0", 1);
    tzset();
    now_.epoch = 1'124'013'600;  // 2005-08-14 12:00:00 CEST
    now_.local = CivilTime{2005, 8, 14, 12, 0, 0};
  }
  std::optional<double> date(DateDetector& d, std::string_view line) {
    auto m = d.match(line, zone_);
    return m ? m->epoch : std::nullopt;
  }
  ReferenceTime now_;
  LocalTimeZone zone_;
};

TEST_F(DetectionDates, DefaultTemplates) {
  DateDetector d("", now_);
  EXPECT_EQ(date(d, "Jun 21 16:47:48 host sshd[1]: x"), 1'119'365'268.0);  // 2005, CEST
  EXPECT_EQ(date(d, "2005-01-05 01:31:41 x"), 1'104'885'101.0);            // CET
  EXPECT_EQ(date(d, "[1124013600] epoch"), 1'124'013'600.0);
  EXPECT_EQ(date(d, "2023-11-14T10:00:00+02:00 iso with offset"), 1'699'948'800.0);
  EXPECT_FALSE(date(d, "no date here"));
}

TEST_F(DetectionDates, DatePatternLineBeginAndCut) {
  DateDetector p("{^LN-BEG}%Y/%m/%d %H:%M:%S", now_);
  const auto m = p.match("2005/08/14 10:00:00 message", zone_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, 0U);
  EXPECT_EQ(m->end, 19U);
  EXPECT_EQ(*m->epoch, 1'124'006'400.0);
  EXPECT_FALSE(p.match("message 2005/08/14 10:00:00", zone_));
}

TEST_F(DetectionDates, NoneAndErrors) {
  DateDetector none("{NONE}", now_);
  const auto m = none.match("any line", zone_);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->begin, m->end);  // nothing to cut; the time is "now"
  EXPECT_THROW(DateDetector("%Q", now_), std::invalid_argument);
}

}  // namespace
}  // namespace custos::detection
