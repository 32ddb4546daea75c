#include "events/mime.hpp"

#include <iconv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <map>

#include "util/utf8.hpp"

namespace custos::events::mime {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

void append_code_point(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out += kReplacement;
  } else if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Invalid UTF-8 sequences replaced by U+FFFD, one per byte that starts no valid sequence.
std::string repair_utf8(std::string_view s) {
  if (util::is_valid_utf8(s)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t len = lead < 0x80                   ? 1
                      : lead >= 0xC2 && lead < 0xE0 ? 2
                      : lead >= 0xE0 && lead < 0xF0 ? 3
                      : lead >= 0xF0 && lead < 0xF5 ? 4
                                                    : 0;
    if (len != 0 && i + len <= s.size() && util::is_valid_utf8(s.substr(i, len))) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

// A charset label iconv may be asked about: short, and only characters labels use.
bool plausible_charset(std::string_view c) {
  if (c.empty() || c.size() > 40) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) != 0 || ch == '-' || ch == '_' ||
           ch == '.' || ch == ':';
  });
}

// --- header fields and parameters ---

struct ContentType {
  std::string type = "text/plain";
  std::map<std::string, std::string> params;  // names lower case; RFC 2231 already joined
};

// Splits "value; a=b; c="d;e"" into the value and its parameters, joining RFC 2231
// continuations (name*0, name*1*) and decoding charset'lang'%XX values.
std::pair<std::string, std::map<std::string, std::string>> split_parameters(std::string_view v) {
  std::map<std::string, std::string> params;
  struct Piece {
    std::string text;
    bool extended = false;
  };
  std::map<std::string, std::map<int, Piece>> continued;
  const auto first = v.find(';');
  std::string value = lower(trim(v.substr(0, first)));
  std::size_t i = first;
  while (i != std::string_view::npos && i < v.size()) {
    ++i;
    const auto eq = v.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name = lower(trim(v.substr(i, eq - i)));
    std::size_t j = eq + 1;
    while (j < v.size() && (v[j] == ' ' || v[j] == '\t')) ++j;
    std::string text;
    if (j < v.size() && v[j] == '"') {
      for (++j; j < v.size() && v[j] != '"'; ++j) {
        if (v[j] == '\\' && j + 1 < v.size()) ++j;
        text.push_back(v[j]);
      }
      i = v.find(';', j);
    } else {
      const auto end = v.find(';', j);
      text = std::string(trim(v.substr(j, end == std::string_view::npos ? end : end - j)));
      i = end;
    }
    if (name.empty() || name.size() > 100) continue;
    const bool extended = name.back() == '*';
    if (extended) name.pop_back();
    const auto star = name.find('*');
    if (star != std::string::npos) {
      int index = -1;
      const auto digits = name.substr(star + 1);
      if (!digits.empty() && digits.size() <= 3 &&
          std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        index = std::stoi(digits);
      }
      if (index >= 0) continued[name.substr(0, star)][index] = {text, extended};
      continue;
    }
    if (extended) {
      continued[name][0] = {text, true};
      continue;
    }
    params[name] = text;
  }
  for (auto& [name, pieces] : continued) {
    std::string charset;
    std::string raw;
    for (auto& [index, piece] : pieces) {
      std::string_view t = piece.text;
      if (piece.extended) {
        if (index == 0) {
          const auto q1 = t.find('\'');
          const auto q2 = q1 == std::string_view::npos ? q1 : t.find('\'', q1 + 1);
          if (q2 != std::string_view::npos) {
            charset = std::string(t.substr(0, q1));
            t.remove_prefix(q2 + 1);
          }
        }
        for (std::size_t k = 0; k < t.size(); ++k) {
          if (t[k] == '%' && k + 2 < t.size() && hex_value(t[k + 1]) >= 0 &&
              hex_value(t[k + 2]) >= 0) {
            raw.push_back(static_cast<char>(hex_value(t[k + 1]) * 16 + hex_value(t[k + 2])));
            k += 2;
          } else {
            raw.push_back(t[k]);
          }
        }
      } else {
        raw.append(t);
      }
    }
    params[name] = charset.empty() ? repair_utf8(raw) : to_utf8(raw, charset);
  }
  return {value, params};
}

ContentType parse_content_type(const std::optional<std::string>& header, bool digest) {
  ContentType ct;
  if (digest) ct.type = "message/rfc822";  // the default inside multipart/digest
  if (!header) return ct;
  auto [value, params] = split_parameters(*header);
  // A type without a slash is not one: RFC 2045 says to treat the part as text/plain.
  if (value.find('/') != std::string::npos) ct.type = value;
  ct.params = std::move(params);
  return ct;
}

struct Entity {
  std::vector<Header> headers;
  std::string_view body;

  [[nodiscard]] std::optional<std::string> header(std::string_view name) const {
    for (const auto& h : headers) {
      if (iequals(h.name, name)) return h.value;
    }
    return std::nullopt;
  }
};

// Splits an entity into its header fields and body. The header section ends at the first
// empty line; a message made only of headers has an empty body.
Entity split_entity(std::string_view raw, const Limits& limits, const std::string& where) {
  Entity e;
  std::size_t end = 0;
  std::size_t body_start = raw.size();
  if (raw.starts_with("\n")) {
    end = 0;
    body_start = 1;
  } else if (const auto blank = raw.find("\n\n"); blank != std::string_view::npos) {
    end = blank + 1;
    body_start = blank + 2;
  } else {
    end = raw.size();
  }
  if (end > limits.max_header_bytes) {
    throw MailError(where + ": the header section has more than " +
                    std::to_string(limits.max_header_bytes) + " bytes");
  }
  const std::string_view head = raw.substr(0, end);
  e.body = body_start <= raw.size() ? raw.substr(body_start) : std::string_view();
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < head.size()) {
    auto nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (e.headers.empty()) {
        throw MailError(where + ": line " + std::to_string(line_no) +
                        " continues a header field that was never started");
      }
      e.headers.back().value += " ";
      e.headers.back().value += trim(line);
      continue;
    }
    const auto colon = line.find(':');
    const auto name = colon == std::string_view::npos ? std::string_view() : line.substr(0, colon);
    const bool valid_name = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return c > 32 && c < 127 && c != ':';
    });
    if (!valid_name) {
      if (line_no == 1 && line.starts_with("From ")) continue;  // an mbox "From " line
      throw MailError(where + ": line " + std::to_string(line_no) +
                      " of the header is not a header field (\"" + std::string(line.substr(0, 40)) +
                      "\")");
    }
    e.headers.push_back({std::string(name), std::string(trim(line.substr(colon + 1)))});
  }
  return e;
}

std::string decode_transfer(std::string_view body, const std::optional<std::string>& encoding,
                            const std::string& where) {
  const std::string enc = encoding ? lower(trim(*encoding)) : "7bit";
  if (enc == "base64") {
    auto decoded = decode_base64(body);
    if (!decoded) throw MailError(where + ": the base64 content is invalid");
    return *decoded;
  }
  if (enc == "quoted-printable") return decode_quoted_printable(body);
  if (enc == "7bit" || enc == "8bit" || enc == "binary" || enc.empty()) return std::string(body);
  throw MailError(where + ": unknown Content-Transfer-Encoding '" + enc.substr(0, 40) + "'");
}

struct Walk {
  const Limits& limits;
  int parts = 0;
  std::optional<std::string> plain;
  std::optional<std::string> html;
  std::vector<Attachment> attachments;
};

std::string filename_of(const Entity& e, const ContentType& ct) {
  if (auto d = e.header("Content-Disposition")) {
    auto [value, params] = split_parameters(*d);
    if (auto it = params.find("filename"); it != params.end())
      return decode_header_value(it->second);
  }
  if (auto it = ct.params.find("name"); it != ct.params.end())
    return decode_header_value(it->second);
  return {};
}

bool is_attachment(const Entity& e) {
  if (auto d = e.header("Content-Disposition")) {
    return lower(trim(d->substr(0, d->find(';')))) == "attachment";
  }
  return false;
}

void walk(Walk& w, const Entity& e, int depth, const std::string& where, bool in_digest);

void walk_multipart(Walk& w, const Entity& e, const ContentType& ct, int depth,
                    const std::string& where) {
  if (depth >= w.limits.max_depth) {
    throw MailError(where + ": multipart parts are nested more than " +
                    std::to_string(w.limits.max_depth) + " deep");
  }
  const auto b = ct.params.find("boundary");
  if (b == ct.params.end() || b->second.empty() || b->second.size() > 200) {
    throw MailError(where + ": " + ct.type + " without a usable boundary parameter");
  }
  const std::string delimiter = "--" + b->second;
  std::vector<std::string_view> bodies;
  std::string_view body = e.body;
  std::optional<std::size_t> part_start;
  bool closed = false;
  std::size_t pos = 0;
  while (pos <= body.size() && !closed) {
    auto nl = body.find('\n', pos);
    const std::size_t line_end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view line = body.substr(pos, line_end - pos);
    if (line.starts_with(delimiter)) {
      std::string_view rest = line.substr(delimiter.size());
      const bool closing = rest.starts_with("--");
      if (closing) rest.remove_prefix(2);
      if (trim(rest).empty()) {
        if (part_start) {
          // The line break before a delimiter belongs to the delimiter.
          std::size_t end = pos > *part_start ? pos - 1 : pos;
          bodies.push_back(body.substr(*part_start, end - *part_start));
        }
        if (closing) {
          closed = true;
        } else {
          part_start = line_end + 1 <= body.size() ? line_end + 1 : body.size();
        }
      }
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  // A missing closing delimiter is tolerated (truncated by a relay); no part at all is not.
  if (!closed && part_start) bodies.push_back(body.substr(std::min(*part_start, body.size())));
  if (bodies.empty()) {
    throw MailError(where + ": the " + ct.type + " body has no part delimited by its boundary");
  }
  const bool digest = ct.type == "multipart/digest";
  int index = 0;
  for (auto part : bodies) {
    ++index;
    if (++w.parts > w.limits.max_parts) {
      throw MailError("the message has more than " + std::to_string(w.limits.max_parts) + " parts");
    }
    const std::string child_where = where + "." + std::to_string(index);
    walk(w, split_entity(part, w.limits, "part " + child_where), depth + 1, child_where, digest);
  }
}

void walk(Walk& w, const Entity& e, int depth, const std::string& where, bool in_digest) {
  const auto ct = parse_content_type(e.header("Content-Type"), in_digest);
  const std::string label = where.empty() ? "the message" : "part " + where;
  if (ct.type.starts_with("multipart/")) {
    walk_multipart(w, e, ct, depth, where.empty() ? "1" : where);
    return;
  }
  std::string bytes = decode_transfer(e.body, e.header("Content-Transfer-Encoding"), label);
  const auto charset = ct.params.contains("charset") ? ct.params.at("charset") : "us-ascii";
  const std::string filename = filename_of(e, ct);
  const bool inline_text = !is_attachment(e) && filename.empty();
  if (inline_text && ct.type == "text/plain" && !w.plain) {
    w.plain = to_utf8(bytes, charset);
    return;
  }
  if (inline_text && ct.type == "text/html" && !w.html) {
    w.html = html_to_text(to_utf8(bytes, charset));
    return;
  }
  Attachment a;
  a.content_type = ct.type;
  a.filename = filename;
  if (a.filename.empty()) {
    a.filename = ct.type == "message/rfc822" ? "message.eml"
                 : ct.type == "text/html"    ? "message.html"
                 : ct.type == "text/plain"   ? "text.txt"
                                             : "part-" + (where.empty() ? "1" : where);
  }
  a.bytes = std::move(bytes);
  w.attachments.push_back(std::move(a));
}

// The address in a From: value: inside <> when there, else the first word holding an '@'.
std::pair<std::string, std::string> parse_from(std::string_view value) {
  const auto lt = value.rfind('<');
  const auto gt = lt == std::string_view::npos ? lt : value.find('>', lt);
  if (lt != std::string_view::npos && gt != std::string_view::npos) {
    std::string name(trim(value.substr(0, lt)));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"')
      name = name.substr(1, name.size() - 2);
    return {std::string(trim(value.substr(lt + 1, gt - lt - 1))), decode_header_value(name)};
  }
  std::size_t i = 0;
  while (i < value.size()) {
    while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i])) != 0) ++i;
    std::size_t j = i;
    while (j < value.size() && std::isspace(static_cast<unsigned char>(value[j])) == 0) ++j;
    auto word = value.substr(i, j - i);
    if (word.find('@') != std::string_view::npos) {
      const auto paren = value.find('(', j);
      std::string name;
      if (paren != std::string_view::npos) {
        const auto close = value.find(')', paren);
        name = std::string(
            value.substr(paren + 1, close == std::string_view::npos ? close : close - paren - 1));
      }
      return {std::string(word), decode_header_value(name)};
    }
    i = j;
  }
  return {};
}

std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return s;
}

}  // namespace

std::optional<std::string> Message::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

std::string decode_quoted_printable(std::string_view text, bool in_header) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=' && i + 1 < text.size() && text[i + 1] == '\n') {  // soft line break
      ++i;
    } else if (c == '=' && i + 2 < text.size() && text[i + 1] == '\r' && text[i + 2] == '\n') {
      i += 2;
    } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else if (in_header && c == '_') {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  // Trailing whitespace before a hard line break was added in transport (RFC 2045 rule 3).
  if (!in_header) {
    std::string cleaned;
    cleaned.reserve(out.size());
    std::size_t start = 0;
    while (start <= out.size()) {
      auto nl = out.find('\n', start);
      std::string_view line(out.data() + start,
                            (nl == std::string::npos ? out.size() : nl) - start);
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      cleaned.append(line);
      if (nl == std::string::npos) break;
      cleaned.push_back('\n');
      start = nl + 1;
    }
    return cleaned;
  }
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  static const auto table = [] {
    std::array<int, 256> t{};
    t.fill(-1);
    const std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
      t[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    return t;
  }();
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  int symbols = 0;
  int padding = 0;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return std::nullopt;  // data after the padding
    const int v = table[c];
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    ++symbols;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (symbols % 4 == 1 || padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0)) {
    return std::nullopt;
  }
  return out;
}

std::string to_utf8(std::string_view bytes, std::string_view charset_label) {
  const std::string charset = lower(trim(charset_label));
  if (charset.empty() || charset == "utf-8" || charset == "utf8" || charset == "us-ascii" ||
      charset == "ascii" || util::is_valid_utf8(bytes)) {
    // Mail that claims ASCII but carries 8-bit bytes is usually Latin-1 from an old client.
    if (util::is_valid_utf8(bytes)) return std::string(bytes);
    if (charset == "us-ascii" || charset == "ascii" || charset.empty())
      return to_utf8(bytes, "windows-1252");
    return repair_utf8(bytes);
  }
  if (!plausible_charset(charset)) return repair_utf8(bytes);
  iconv_t cd = ::iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return repair_utf8(bytes);
  std::string out;
  out.resize(bytes.size() * 2 + 16);
  std::string input(bytes);
  char* in = input.data();
  std::size_t in_left = input.size();
  std::size_t written = 0;
  while (in_left > 0) {
    char* out_ptr = out.data() + written;
    std::size_t out_left = out.size() - written;
    const auto r = ::iconv(cd, &in, &in_left, &out_ptr, &out_left);
    written = out.size() - out_left;
    if (r != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else if (errno == EILSEQ || errno == EINVAL) {
      // Skip the byte that starts nothing valid (or the truncated tail) and mark the spot.
      if (out.size() - written < kReplacement.size()) out.resize(out.size() * 2);
      out.replace(written, kReplacement.size(), kReplacement);
      written += kReplacement.size();
      ++in;
      --in_left;
      ::iconv(cd, nullptr, nullptr, nullptr, nullptr);
    } else {
      break;
    }
  }
  ::iconv_close(cd);
  out.resize(written);
  return repair_utf8(out);
}

std::string decode_header_value(std::string_view value) {
  std::string out;
  std::size_t i = 0;
  bool last_was_encoded = false;
  std::string pending_space;
  while (i < value.size()) {
    if (value.substr(i).starts_with("=?")) {
      // =?charset?B|Q?text?=
      const auto q1 = value.find('?', i + 2);
      const auto q2 = q1 == std::string_view::npos ? q1 : value.find('?', q1 + 1);
      const auto end = q2 == std::string_view::npos ? q2 : value.find("?=", q2 + 1);
      if (end != std::string_view::npos && q2 == q1 + 2) {
        std::string charset(value.substr(i + 2, q1 - i - 2));
        if (const auto star = charset.find('*'); star != std::string::npos)
          charset.resize(star);  // RFC 2231 language
        const char encoding =
            static_cast<char>(std::toupper(static_cast<unsigned char>(value[q1 + 1])));
        const auto text = value.substr(q2 + 1, end - q2 - 1);
        std::optional<std::string> raw;
        if (encoding == 'B') raw = decode_base64(text);
        if (encoding == 'Q') raw = decode_quoted_printable(text, true);
        if (raw) {
          if (!last_was_encoded) out += pending_space;
          pending_space.clear();
          out += to_utf8(*raw, charset);
          last_was_encoded = true;
          i = end + 2;
          continue;
        }
      }
    }
    const char c = value[i];
    if (c == ' ' || c == '\t') {
      pending_space.push_back(c);
    } else {
      out += pending_space;
      pending_space.clear();
      out.push_back(c);
      last_was_encoded = false;
    }
    ++i;
  }
  out += pending_space;
  return repair_utf8(out);
}

std::string html_to_text(std::string_view html) {
  std::string out;
  out.reserve(html.size());
  std::size_t i = 0;
  auto newline = [&] {
    if (!out.empty() && out.back() != '\n') out.push_back('\n');
  };
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') {
      const auto close = html.find('>', i);
      if (close == std::string_view::npos) break;
      std::string tag = lower(html.substr(i + 1, std::min<std::size_t>(close - i - 1, 20)));
      const bool closing = tag.starts_with("/");
      if (closing) tag.erase(0, 1);
      std::string name;
      for (char t : tag) {
        if (std::isalnum(static_cast<unsigned char>(t)) == 0) break;
        name.push_back(t);
      }
      if (!closing && (name == "script" || name == "style" || name == "head" || name == "title")) {
        const auto end = lower(html.substr(close)).find("</" + name);
        if (end == std::string::npos) break;
        i = close + end;
        const auto gt = html.find('>', i);
        i = gt == std::string_view::npos ? html.size() : gt + 1;
        continue;
      }
      if (tag.starts_with("!--")) {
        const auto end = html.find("-->", i);
        i = end == std::string_view::npos ? html.size() : end + 3;
        continue;
      }
      if (name == "br" || name == "p" || name == "div" || name == "li" || name == "tr" ||
          name == "h1" || name == "h2" || name == "h3" || name == "h4" || name == "table" ||
          name == "blockquote" || name == "pre") {
        newline();
        if (!closing && name == "li") out += "- ";
      } else if (name == "td" || name == "th") {
        out.push_back(' ');
      }
      i = close + 1;
      continue;
    }
    if (c == '&') {
      const auto semi = html.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 10) {
        const std::string entity = lower(html.substr(i + 1, semi - i - 1));
        static const std::map<std::string, std::string> named = {{"amp", "&"},
                                                                 {"lt", "<"},
                                                                 {"gt", ">"},
                                                                 {"quot", "\""},
                                                                 {"apos", "'"},
                                                                 {"nbsp", " "},
                                                                 {"copy", "\xC2\xA9"},
                                                                 {"hellip", "\xE2\x80\xA6"},
                                                                 {"ndash", "\xE2\x80\x93"},
                                                                 {"mdash", "\xE2\x80\x94"}};
        if (auto it = named.find(entity); it != named.end()) {
          out += it->second;
          i = semi + 1;
          continue;
        }
        if (entity.starts_with("#")) {
          std::uint32_t cp = 0;
          bool ok = entity.size() > 1;
          const bool hex = entity.size() > 1 && entity[1] == 'x';
          for (std::size_t k = hex ? 2 : 1; k < entity.size() && ok; ++k) {
            const int v =
                hex ? hex_value(entity[k])
                    : (std::isdigit(static_cast<unsigned char>(entity[k])) != 0 ? entity[k] - '0'
                                                                                : -1);
            if (v < 0 || cp > 0x10FFFF)
              ok = false;
            else
              cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(v);
          }
          if (ok && (!hex || entity.size() > 2)) {
            append_code_point(out, cp);
            i = semi + 1;
            continue;
          }
        }
      }
    }
    if (c == '\r') {
      ++i;
      continue;
    }
    // Line breaks in HTML source are spaces; only tags break lines.
    const char ch = (c == '\n' || c == '\t') ? ' ' : c;
    if (ch == ' ' && (out.empty() || out.back() == ' ' || out.back() == '\n')) {
      ++i;
      continue;
    }
    out.push_back(ch);
    ++i;
  }
  // Trim spaces at line ends and collapse blank lines to one.
  std::string cleaned;
  int blank_run = 0;
  std::size_t start = 0;
  while (start <= out.size()) {
    auto nl = out.find('\n', start);
    std::string_view line = trim(
        std::string_view(out).substr(start, (nl == std::string::npos ? out.size() : nl) - start));
    if (line.empty()) {
      if (++blank_run == 1 && !cleaned.empty()) cleaned += "\n";
    } else {
      blank_run = 0;
      cleaned.append(line);
      cleaned += "\n";
    }
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  while (!cleaned.empty() && cleaned.back() == '\n') cleaned.pop_back();
  return repair_utf8(cleaned);
}

std::vector<std::string> message_ids(std::string_view value) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = value.find('<', i)) != std::string_view::npos) {
    const auto end = value.find('>', i);
    if (end == std::string_view::npos) break;
    const auto id = value.substr(i, end - i + 1);
    if (id.size() > 2 && id.size() <= 250 &&
        id.substr(1).find_first_of(" \t<") == std::string_view::npos) {
      out.emplace_back(id);
    }
    i = end + 1;
    if (out.size() >= 100) break;
  }
  return out;
}

Message parse_message(std::string_view raw_input, const Limits& limits) {
  if (raw_input.size() > limits.max_bytes) {
    throw MailError("the message has more than " + std::to_string(limits.max_bytes) + " bytes");
  }
  if (trim(raw_input).empty()) throw MailError("the message is empty");
  // One line-ending convention from here on: what MTAs hand to pipes is usually LF already.
  std::string raw;
  raw.reserve(raw_input.size());
  for (std::size_t i = 0; i < raw_input.size(); ++i) {
    if (raw_input[i] == '\r' && i + 1 < raw_input.size() && raw_input[i + 1] == '\n') continue;
    raw.push_back(raw_input[i]);
  }
  const Entity top = split_entity(raw, limits, "the message");
  if (top.headers.empty()) throw MailError("the message has no header fields");
  Message m;
  m.headers = top.headers;
  const auto from = top.header("From");
  if (!from) throw MailError("the message has no From: header");
  std::tie(m.from_address, m.from_name) = parse_from(*from);
  if (m.from_address.empty() || m.from_address.find('@') == std::string::npos) {
    throw MailError("the From: header holds no address (\"" + from->substr(0, 60) + "\")");
  }
  m.subject = one_line(decode_header_value(top.header("Subject").value_or("")));
  if (auto id = top.header("Message-ID")) {
    auto ids = message_ids(*id);
    if (!ids.empty()) m.message_id = ids.front();
  }
  if (auto v = top.header("In-Reply-To")) m.in_reply_to = message_ids(*v);
  if (auto v = top.header("References")) m.references = message_ids(*v);

  Walk w{limits};
  walk(w, top, 0, "", false);
  if (w.plain) {
    m.text = std::move(*w.plain);
  } else if (w.html) {
    m.text = std::move(*w.html);
  }
  m.attachments = std::move(w.attachments);
  return m;
}

}  // namespace custos::events::mime
