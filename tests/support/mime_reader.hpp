#pragma once
// Reading notification emails back in tests, independently of the code that wrote them: header
// fields unfolded, RFC 2047 encoded-words (base64), multipart bodies, quoted-printable.
// Strict: anything malformed throws, so a bad message fails the test that reads it.
#include <string>
#include <string_view>
#include <vector>

namespace payrollx::test {

struct HeaderField {
  std::string name;
  std::string value;  // unfolded (the CRLF before each continuation removed), leading space trimmed
};

struct MimeEntity {
  std::vector<HeaderField> fields;
  std::string body;  // as transferred, still encoded

  // The value of the first field called `name` (case-insensitive), empty when there is none.
  std::string field(std::string_view name) const;
};

// A message or a part: header fields up to the first empty line, then the body. LF line ends
// become CRLF first (a Maildir stores messages with LF).
MimeEntity parse_entity(std::string_view raw);

// The parts of a multipart entity, split at the boundary its Content-Type names.
std::vector<MimeEntity> multipart_parts(const MimeEntity& entity);

// The body decoded as its Content-Transfer-Encoding says (quoted-printable, or 7bit/8bit as is).
std::string decoded_body(const MimeEntity& part);

std::string decode_base64(std::string_view text);
std::string decode_quoted_printable(std::string_view text);
// "=?UTF-8?B?...?=" words decoded; the white space between two adjacent words dropped (RFC 2047
// §6.2), other text kept as it is.
std::string decode_encoded_words(std::string_view value);

}  // namespace payrollx::test
