#include "store/value.hpp"

#include <charconv>
#include <stdexcept>

namespace custos::store {

std::int64_t Row::i64(std::size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* d = std::get_if<double>(&v)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v)) {
    std::int64_t out = 0;
    auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), out);
    if (ec != std::errc{} || ptr != s->data() + s->size()) {
      throw std::runtime_error("column " + std::to_string(i) + " is not an integer");
    }
    return out;
  }
  return 0;
}

double Row::f64(std::size_t i) const {
  const Value& v = values_.at(i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  if (const auto* s = std::get_if<std::string>(&v)) return std::stod(*s);
  return 0.0;
}

const std::string& Row::str(std::size_t i) const {
  static const std::string empty;
  const Value& v = values_.at(i);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (std::holds_alternative<std::nullptr_t>(v)) return empty;
  throw std::runtime_error("column " + std::to_string(i) + " is not text");
}

}  // namespace custos::store
