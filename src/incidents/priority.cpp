#include "incidents/priority.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace custos::incidents {

namespace {
template <typename Enum, std::size_t N, typename NameFn>
std::optional<Enum> parse_by_name(const Enum (&all)[N], NameFn name_of, std::string_view name) {
  for (Enum value : all) {
    if (name_of(value) == name) return value;
  }
  return std::nullopt;
}

std::string list_names(auto const& all, auto name_of) {
  std::string out;
  for (auto value : all) {
    if (!out.empty()) out += ", ";
    out += name_of(value);
  }
  return out;
}
}  // namespace

std::string_view impact_name(Impact impact) {
  switch (impact) {
    case Impact::extensive:
      return "extensive";
    case Impact::significant:
      return "significant";
    case Impact::moderate:
      return "moderate";
    case Impact::minor:
      return "minor";
  }
  return "unknown";
}

std::optional<Impact> parse_impact(std::string_view name) {
  return parse_by_name(kAllImpacts, impact_name, name);
}

std::string_view urgency_name(Urgency urgency) {
  switch (urgency) {
    case Urgency::critical:
      return "critical";
    case Urgency::high:
      return "high";
    case Urgency::medium:
      return "medium";
    case Urgency::low:
      return "low";
  }
  return "unknown";
}

std::optional<Urgency> parse_urgency(std::string_view name) {
  return parse_by_name(kAllUrgencies, urgency_name, name);
}

PriorityMatrix PriorityMatrix::defaults() {
  return PriorityMatrix(Cells{{
      {1, 1, 2, 3},  // extensive:   critical high medium low
      {1, 2, 3, 3},  // significant
      {2, 3, 3, 4},  // moderate
      {3, 4, 4, 4},  // minor
  }});
}

void PriorityMatrix::set(Impact impact, Urgency urgency, int priority) {
  if (priority < kHighestPriority || priority > kLowestPriority) {
    throw std::invalid_argument("priority must be an integer 1-4");
  }
  cells_[static_cast<std::size_t>(impact)][static_cast<std::size_t>(urgency)] =
      static_cast<std::uint8_t>(priority);
}

void to_json(nlohmann::json& json, const PriorityMatrix& matrix) {
  json = nlohmann::json::object();
  for (Impact impact : kAllImpacts) {
    auto& row = json[std::string(impact_name(impact))];
    row = nlohmann::json::object();
    for (Urgency urgency : kAllUrgencies) {
      row[std::string(urgency_name(urgency))] = matrix.priority(impact, urgency);
    }
  }
}

void from_json(const nlohmann::json& json, PriorityMatrix& matrix) {
  if (!json.is_object()) {
    throw std::invalid_argument("must be an object with one entry per impact (" +
                                list_names(kAllImpacts, impact_name) + ")");
  }
  for (const auto& [key, row] : json.items()) {
    if (!parse_impact(key)) {
      throw std::invalid_argument(key + ": unknown impact (expected one of " +
                                  list_names(kAllImpacts, impact_name) + ")");
    }
    if (!row.is_object()) {
      throw std::invalid_argument(key + ": must be an object with one entry per urgency (" +
                                  list_names(kAllUrgencies, urgency_name) + ")");
    }
    for (const auto& [column, cell] : row.items()) {
      if (!parse_urgency(column)) {
        std::string path = key;
        path += '.';
        path += column;
        throw std::invalid_argument(path + ": unknown urgency (expected one of " +
                                    list_names(kAllUrgencies, urgency_name) + ")");
      }
    }
  }
  PriorityMatrix out;
  for (Impact impact : kAllImpacts) {
    const std::string row_name(impact_name(impact));
    const auto row = json.find(row_name);
    if (row == json.end()) throw std::invalid_argument(row_name + ": missing");
    for (Urgency urgency : kAllUrgencies) {
      const std::string path = row_name + "." + std::string(urgency_name(urgency));
      const auto cell = row->find(std::string(urgency_name(urgency)));
      if (cell == row->end()) throw std::invalid_argument(path + ": missing");
      // 2.0 is accepted as 2: JavaScript clients cannot tell the two apart.
      const double value = cell->is_number() ? cell->get<double>() : 0.0;
      if (value < kHighestPriority || value > kLowestPriority || value != std::floor(value)) {
        throw std::invalid_argument(path + ": must be an integer 1-4");
      }
      out.set(impact, urgency, static_cast<int>(value));
    }
  }
  matrix = out;
}

}  // namespace custos::incidents
