#include "modules/notification/mime.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <vector>

namespace payrollx::notification {
namespace {

// RFC 5322 §2.1.1: header lines SHOULD stay within 78 characters (and MUST within 998).
constexpr std::size_t k_header_line_limit = 78;
// A plain word longer than this could not share a line with "Subject: " (the longest header
// name that carries one); such text is sent as encoded-words, which split anywhere.
constexpr std::size_t k_longest_plain_word =
    k_header_line_limit - std::string_view("Subject: ").size();
// 42 bytes are 56 base64 characters: with "=?UTF-8?B?" and "?=" an encoded-word of 68, which fits
// after "Subject: " within 78 (RFC 2047 §2 allows 75).
constexpr std::size_t k_encoded_word_bytes = 42;
// RFC 2045 §6.7 (5): encoded lines of at most 76 characters, the "=" of a soft break included.
constexpr std::size_t k_quoted_printable_line_limit = 76;
constexpr std::string_view k_hex_digits = "0123456789ABCDEF";

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

bool is_printable_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7F;
  });
}

// RFC 5322 §3.2.3 atext: what a word may hold without quoting.
bool is_atext(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte < 0x80 && std::isalnum(byte) != 0) ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// A header value on one line: CR, LF and the other controls become spaces (so no field can start
// a header of its own), runs of spaces become one, the ends are trimmed.
std::string single_line(std::string_view value) {
  std::string line;
  for (char c : value) {
    if (!is_control(c) && c != ' ') {
      line += c;
    } else if (!line.empty() && line.back() != ' ') {
      line += ' ';
    }
  }
  if (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::vector<std::string> split_words(std::string_view line) {
  std::vector<std::string> words;
  for (std::size_t start = 0; start < line.size();) {
    const std::size_t end = std::min(line.find(' ', start), line.size());
    words.emplace_back(line.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

std::string base64(std::string_view bytes) {
  std::string text(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  text.pop_back();  // the terminating NUL sodium writes
  return text;
}

bool is_utf8_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// RFC 2047 "B" encoded-words, each of whole UTF-8 characters (§5: a character must not be split
// between words); the space between two words is not part of the text.
std::vector<std::string> encoded_words(std::string_view text) {
  std::vector<std::string> words;
  while (!text.empty()) {
    std::size_t cut = std::min(text.size(), k_encoded_word_bytes);
    while (cut > 0 && cut < text.size() && is_utf8_continuation(text[cut])) --cut;
    // Not UTF-8 (no character start in reach): cut anywhere rather than loop forever.
    if (cut == 0) cut = std::min(text.size(), k_encoded_word_bytes);
    words.push_back("=?UTF-8?B?" + base64(text.substr(0, cut)) + "?=");
    text.remove_prefix(cut);
  }
  return words;
}

// Plain words when the text is printable ASCII that no reader could take for an encoded-word
// and every word fits on a line; encoded-words otherwise.
std::vector<std::string> unstructured_words(std::string_view value) {
  const std::string line = single_line(value);
  auto words = split_words(line);
  const bool plain = is_printable_ascii(line) && line.find("=?") == std::string::npos &&
                     std::all_of(words.begin(), words.end(), [](const std::string& word) {
                       return word.size() <= k_longest_plain_word;
                     });
  return plain ? words : encoded_words(line);
}

std::string quoted_string(std::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + '"';
}

// RFC 5322 §3.2.5 phrase: atoms as they are, a quoted-string when the name has specials (a comma
// would otherwise read as a second mailbox), encoded-words when it is not ASCII or too long.
std::vector<std::string> display_name_words(std::string_view value) {
  const std::string name = single_line(value);
  if (is_printable_ascii(name) && name.find("=?") == std::string::npos) {
    auto words = split_words(name);
    const bool atoms = std::all_of(words.begin(), words.end(), [](const std::string& word) {
      return word.size() <= k_longest_plain_word && std::all_of(word.begin(), word.end(), is_atext);
    });
    if (atoms) return words;
    auto quoted = quoted_string(name);
    if (quoted.size() <= k_longest_plain_word) return {quoted};
  }
  return encoded_words(name);
}

// An addr-spec as sent: printable ASCII (what core/email.hpp accepts) without the space and the
// specials that could end the address early or add a second one. The caller's addresses are
// checked ones; this keeps a bad one inside its own header.
std::string address(std::string_view value) {
  std::string kept;
  for (char c : value) {
    if (c != ' ' && is_printable_ascii(std::string_view(&c, 1)) &&
        std::string_view("<>(),;:\"\\").find(c) == std::string_view::npos)
      kept += c;
  }
  return kept;
}

std::string dot_atom(std::string_view value) {
  std::string kept;
  for (char c : value) {
    if (is_atext(c) || c == '.') kept += c;
  }
  return kept;
}

std::string message_id_of(std::string_view id, std::string_view from) {
  const std::string left = dot_atom(id);
  if (left.empty())
    throw std::invalid_argument("mime_message: the message id has no dot-atom text");
  const auto at = from.rfind('@');
  std::string domain = at == std::string_view::npos ? "" : dot_atom(from.substr(at + 1));
  if (domain.empty()) domain = "localhost";
  return fmt::format("<{}@{}>", left, domain);
}

// RFC 5322 §3.3, in UTC: "Wed, 25 Nov 2026 06:00:00 +0000".
std::string rfc5322_date(Timestamp date) {
  static constexpr std::array<std::string_view, 7> k_weekdays{"Sun", "Mon", "Tue", "Wed",
                                                              "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> k_months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto seconds = std::chrono::floor<std::chrono::seconds>(date);
  const auto days = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day day{days};
  const std::chrono::hh_mm_ss time{seconds - days};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
                     k_weekdays[std::chrono::weekday{days}.c_encoding()],
                     static_cast<unsigned>(day.day()),
                     k_months[static_cast<unsigned>(day.month()) - 1], static_cast<int>(day.year()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

// "Name: word word", folded (RFC 5322 §2.2.3) before a word that would take the line past 78
// characters; words are never split, and no word is longer than a line.
void append_header(std::string& out, std::string_view name, const std::vector<std::string>& words) {
  out += name;
  out += ':';
  std::size_t line_length = name.size() + 1;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0 && line_length + 1 + words[i].size() > k_header_line_limit) {
      out += "\r\n";
      line_length = 0;
    }
    out += ' ';
    out += words[i];
    line_length += 1 + words[i].size();
  }
  out += "\r\n";
}

// Quoted-printable (RFC 2045 §6.7) rather than base64: the bodies are mostly ASCII text, which
// stays readable in the raw message and grows by a few percent instead of a third. Every line
// break of the text becomes CRLF (the canonical form of text/*); "=", controls, bytes above 127
// and a space or tab that ends a line are written =XX; long lines get soft breaks.
std::string quoted_printable(std::string_view text) {
  std::string out;
  std::size_t line_length = 0;
  const auto append = [&](std::string_view piece) {
    if (line_length + piece.size() > k_quoted_printable_line_limit - 1) {
      out += "=\r\n";
      line_length = 0;
    }
    out += piece;
    line_length += piece.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
      line_length = 0;
      continue;
    }
    const bool ends_line = i + 1 == text.size() || text[i + 1] == '\r' || text[i + 1] == '\n';
    const auto byte = static_cast<unsigned char>(c);
    const bool literal =
        (byte > ' ' && byte < 0x7F && c != '=') || ((c == ' ' || c == '\t') && !ends_line);
    const std::array<char, 3> escaped{'=', k_hex_digits[byte >> 4], k_hex_digits[byte & 0xF]};
    append(literal ? std::string_view(&c, 1) : std::string_view(escaped.data(), escaped.size()));
  }
  return out;
}

// "=_" never occurs in quoted-printable text ("=" is always followed by two hex digits or a line
// break), so the boundary appears in neither part whatever the bodies hold (RFC 2046 §5.1.1);
// the random rest keeps it apart from the boundaries of messages this one is quoted in.
std::string random_boundary() {
  std::array<unsigned char, 16> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 2 * bytes.size() + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string("=_payrollx_") + hex.data();
}

void append_part(std::string& out, std::string_view boundary, std::string_view media_type,
                 std::string_view body) {
  out += fmt::format(
      "--{}\r\nContent-Type: {}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n"
      "\r\n",
      boundary, media_type);
  out += quoted_printable(body);
  // This CRLF belongs to the next delimiter (RFC 2046 §5.1.1), not to the body.
  out += "\r\n";
}

}  // namespace

std::string mime_message(const EmailMessage& message, Timestamp date, std::string_view message_id) {
  const std::string from = address(message.from);
  const std::string to = address(message.to);
  auto recipient = display_name_words(message.to_name);
  recipient.push_back(recipient.empty() ? to : "<" + to + ">");
  const std::string boundary = random_boundary();

  std::string out;
  append_header(out, "Date", {rfc5322_date(date)});
  append_header(out, "Message-ID", {message_id_of(message_id, from)});
  append_header(out, "From", {from});
  append_header(out, "To", recipient);
  append_header(out, "Subject", unstructured_words(message.subject));
  out += "MIME-Version: 1.0\r\n";
  out += fmt::format("Content-Type: multipart/alternative;\r\n boundary=\"{}\"\r\n\r\n", boundary);
  append_part(out, boundary, "text/plain", message.text);
  append_part(out, boundary, "text/html", message.html);
  out += fmt::format("--{}--\r\n", boundary);
  return out;
}

}  // namespace payrollx::notification
