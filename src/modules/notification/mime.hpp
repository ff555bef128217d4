#pragma once
// A notification email as the text an SMTP relay takes: RFC 5322 headers and a MIME
// multipart/alternative body (RFC 2045-2047). Private to the notification module.
#include <string>
#include <string_view>

#include "core/time.hpp"

namespace payrollx::notification {

struct EmailMessage {
  // Addresses are ASCII, at most 254 characters, as core/email.hpp accepts them.
  std::string from;     // sender address, e.g. "payrollx@localhost" (PAYROLLX_SMTP_FROM)
  std::string to;       // recipient address
  std::string to_name;  // recipient display name, UTF-8, may be empty
  std::string subject;  // UTF-8
  std::string text;     // text/plain body, UTF-8
  std::string html;     // text/html body, UTF-8 (already escaped by the caller)
};

// The whole message, CRLF line ends, 7-bit clean: Date (of `date`, UTC), Message-ID
// (<message_id@domain of from>; message_id is dot-atom text such as a delivery's uuid, other
// characters are dropped, and std::invalid_argument is thrown when none is left), From, To,
// Subject, MIME-Version, then a text/plain and a text/html part, both UTF-8 and
// quoted-printable. CR, LF and other controls in a header field become spaces: a field can
// never start a header of its own. Non-ASCII subjects and names are RFC 2047 encoded-words,
// and header lines fold within 78 characters. Line breaks of the bodies become CRLF.
std::string mime_message(const EmailMessage& message, Timestamp date, std::string_view message_id);

}  // namespace payrollx::notification
