#pragma once
// A database value and a result row, shared by every backend.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace custos::store {

using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

// Helpers that keep call sites short: null(), or an optional mapped to NULL.
inline Value null() { return nullptr; }
template <class T>
Value maybe(const std::optional<T>& v) {
  if (!v) return nullptr;
  return Value{*v};
}

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}

  [[nodiscard]] std::size_t size() const { return values_.size(); }
  [[nodiscard]] bool is_null(std::size_t i) const {
    return std::holds_alternative<std::nullptr_t>(values_.at(i));
  }
  // Integer column; NULL reads as 0. Text holding digits is converted (PostgreSQL
  // numeric results arrive as text when the type is unknown to us).
  [[nodiscard]] std::int64_t i64(std::size_t i) const;
  [[nodiscard]] std::optional<std::int64_t> opt_i64(std::size_t i) const {
    if (is_null(i)) return std::nullopt;
    return i64(i);
  }
  [[nodiscard]] double f64(std::size_t i) const;
  // Text column; NULL reads as "".
  [[nodiscard]] const std::string& str(std::size_t i) const;
  [[nodiscard]] std::optional<std::string> opt_str(std::size_t i) const {
    if (is_null(i)) return std::nullopt;
    return str(i);
  }
  [[nodiscard]] const Value& operator[](std::size_t i) const { return values_.at(i); }

  // For backends that stream rows: the row is refilled in place, so text columns reuse
  // the buffers of the previous row instead of allocating new ones.
  void resize(std::size_t columns) { values_.resize(columns); }
  Value& slot(std::size_t i) { return values_.at(i); }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

}  // namespace custos::store
