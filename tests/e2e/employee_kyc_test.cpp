// KYC review (its transitions, audit entries and the employee's notifications) and the external
// wallet address (a Solana public key, set by HR or by the employee).
#include <set>

#include "employee_helpers.hpp"
#include "problems.hpp"

namespace {

using namespace payrollx::test::employee_e2e;
using payrollx::test::problem_fields;
using payrollx::test::TestApp;

// 32 bytes in base58 (the system program's id is 32 zero bytes: "1" × 32).
constexpr auto k_solana_key = "Gfmhv9P2M5xN8pQ3WNS3rCvB3avKBeeFcZJwmVzCu7c7";
constexpr auto k_zero_key = "11111111111111111111111111111111";

}  // namespace

TEST_CASE("employee: KYC moves between PENDING, APPROVED and REJECTED, audited and notified",
          "[e2e]") {
  TestApp app("employee_kyc", unthrottled());
  auto admin = app.signup("emp-kyc");
  auto hr = app.add_user(admin, "emp-kyc-hr", "HR_MANAGER");
  auto finance = app.add_user(admin, "emp-kyc-fin", "FINANCE_MANAGER");
  auto& http = app.http();

  auto body = new_employee("Curie");
  body["createUserAccount"] = true;
  auto employee = create_employee(http, hr.access_token, body);
  const auto id = text_at(employee, "id");
  auto accepted = http.post("/api/v1/auth/invitations/accept",
                            {{"token", text_at(employee.at("invitation"), "token")},
                             {"password", "a long enough password"}});
  REQUIRE(accepted.status == 200);
  const auto me = text_at(accepted.json(), "accessToken");

  const auto approve = employee_path(id, "/kyc/approve");
  const auto reject = employee_path(id, "/kyc/reject");
  require_problem(http.post(approve, json::object{}, finance.access_token), 403, "forbidden");
  require_problem(http.post(approve, json::object{}, me), 403, "forbidden");

  auto approved = http.post(approve, json::object{}, hr.access_token);
  REQUIRE(approved.status == 200);
  CHECK(approved.json().at("kycStatus").as_string() == "APPROVED");
  CHECK(approved.json().at("kycReviewedAt").is_string());
  CHECK(approved.json().at("kycRejectionReason").is_null());
  require_problem(http.post(approve, json::object{}, hr.access_token), 409, "invalid_state");

  // The reason is required; approved evidence may still turn out bad.
  CHECK(problem_fields(http.post(reject, json::object{}, hr.access_token), 400,
                       "validation_failed") == std::set<std::string>{"reason"});
  auto rejected =
      http.post(reject, {{"reason", "The passport scan is unreadable."}}, hr.access_token);
  REQUIRE(rejected.status == 200);
  CHECK(rejected.json().at("kycStatus").as_string() == "REJECTED");
  CHECK(rejected.json().at("kycRejectionReason").as_string() == "The passport scan is unreadable.");
  require_problem(http.post(reject, {{"reason", "again"}}, hr.access_token), 409, "invalid_state");

  // After new evidence, a rejected review can be approved.
  auto reapproved = http.post(approve, json::object{}, admin.access_token);
  REQUIRE(reapproved.status == 200);
  CHECK(reapproved.json().at("kycStatus").as_string() == "APPROVED");
  CHECK(reapproved.json().at("kycRejectionReason").is_null());

  CHECK(audited(app.sql(), "employee.kyc_approved", id) == 2);
  CHECK(audited(app.sql(), "employee.kyc_rejected", id) == 1);

  // The employee's inbox has one notice per verdict, newest first.
  auto inbox = http.get("/api/v1/notifications", me);
  REQUIRE(inbox.status == 200);
  std::vector<std::string> events;
  auto notices = inbox.json();
  for (const auto& notice : notices.at("data").as_array())
    if (notice.at("eventType").as_string().starts_with("employee.kyc"))
      events.push_back(text_at(notice, "eventType"));
  CHECK(events == std::vector<std::string>{"employee.kyc.approved", "employee.kyc.rejected",
                                           "employee.kyc.approved"});

  // An employee without a portal user is reviewed all the same, with no notice.
  auto notices_before = app.sql().count("SELECT count(*) FROM notification.notifications");
  auto plain = create_employee(http, hr.access_token, new_employee("NoUser"));
  REQUIRE(http.post(employee_path(text_at(plain, "id"), "/kyc/approve"), json::object{},
                    hr.access_token)
              .status == 200);
  CHECK(app.sql().count("SELECT count(*) FROM notification.notifications") == notices_before);
  require_problem(http.post(employee_path("00000000-0000-4000-8000-000000000000", "/kyc/approve"),
                            json::object{}, hr.access_token),
                  404, "not_found");
  require_chain_ok(http, admin.access_token);
}

TEST_CASE("employee: the wallet address is a Solana public key set by HR or the employee",
          "[e2e]") {
  TestApp app("employee_wallet_address", unthrottled());
  auto admin = app.signup("emp-addr");
  auto hr = app.add_user(admin, "emp-addr-hr", "HR_MANAGER");
  auto finance = app.add_user(admin, "emp-addr-fin", "FINANCE_MANAGER");
  auto& http = app.http();

  auto body = new_employee("Owner");
  body["createUserAccount"] = true;
  auto employee = create_employee(http, hr.access_token, body);
  const auto id = text_at(employee, "id");
  auto other = create_employee(http, hr.access_token, new_employee("Someone"));
  auto accepted = http.post("/api/v1/auth/invitations/accept",
                            {{"token", text_at(employee.at("invitation"), "token")},
                             {"password", "a long enough password"}});
  REQUIRE(accepted.status == 200);
  const auto me = text_at(accepted.json(), "accessToken");
  const auto path = employee_path(id, "/wallet-address");

  auto set = http.put(path, {{"walletAddress", k_solana_key}}, hr.access_token);
  REQUIRE(set.status == 200);
  CHECK(set.json().at("walletAddress").as_string() == k_solana_key);
  auto own = http.put(path, {{"walletAddress", k_zero_key}}, me);
  REQUIRE(own.status == 200);
  CHECK(own.json().at("walletAddress").as_string() == k_zero_key);
  CHECK(audited(app.sql(), "employee.wallet_address_updated", id) == 2);

  auto before = written(app.sql());
  for (const auto* bad : {"0OIl0OIl0OIl0OIl0OIl0OIl0OIl0OIl",  // outside the alphabet
                          "1111111111111111111111111111111",   // 31 characters
                          "Gfmhv9P2M5xN8pQ3WNS3rCvB3avKBeeFcZJwmVzCu7c7Gfmh",  // 48
                          "22222222222222222222222222222222",                  // 23 bytes
                          "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}) {   // 33 bytes
    INFO(bad);
    CHECK(problem_fields(http.put(path, {{"walletAddress", bad}}, hr.access_token), 400,
                         "validation_failed") == std::set<std::string>{"walletAddress"});
  }
  CHECK(problem_fields(http.put(path, json::object{}, hr.access_token), 400, "validation_failed") ==
        std::set<std::string>{"walletAddress"});
  // Someone else's record is "not found" for an employee; finance may not set addresses.
  require_problem(http.put(employee_path(text_at(other, "id"), "/wallet-address"),
                           {{"walletAddress", k_solana_key}}, me),
                  404, "not_found");
  require_problem(http.put(path, {{"walletAddress", k_solana_key}}, finance.access_token), 403,
                  "forbidden");
  CHECK(written(app.sql()) == before);
}
