#pragma once
// Impact × urgency → priority (ITIL), through a matrix the organisation may configure.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace custos::incidents {

enum class Impact : std::uint8_t { extensive, significant, moderate, minor };
enum class Urgency : std::uint8_t { critical, high, medium, low };

inline constexpr Impact kAllImpacts[] = {Impact::extensive, Impact::significant, Impact::moderate,
                                         Impact::minor};
inline constexpr Urgency kAllUrgencies[] = {Urgency::critical, Urgency::high, Urgency::medium,
                                            Urgency::low};

[[nodiscard]] std::string_view impact_name(Impact impact);
[[nodiscard]] std::optional<Impact> parse_impact(std::string_view name);
[[nodiscard]] std::string_view urgency_name(Urgency urgency);
[[nodiscard]] std::optional<Urgency> parse_urgency(std::string_view name);

inline constexpr int kHighestPriority = 1;
inline constexpr int kLowestPriority = 4;

class PriorityMatrix {
 public:
  // The ITIL default: extensive/critical is P1, minor/low is P4.
  PriorityMatrix() : PriorityMatrix(defaults()) {}
  [[nodiscard]] static PriorityMatrix defaults();

  [[nodiscard]] int priority(Impact impact, Urgency urgency) const {
    return cells_[static_cast<std::size_t>(impact)][static_cast<std::size_t>(urgency)];
  }
  // Throws std::invalid_argument unless 1 <= priority <= 4.
  void set(Impact impact, Urgency urgency, int priority);

  friend bool operator==(const PriorityMatrix&, const PriorityMatrix&) = default;

 private:
  using Cells = std::array<std::array<std::uint8_t, 4>, 4>;  // [impact][urgency]
  explicit PriorityMatrix(const Cells& cells) : cells_(cells) {}
  Cells cells_;
};

// {"extensive": {"critical": 1, "high": 1, "medium": 2, "low": 3}, ...}. All 16 cells are
// required; from_json throws std::invalid_argument naming the first bad cell, e.g.
// "significant.low: must be an integer 1-4", "minor: missing", "extensive.urgent: unknown
// urgency".
void to_json(nlohmann::json& json, const PriorityMatrix& matrix);
void from_json(const nlohmann::json& json, PriorityMatrix& matrix);

}  // namespace custos::incidents
