#pragma once
// Many rows in few statements: the SLA sweep writes thousands of escalation claims and
// notifications per transaction, and one INSERT per row costs more in statement overhead than
// the rows themselves. Rows go in chunks of 256, 128, ..., 1 so that a connection's statement
// cache holds at most nine shapes per statement.
#include <span>
#include <string_view>

#include "store/database.hpp"

namespace custos::incidents {

// Runs `head` + "(?, ...), (?, ...)" + `tail` over `values` (row after row, `columns` each) and
// returns what the statements return (a RETURNING clause in `tail`), in row order.
// `tuple` replaces the default "(?, ?, ...)" of one row, e.g. to cast each parameter.
store::Rows insert_rows(store::Connection& c, std::string_view head, std::size_t columns,
                        std::span<const store::Value> values, std::string_view tail = {},
                        std::string_view tuple = {});

}  // namespace custos::incidents
