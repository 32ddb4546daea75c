#pragma once
// Full-text search over an incident's title, description and worklog. SQLite uses FTS5,
// PostgreSQL a tsvector with a GIN index; both tokenise without stemming ('simple'), so a
// query finds the same incidents on either database.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace custos::incidents {

// Rebuilds the search document of one incident from what is stored when the transaction
// commits (Connection::before_commit: once per incident however often it changed).
void index_incident(store::Connection& c, std::int64_t incident_id);

// A SQL condition over incidents aliased `i` that keeps matches of `text` (all words must
// occur), with its parameters appended; nullopt when `text` has no searchable word.
// Internal worklog text is searched only when `include_internal` (people who may read it).
std::optional<std::string> search_condition(store::Backend backend, const std::string& text,
                                            bool include_internal,
                                            std::vector<store::Value>& params);

// Words of `text` as the search understands them (letters and digits, lower case); at most
// the first 16, which bounds the cost of a query.
std::vector<std::string> search_words(const std::string& text);

// All the words of `text`, separated by single blanks: what PostgreSQL indexes, so that its
// parser finds the same words as FTS5 and the query side ("vpn-gw01.example.org" →
// "vpn gw01 example org").
std::string search_document_text(std::string_view text);

}  // namespace custos::incidents
