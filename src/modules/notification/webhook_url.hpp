#pragma once
// Whether a webhook endpoint's URL may be registered (POST /webhooks). Private to the
// notification module.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace payrollx::notification {

// The longest URL an endpoint may have, in bytes (a longer one is refused, never cut).
inline constexpr std::size_t k_max_url_length = 2048;

// nullopt when `url` may be registered, else the problem, worded for the 400's errors[] under
// "url". The URL must be absolute, https (http too when `allow_private`), at most
// k_max_url_length characters, with a plain host (a name or an IP address, not percent-encoded) and
// no credentials; the host must resolve and, unless `allow_private`, every address it resolves to
// must be public (is_public_address). Resolving blocks (getaddrinfo): call it off the io
// threads. This check is for the client's benefit: a name may resolve elsewhere later, so
// post_webhook checks every address again when it connects.
std::optional<std::string> check_webhook_url(std::string_view url, bool allow_private);

}  // namespace payrollx::notification
