#include "incidents/bulk_insert.hpp"

#include <stdexcept>
#include <string>

namespace custos::incidents {

store::Rows insert_rows(store::Connection& c, std::string_view head, std::size_t columns,
                        std::span<const store::Value> values, std::string_view tail,
                        std::string_view row_tuple) {
  if (columns == 0 || values.size() % columns != 0) {
    throw std::invalid_argument("insert_rows: values do not fill whole rows");
  }
  store::Rows out;
  std::string tuple(row_tuple);
  if (tuple.empty()) {
    tuple = "(";
    for (std::size_t i = 0; i < columns; ++i) tuple += i == 0 ? "?" : ", ?";
    tuple += ")";
  }
  std::size_t rows = values.size() / columns;
  std::size_t offset = 0;
  for (std::size_t chunk = 256; rows > 0; chunk /= 2) {
    while (rows >= chunk) {
      std::string sql(head);
      sql.reserve(head.size() + chunk * (tuple.size() + 2) + tail.size());
      for (std::size_t r = 0; r < chunk; ++r) {
        if (r > 0) sql += ", ";
        sql += tuple;
      }
      sql += tail;
      auto part = c.query(sql, values.subspan(offset * columns, chunk * columns));
      for (auto& row : part) out.push_back(std::move(row));
      offset += chunk;
      rows -= chunk;
    }
  }
  return out;
}

}  // namespace custos::incidents
