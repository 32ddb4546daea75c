#include "http/message.hpp"

#include <algorithm>
#include <cctype>

namespace custos::http {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

template <class F>
void for_each_query_pair(std::string_view qs, F&& f) {
  while (!qs.empty()) {
    const auto amp = qs.find('&');
    std::string_view pair = qs.substr(0, amp);
    qs = amp == std::string_view::npos ? std::string_view{} : qs.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    if (!f(pair.substr(0, eq),
           eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1))) {
      return;
    }
  }
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string> Request::query(std::string_view name) const {
  std::optional<std::string> result;
  for_each_query_pair(query_string, [&](std::string_view k, std::string_view v) {
    auto key = percent_decode(k, true);
    if (key && *key == name) {
      result = percent_decode(v, true).value_or(std::string{});
      return false;
    }
    return true;
  });
  return result;
}

std::vector<std::string> Request::query_names() const {
  std::vector<std::string> names;
  for_each_query_pair(query_string, [&](std::string_view k, std::string_view) {
    names.push_back(percent_decode(k, true).value_or(std::string(k)));
    return true;
  });
  return names;
}

std::string Request::cookie(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k != "cookie") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const auto semi = rest.find(';');
      std::string_view item = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      const auto eq = item.find('=');
      if (eq != std::string_view::npos && item.substr(0, eq) == name) {
        return std::string(item.substr(eq + 1));
      }
    }
  }
  return {};
}

std::string_view Response::find_header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (std::equal(k.begin(), k.end(), name.begin(), name.end(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

}  // namespace custos::http
