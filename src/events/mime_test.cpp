#include "events/mime.hpp"

#include <gtest/gtest.h>

namespace custos::events::mime {

namespace {

std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace

TEST(EventsMime, PlainMessageWithEncodedSubjectAndLatin1Body) {
  const auto m =
      parse_message(crlf("From: =?ISO-8859-1?Q?J=FCrgen_M=FCller?= <juergen@example.org>\n"
                         "Subject: =?UTF-8?B?VmVyZMOkY2h0aWdl?= =?UTF-8?Q?_Mail_=E2=9C=89?=\n"
                         "Message-ID: <abc@example.org>\n"
                         "In-Reply-To: <evt-000001.ack.x@custos>\n"
                         "Content-Type: text/plain; charset=\"iso-8859-1\"\n"
                         "Content-Transfer-Encoding: quoted-printable\n"
                         "\n"
                         "Gr=FC=DFe, a long line that is =\n"
                         "soft-broken.\n"));
  EXPECT_EQ(m.from_address, "juergen@example.org");
  EXPECT_EQ(m.from_name, "Jürgen Müller");
  EXPECT_EQ(m.subject, "Verdächtige Mail ✉");  // the space between encoded words is dropped
  EXPECT_EQ(m.message_id, "<abc@example.org>");
  ASSERT_EQ(m.in_reply_to.size(), 1U);
  EXPECT_EQ(m.in_reply_to[0], "<evt-000001.ack.x@custos>");
  EXPECT_EQ(m.text, "Grüße, a long line that is soft-broken.\n");
  EXPECT_TRUE(m.attachments.empty());
}

TEST(EventsMime, PrefersPlainOverHtmlAndKeepsNestedAttachments) {
  const auto m = parse_message(
      "From: alice@example.org\n"
      "Subject: phishing\n"
      "Content-Type: multipart/mixed; boundary=outer\n"
      "\n"
      "preamble is ignored\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=\"inner\"\n"
      "\n"
      "--inner\n"
      "Content-Type: text/html; charset=utf-8\n"
      "\n"
      "<p>HTML <b>version</b></p>\n"
      "--inner\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "Plain version\n"
      "--inner--\n"
      "--outer\n"
      "Content-Type: message/rfc822\n"
      "Content-Disposition: attachment; filename=\"original.eml\"\n"
      "\n"
      "From: evil@example.com\n"
      "Subject: you won\n"
      "\n"
      "click here\n"
      "--outer\n"
      "Content-Type: application/pdf; name=\"=?UTF-8?Q?Rechnung_=C3=A4.pdf?=\"\n"
      "Content-Transfer-Encoding: base64\n"
      "\n"
      "JVBERi0xLjQK\n"
      "--outer--\n"
      "epilogue\n");
  EXPECT_EQ(m.text, "Plain version");
  ASSERT_EQ(m.attachments.size(), 2U);
  EXPECT_EQ(m.attachments[0].filename, "original.eml");
  EXPECT_EQ(m.attachments[0].content_type, "message/rfc822");
  EXPECT_NE(m.attachments[0].bytes.find("Subject: you won"), std::string::npos);
  EXPECT_EQ(m.attachments[1].filename, "Rechnung ä.pdf");
  EXPECT_EQ(m.attachments[1].bytes, "%PDF-1.4\n");
}

TEST(EventsMime, HtmlOnlyIsReducedToText) {
  const auto m = parse_message(
      "From: a@example.org\nContent-Type: text/html; charset=windows-1252\n\n"
      "<html><head><title>x</title><style>p{color:red}</style></head><body>"
      "<script>alert(1)</script><p>Caf\xE9 &amp; <i>more</i></p><ul><li>one</li><li>two</li></ul>"
      "&#8364;&#x41;</body></html>");
  EXPECT_EQ(m.text, "Café & more\n- one\n- two\n€A");
}

TEST(EventsMime, Rfc2231FilenamesAreJoinedAndDecoded) {
  const auto m = parse_message(
      "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: application/octet-stream\n"
      "Content-Disposition: attachment; filename*0*=UTF-8''%E2%82%AC-; filename*1=\"report.bin\"\n"
      "\nxyz\n--b--\n");
  ASSERT_EQ(m.attachments.size(), 1U);
  EXPECT_EQ(m.attachments[0].filename, "€-report.bin");
  EXPECT_EQ(m.attachments[0].bytes, "xyz");
}

TEST(EventsMime, BrokenBoundariesAreRefusedOrToleratedAsMailReadersDo) {
  // No delimiter at all: nothing can be read.
  EXPECT_THROW(parse_message("From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n"
                             "--other\nhello\n"),
               MailError);
  // Multipart without a boundary parameter.
  EXPECT_THROW(parse_message("From: a@example.org\nContent-Type: multipart/mixed\n\nhello\n"),
               MailError);
  // A missing closing delimiter (a relay cut the tail): the parts that are there count.
  const auto m = parse_message(
      "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n"
      "Content-Type: text/plain\n\nstill here\n");
  EXPECT_EQ(m.text, "still here\n");
  // A delimiter-like line with trailing junk is body text, not a delimiter.
  const auto n = parse_message(
      "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n"
      "--bx is text\n--b--\n");
  EXPECT_EQ(n.text, "--bx is text");
}

TEST(EventsMime, HugeHeadersAreRefused) {
  Limits limits;
  limits.max_header_bytes = 1024;
  std::string raw = "From: a@example.org\nX-Junk: " + std::string(2000, 'x') + "\n\nbody\n";
  try {
    parse_message(raw, limits);
    FAIL() << "accepted a header section over the limit";
  } catch (const MailError& e) {
    EXPECT_NE(std::string(e.what()).find("1024"), std::string::npos) << e.what();
  }
  // A part's header counts too.
  std::string nested =
      "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\nX-J: " +
      std::string(2000, 'y') + "\n\nx\n--b--\n";
  EXPECT_THROW(parse_message(nested, limits), MailError);
  // And the whole message.
  limits.max_bytes = 100;
  EXPECT_THROW(parse_message("From: a@example.org\n\n" + std::string(200, 'z'), limits), MailError);
}

TEST(EventsMime, NestingAndPartCountAreBounded) {
  Limits limits;
  limits.max_depth = 3;
  std::string raw = "From: a@example.org\nContent-Type: multipart/mixed; boundary=b0\n\n";
  std::string tail;
  for (int i = 0; i < 5; ++i) {
    raw += "--b" + std::to_string(i) + "\nContent-Type: multipart/mixed; boundary=b" +
           std::to_string(i + 1) + "\n\n";
    tail = "--b" + std::to_string(i) + "--\n" + tail;
  }
  raw += "--b5\n\ndeep\n--b5--\n" + tail;
  EXPECT_THROW(parse_message(raw, limits), MailError);
  limits.max_depth = 10;
  EXPECT_EQ(parse_message(raw, limits).text, "deep");

  limits.max_parts = 5;
  std::string many = "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n";
  for (int i = 0; i < 10; ++i) many += "--b\nContent-Type: application/octet-stream\n\nx\n";
  many += "--b--\n";
  EXPECT_THROW(parse_message(many, limits), MailError);
}

TEST(EventsMime, InvalidBase64IsRefusedNamingThePart) {
  try {
    parse_message(
        "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nhi\n--b\n"
        "Content-Type: image/png\nContent-Transfer-Encoding: base64\n\n!!!notbase64!!!\n--b--\n");
    FAIL() << "accepted invalid base64";
  } catch (const MailError& e) {
    EXPECT_NE(std::string(e.what()).find("part 1.2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(decode_base64("aGVs\nbG8="), "hello");
  EXPECT_EQ(decode_base64(""), "");
  EXPECT_FALSE(decode_base64("aGVsbG8=x"));  // data after padding
  EXPECT_FALSE(decode_base64("a"));          // cannot be base64
  EXPECT_FALSE(decode_base64("aGVsbG8==="));
}

TEST(EventsMime, InvalidAndUnknownCharsetsNeverLoseTheText) {
  // Unknown to iconv, and not UTF-8: replacement characters instead of a rejected report.
  EXPECT_EQ(to_utf8("caf\xE9", "x-no-such-charset"), "caf\xEF\xBF\xBD");
  // Unknown label, but the bytes are UTF-8 already.
  EXPECT_EQ(to_utf8("café", "x-no-such-charset"), "café");
  // A label that is no label at all is not handed to iconv.
  EXPECT_EQ(to_utf8("abc", "../../etc/passwd"), "abc");
  // Invalid sequences inside a known multi-byte charset.
  const auto sjis = to_utf8(
      "a\x82\xA0\xFF"
      "b",
      "shift_jis");
  EXPECT_EQ(sjis.front(), 'a');
  EXPECT_EQ(sjis.back(), 'b');
  EXPECT_NE(sjis.find("\xEF\xBF\xBD"), std::string::npos);
  // Declared ASCII with 8-bit bytes: read as Windows-1252.
  EXPECT_EQ(to_utf8("\x80 5", "us-ascii"), "€ 5");
  // An encoded word in an unknown charset.
  EXPECT_EQ(decode_header_value("=?x-bogus?Q?ok?="), "ok");
}

TEST(EventsMime, MalformedHeadersAndEnvelopesAreRefused) {
  EXPECT_THROW(parse_message(""), MailError);
  EXPECT_THROW(parse_message("\n\n\n"), MailError);
  EXPECT_THROW(parse_message("Subject: no sender\n\nbody\n"), MailError);
  EXPECT_THROW(parse_message("From: nobody\n\nbody\n"), MailError);
  EXPECT_THROW(parse_message(" folded: before any field\nFrom: a@example.org\n\nx\n"), MailError);
  EXPECT_THROW(parse_message("From: a@example.org\nthis is not a header\n\nbody\n"), MailError);
  EXPECT_THROW(
      parse_message("From: a@example.org\nContent-Transfer-Encoding: x-uuencode\n\nbody\n"),
      MailError);
  // An mbox "From " line before the headers is what some MTAs prepend: accepted.
  EXPECT_EQ(
      parse_message("From a@example.org Mon Nov 23 00:00:00 2026\nFrom: a@example.org\n\nhi\n")
          .text,
      "hi\n");
}

TEST(EventsMime, QuotedPrintableIsLenientWithBrokenEscapes) {
  EXPECT_EQ(decode_quoted_printable("a=3Db =ZZ c=\n d   \ne"), "a=b =ZZ c d\ne");
  EXPECT_EQ(decode_quoted_printable("under_score", true), "under score");
  EXPECT_EQ(decode_quoted_printable("trailing ="), "trailing =");
}

TEST(EventsMime, MessageIdsAreCollected) {
  const auto ids = message_ids("<a@x> junk <b@y>\n <c@z> <bad id> <>");
  ASSERT_EQ(ids.size(), 3U);
  EXPECT_EQ(ids[2], "<c@z>");
}

}  // namespace custos::events::mime
