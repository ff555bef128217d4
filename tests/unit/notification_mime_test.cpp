// The notification email as text: well-formed RFC 5322 headers within their line limits,
// RFC 2047 subjects and names, quoted-printable parts that decode back to the bodies, a boundary
// found in neither body, and fields that cannot inject a header. Read back with the tests' own
// MIME reader (tests/support/mime_reader), not with the code under test.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "mime_reader.hpp"
#include "modules/notification/mime.hpp"

using payrollx::Timestamp;
using payrollx::notification::EmailMessage;
using payrollx::notification::mime_message;
using namespace payrollx::test;
using namespace std::chrono;

namespace {

const Timestamp k_date = sys_days{2026y / 11 / 25} + 6h + 7min + 8s + 123us;
constexpr auto k_message_id = "0f8a7c52-2d4e-4b7a-9c1e-5a6b7c8d9e0f";

EmailMessage sample() {
  return {.from = "payrollx@example.com",
          .to = "ann@example.com",
          .to_name = "Ann Lee",
          .subject = "Your payslip",
          .text = "Hello Ann,\r\nyour payslip is ready.\r\n",
          .html = "<p>Hello Ann,</p>\r\n<p>your payslip is ready.</p>\r\n"};
}

std::string mime_of(const EmailMessage& message) {
  return mime_message(message, k_date, k_message_id);
}

// The physical lines, checking on the way that every line ends with CRLF.
std::vector<std::string> lines_of(const std::string& raw) {
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < raw.size();) {
    const auto end = raw.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    lines.push_back(raw.substr(start, end - start));
    start = end + 2;
  }
  for (const auto& line : lines) {
    INFO(line);
    CHECK(line.find_first_of("\r\n") == std::string::npos);
  }
  return lines;
}

std::vector<std::string> header_lines(const std::string& raw) {
  return lines_of(raw.substr(0, raw.find("\r\n\r\n") + 2));
}

std::vector<std::string> field_names(const MimeEntity& entity) {
  std::vector<std::string> names;
  for (const auto& entry : entity.fields) names.push_back(entry.name);
  return names;
}

const std::vector<std::string> k_field_names{"Date",    "Message-ID",   "From",        "To",
                                             "Subject", "MIME-Version", "Content-Type"};

std::size_t longest(const std::vector<std::string>& lines) {
  std::size_t length = 0;
  for (const auto& line : lines) length = std::max(length, line.size());
  return length;
}

std::size_t occurrences(std::string_view text, std::string_view needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

std::string repeated(std::string_view piece, int times) {
  std::string text;
  for (int i = 0; i < times; ++i) text += piece;
  return text;
}

}  // namespace

TEST_CASE("notification mime: the headers are all there, in 7-bit lines of at most 78") {
  const auto raw = mime_of(sample());
  const auto lines = lines_of(raw);
  CHECK(longest(lines) <= 78);
  auto international = sample();
  international.to_name = "Zoë Müller";
  international.subject = "Café – ünïcode";
  international.text = "1 234,56 €";
  international.html = "<p>1&nbsp;234,56&nbsp;€</p>";
  for (const auto& text : {raw, mime_of(international)})
    CHECK(std::all_of(text.begin(), text.end(), [](char c) { return (c & 0x80) == 0; }));

  const auto message = parse_entity(raw);
  CHECK(field_names(message) == k_field_names);
  CHECK(message.field("Date") == "Wed, 25 Nov 2026 06:07:08 +0000");
  CHECK(message.field("Message-ID") == "<0f8a7c52-2d4e-4b7a-9c1e-5a6b7c8d9e0f@example.com>");
  CHECK(message.field("From") == "payrollx@example.com");
  CHECK(message.field("To") == "Ann Lee <ann@example.com>");
  CHECK(message.field("Subject") == "Your payslip");
  CHECK(message.field("MIME-Version") == "1.0");
  CHECK(message.field("Content-Type").starts_with("multipart/alternative; boundary="));

  const auto parts = multipart_parts(message);
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].field("Content-Type") == "text/plain; charset=utf-8");
  CHECK(parts[0].field("Content-Transfer-Encoding") == "quoted-printable");
  CHECK(decoded_body(parts[0]) == sample().text);
}

TEST_CASE("notification mime: the Message-ID is the id at the sender's domain") {
  auto message = sample();
  message.from = "payrollx@localhost";
  CHECK(parse_entity(mime_message(message, k_date, "a b<c>@d")).field("Message-ID") ==
        "<abcd@localhost>");
  message.from = "no-domain";
  CHECK(parse_entity(mime_message(message, k_date, "id")).field("Message-ID") == "<id@localhost>");
  CHECK_THROWS_AS(mime_message(message, k_date, "<>@ "), std::invalid_argument);
}

TEST_CASE("notification mime: a UTF-8 subject goes as encoded-words that decode back") {
  auto message = sample();
  message.subject = "Café – ünïcode";
  auto raw = mime_of(message);
  auto subject = parse_entity(raw).field("Subject");
  CHECK(subject.starts_with("=?UTF-8?B?"));
  CHECK(decode_encoded_words(subject) == "Café – ünïcode");

  SECTION("a long one folds within 78 characters, every character whole") {
    message.subject = "Café – ünïcode" + repeated(" Zoë’s payslip – ünïcode", 15);
    raw = mime_of(message);
    CHECK(longest(header_lines(raw)) <= 78);
    CHECK(decode_encoded_words(parse_entity(raw).field("Subject")) == message.subject);
  }
  SECTION("an ASCII one stays readable and folds at its spaces") {
    message.subject = "Your payslip" + repeated(" for November 2026 is ready", 8);
    raw = mime_of(message);
    CHECK(longest(header_lines(raw)) <= 78);
    CHECK(parse_entity(raw).field("Subject") == message.subject);
  }
  SECTION("ASCII that cannot fold or could read as an encoded-word is encoded too") {
    for (auto text : {repeated("x", 500), std::string("Pay =?UTF-8?B?SGk=?= now")}) {
      message.subject = text;
      raw = mime_of(message);
      CHECK(longest(header_lines(raw)) <= 78);
      CHECK(decode_encoded_words(parse_entity(raw).field("Subject")) == text);
    }
  }
}

TEST_CASE("notification mime: a 2000-character line survives quoted-printable exactly") {
  std::string line;
  for (int i = 0; line.size() < 2000; ++i) line += i % 7 == 0 ? "= é\t" : "Payslip ";
  auto message = sample();
  message.text = line + " \r\n." + line + "\t\r\n";
  const auto raw = mime_of(message);
  CHECK(longest(lines_of(raw.substr(raw.find("\r\n\r\n") + 4))) <= 76);
  const auto parts = multipart_parts(parse_entity(raw));
  REQUIRE(parts.size() == 2);
  CHECK(decoded_body(parts[0]) == message.text);
}

TEST_CASE("notification mime: line breaks of a body become CRLF") {
  auto message = sample();
  message.text = "one\ntwo\rthree\r\nfour";
  const auto parts = multipart_parts(parse_entity(mime_of(message)));
  REQUIRE(parts.size() == 2);
  CHECK(decoded_body(parts[0]) == "one\r\ntwo\r\nthree\r\nfour");
}

TEST_CASE("notification mime: the HTML part follows the text part with its own text") {
  auto message = sample();
  message.html = "<p>Café &amp; ünïcode: <b>1&nbsp;234,56&nbsp;€</b></p>";
  const auto parts = multipart_parts(parse_entity(mime_of(message)));
  REQUIRE(parts.size() == 2);
  CHECK(parts[1].field("Content-Type") == "text/html; charset=utf-8");
  CHECK(parts[1].field("Content-Transfer-Encoding") == "quoted-printable");
  CHECK(decoded_body(parts[1]) == message.html);
}

TEST_CASE("notification mime: CR and LF in a field cannot start a header") {
  auto message = sample();
  message.from = "payrollx@example.com\rBcc: evil@example.com";
  message.to = "ann@example.com\r\nBcc: evil@example.com";
  message.to_name = "Ann\nBcc: evil@example.com";
  for (auto subject : {"Hello\r\nBcc: evil@example.com", "Café\r\n\r\nBcc: evil@example.com"}) {
    message.subject = subject;
    const auto raw = mime_of(message);
    for (const auto& line : header_lines(raw)) {
      INFO(line);
      CHECK_FALSE(line.starts_with("Bcc"));
    }
    const auto parsed = parse_entity(raw);
    CHECK(field_names(parsed) == k_field_names);
    const auto decoded = decode_encoded_words(parsed.field("Subject"));
    CHECK(decoded.find_first_of("\r\n") == std::string::npos);
    CHECK(decoded.ends_with(" Bcc: evil@example.com"));
    CHECK(multipart_parts(parsed).size() == 2);
  }
}

TEST_CASE("notification mime: the boundary appears in neither body") {
  auto message = sample();
  message.text = "--=_payrollx_\r\n--\r\n=_payrollx_00112233445566778899aabbccddeeff\r\n";
  message.html = "<pre>" + message.text + "</pre>";
  const auto raw = mime_of(message);
  const auto type = parse_entity(raw).field("Content-Type");
  const auto start = type.find("boundary=\"") + 10;
  const auto boundary = type.substr(start, type.find('"', start) - start);
  REQUIRE(boundary.size() >= 20);
  // Once in Content-Type, then before each part and at the close: nowhere in the bodies.
  CHECK(occurrences(raw, boundary) == 4);
  const auto parts = multipart_parts(parse_entity(raw));
  REQUIRE(parts.size() == 2);
  CHECK(decoded_body(parts[0]) == message.text);
  CHECK(decoded_body(parts[1]) == message.html);
  CHECK(mime_of(message).find(boundary) == std::string::npos);  // random per message
}

TEST_CASE("notification mime: recipient names are encoded, quoted or left as they are") {
  auto message = sample();
  const auto to_of = [&](std::string name) {
    message.to_name = std::move(name);
    const auto raw = mime_of(message);
    CHECK(longest(header_lines(raw)) <= 78);
    return parse_entity(raw).field("To");
  };
  const auto zoe = to_of("Zoë Müller");
  CHECK(zoe.starts_with("=?UTF-8?B?"));
  CHECK(decode_encoded_words(zoe) == "Zoë Müller <ann@example.com>");
  CHECK(to_of("Doe, John") == "\"Doe, John\" <ann@example.com>");
  CHECK(to_of(R"(Ann "Nan" \ Lee)") == R"("Ann \"Nan\" \\ Lee" <ann@example.com>)");
  CHECK(to_of("") == "ann@example.com");
  CHECK(decode_encoded_words(to_of(repeated("Zoë ", 30) + "Müller")) ==
        repeated("Zoë ", 30) + "Müller <ann@example.com>");
  CHECK(parse_entity(mime_of(message)).field("From") == "payrollx@example.com");
}
