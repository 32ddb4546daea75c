#include "events/triage_rules.hpp"

#include <gtest/gtest.h>

namespace custos::events {

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;

NewReport valid_report() {
  NewReport r;
  r.title = "USB stick found in the car park";
  r.observed = "A labelled stick 'Salaries 2026' near entrance B";
  return r;
}

std::string field_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const EventError& e) {
    return e.field;
  }
  return "(accepted)";
}

Event event_with(const std::string& status) {
  Event e;
  e.id = 7;
  e.title = "t";
  e.status = status;
  return e;
}

}  // namespace

TEST(EventsTriageRules, ANewReportNeedsATitleAndSomethingAboutWhatHappened) {
  EXPECT_EQ(field_of([] { check_new_report(valid_report(), kNow); }), "(accepted)");
  auto r = valid_report();
  r.title = "  ";
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "title");
  r = valid_report();
  r.observed.clear();
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "description");
  r = valid_report();
  r.kind = "incident";
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "kind");
  r = valid_report();
  r.title = "two\nlines";
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "title");
  r = valid_report();
  r.description = std::string("bell\x07");
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "description");
  r = valid_report();
  r.location = std::string(201, 'x');
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "location");
  r = valid_report();
  r.observed_at = kNow + 3'600'000;
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "observed_at");
  r.observed_at = kNow + 30'000;  // clock skew
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "(accepted)");
  r = valid_report();
  r.title = "\xC3\x28";  // invalid UTF-8
  EXPECT_EQ(field_of([&] { check_new_report(r, kNow); }), "title");
}

TEST(EventsTriageRules, DecidedReportsAreFinal) {
  for (const char* s : {"new", "triaging"}) {
    EXPECT_NO_THROW(require_undecided(event_with(s))) << s;
  }
  for (const char* s : {"dismissed", "merged", "promoted"}) {
    try {
      require_undecided(event_with(s));
      FAIL() << s << " was not final";
    } catch (const EventError& e) {
      EXPECT_EQ(e.refusal, EventRefusal::conflict);
      EXPECT_NE(std::string(e.what()).find("EVT-000007"), std::string::npos);
    }
  }
}

TEST(EventsTriageRules, DismissalNeedsAKnownCodeAReasonAndForDuplicatesTheOther) {
  const auto e = event_with("triaging");
  auto check = [&](Dismissal d) { return field_of([&] { check_dismissal(e, d); }); };
  EXPECT_EQ(check({"false_positive", "The scanner misread a test host.", std::nullopt}),
            "(accepted)");
  EXPECT_EQ(check({"not_security", "Printer out of paper.", std::nullopt}), "(accepted)");
  EXPECT_EQ(check({"spam", "x", std::nullopt}), "code");
  EXPECT_EQ(check({"false_positive", "  ", std::nullopt}), "reason");
  EXPECT_EQ(check({"duplicate", "Same mail.", std::nullopt}), "duplicate_of");
  EXPECT_EQ(check({"duplicate", "Same mail.", "EVT-000003"}), "(accepted)");
  EXPECT_EQ(check({"duplicate", "Same mail.", "INC-000012"}), "(accepted)");
  EXPECT_EQ(check({"duplicate", "Same mail.", "EVT-000007"}), "duplicate_of");  // itself
  EXPECT_EQ(check({"duplicate", "Same mail.", "PRB-000001"}), "duplicate_of");
  EXPECT_EQ(check({"not_security", "x", "EVT-000003"}), "duplicate_of");
}

TEST(EventsTriageRules, APromotedIncidentCarriesTheReportersWordsAndTheKey) {
  Event e = event_with("triaging");
  e.kind = "weakness";
  e.description = "The VPN portal shows its version.";
  e.observed = "Banner: FortiOS 6.0";
  e.location = "vpn.example.org";
  e.reporter = "rita";
  e.channel = "email";
  const auto d = incident_description(e);
  EXPECT_NE(d.find("The VPN portal shows its version."), std::string::npos);
  EXPECT_NE(d.find("**Observed**\nBanner: FortiOS 6.0"), std::string::npos);
  EXPECT_NE(d.find("**Where**\nvpn.example.org"), std::string::npos);
  EXPECT_NE(d.find("Reported as weakness EVT-000007 by rita (email)."), std::string::npos);
  // A report that used the whole length still names itself in the incident.
  e.description = std::string(kMaxText, 'x');
  const auto long_d = incident_description(e);
  EXPECT_LE(long_d.size(), kMaxText);
  EXPECT_NE(long_d.find("EVT-000007"), std::string::npos);
  EXPECT_EQ(incident_source("email"), "email");
  EXPECT_EQ(incident_source("portal"), "portal");
  EXPECT_EQ(incident_source("detection"), "detection");
}

}  // namespace custos::events
