#include "incidents/categories.hpp"

#include <mutex>
#include <stdexcept>

#include "app/embedded_data.hpp"
#include "audit/audit_log.hpp"

namespace custos::incidents {

namespace {

bool valid_code(const std::string& code) {
  if (code.empty() || code.size() > 64) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Category from_row(const store::Row& r) {
  return Category{r.str(0),      r.opt_str(1),  r.str(2),     r.str(3),
                  r.i64(4) != 0, r.i64(5) != 0, r.i64(6) != 0};
}

}  // namespace

nlohmann::json to_json(const Category& c) {
  return {{"code", c.code},
          {"parent", c.parent ? nlohmann::json(*c.parent) : nlohmann::json(nullptr)},
          {"name", c.name},
          {"description", c.description},
          {"security", c.security},
          {"builtin", c.builtin},
          {"active", c.active}};
}

void Categories::seed_builtin() {
  const auto text = app::embedded_file("taxonomy.json");
  if (!text) throw std::runtime_error("the taxonomy is missing from this build");
  const auto taxonomy = nlohmann::json::parse(*text);
  db_.write([&](store::Connection& c) {
    auto insert = [&](const nlohmann::json& item, const std::optional<std::string>& parent,
                      bool security) {
      c.execute(
          "INSERT INTO categories (code, parent_code, name, description, security, builtin)"
          " VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (code) DO NOTHING",
          {item.at("code").get<std::string>(), store::maybe(parent),
           item.at("name").get<std::string>(), item.value("description", ""),
           std::int64_t{security ? 1 : 0}});
    };
    for (const auto& top : taxonomy.at("categories")) {
      const bool security = top.value("security", true);
      insert(top, std::nullopt, security);
      for (const auto& child : top.value("children", nlohmann::json::array())) {
        insert(child, top.at("code").get<std::string>(), security);
      }
    }
  });
  reload();
}

void Categories::reload() {
  std::vector<Category> all;
  db_.read([&](store::Connection& c) {
    for (const auto& r :
         c.query("SELECT code, parent_code, name, description, security, builtin, active FROM "
                 "categories"
                 " ORDER BY COALESCE(parent_code, code), parent_code IS NOT NULL, code")) {
      all.push_back(from_row(r));
    }
  });
  std::unique_lock lock(mutex_);
  cache_ = std::move(all);
}

std::vector<Category> Categories::list() const {
  std::shared_lock lock(mutex_);
  return cache_;
}

std::optional<Category> Categories::find(const std::string& code) const {
  std::shared_lock lock(mutex_);
  for (const auto& c : cache_) {
    if (c.code == code) return c;
  }
  return std::nullopt;
}

std::optional<std::pair<std::string, std::string>> Categories::classification_problem(
    const std::string& category, const std::optional<std::string>& subcategory) const {
  const auto top = find(category);
  if (!top || !top->active) {
    return std::pair<std::string, std::string>{
        "category", "'" + category.substr(0, 64) + "' is not a known category"};
  }
  if (top->parent) {
    return std::pair<std::string, std::string>{
        "category",
        "'" + category + "' is a subcategory of '" + *top->parent + "'; give that as category"};
  }
  if (subcategory) {
    const auto sub = find(*subcategory);
    if (!sub || !sub->active || sub->parent != category) {
      return std::pair<std::string, std::string>{
          "subcategory",
          "'" + subcategory->substr(0, 64) + "' is not a subcategory of '" + category + "'"};
    }
  }
  return std::nullopt;
}

Category Categories::add(const Category& in, const std::string& actor) {
  if (!valid_code(in.code)) {
    throw std::invalid_argument("code: use 1-64 characters a-z, 0-9 and '-'");
  }
  if (in.name.empty() || in.name.size() > 120) {
    throw std::invalid_argument("name: must be 1-120 characters");
  }
  Category out = in;
  out.builtin = false;
  out.active = true;
  if (in.parent) {
    const auto parent = find(*in.parent);
    if (!parent || parent->parent) {
      throw std::invalid_argument("parent: must be the code of a top-level category");
    }
    out.security = parent->security;
  }
  db_.write([&](store::Connection& c) {
    c.execute(
        "INSERT INTO categories (code, parent_code, name, description, security, builtin)"
        " VALUES (?, ?, ?, ?, ?, 0)",
        {out.code, store::maybe(out.parent), out.name, out.description,
         std::int64_t{out.security ? 1 : 0}});
    audit_.append(c, {actor, "category.create", "category", out.code, {{"after", to_json(out)}}});
  });
  reload();
  return out;
}

}  // namespace custos::incidents
