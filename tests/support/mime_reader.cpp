#include "mime_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <regex>
#include <stdexcept>

namespace payrollx::test {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string with_crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  throw std::runtime_error(std::string("not an upper-case hex digit: ") + c);
}

int base64_value(char c) {
  static constexpr std::string_view k_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const auto at = k_alphabet.find(c);
  if (at == std::string_view::npos) throw std::runtime_error(std::string("not base64: ") + c);
  return static_cast<int>(at);
}

std::string boundary_of(const MimeEntity& entity) {
  static const std::regex boundary_re{R"(boundary="([^"]+)\")", std::regex::icase};
  const auto type = entity.field("Content-Type");
  std::smatch match;
  if (!std::regex_search(type, match, boundary_re))
    throw std::runtime_error("no boundary in Content-Type: " + type);
  return match[1].str();
}

}  // namespace

std::string MimeEntity::field(std::string_view name) const {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return f.value;
  }
  return {};
}

MimeEntity parse_entity(std::string_view raw) {
  const std::string text = with_crlf(raw);
  const auto blank = text.find("\r\n\r\n");
  if (blank == std::string::npos) throw std::runtime_error("no empty line after the header");
  MimeEntity entity;
  entity.body = text.substr(blank + 4);
  const std::string header = text.substr(0, blank + 2);
  for (std::size_t start = 0; start < header.size();) {
    const auto end = header.find("\r\n", start);
    const std::string line = header.substr(start, end - start);
    start = end + 2;
    if (line.starts_with(' ') || line.starts_with('\t')) {
      if (entity.fields.empty()) throw std::runtime_error("continuation before any field");
      entity.fields.back().value += line;
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string::npos || colon == 0) throw std::runtime_error("not a field: " + line);
    auto value = line.substr(colon + 1);
    if (value.starts_with(' ')) value.erase(0, 1);
    entity.fields.push_back({line.substr(0, colon), value});
  }
  return entity;
}

std::vector<MimeEntity> multipart_parts(const MimeEntity& entity) {
  const std::string delimiter = "--" + boundary_of(entity);
  const std::string body = "\r\n" + entity.body;  // the first delimiter may open the body
  std::vector<MimeEntity> parts;
  auto at = body.find("\r\n" + delimiter);
  if (at == std::string::npos) throw std::runtime_error("no first delimiter");
  for (;;) {
    const auto after = at + 2 + delimiter.size();
    if (body.compare(after, 2, "--") == 0) return parts;  // the close delimiter
    if (body.compare(after, 2, "\r\n") != 0) throw std::runtime_error("bad delimiter line");
    const auto next = body.find("\r\n" + delimiter, after);
    if (next == std::string::npos) throw std::runtime_error("no close delimiter");
    parts.push_back(parse_entity(body.substr(after + 2, next - after - 2)));
    at = next;
  }
}

std::string decoded_body(const MimeEntity& part) {
  const auto encoding = part.field("Content-Transfer-Encoding");
  if (iequals(encoding, "quoted-printable")) return decode_quoted_printable(part.body);
  if (encoding.empty() || iequals(encoding, "7bit") || iequals(encoding, "8bit")) return part.body;
  throw std::runtime_error("unexpected Content-Transfer-Encoding: " + encoding);
}

std::string decode_base64(std::string_view text) {
  if (text.size() % 4 != 0) throw std::runtime_error("base64 length not a multiple of 4");
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const auto quad = text.substr(i, 4);
    const std::size_t padding = quad.ends_with("==") ? 2 : quad.ends_with('=') ? 1 : 0;
    if (padding > 0 && i + 4 != text.size()) throw std::runtime_error("base64 padding inside");
    std::uint32_t bits = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      bits =
          (bits << 6) | (j < 4 - padding ? static_cast<std::uint32_t>(base64_value(quad[j])) : 0);
    }
    for (std::size_t j = 0; j < 3 - padding; ++j) {
      out += static_cast<char>((bits >> (16 - 8 * j)) & 0xFF);
    }
  }
  return out;
}

std::string decode_quoted_printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
    } else if (text.substr(i + 1, 2) == "\r\n") {
      i += 2;  // a soft line break
    } else if (i + 2 < text.size()) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      throw std::runtime_error("'=' at the end of quoted-printable text");
    }
  }
  return out;
}

std::string decode_encoded_words(std::string_view value) {
  static const std::regex word_re{R"(=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=)", std::regex::icase};
  const std::string text(value);
  std::string out;
  std::size_t copied = 0;
  bool after_word = false;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), word_re);
       it != std::sregex_iterator(); ++it) {
    const auto start = static_cast<std::size_t>(it->position());
    const std::string gap = text.substr(copied, start - copied);
    const bool blank = gap.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!(after_word && blank)) out += gap;
    out += decode_base64((*it)[1].str());
    copied = start + static_cast<std::size_t>(it->length());
    after_word = true;
  }
  return out + text.substr(copied);
}

}  // namespace payrollx::test
