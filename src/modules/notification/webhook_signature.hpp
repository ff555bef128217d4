#pragma once
// Webhook secrets and the PayrollX-Signature header a receiver verifies. Private to the
// notification module.
#include <cstdint>
#include <string>
#include <string_view>

namespace payrollx::notification {

// "t=<unix_time>,v1=<lowercase hex of HMAC-SHA256(key = the bytes of `secret`, message =
// "<unix_time>.<body>")>": the time inside the MAC lets a receiver refuse replays of old events.
std::string webhook_signature(std::string_view secret, std::int64_t unix_time,
                              std::string_view body);

// "whsec_" + unpadded base64url of 32 random bytes (43 characters): a new endpoint's secret.
std::string new_webhook_secret();

}  // namespace payrollx::notification
