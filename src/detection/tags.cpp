#include "detection/tags.hpp"

#include <cctype>
#include <set>
#include <unordered_map>

namespace custos::detection {
namespace {

const std::string kIp4 = R"((?:\d{1,3}\.){3}\d{1,3})";
const std::string kIp6 = R"((?:[0-9a-fA-F]{1,4}::?|::){1,7}(?:[0-9a-fA-F]{1,4}|(?<=:):))";
const std::string kHostIp4 = R"((?:::f{4,6}:)?(?P<ip4>)" + kIp4 + ")";
const std::string kHostIp6 = "(?P<ip6>" + kIp6 + ")";
const std::string kHostDns = R"((?P<dns>[\w\-.^_]*\w))";
const std::string kHostAddr = R"(\[?(?:)" + kHostIp4 + "|" + kHostIp6 + R"()\]?)";
const std::string kHostAny = "(?:" + kHostAddr + "|" + kHostDns + ")";
const std::string kCidr = R"((?P<cidr>\d+))";
const std::string kSubnet = R"(\[?(?:)" + kHostIp4 + "|" + kHostIp6 + ")(?:/" + kCidr + R"()?\]?)";

const std::unordered_map<std::string_view, const std::string*>& fixed_tags() {
  static const std::string fid = R"((?P<fid>\S+))";
  static const std::string fport = R"((?P<fport>\w+))";
  static const std::unordered_map<std::string_view, const std::string*> tags = {
      {"IP4", &kHostIp4},   {"F-IP4/", &kHostIp4},   {"IP6", &kHostIp6}, {"F-IP6/", &kHostIp6},
      {"ADDR", &kHostAddr}, {"F-ADDR/", &kHostAddr}, {"CIDR", &kCidr},   {"F-CIDR/", &kCidr},
      {"SUBNET", &kSubnet}, {"F-SUBNET/", &kSubnet}, {"DNS", &kHostDns}, {"F-DNS/", &kHostDns},
      {"F-ID/", &fid},      {"F-PORT/", &fport},
  };
  return tags;
}

bool is_tag_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

std::string group_name(std::string_view tag) {
  std::string name;
  for (char c : tag) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name == "id") return "fid";
  if (name == "port") return "fport";
  return name;
}

}  // namespace

std::string expand_tags(std::string_view regex, bool use_dns) {
  std::string out;
  out.reserve(regex.size() * 2);
  std::set<std::string, std::less<>> open;
  int skiplines = 0;
  std::size_t i = 0;
  while (i < regex.size()) {
    if (regex[i] != '<') {
      out += regex[i++];
      continue;
    }
    // </?[\w\-]+/?>
    std::size_t j = i + 1;
    if (j < regex.size() && regex[j] == '/') ++j;
    const std::size_t word = j;
    while (j < regex.size() && is_tag_char(regex[j])) ++j;
    if (j == word) {
      out += regex[i++];
      continue;
    }
    if (j < regex.size() && regex[j] == '/') ++j;
    if (j >= regex.size() || regex[j] != '>') {
      out += regex[i++];
      continue;
    }
    const std::string_view tag = regex.substr(i + 1, j - i - 1);
    const std::string_view whole = regex.substr(i, j - i + 1);
    i = j + 1;
    if (tag == "HOST") {
      out += use_dns ? kHostAny : kHostAddr;
      continue;
    }
    if (tag == "SKIPLINES") {
      out += R"(\n(?P<skiplines)" + std::to_string(skiplines++) + R"(>(?:(?:.*\n)*?)))";
      continue;
    }
    if (auto it = fixed_tags().find(tag); it != fixed_tags().end()) {
      out += *it->second;
      continue;
    }
    // <F-NAME> / </F-NAME>: upper-case names only, as fail2ban.
    const bool closing = tag.front() == '/';
    const std::string_view body = closing ? tag.substr(1) : tag;
    bool custom = body.size() > 2 && body.substr(0, 2) == "F-" && body.back() != '/';
    for (char c : body.substr(custom ? 2 : 0)) {
      if (!(std::isupper(static_cast<unsigned char>(c)) ||
            std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
        custom = false;
      }
    }
    if (!custom) {
      out += whole;
      continue;
    }
    const std::string_view name = body.substr(2);
    if (closing) {
      out += open.count(name) ? std::string(")") : std::string(whole);
      continue;
    }
    open.emplace(name);
    out += "(?P<" + group_name(name) + ">";
  }
  return out;
}

}  // namespace custos::detection
