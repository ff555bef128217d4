// Webhooks through the outbox, against a real receiver on loopback: signed deliveries, retries
// with backoff until delivered, FAILED after the last attempt and queued again by hand, event
// filters, refusals of bad endpoints, and each delivery sent once by two instances.
#include <fmt/format.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "eventually.hpp"
#include "ledger_helpers.hpp"
#include "problems.hpp"
#include "test_app.hpp"
#include "webhook_receiver.hpp"

namespace {

using namespace payrollx::test;
namespace json = boost::json;
using namespace std::chrono_literals;

ServerSettings webhook_settings(int max_attempts = 8) {
  ServerSettings settings;
  settings.env = {{"PAYROLLX_WEBHOOK_ALLOW_PRIVATE", "true"},
                  {"PAYROLLX_OUTBOX_BACKOFF_MS", "50"},
                  {"PAYROLLX_OUTBOX_MAX_ATTEMPTS", std::to_string(max_attempts)},
                  {"PAYROLLX_AUTH_RATE_LIMIT", "1000000"}};
  return settings;
}

json::object register_endpoint(TestApp& app, const SignedUp& admin, const std::string& url,
                               json::array events) {
  auto created =
      app.http().post("/api/v1/webhooks", json::object{{"url", url}, {"events", std::move(events)}},
                      admin.access_token);
  CHECK(created.header("cache-control") == "no-store");
  return ledger::expect(created, 201);
}

// t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, checked with libsodium directly.
bool signed_with(const ReceivedRequest& request, const std::string& secret) {
  auto header = request.header("PayrollX-Signature").value_or("");
  auto comma = header.find(",v1=");
  if (!header.starts_with("t=") || comma == std::string::npos) return false;
  auto t = header.substr(2, comma - 2);
  auto message = t + "." + request.body;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return header.substr(comma + 4) == hex;
}

std::vector<json::object> deliveries_of(TestApp& app, const SignedUp& admin,
                                        const std::string& endpoint_id) {
  auto listed = ledger::expect(
      app.http().get("/api/v1/webhooks/" + endpoint_id + "/deliveries", admin.access_token), 200);
  std::vector<json::object> deliveries;
  for (const auto& item : listed.at("data").as_array()) deliveries.push_back(item.as_object());
  return deliveries;
}

}  // namespace

TEST_CASE("webhooks: a signed delivery is retried until the endpoint takes it", "[e2e]") {
  WebhookReceiver receiver({.statuses = {500, 503}});
  TestApp app("webhook-retries", webhook_settings());
  auto admin = app.signup("hooked");
  auto endpoint = register_endpoint(app, admin, receiver.url(), {"wallet.deposit.completed"});
  const auto secret = std::string(endpoint.at("secret").as_string());
  CHECK(secret.starts_with("whsec_"));
  const auto endpoint_id = std::string(endpoint.at("id").as_string());
  // The secret is shown once.
  auto shown =
      ledger::expect(app.http().get("/api/v1/webhooks/" + endpoint_id, admin.access_token), 200);
  CHECK_FALSE(shown.contains("secret"));

  auto treasury = ledger::treasury_of(app.http(), admin.access_token);
  auto deposit =
      ledger::expect(ledger::deposit(app.http(), admin.access_token, treasury, 4200), 201);
  REQUIRE(eventually([&] { return receiver.requests().size() >= 3; }));
  auto requests = receiver.requests();
  for (const auto& request : requests) {
    CHECK(signed_with(request, secret));
    CHECK(request.header("Content-Type") == "application/json");
    CHECK(request.body == requests[0].body);  // the same event each time
  }
  auto body = json::parse(requests[0].body).as_object();
  CHECK(body.at("type") == "wallet.deposit.completed");
  CHECK(body.at("organizationId").as_string() == admin.organization_id);
  CHECK(body.at("data").at("transactionId") == deposit.at("id"));
  CHECK(body.at("data").at("amount") == 4200);
  CHECK(requests[0].header("PayrollX-Event-Id") == std::string(body.at("id").as_string()));
  CHECK(requests[0].header("PayrollX-Event-Type") == "wallet.deposit.completed");

  REQUIRE(eventually([&] {
    auto deliveries = deliveries_of(app, admin, endpoint_id);
    return deliveries.size() == 1 && deliveries[0].at("status") == "DELIVERED";
  }));
  auto delivery = deliveries_of(app, admin, endpoint_id)[0];
  CHECK(delivery.at("attempts") == 3);
  CHECK(delivery.at("lastStatusCode") == 200);
  CHECK(delivery.at("eventId") == body.at("id"));
  std::this_thread::sleep_for(500ms);
  CHECK(receiver.requests().size() == 3);
}

TEST_CASE("webhooks: a delivery FAILED after the last attempt is queued again by hand", "[e2e]") {
  WebhookReceiver receiver({.statuses = {500, 500, 500}});
  TestApp app("webhook-failed", webhook_settings(3));
  auto admin = app.signup("failing");
  auto endpoint = register_endpoint(app, admin, receiver.url(), {"*"});
  const auto endpoint_id = std::string(endpoint.at("id").as_string());
  auto treasury = ledger::treasury_of(app.http(), admin.access_token);
  ledger::expect(ledger::deposit(app.http(), admin.access_token, treasury, 100), 201);

  REQUIRE(eventually([&] {
    auto deliveries = deliveries_of(app, admin, endpoint_id);
    return deliveries.size() == 1 && deliveries[0].at("status") == "FAILED";
  }));
  auto failed = deliveries_of(app, admin, endpoint_id)[0];
  CHECK(failed.at("attempts") == 3);
  CHECK(failed.at("lastStatusCode") == 500);
  CHECK(failed.at("nextAttemptAt").is_null());
  CHECK(receiver.requests().size() == 3);
  const auto delivery_id = std::string(failed.at("id").as_string());
  const auto redeliver =
      "/api/v1/webhooks/" + endpoint_id + "/deliveries/" + delivery_id + "/redeliver";

  auto queued = ledger::expect(app.http().post(redeliver, json::object{}, admin.access_token), 200);
  CHECK(queued.at("status") == "PENDING");
  REQUIRE(eventually(
      [&] { return deliveries_of(app, admin, endpoint_id)[0].at("status") == "DELIVERED"; }));
  CHECK(receiver.requests().size() == 4);
  // Only a FAILED delivery is queued again.
  problem_fields(app.http().post(redeliver, json::object{}, admin.access_token), 409,
                 "invalid_state");
}

TEST_CASE("webhooks: an endpoint gets only the events it takes", "[e2e]") {
  WebhookReceiver kyc_only, everything;
  TestApp app("webhook-filters", webhook_settings());
  auto admin = app.signup("filtering");
  register_endpoint(app, admin, kyc_only.url(), {"employee.kyc.approved"});
  register_endpoint(app, admin, everything.url(), {"*"});
  auto treasury = ledger::treasury_of(app.http(), admin.access_token);
  ledger::expect(ledger::deposit(app.http(), admin.access_token, treasury, 100), 201);
  auto employee = ledger::hire(app.http(), admin.access_token, "kyc");
  ledger::expect(app.http().post("/api/v1/employees/" + std::string(employee.at("id").as_string()) +
                                     "/kyc/approve",
                                 json::object{}, admin.access_token),
                 200);

  REQUIRE(eventually(
      [&] { return everything.requests().size() >= 2 && !kyc_only.requests().empty(); }));
  std::this_thread::sleep_for(500ms);
  auto types = [](const WebhookReceiver& receiver) {
    std::multiset<std::string> seen;
    for (const auto& request : receiver.requests())
      seen.insert(std::string(json::parse(request.body).at("type").as_string()));
    return seen;
  };
  CHECK(types(kyc_only) == std::multiset<std::string>{"employee.kyc.approved"});
  CHECK(types(everything) ==
        std::multiset<std::string>{"employee.kyc.approved", "wallet.deposit.completed"});
}

TEST_CASE("webhooks: bad endpoints are refused and nothing is registered", "[e2e]") {
  TestApp app("webhook-bad-input");  // private targets not allowed here
  auto admin = app.signup("careful");
  auto& http = app.http();
  auto refused = [&](json::object body, std::set<std::string> fields) {
    CHECK(problem_fields(http.post("/api/v1/webhooks", body, admin.access_token), 400,
                         "validation_failed") == fields);
  };
  refused({{"url", "http://93.184.216.34/hook"}, {"events", {"*"}}}, {"url"});
  refused({{"url", "https://127.0.0.1/hook"}, {"events", {"*"}}}, {"url"});
  refused({{"url", "https://10.1.2.3/hook"}, {"events", {"*"}}}, {"url"});
  refused({{"url", "https://169.254.169.254/latest"}, {"events", {"*"}}}, {"url"});
  refused({{"url", "not a url"}, {"events", {"*"}}}, {"url"});
  refused({{"url", "https://93.184.216.34/hook"}, {"events", {"payroll.run.exploded"}}},
          {"events"});
  refused({{"url", "https://93.184.216.34/hook"}, {"events", json::array{}}}, {"events"});
  refused({{"url", "https://93.184.216.34/hook"}, {"events", {"*"}}, {"extra", 1}}, {"extra"});
  refused({{"events", {"*"}}}, {"url"});
  CHECK(app.sql().count("SELECT count(*) FROM notification.webhook_endpoints") == 0);
  // A member who is not an admin may not register one.
  auto finance = app.add_user(admin, "finance", "FINANCE_MANAGER");
  problem_fields(http.post("/api/v1/webhooks",
                           json::object{{"url", "https://93.184.216.34/hook"}, {"events", {"*"}}},
                           finance.access_token),
                 403, "forbidden");
}

TEST_CASE("webhooks: two instances send each delivery once", "[e2e]") {
  WebhookReceiver receiver;
  TestApp app("webhook-two-instances", webhook_settings());
  ServerProcess second([&] {
    auto settings = webhook_settings();
    settings.database_url = app.database_url();
    return settings;
  }());
  auto admin = app.signup("twice");
  register_endpoint(app, admin, receiver.url(), {"wallet.deposit.completed"});
  auto treasury = ledger::treasury_of(app.http(), admin.access_token);
  HttpClient other(second.port());
  constexpr int k_deposits = 20;
  for (int i = 0; i < k_deposits; ++i)
    ledger::expect(ledger::deposit(i % 2 ? other : app.http(), admin.access_token, treasury, 1 + i),
                   201);
  REQUIRE(eventually([&] { return receiver.requests().size() >= k_deposits; }));
  std::this_thread::sleep_for(1500ms);
  auto requests = receiver.requests();
  CHECK(requests.size() == k_deposits);
  std::set<std::string> events;
  for (const auto& request : requests)
    events.insert(std::string(json::parse(request.body).at("id").as_string()));
  CHECK(events.size() == k_deposits);
}
