#include "app/demo_data.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <span>
#include <string_view>

#include "auth/accounts.hpp"
#include "incidents/groups.hpp"
#include "incidents/review.hpp"
#include "incidents/worklog.hpp"
#include "util/crypto.hpp"
#include "util/time.hpp"

namespace custos::app {

namespace {

using incidents::Impact;
using incidents::Status;
using incidents::Urgency;

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

// ---- people and groups -----------------------------------------------------------------------

struct DemoUser {
  std::string username;
  std::string display_name;
  auth::Role role;
};

struct DemoGroup {
  const char* name;
  const char* display_name;
  int level;
  const char* manager;
  const char* escalation_group;  // "" for none
  int first_agent, last_agent;   // agentNN members, inclusive
};

constexpr DemoGroup kGroups[] = {
    {"soc-l3", "SOC level 3 (forensics)", 3, "lead-soc", "", 18, 20},
    {"soc-l2", "SOC level 2", 2, "lead-soc", "soc-l3", 13, 17},
    {"soc-l1", "SOC level 1", 1, "lead-soc", "soc-l2", 7, 12},
    {"noc-l2", "Network and infrastructure", 2, "lead-noc", "", 21, 24},
    {"servicedesk", "Service desk", 1, "lead-sd", "noc-l2", 1, 6},
};

std::string two_digits(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

std::vector<DemoUser> demo_people() {
  std::vector<DemoUser> out;
  for (int i = 1; i <= 24; ++i)
    out.push_back({"agent" + two_digits(i), "Agent " + two_digits(i), auth::Role::agent});
  for (const char* lead : {"lead-soc", "lead-noc", "lead-sd"})
    out.push_back({lead, std::string("Team lead ") + (lead + 5), auth::Role::agent});
  out.push_back({"im-anna", "Anna (incident manager)", auth::Role::incident_manager});
  out.push_back({"im-ben", "Ben (incident manager)", auth::Role::incident_manager});
  out.push_back({"sm-clara", "Clara (security manager)", auth::Role::security_manager});
  out.push_back({"auditor-dan", "Dan (auditor)", auth::Role::auditor});
  for (int i = 1; i <= 30; ++i)
    out.push_back({"user" + two_digits(i), "Employee " + two_digits(i), auth::Role::reporter});
  return out;
}

auth::Principal principal_of(const auth::User& u) {
  auth::Principal p;
  p.user_id = u.id;
  p.username = u.username;
  p.display_name = u.display_name;
  p.roles = u.roles;
  p.method = auth::AuthMethod::session;
  return p;
}

// ---- vocabulary --------------------------------------------------------------------------------

constexpr std::string_view kHosts[] = {
    "fs01",       "fs02",       "mail-gw",     "vpn-edge",    "dc01",        "dc02",
    "web-shop",   "erp-app",    "hr-portal",   "crm-db",      "build-agent", "jump-host",
    "wiki",       "git-server", "backup-nas",  "print-srv",   "k8s-node-3",  "k8s-node-7",
    "lb-front",   "sso-idp",    "laptop-1043", "laptop-2210", "laptop-3318", "kiosk-lobby",
    "pos-store4", "wifi-guest", "ci-runner",   "payroll-app", "dns-int",     "proxy-out"};
constexpr std::string_view kServices[] = {
    "e-mail", "VPN", "web shop",       "ERP",      "payroll", "HR portal", "file shares",
    "wiki",   "CRM", "single sign-on", "printing", "Wi-Fi"};
constexpr std::string_view kMalware[] = {
    "Emotet",  "QakBot", "AgentTesla",      "Cobalt Strike beacon",
    "LockBit", "njRAT",  "RedLine stealer", "a cryptominer"};
constexpr std::string_view kCountries[] = {"RU", "CN", "BR", "NL", "US", "KP", "IR", "VN"};

struct ClassText {
  std::string_view code;
  std::array<std::string_view, 4> titles;  // {h} host, {m} malware, {s} service
  std::array<std::string_view, 4> details;
};

// Titles and description sentences per top-level class of data/taxonomy.json.
constexpr ClassText kTexts[] = {
    {"abusive-content",
     {"Spam wave sent from {h}", "Offensive messages on the {s} forum",
      "Mass mailing abuse via {s}", "Harmful content reported on {h}"},
     {"Users forwarded several samples to the abuse mailbox.",
      "The sending account was rate limited while we investigate.",
      "Message headers point to a compromised mailbox.",
      "Content was removed and the poster's session ended."}},
    {"malicious-code",
     {"{m} detected on {h}", "Ransomware note found on {h}", "EDR quarantined {m} on {h}",
      "Beaconing to known C2 from {h}"},
     {"The endpoint agent raised a high-severity alert and isolated the host.",
      "Encrypted files with a new extension appeared on the share.",
      "Outbound connections every 60 seconds to a domain registered last week.",
      "The sample hash matches a current threat intelligence report."}},
    {"information-gathering",
     {"Port scan against {h} from {c}", "Suspicious LDAP enumeration from {h}",
      "Vishing calls asking for {s} passwords", "Sniffer found on {h}"},
     {"The firewall logged thousands of SYN packets across many ports.",
      "Several staff reported calls from a caller posing as IT support.",
      "The scan originated from a hosting provider outside our customer regions.",
      "No successful logins followed the enumeration so far."}},
    {"intrusion-attempt",
     {"Brute-force logins against {s}", "IDS alert: exploit attempt on {h}",
      "Password spraying on {s} from {c}", "Log4Shell probe against {h}"},
     {"Failed logins exceeded the lockout threshold for many accounts.",
      "The intrusion detection system matched a known exploit signature.",
      "The source addresses rotate through a residential proxy network.",
      "The web application firewall blocked the requests."}},
    {"intrusion",
     {"Admin account compromised on {h}", "Unauthorised login to {s} from {c}",
      "Web shell found on {h}", "Compromised service account used on {h}"},
     {"A privileged login happened outside business hours from an unknown device.",
      "New scheduled tasks were created shortly after the login.",
      "The account's password was reset and its sessions revoked.",
      "Forensic imaging of the host has been requested."}},
    {"availability",
     {"DDoS against {s}", "{s} unavailable after configuration change", "{h} unreachable",
      "Sabotage suspected: {h} powered off"},
     {"Traffic peaked at several gigabits per second from many sources.",
      "Users cannot reach the service; the status page was updated.",
      "The change was rolled back and monitoring is green again.",
      "The upstream provider's scrubbing service was activated."}},
    {"information-content-security",
     {"Customer data exposed via {s}", "Unauthorised change to records in {s}",
      "Laptop with personal data lost ({h})", "Sensitive file shared publicly from {s}"},
     {"The data protection officer was informed about possible personal data.",
      "Access logs show downloads by an account without a business need.",
      "The public link was revoked and the access log secured.",
      "The device was encrypted; remote wipe was triggered."}},
    {"fraud",
     {"Phishing e-mail impersonating {s}", "CEO fraud attempt via e-mail",
      "Fake {s} login page reported", "Unauthorised use of {s} licences"},
     {"Several users clicked the link; two entered credentials.",
      "The sender domain is a look-alike registered two days ago.",
      "The phishing page was reported for takedown.",
      "Affected passwords were reset and MFA enforced."}},
    {"vulnerable",
     {"Critical vulnerability on {h}", "{s} exposes an admin interface to the internet",
      "Weak TLS configuration on {h}", "Open resolver on {h} abused for amplification"},
     {"The vulnerability scanner reported a CVSS 9.8 finding.",
      "A patch is available; the change request was raised.",
      "The exposed port was closed on the perimeter firewall.",
      "The finding was confirmed manually by the SOC."}},
    {"other",
     {"Unclassified security event on {h}", "Suspicious behaviour reported by a user of {s}",
      "Unknown USB device found near {h}", "Odd audit log gap on {h}"},
     {"The report is being triaged to find the right class.",
      "No further indicators were found so far.", "The user was asked for screenshots and times.",
      "The device was handed to the security team."}},
    {"service-failure",
     {"{s} slow for all users", "{h} disk full", "{s} login errors after update",
      "Network outage affecting {s}"},
     {"Monitoring shows response times above ten seconds.",
      "Log rotation failed and filled the volume.",
      "The vendor confirmed a known issue and provided a workaround.",
      "A failed switch port was replaced."}},
};

const ClassText& texts_for(const std::string& category) {
  for (const auto& t : kTexts) {
    if (t.code == category) return t;
  }
  return kTexts[9];  // "other": categories an administrator added
}

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::mt19937_64& rng() { return rng_; }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  template <class T>
  const T& pick(std::span<const T> items) {
    return items[below(items.size())];
  }
  template <class T, std::size_t N>
  const T& pick(const T (&items)[N]) {
    return items[below(N)];
  }
  // Skewed durations: most are short, a few take much longer (log-normal around `median`).
  std::int64_t duration(std::int64_t median, double spread = 0.9) {
    std::lognormal_distribution<double> d(std::log(static_cast<double>(median)), spread);
    return std::max<std::int64_t>(kMinute, static_cast<std::int64_t>(d(rng_)));
  }
  std::size_t weighted(std::initializer_list<double> weights) {
    std::discrete_distribution<std::size_t> d(weights);
    return d(rng_);
  }

  std::string fill(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '{' && i + 2 < text.size() && text[i + 2] == '}') {
        switch (text[i + 1]) {
          case 'h':
            out += pick(kHosts);
            break;
          case 's':
            out += pick(kServices);
            break;
          case 'm':
            out += pick(kMalware);
            break;
          case 'c':
            out += pick(kCountries);
            break;
          default:
            break;
        }
        i += 2;
      } else {
        out += text[i];
      }
    }
    return out;
  }

  std::string ip() {
    return std::to_string(10 + below(200)) + "." + std::to_string(below(256)) + "." +
           std::to_string(below(256)) + "." + std::to_string(1 + below(254));
  }

 private:
  std::mt19937_64 rng_;
};

struct People {
  std::vector<auth::Principal> agents;     // agent01..agent24
  std::vector<auth::Principal> reporters;  // user01..user30
  std::vector<auth::Principal> managers;   // incident managers
  std::map<std::string, std::vector<std::string>, std::less<>> group_members;
};

People ensure_people(Core& core) {
  People people;
  for (const auto& d : demo_people()) {
    auto user = core.accounts->find(d.username);
    if (!user) {
      auth::NewUser nu;
      nu.username = d.username;
      nu.display_name = d.display_name;
      nu.email = d.username + "@demo.example";
      nu.roles = auth::RoleSet{d.role};
      nu.password = util::random_token(18);  // nobody knows it: set one to sign in as them
      user = core.accounts->create(nu, "system:demo");
    }
    auto p = principal_of(*user);
    if (d.role == auth::Role::reporter) {
      people.reporters.push_back(p);
    } else if (d.role == auth::Role::incident_manager) {
      people.managers.push_back(p);
    } else if (d.username.starts_with("agent")) {
      people.agents.push_back(p);
    }
  }
  for (const auto& g : kGroups) {
    auto& members = people.group_members[g.name];
    for (int i = g.first_agent; i <= g.last_agent; ++i) members.push_back("agent" + two_digits(i));
    if (core.groups->find(g.name)) continue;
    incidents::SupportGroup group;
    group.name = g.name;
    group.display_name = g.display_name;
    group.level = g.level;
    group.manager = std::string(g.manager);
    if (*g.escalation_group != '\0') group.escalation_group = std::string(g.escalation_group);
    group.members = members;
    core.groups->create(group, "system:demo");
  }
  return people;
}

const auth::Principal& by_name(const std::vector<auth::Principal>& people,
                               const std::string& name) {
  for (const auto& p : people) {
    if (p.username == name) return p;
  }
  return people.front();
}

struct Counters {
  std::int64_t open = 0;
  std::int64_t worklog = 0;
};

// One incident from report to (perhaps) closure. Every step goes through the service, as of
// the time it happens; steps later than `now` have not happened yet.
void one_incident(Generator& g, store::Connection& c, Core& core, incidents::Worklog& worklog,
                  incidents::Review& review, const People& people,
                  const std::vector<incidents::Category>& classes,
                  const std::vector<incidents::Category>& subclasses, std::int64_t reported,
                  std::int64_t now, Counters& counters) {
  // What happened.
  const bool service_failure = g.chance(0.22);
  std::vector<const incidents::Category*> candidates;
  for (const auto& k : classes) {
    if ((k.code == "service-failure") == service_failure) candidates.push_back(&k);
  }
  const incidents::Category* cls =
      candidates.empty() ? &classes.front() : candidates[g.below(candidates.size())];
  std::vector<const incidents::Category*> children;
  for (const auto& s : subclasses) {
    if (s.parent == cls->code) children.push_back(&s);
  }
  const auto& text = texts_for(cls->code);
  incidents::IncidentFields f;
  f.title = g.fill(text.titles[g.below(4)]);
  std::string description;
  const auto sentences = 2 + g.below(4);
  for (std::size_t s = 0; s < sentences; ++s) {
    if (!description.empty()) description += ' ';
    description += g.fill(text.details[g.below(4)]);
  }
  description += "\n\nSource address " + g.ip() + ", first seen on " + std::string(g.pick(kHosts)) +
                 ". Reported via " + std::string(g.pick(kServices)) + ".";
  f.description = description;
  f.category = cls->code;
  if (!children.empty() && g.chance(0.8)) f.subcategory = children[g.below(children.size())]->code;
  f.impact = incidents::kAllImpacts[g.weighted({3, 12, 40, 45})];
  f.urgency = incidents::kAllUrgencies[g.weighted({4, 16, 45, 35})];
  f.affects_confidentiality = !service_failure && g.chance(0.4);
  f.affects_integrity = !service_failure && g.chance(0.2);
  f.affects_availability = service_failure || g.chance(0.2);
  f.personal_data = g.chance(0.08);
  if (g.chance(0.6)) f.affected_services = std::vector<std::string>{std::string(g.pick(kServices))};
  if (g.chance(0.5)) f.affected_assets = std::vector<std::string>{std::string(g.pick(kHosts))};
  f.occurred_at = reported - static_cast<std::int64_t>(g.below(6 * kHour));
  f.detected_at = reported - static_cast<std::int64_t>(g.below(kHour));

  // Who logs it: employees through the portal, the service desk for calls, e-mail, tools.
  const char* group_name = service_failure ? (g.chance(0.7) ? "servicedesk" : "noc-l2")
                                           : (g.chance(0.85) ? "soc-l1" : "soc-l2");
  const auto& members = people.group_members.at(group_name);
  const auth::Principal& worker = by_name(people.agents, members[g.below(members.size())]);
  const std::size_t channel = g.weighted({40, 20, 10, 10, 20});  // portal email phone api detection
  const auth::Principal* logger = &worker;
  if (channel == 0) {
    logger = &people.reporters[g.below(people.reporters.size())];
  } else {
    f.source = std::string(incidents::kSources[channel]);
    f.group = std::optional<std::string>(group_name);
    f.restricted = !service_failure && g.chance(0.05);
    f.tlp = std::string(incidents::kTlpValues[g.weighted({5, 25, 55, 10, 5})]);
  }
  auto incident = core.incidents->create(c, f, *logger, reported);
  const int priority = incident.priority;

  // How it went. Typical times per priority: to own, to work, to resolve.
  static constexpr std::int64_t kOwn[] = {5 * kMinute, 15 * kMinute, 45 * kMinute, 2 * kHour};
  static constexpr std::int64_t kResolve[] = {3 * kHour, 7 * kHour, 20 * kHour, 36 * kHour};
  const auto p = static_cast<std::size_t>(std::clamp(priority, 1, 4) - 1);
  std::int64_t t = reported + g.duration(kOwn[p]);
  auto step_ok = [&](std::int64_t at) { return at <= now; };
  bool open = true;
  auto finish = [&] {
    if (open) ++counters.open;
  };

  if (g.chance(0.04)) {  // duplicates, false positives, not incidents
    if (!step_ok(t)) return finish();
    incidents::TransitionInput cancel;
    cancel.to = Status::cancelled;
    cancel.cancel_reason = g.chance(0.5) ? incidents::CancelReason::false_positive
                                         : incidents::CancelReason::not_an_incident;
    core.incidents->transition(c, incident.id, cancel, worker, t);
    open = false;
    return finish();
  }
  if (!step_ok(t)) return finish();
  incidents::IncidentFields assign;
  assign.group = std::optional<std::string>(group_name);
  assign.assignee = std::optional<std::string>(worker.username);
  incident = *core.incidents->update(c, incident.id, incident.version, assign, worker, t);
  t += g.duration(20 * kMinute);
  if (!step_ok(t)) return finish();
  incidents::TransitionInput work;
  work.to = Status::in_progress;
  core.incidents->transition(c, incident.id, work, worker, t);
  const std::int64_t resolve_after = g.duration(kResolve[p], 1.1);
  const bool stuck = g.chance(0.005);  // the backlog every desk has
  if (g.chance(0.35)) {
    const auto entries = 1 + g.below(3);
    for (std::size_t e = 0; e < entries; ++e) {
      const std::int64_t at =
          t + static_cast<std::int64_t>(
                  g.below(static_cast<std::size_t>(std::max<std::int64_t>(resolve_after, 2))));
      if (!step_ok(at)) break;
      incidents::NewWorklogEntry entry;
      entry.body = g.fill(text.details[g.below(4)]) + " Checked " + std::string(g.pick(kHosts)) +
                   " and " + std::string(g.pick(kHosts)) + "; next: " +
                   std::string(g.chance(0.5) ? "monitor for 24 h." : "wait for the vendor.");
      if (g.chance(0.3)) entry.visibility = std::string("public");
      worklog.add(c, incident.id, entry, worker, at);
      ++counters.worklog;
    }
  }
  if (g.chance(0.15)) {
    const std::int64_t pause_at = t + resolve_after / 3;
    if (!step_ok(pause_at)) return finish();
    incidents::TransitionInput pend;
    pend.to = Status::pending;
    pend.pending_reason = g.chance(0.6) ? incidents::PendingReason::awaiting_reporter
                                        : incidents::PendingReason::third_party;
    core.incidents->transition(c, incident.id, pend, worker, pause_at);
    const std::int64_t resume_at = pause_at + g.duration(8 * kHour);
    if (!step_ok(resume_at)) return finish();
    core.incidents->transition(c, incident.id, work, worker, resume_at);
    t = resume_at - resolve_after / 3;
  }
  if (stuck) return finish();
  t += resolve_after;
  if (!step_ok(t)) return finish();
  incidents::TransitionInput resolve;
  resolve.to = Status::resolved;
  resolve.resolution_code = service_failure ? incidents::ResolutionCode::fixed
                                            : incidents::ResolutionCode::contained_and_eradicated;
  if (g.chance(0.1)) resolve.resolution_code = incidents::ResolutionCode::false_positive;
  resolve.resolution_notes = g.fill(text.details[g.below(4)]);
  core.incidents->transition(c, incident.id, resolve, worker, t);
  if (g.chance(0.02)) {  // the fix did not hold
    t += g.duration(kDay);
    if (!step_ok(t)) return finish();
    incidents::TransitionInput reopen;
    reopen.to = Status::reopened;
    core.incidents->transition(c, incident.id, reopen, worker, t);
    t += g.duration(kHour);
    if (!step_ok(t)) return finish();
    core.incidents->transition(c, incident.id, work, worker, t);
    t += g.duration(kResolve[p]);
    if (!step_ok(t)) return finish();
    core.incidents->transition(c, incident.id, resolve, worker, t);
  }
  open = false;  // resolved counts as done for the desk
  // Closed a week later; P1/P2 need their review or a waiver, which a few still wait for.
  t += 7 * kDay + static_cast<std::int64_t>(g.below(static_cast<std::size_t>(3 * kDay)));
  if (!step_ok(t)) return finish();
  if (priority <= 2) {
    if (g.chance(0.1)) return finish();
    review.waive(c, incident.id, "Demo data: reviewed in the weekly meeting",
                 people.managers[g.below(people.managers.size())], t - kHour);
  }
  incidents::TransitionInput close;
  close.to = Status::closed;
  core.incidents->transition(c, incident.id, close, worker, t);
  finish();
}

}  // namespace

DemoResult load_demo_data(Core& core, const DemoOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  DemoResult result;
  const People people = ensure_people(core);
  std::vector<incidents::Category> classes, subclasses;
  for (const auto& cat : core.categories->list()) {
    if (!cat.active) continue;
    (cat.parent ? subclasses : classes).push_back(cat);
  }
  incidents::Worklog worklog(*core.db, *core.audit);
  incidents::Review review(*core.db, *core.audit);
  const auto audit_before = core.db->read_value(
      [](store::Connection& c) { return c.query_one("SELECT COUNT(*) FROM audit_log")->i64(0); });

  const std::int64_t now = util::now_ms();
  const std::int64_t span = std::int64_t{std::max(1, options.days)} * kDay;
  const std::int64_t start = now - span;
  const std::int64_t n = std::max<std::int64_t>(0, options.incidents);
  const std::int64_t batch = std::max(1, options.batch);
  Counters counters;
  for (std::int64_t first = 0; first < n; first += batch) {
    const std::int64_t last = std::min(n, first + batch);
    Counters in_batch;
    core.db->write([&](store::Connection& c) {
      in_batch = Counters{};
      for (std::int64_t k = first; k < last; ++k) {
        // Each incident has its own stream: the same seed gives the same data in any batch size.
        Generator g(options.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(k));
        const std::int64_t reported =
            std::min(now - kMinute, start + span * k / std::max<std::int64_t>(n, 1) +
                                        static_cast<std::int64_t>(g.below(10 * kMinute)));
        one_incident(g, c, core, worklog, review, people, classes, subclasses, reported, now,
                     in_batch);
      }
    });
    counters.open += in_batch.open;
    counters.worklog += in_batch.worklog;
    if (options.progress) options.progress(last, n);
  }
  result.incidents = n;
  result.open = counters.open;
  result.worklog_entries = counters.worklog;
  if (options.catch_up) {
    // The escalations the server would have fired while these incidents were open.
    result.escalation_steps = core.escalation->sweep(util::now_ms()).steps;
  }
  result.audit_entries = core.db->read_value([](store::Connection& c) {
    return c.query_one("SELECT COUNT(*) FROM audit_log")->i64(0);
  }) - audit_before;
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace custos::app
