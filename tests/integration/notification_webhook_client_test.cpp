// post_webhook against a real HTTP endpoint on loopback (no database needed).
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "modules/notification/webhook_client.hpp"
#include "modules/notification/webhook_signature.hpp"
#include "webhook_receiver.hpp"

using namespace payrollx::notification;
using namespace std::chrono_literals;
using payrollx::test::ReceiverScript;
using payrollx::test::WebhookReceiver;

namespace {

constexpr std::string_view k_secret = "whsec_integration-test-secret";
constexpr std::int64_t k_time = 1765000000;
const std::string k_body =
    R"({"id":"evt_1","type":"payroll.run.completed","createdAt":"2025-12-06T05:46:40Z",)"
    R"("organizationId":"org_1","data":{"runId":"run_1"}})";

WebhookRequest request_to(std::string url) {
  return {.url = std::move(url),
          .body = k_body,
          .signature = webhook_signature(k_secret, k_time, k_body),
          .event_id = "evt_1",
          .event_type = "payroll.run.completed"};
}

const WebhookPolicy k_private{.allow_private = true, .timeout = 10s};
const WebhookPolicy k_public_only{.allow_private = false, .timeout = 10s};

}  // namespace

TEST_CASE("notification webhook client: a 2xx delivers the signed event") {
  WebhookReceiver receiver;
  const WebhookOutcome outcome = post_webhook(k_private, request_to(receiver.url()));
  CHECK(outcome.delivered());
  CHECK(outcome.status == 200);
  CHECK(outcome.error.empty());

  const auto requests = receiver.requests();
  REQUIRE(requests.size() == 1);
  const auto& received = requests.front();
  CHECK(received.method == "POST");
  CHECK(received.target == "/hook");
  CHECK(received.body == k_body);
  CHECK(received.header("Content-Type") == "application/json");
  CHECK_THAT(received.header("User-Agent").value_or(""), Catch::StartsWith("PayrollX-Webhooks/"));
  CHECK(received.header("PayrollX-Event-Id") == "evt_1");
  CHECK(received.header("PayrollX-Event-Type") == "payroll.run.completed");
  // What a receiver does: take t from the header and recompute the MAC over what it received.
  const std::string signature = received.header("PayrollX-Signature").value_or("");
  REQUIRE(signature.starts_with("t="));
  const std::int64_t time = std::stoll(signature.substr(2, signature.find(',') - 2));
  CHECK(time == k_time);
  CHECK(signature == webhook_signature(k_secret, time, received.body));
}

TEST_CASE("notification webhook client: the next delivery to an endpoint reuses the connection") {
  WebhookReceiver receiver;
  CHECK(post_webhook(k_private, request_to(receiver.url())).delivered());
  CHECK(post_webhook(k_private, request_to(receiver.url())).delivered());
  CHECK(receiver.requests().size() == 2);
  CHECK(receiver.connections() == 1);
}

TEST_CASE("notification webhook client: statuses other than 2xx are failures with the status") {
  WebhookReceiver receiver(ReceiverScript{.statuses = {500, 404, 204}});
  const WebhookOutcome failed = post_webhook(k_private, request_to(receiver.url()));
  CHECK_FALSE(failed.delivered());
  CHECK(failed.status == 500);
  CHECK(failed.error == "HTTP 500");
  const WebhookOutcome missing = post_webhook(k_private, request_to(receiver.url()));
  CHECK(missing.status == 404);
  CHECK_FALSE(missing.delivered());
  const WebhookOutcome no_content = post_webhook(k_private, request_to(receiver.url()));
  CHECK(no_content.status == 204);
  CHECK(no_content.delivered());
  CHECK(receiver.requests().size() == 3);
}

TEST_CASE("notification webhook client: a redirect is a failure and is not followed") {
  WebhookReceiver receiver(ReceiverScript{.statuses = {302}});
  const WebhookOutcome outcome = post_webhook(k_private, request_to(receiver.url()));
  CHECK_FALSE(outcome.delivered());
  CHECK(outcome.status == 302);
  CHECK(outcome.error == "HTTP 302 (redirects are not followed)");
  const auto requests = receiver.requests();
  REQUIRE(requests.size() == 1);  // nothing went to the Location, /redirected
  CHECK(requests.front().target == "/hook");
}

TEST_CASE("notification webhook client: an endpoint slower than the timeout fails") {
  WebhookReceiver receiver(ReceiverScript{.delay = 5s});
  const auto start = std::chrono::steady_clock::now();
  const WebhookOutcome outcome =
      post_webhook({.allow_private = true, .timeout = 1s}, request_to(receiver.url()));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(outcome.delivered());
  CHECK_FALSE(outcome.status);
  CHECK(outcome.error == "timed out after 1 s");
  CHECK(elapsed >= 900ms);
  CHECK(elapsed < 3s);
  CHECK(receiver.requests().size() == 1);  // it came, the answer did not
}

TEST_CASE("notification webhook client: a long answer is cut short and judged by its status") {
  WebhookReceiver receiver(ReceiverScript{.statuses = {200, 503}, .answer_bytes = 4 << 20});
  const WebhookOutcome ok = post_webhook(k_private, request_to(receiver.url()));
  CHECK(ok.delivered());
  CHECK(ok.error.empty());
  const WebhookOutcome unavailable = post_webhook(k_private, request_to(receiver.url()));
  CHECK(unavailable.status == 503);
  CHECK(unavailable.error == "HTTP 503");
}

TEST_CASE("notification webhook client: non-public addresses are refused when connecting") {
  WebhookReceiver receiver;
  const std::string port = std::to_string(receiver.port());
  // https passes the scheme rule, so only the connect-time check stands in the way; a name
  // (localhost) is checked as the addresses it resolves to, as a rebound DNS name would be.
  const WebhookOutcome literal =
      post_webhook(k_public_only, request_to("https://127.0.0.1:" + port + "/hook"));
  CHECK_FALSE(literal.delivered());
  CHECK_FALSE(literal.status);
  CHECK(literal.error == "refused to connect to a non-public address: 127.0.0.1");
  // libcurl resolves localhost to both loopback addresses, and tries (and is refused) each.
  const WebhookOutcome name =
      post_webhook(k_public_only, request_to("https://localhost:" + port + "/hook"));
  CHECK_FALSE(name.status);
  CHECK_THAT(name.error, Catch::StartsWith("refused to connect to a non-public address: ") &&
                             Catch::Contains("127.0.0.1"));
  const WebhookOutcome mapped =
      post_webhook(k_public_only, request_to("https://[::ffff:127.0.0.1]:" + port + "/hook"));
  CHECK(mapped.error == "refused to connect to a non-public address: ::ffff:127.0.0.1");
  const WebhookOutcome plain = post_webhook(k_public_only, request_to(receiver.url()));
  CHECK_FALSE(plain.status);
  CHECK(plain.error == "the URL must be https://");
  CHECK(receiver.connections() == 0);
  // The same https URL with private targets allowed does connect (and then fails the TLS
  // handshake with this plain-HTTP receiver): the refusals above were the address check's.
  const WebhookOutcome allowed =
      post_webhook(k_private, request_to("https://127.0.0.1:" + port + "/hook"));
  CHECK_FALSE(allowed.status);
  CHECK_THAT(allowed.error, Catch::StartsWith("could not deliver: "));
  CHECK(receiver.connections() == 1);
}

TEST_CASE("notification webhook client: other schemes and unreachable endpoints fail") {
  const WebhookOutcome file = post_webhook(k_private, request_to("file:///etc/passwd"));
  CHECK_FALSE(file.status);
  CHECK(file.error == "the URL must be https:// or http://");

  std::string closed_url;
  {
    WebhookReceiver gone;
    closed_url = gone.url();
  }
  const WebhookOutcome refused = post_webhook(k_private, request_to(closed_url));
  CHECK_FALSE(refused.status);
  CHECK_THAT(refused.error, Catch::StartsWith("could not deliver: "));

  WebhookRequest injected = request_to("http://127.0.0.1:1/hook");
  injected.event_type = "payroll.run.completed\r\nX-Injected: 1";
  CHECK(post_webhook(k_private, injected).error == "a PayrollX header value holds a line break");
}
