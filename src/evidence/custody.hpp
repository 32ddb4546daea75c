#pragma once
// The chain of custody: what may be recorded about an item, by whom, and what it changes.
// Entries are append-only (the table's triggers refuse UPDATE and DELETE); the rules here
// decide whether a new entry is acceptable, and who holds the item afterwards.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "store/database.hpp"

namespace custos::evidence {

enum class CustodyAction {
  collected,
  received,
  transferred,
  accessed,
  downloaded,
  analysed,
  exported,
  returned,
  disposed
};
inline constexpr CustodyAction kCustodyActions[] = {
    CustodyAction::collected, CustodyAction::received,   CustodyAction::transferred,
    CustodyAction::accessed,  CustodyAction::downloaded, CustodyAction::analysed,
    CustodyAction::exported,  CustodyAction::returned,   CustodyAction::disposed};

std::string_view action_name(CustodyAction action);
std::optional<CustodyAction> parse_action(std::string_view name);
// collected, downloaded and exported are written by custos itself when they happen.
[[nodiscard]] bool recorded_by_people(CustodyAction action);

struct CustodyEntry {
  std::int64_t id = 0;
  std::int64_t evidence_id = 0;
  CustodyAction action = CustodyAction::accessed;
  std::string actor;
  std::optional<std::string> from, to;
  std::int64_t at = 0;
  std::string location, purpose;
  std::int64_t audit_seq = 0;
};
nlohmann::json to_json(const CustodyEntry& entry);
extern const char* const kCustodySelect;
CustodyEntry custody_from_row(const store::Row& row);

struct CustodyInput {
  CustodyAction action = CustodyAction::accessed;
  std::optional<std::string> from, to;
  std::optional<std::int64_t> at;  // default: now
  std::string location, purpose;
};

// The state of the item the rules look at.
struct CustodyState {
  std::string custodian;
  bool disposed = false;
  bool legal_hold = false;
};

struct CustodyRefusal {
  int status = 422;   // 409 when the item's state forbids it, 422 when the input is wrong
  std::string field;  // the input field at fault, or empty
  std::string message;
};

// nullopt when `input` may be appended now (`now_ms`); otherwise why not. People may record
// only the actions recorded_by_people() allows.
std::optional<CustodyRefusal> check_custody(const CustodyInput& input, const CustodyState& state,
                                            std::int64_t now_ms);

// Who holds the item after the entry: the receiver of a transfer, return or receipt.
std::string custodian_after(const CustodyInput& input, const CustodyState& state,
                            const std::string& actor_name);

}  // namespace custos::evidence
