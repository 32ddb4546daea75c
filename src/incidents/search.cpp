#include "incidents/search.hpp"

#include <cctype>

namespace custos::incidents {

namespace {

// Splits `text` into lower-case words of letters and digits, calling `emit` for each.
template <class Emit>
void for_each_word(std::string_view text, Emit&& emit) {
  std::string current;
  for (unsigned char c : text) {
    // Bytes >= 0x80 belong to non-ASCII letters: keep them inside words.
    if (std::isalnum(c) != 0 || c >= 0x80) {
      current.push_back(static_cast<char>(std::tolower(c)));
    } else if (!current.empty()) {
      if (!emit(std::move(current))) return;
      current.clear();
    }
  }
  if (!current.empty()) emit(std::move(current));
}

}  // namespace

std::vector<std::string> search_words(const std::string& text) {
  std::vector<std::string> words;
  for_each_word(text, [&](std::string word) {
    words.push_back(std::move(word));
    return words.size() < 16;  // bounded query cost
  });
  return words;
}

std::string search_document_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_word(text, [&](const std::string& word) {
    if (!out.empty()) out += ' ';
    out += word;
    return true;
  });
  return out;
}

namespace {

void write_search_document(store::Connection& c, std::int64_t incident_id) {
  auto row = c.query_one("SELECT title, description FROM incidents WHERE id = ?", {incident_id});
  if (!row) return;
  std::string body = row->str(1);
  std::string internal;
  for (const auto& w :
       c.query("SELECT body, visibility FROM worklog WHERE incident_id = ? ORDER BY id",
               {incident_id})) {
    std::string& target = w.str(1) == "public" ? body : internal;
    target += "\n";
    target += w.str(0);
  }
  if (c.backend() == store::Backend::sqlite) {
    c.execute("DELETE FROM incident_search WHERE rowid = ?", {incident_id});
    c.execute("INSERT INTO incident_search (rowid, title, body, internal) VALUES (?, ?, ?, ?)",
              {incident_id, row->str(0), body, internal});
  } else {
    // PostgreSQL's parser would keep "vpn-gw01.example.org" or "invoice.zip" as one token
    // where FTS5 (and the query side) see words: index the words the query side sees.
    const std::string title = search_document_text(row->str(0));
    body = search_document_text(body);
    internal = search_document_text(internal);
    c.execute(
        "INSERT INTO incident_search (incident_id, document, public_document) VALUES (?,"
        " setweight(to_tsvector('simple', CAST(? AS TEXT)), 'A')"
        " || to_tsvector('simple', CAST(? AS TEXT)) || to_tsvector('simple', CAST(? AS TEXT)),"
        " setweight(to_tsvector('simple', CAST(? AS TEXT)), 'A')"
        " || to_tsvector('simple', CAST(? AS TEXT)))"
        " ON CONFLICT (incident_id) DO UPDATE SET document = EXCLUDED.document,"
        " public_document = EXCLUDED.public_document",
        {incident_id, title, body, internal, title, body});
  }
}

}  // namespace

void index_incident(store::Connection& c, std::int64_t incident_id) {
  c.before_commit("incident-search:" + std::to_string(incident_id),
                  [incident_id](store::Connection& tx) { write_search_document(tx, incident_id); });
}

std::optional<std::string> search_condition(store::Backend backend, const std::string& text,
                                            bool include_internal,
                                            std::vector<store::Value>& params) {
  const auto words = search_words(text);
  if (words.empty()) return std::nullopt;
  if (backend == store::Backend::sqlite) {
    // Each word quoted: FTS5 operators typed by the user are searched for, not obeyed.
    std::string query;
    for (const auto& w : words) {
      if (!query.empty()) query += ' ';
      query += '"' + w + '"';
    }
    if (!include_internal) query = "{title body} : (" + query + ")";
    params.emplace_back(query);
    return "i.id IN (SELECT rowid FROM incident_search WHERE incident_search MATCH ?)";
  }
  std::string query;
  for (const auto& w : words) {
    if (!query.empty()) query += ' ';
    query += w;
  }
  params.emplace_back(query);
  return include_internal ? "i.id IN (SELECT incident_id FROM incident_search WHERE document @@ "
                            "plainto_tsquery('simple', ?))"
                          : "i.id IN (SELECT incident_id FROM incident_search WHERE "
                            "public_document @@ plainto_tsquery('simple', ?))";
}

}  // namespace custos::incidents
