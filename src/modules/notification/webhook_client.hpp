#pragma once
// Sends one webhook delivery: the outbox dispatcher's HTTP client for endpoints. Private to the
// notification module. Blocking: call it from a worker thread, never an io thread.
#include <chrono>
#include <optional>
#include <string>

namespace payrollx::notification {

struct WebhookPolicy {
  // PAYROLLX_WEBHOOK_ALLOW_PRIVATE: http:// and non-public addresses are allowed (tests,
  // private deployments).
  bool allow_private = false;
  std::chrono::seconds timeout{10};  // the whole request, connecting included
};

struct WebhookRequest {
  std::string url;
  std::string body;        // the JSON event {id,type,createdAt,organizationId,data}
  std::string signature;   // the PayrollX-Signature header (webhook_signature)
  std::string event_id;    // the PayrollX-Event-Id header
  std::string event_type;  // the PayrollX-Event-Type header
};

struct WebhookOutcome {
  std::optional<int> status;  // the endpoint's HTTP status, when one came
  std::string error;  // why the delivery failed (a delivery's lastError); empty if it did not
  bool delivered() const { return status && *status >= 200 && *status < 300; }
};

// POSTs the event as application/json with our User-Agent and the three PayrollX-* headers,
// within `policy.timeout` in all. Only https:// (and http:// when allow_private); a 3xx is a
// failure and is not followed. Unless allow_private, every address libcurl is about to connect
// to is checked when it opens the socket and a non-public one is refused, so a name that
// resolved to a public address at registration cannot be re-pointed (DNS rebinding) at the
// internal network. The endpoint's answer is judged by its status alone: its body is read up to
// a small cap and dropped.
WebhookOutcome post_webhook(const WebhookPolicy& policy, const WebhookRequest& request);

}  // namespace payrollx::notification
