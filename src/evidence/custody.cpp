#include "evidence/custody.hpp"

#include "util/time.hpp"

namespace custos::evidence {

std::string_view action_name(CustodyAction action) {
  switch (action) {
    case CustodyAction::collected:
      return "collected";
    case CustodyAction::received:
      return "received";
    case CustodyAction::transferred:
      return "transferred";
    case CustodyAction::accessed:
      return "accessed";
    case CustodyAction::downloaded:
      return "downloaded";
    case CustodyAction::analysed:
      return "analysed";
    case CustodyAction::exported:
      return "exported";
    case CustodyAction::returned:
      return "returned";
    case CustodyAction::disposed:
      return "disposed";
  }
  return "unknown";
}

std::optional<CustodyAction> parse_action(std::string_view name) {
  for (auto a : kCustodyActions) {
    if (action_name(a) == name) return a;
  }
  return std::nullopt;
}

bool recorded_by_people(CustodyAction action) {
  return action != CustodyAction::collected && action != CustodyAction::downloaded &&
         action != CustodyAction::exported;
}

const char* const kCustodySelect =
    "SELECT id, evidence_id, action, actor, from_party, to_party, at, location, purpose, audit_seq"
    " FROM evidence_custody";

CustodyEntry custody_from_row(const store::Row& r) {
  CustodyEntry e;
  e.id = r.i64(0);
  e.evidence_id = r.i64(1);
  e.action = parse_action(r.str(2)).value_or(CustodyAction::accessed);
  e.actor = r.str(3);
  e.from = r.opt_str(4);
  e.to = r.opt_str(5);
  e.at = r.i64(6);
  e.location = r.str(7);
  e.purpose = r.str(8);
  e.audit_seq = r.i64(9);
  return e;
}

nlohmann::json to_json(const CustodyEntry& e) {
  const auto opt = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"id", e.id},
          {"action", action_name(e.action)},
          {"actor", e.actor},
          {"from", opt(e.from)},
          {"to", opt(e.to)},
          {"at", util::to_rfc3339(e.at)},
          {"location", e.location},
          {"purpose", e.purpose},
          {"audit_seq", e.audit_seq}};
}

std::optional<CustodyRefusal> check_custody(const CustodyInput& in, const CustodyState& state,
                                            std::int64_t now_ms) {
  if (state.disposed) {
    return CustodyRefusal{409, "", "the item was disposed of: its chain of custody is closed"};
  }
  if (!recorded_by_people(in.action)) {
    return CustodyRefusal{422, "action",
                          std::string(action_name(in.action)) +
                              " entries are recorded by custos itself when it happens"};
  }
  // A little slack for clocks, but custody is not recorded ahead of time.
  if (in.at && *in.at > now_ms + 5 * 60'000) {
    return CustodyRefusal{422, "at", "lies in the future"};
  }
  const auto blank = [](const std::optional<std::string>& s) { return !s || s->empty(); };
  switch (in.action) {
    case CustodyAction::transferred:
      if (blank(in.from)) return CustodyRefusal{422, "from", "a transfer names who hands it over"};
      if (blank(in.to)) return CustodyRefusal{422, "to", "a transfer names who receives it"};
      if (*in.from == *in.to) {
        return CustodyRefusal{422, "to", "a transfer goes to someone other than the giver"};
      }
      if (*in.from != state.custodian) {
        return CustodyRefusal{409, "from",
                              state.custodian + " holds the item, not " + *in.from +
                                  ": record the transfer from its holder"};
      }
      break;
    case CustodyAction::returned:
      if (blank(in.to)) return CustodyRefusal{422, "to", "a return names who gets it back"};
      break;
    case CustodyAction::accessed:
    case CustodyAction::analysed:
      if (in.purpose.empty()) {
        return CustodyRefusal{422, "purpose", "say why the item was accessed or analysed"};
      }
      break;
    case CustodyAction::disposed:
      if (state.legal_hold) {
        return CustodyRefusal{409, "",
                              "the incident is under legal hold: its evidence cannot be disposed "
                              "of until the hold is released"};
      }
      if (in.purpose.empty()) {
        return CustodyRefusal{422, "purpose", "say why and how the item is disposed of"};
      }
      break;
    default:
      break;
  }
  return std::nullopt;
}

std::string custodian_after(const CustodyInput& in, const CustodyState& state,
                            const std::string& actor_name) {
  switch (in.action) {
    case CustodyAction::transferred:
    case CustodyAction::returned:
      return in.to.value_or(state.custodian);
    case CustodyAction::received:
      return in.to && !in.to->empty() ? *in.to : actor_name;
    default:
      return state.custodian;
  }
}

}  // namespace custos::evidence
