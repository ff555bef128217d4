#include "modules/notification/webhook_client.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/socket.h>

#include <array>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "modules/notification/addresses.hpp"
#include "modules/notification/curl.hpp"

namespace payrollx::notification {
namespace {

// Enough for any acknowledgement; an endpoint that streams more is not read further.
constexpr std::size_t k_answer_cap = 16 * 1024;
constexpr std::string_view k_user_agent = "PayrollX-Webhooks/" PAYROLLX_VERSION;

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

struct Transfer {
  std::vector<std::string> refused;  // the non-public addresses the connect check refused
  std::size_t answer_bytes = 0;
  std::array<char, CURL_ERROR_SIZE> error{};
};

// libcurl's socket(2), called for every address it tries: the SSRF check sits where the
// address is final, after resolution and just before connect.
curl_socket_t open_public_socket(void* context, curlsocktype, curl_sockaddr* address) {
  if (!is_public_address(&address->addr)) {
    static_cast<Transfer*>(context)->refused.push_back(address_text(&address->addr));
    return CURL_SOCKET_BAD;
  }
  // What libcurl does without the callback, close-on-exec so no child inherits the connection.
  return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::size_t drop_answer(char*, std::size_t size, std::size_t count, void* context) {
  auto& transfer = *static_cast<Transfer*>(context);
  transfer.answer_bytes += size * count;
  // Less than was given aborts the transfer; the status has come already.
  return transfer.answer_bytes > k_answer_cap ? 0 : size * count;
}

bool is_header_safe(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

HeaderList headers_of(const WebhookRequest& request) {
  HeaderList list;
  auto add = [&](const std::string& line) {
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (head == nullptr) throw std::bad_alloc();
    if (!list) list.reset(head);  // later appends return the same head
  };
  add("Content-Type: application/json");
  add("User-Agent: " + std::string(k_user_agent));
  add("PayrollX-Signature: " + request.signature);
  add("PayrollX-Event-Id: " + request.event_id);
  add("PayrollX-Event-Type: " + request.event_type);
  add("Expect:");  // no 100-continue round trip for larger events
  return list;
}

void configure(CURL* curl, const WebhookPolicy& policy, const WebhookRequest& request,
               curl_slist* headers, Transfer& transfer) {
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, policy.allow_private ? "http,https" : "https");
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(std::chrono::milliseconds(policy.timeout).count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, drop_answer);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, transfer.error.data());
  if (!policy.allow_private) {
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, open_public_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &transfer);
  }
}

// Why a transfer that got no status failed, in words for lastError.
std::string failure_of(CURLcode code, const WebhookPolicy& policy, const Transfer& transfer) {
  if (code == CURLE_COULDNT_CONNECT && !transfer.refused.empty())
    return fmt::format("refused to connect to a non-public address: {}",
                       fmt::join(transfer.refused, ", "));
  if (code == CURLE_OPERATION_TIMEDOUT)
    return fmt::format("timed out after {} s", policy.timeout.count());
  if (code == CURLE_UNSUPPORTED_PROTOCOL)
    return policy.allow_private ? "the URL must be https:// or http://"
                                : "the URL must be https://";
  const std::string_view detail =
      transfer.error[0] != '\0' ? transfer.error.data() : curl_easy_strerror(code);
  return fmt::format("could not deliver: {}", detail);
}

}  // namespace

WebhookOutcome post_webhook(const WebhookPolicy& policy, const WebhookRequest& request) {
  if (!is_header_safe(request.signature) || !is_header_safe(request.event_id) ||
      !is_header_safe(request.event_type))
    return {.error = "a PayrollX header value holds a line break"};
  CURL* curl =
      thread_curl_handle(policy.allow_private ? CurlUse::webhook_any : CurlUse::webhook_public);
  const HeaderList headers = headers_of(request);
  Transfer transfer;
  configure(curl, policy, request, headers.get(), transfer);
  const CURLcode code = curl_easy_perform(curl);

  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  // Once a status came the endpoint has answered: what happens to the rest of its answer (the
  // cap, a reset, a stall) does not change the verdict.
  if (status == 0) return {.error = failure_of(code, policy, transfer)};
  WebhookOutcome outcome{.status = static_cast<int>(status)};
  if (outcome.delivered()) return outcome;
  outcome.error = status >= 300 && status < 400
                      ? fmt::format("HTTP {} (redirects are not followed)", status)
                      : fmt::format("HTTP {}", status);
  return outcome;
}

}  // namespace payrollx::notification
