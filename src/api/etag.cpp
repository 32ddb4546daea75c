#include "api/etag.hpp"

#include <charconv>

#include "util/encoding.hpp"

namespace custos::api {

std::string etag_for(std::int64_t version) {
  std::string tag = std::to_string(version);
  tag.insert(tag.begin(), '"');
  tag.push_back('"');
  return tag;
}

std::int64_t required_if_match(const Context& ctx) {
  std::string_view v = ctx.request().header("if-match");
  if (v.empty()) {
    throw precondition_required(
        "send If-Match with the ETag you read, so that you do not overwrite a change you have not "
        "seen");
  }
  if (v.starts_with("W/")) v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  std::int64_t version = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (ec != std::errc{} || ptr != v.data() + v.size()) {
    throw precondition_failed("If-Match does not name a version of this resource");
  }
  return version;
}

std::string encode_cursor(const std::string& position) { return util::base64url_encode(position); }

std::string decode_cursor(const std::string& cursor) {
  auto decoded = util::base64url_decode(cursor);
  if (!decoded || decoded->empty() || decoded->size() > 256) {
    throw invalid_field("cursor", "is not a cursor this server issued");
  }
  return *decoded;
}

}  // namespace custos::api
