#include "api/json_input.hpp"

#include "api/problem.hpp"

namespace custos::api {

namespace {
std::string type_name(const nlohmann::json& v) { return v.type_name(); }
}  // namespace

JsonObject::JsonObject(const nlohmann::json& value) : object_(value) {
  if (!value.is_object()) {
    throw ApiError(422, "validation-failed",
                   "the request body must be a JSON object, not " + type_name(value));
  }
}

bool JsonObject::has(const std::string& name) const { return object_.contains(name); }

bool JsonObject::is_null(const std::string& name) const {
  auto it = object_.find(name);
  return it != object_.end() && it->is_null();
}

const nlohmann::json* JsonObject::lookup(const std::string& name) {
  seen_.insert(name);
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<std::string> text_problem(const std::string& value, bool multiline) {
  for (unsigned char c : value) {
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'))) {
      return "must not contain control characters";
    }
    if (c == 0x7f) return "must not contain control characters";
  }
  return std::nullopt;
}

std::optional<std::string> JsonObject::read_string(const std::string& name, std::size_t max_length,
                                                   bool multiline) {
  const auto* v = lookup(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) throw invalid_field(name, "must be a string, not " + type_name(*v));
  const auto& s = v->get_ref<const std::string&>();
  if (s.size() > max_length) {
    throw invalid_field(name, "must be at most " + std::to_string(max_length) + " bytes");
  }
  if (auto problem = text_problem(s, multiline)) throw invalid_field(name, *problem);
  return s;
}

std::optional<std::string> JsonObject::optional_string(const std::string& name,
                                                       std::size_t max_length) {
  return read_string(name, max_length, false);
}

std::optional<std::string> JsonObject::optional_text(const std::string& name,
                                                     std::size_t max_length) {
  return read_string(name, max_length, true);
}

std::optional<std::optional<std::string>> JsonObject::nullable_string(const std::string& name,
                                                                      std::size_t max_length) {
  if (!has(name)) return std::nullopt;
  if (is_null(name)) {
    lookup(name);  // marks the field as read
    return std::optional<std::string>{};
  }
  return optional_string(name, max_length);
}

std::string JsonObject::required_string(const std::string& name, std::size_t max_length) {
  auto s = optional_string(name, max_length);
  if (!s) throw invalid_field(name, "is required");
  if (s->empty()) throw invalid_field(name, "must not be empty");
  return *s;
}

std::optional<bool> JsonObject::optional_bool(const std::string& name) {
  const auto* v = lookup(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) throw invalid_field(name, "must be true or false, not " + type_name(*v));
  return v->get<bool>();
}

std::optional<std::int64_t> JsonObject::optional_int(const std::string& name, std::int64_t min,
                                                     std::int64_t max) {
  const auto* v = lookup(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer())
    throw invalid_field(name, "must be an integer, not " + type_name(*v));
  const auto n =
      v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)
          ? max + 1
          : v->get<std::int64_t>();
  if (n < min || n > max) {
    throw invalid_field(name,
                        "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

std::optional<std::vector<std::string>> JsonObject::optional_string_array(const std::string& name,
                                                                          std::size_t max_items,
                                                                          std::size_t max_length) {
  const auto* v = lookup(name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_array())
    throw invalid_field(name, "must be an array of strings, not " + type_name(*v));
  if (v->size() > max_items) {
    throw invalid_field(name, "must have at most " + std::to_string(max_items) + " items");
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto& item = (*v)[i];
    const std::string field = name + "[" + std::to_string(i) + "]";
    if (!item.is_string()) throw invalid_field(field, "must be a string, not " + type_name(item));
    const auto& s = item.get_ref<const std::string&>();
    if (s.size() > max_length) {
      throw invalid_field(field, "must be at most " + std::to_string(max_length) + " bytes");
    }
    out.push_back(s);
  }
  return out;
}

void JsonObject::reject_unknown() const {
  for (const auto& [key, value] : object_.items()) {
    if (!seen_.contains(key)) {
      // Echo at most a short, printable prefix of the unknown name.
      throw invalid_field(key.substr(0, 64), "is not a known field");
    }
  }
}

nlohmann::json parse_json_body(const std::string& body) {
  if (body.empty()) throw bad_request("the request needs a JSON body");
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    throw bad_request("malformed JSON at byte " + std::to_string(e.byte) + ": " +
                      (std::string(e.what()).find("UTF-8") != std::string::npos ? "invalid UTF-8"
                                                                                : "syntax error"));
  }
}

}  // namespace custos::api
