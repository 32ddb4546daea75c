#pragma once
// A MIME reader for the mail custos takes in (RFC 5322, 2045-2047, 2231): headers unfolded and
// decoded to UTF-8, multipart nesting walked to a bounded depth, quoted-printable and base64
// decoded, every charset iconv knows converted to UTF-8, the text/plain body preferred over
// text/html (which is reduced to text), and everything else kept as attachments.
//
// Hostile input is expected: sizes, header length, part count and nesting depth are bounded,
// and a message that cannot be read as mail throws MailError saying what is wrong with it.
// Charset trouble never loses a report: undecodable bytes become U+FFFD.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace custos::events::mime {

struct Limits {
  std::size_t max_bytes = 25 * 1024 * 1024;  // the whole message as delivered
  std::size_t max_header_bytes = 64 * 1024;  // the header section of the message and of each part
  int max_parts = 100;                       // body parts, all levels together
  int max_depth = 8;                         // multipart within multipart
};

// The message is not mail we can read; what() says why, for the MTA's bounce.
struct MailError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Header {
  std::string name;   // as written
  std::string value;  // unfolded, not decoded
};

struct Attachment {
  std::string filename;      // decoded, may be empty
  std::string content_type;  // media type, lower case, without parameters
  std::string bytes;         // transfer encoding removed
};

struct Message {
  std::vector<Header> headers;
  std::string from_address;              // the address in From:, as written
  std::string from_name;                 // the display name, decoded
  std::string subject;                   // decoded to UTF-8, one line
  std::string message_id;                // "<…>" or empty
  std::vector<std::string> in_reply_to;  // "<…>" each
  std::vector<std::string> references;   // "<…>" each
  std::string text;                      // the body as UTF-8 text
  std::vector<Attachment> attachments;

  // The first header of that name (case-insensitive), unfolded.
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
};

Message parse_message(std::string_view raw, const Limits& limits = {});

// The pieces, for tests and for whoever needs one of them.
// Quoted-printable (RFC 2045 6.7); `in_header` also turns '_' into a space (RFC 2047 Q).
// Lenient like mail readers: a '=' not followed by two hex digits is kept as it is.
std::string decode_quoted_printable(std::string_view text, bool in_header = false);
// Base64 ignoring line breaks and whitespace; nullopt for any other non-alphabet character,
// data after padding, or a length that cannot be base64.
std::optional<std::string> decode_base64(std::string_view text);
// `bytes` in `charset` as UTF-8; undecodable sequences and unknown charsets give U+FFFD
// (for unknown charsets, unless the bytes already are valid UTF-8).
std::string to_utf8(std::string_view bytes, std::string_view charset);
// RFC 2047 encoded words in a header value, decoded; whitespace between two encoded words
// is dropped, as the RFC says.
std::string decode_header_value(std::string_view value);
// HTML reduced to readable text: scripts and styles dropped, block ends as line breaks,
// entities decoded, runs of blank lines collapsed.
std::string html_to_text(std::string_view html);
// All "<…>" message ids in a header value.
std::vector<std::string> message_ids(std::string_view value);

}  // namespace custos::events::mime
