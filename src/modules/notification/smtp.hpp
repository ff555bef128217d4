#pragma once
// Sending one notification email through the SMTP relay of PAYROLLX_SMTP_URL, with libcurl.
// Private to the notification module.
#include <chrono>
#include <string>
#include <string_view>

#include "modules/notification/mime.hpp"

namespace payrollx::notification {

struct SmtpSettings {
  // smtp://host:port (STARTTLS when the relay offers it) or smtps://host:port (TLS from the
  // start), optionally with user:password@ (URL-encoded) to authenticate.
  std::string url;
  std::chrono::seconds timeout{30};  // the whole exchange, connecting included
};

struct SendOutcome {
  bool delivered = false;
  // Why not, for the delivery's lastError: libcurl's message and the relay's refusal (its last
  // 4xx or 5xx reply), with the URL's password blanked out.
  std::string error;
};

// Blocking: call it from a worker thread, never an io thread. Sends `mime` (mime_message of
// `message`) with MAIL FROM message.from and RCPT TO message.to, verifying the relay's
// certificate whenever TLS is used. An address that is empty, longer than 254, not ASCII, or
// holds a space, a control or an angle bracket is refused without connecting (it would change
// the SMTP commands).
SendOutcome send_email(const SmtpSettings& settings, const EmailMessage& message,
                       std::string_view mime);

}  // namespace payrollx::notification
