#include "test_app.hpp"

#include <fmt/format.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <random>

namespace payrollx::test {
namespace {

constexpr auto k_password = "correct horse battery staple";

// Eight hex digits: unique enough for emails and organisation names within one database.
std::string random_tag() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:08x}", generator() & 0xffffffffu);
}

// "<who>-<random>@example.com", with `who` reduced to what an email local part surely allows.
std::string unique_email(const std::string& who, const std::string& tag) {
  std::string local;
  for (unsigned char c : who) local += std::isalnum(c) ? char(std::tolower(c)) : '-';
  return fmt::format("{}-{}@example.com", local, tag);
}

std::string string_at(const boost::json::value& json,
                      std::initializer_list<std::string_view> path) {
  const boost::json::value* node = &json;
  for (auto key : path) node = &node->as_object().at(key);
  return std::string(node->as_string());
}

// A new login role granted the runtime rights on `url` by `payrollx migrate`; its URL.
std::string runtime_role_url(const std::string& url) {
  static std::atomic<int> counter{0};
  const auto role = fmt::format("payrollx_runtime_{}_{}", ::getpid(), ++counter);
  const std::string password = "runtime-" + random_tag();
  Sql(admin_url()).exec(fmt::format("CREATE ROLE {} LOGIN PASSWORD '{}'", role, password));
  const auto granted = run_payrollx(
      {"migrate"}, {{"PAYROLLX_DATABASE_URL", url}, {"PAYROLLX_DB_RUNTIME_ROLE", role}});
  if (granted.exit_code != 0)
    throw std::runtime_error("payrollx migrate could not grant the runtime role: " +
                             granted.output);
  return with_user(url, role, password);
}

}  // namespace

TestApp::TestApp(std::string_view label, ServerSettings extra, ServerRole role)
    : database_url_(fresh_database(label)), sql_(std::make_unique<Sql>(database_url_)) {
  extra.database_url = database_url_;
  if (role == ServerRole::runtime) {
    // As deployed: the server connects as the runtime role, and migrates as the owner.
    extra.database_url = runtime_role_url(database_url_);
    extra.env.emplace_back("PAYROLLX_MIGRATE_DATABASE_URL", database_url_);
  }
  // Background jobs (the payroll scheduler drafting runs of past periods) would act on a test's
  // data behind its back: they wake once an hour unless the test asks otherwise.
  extra.env.insert(extra.env.begin(), {"PAYROLLX_JOBS_INTERVAL_MS", "3600000"});
  server_ = std::make_unique<ServerProcess>(std::move(extra));
  client_ = std::make_unique<HttpClient>(server_->port());
}

SignedUp TestApp::signup(const std::string& who) {
  auto tag = random_tag();
  SignedUp session;
  session.email = unique_email(who, tag);
  session.password = k_password;
  boost::json::object body{{"email", session.email},
                           {"password", session.password},
                           {"firstName", who},
                           {"lastName", "Tester"},
                           {"organizationName", fmt::format("{} {} Ltd", who, tag)}};
  auto response = client_->post("/api/v1/auth/signup", body);
  INFO("signup answered " << response.status << ": " << response.body);
  REQUIRE(response.status == 201);
  auto json = response.json();
  session.access_token = string_at(json, {"accessToken"});
  session.refresh_token = string_at(json, {"refreshToken"});
  session.user_id = string_at(json, {"user", "id"});
  session.organization_id = string_at(json, {"organization", "id"});
  return session;
}

SignedUp TestApp::add_user(const SignedUp& admin, const std::string& who, const std::string& role) {
  SignedUp session;
  session.email = unique_email(who, random_tag());
  session.password = k_password;
  session.organization_id = admin.organization_id;
  boost::json::object invitation{
      {"email", session.email}, {"firstName", who}, {"lastName", "Tester"}, {"role", role}};
  auto invited = client_->post("/api/v1/users", invitation, admin.access_token);
  INFO("invite answered " << invited.status << ": " << invited.body);
  REQUIRE(invited.status == 201);
  session.user_id = string_at(invited.json(), {"user", "id"});

  boost::json::object accept{{"token", string_at(invited.json(), {"invitation", "token"})},
                             {"password", session.password}};
  auto accepted = client_->post("/api/v1/auth/invitations/accept", accept);
  INFO("accept answered " << accepted.status << ": " << accepted.body);
  REQUIRE(accepted.status == 200);
  auto json = accepted.json();
  session.access_token = string_at(json, {"accessToken"});
  session.refresh_token = string_at(json, {"refreshToken"});
  return session;
}

SignedUp TestApp::super_admin() {
  SignedUp session;
  session.email = unique_email("operator", random_tag());
  session.password = k_password;
  auto created = run_payrollx({"create-super-admin", "--email", session.email, "--first-name",
                               "Platform", "--last-name", "Operator"},
                              {{"PAYROLLX_DATABASE_URL", database_url_},
                               {"PAYROLLX_SUPER_ADMIN_PASSWORD", session.password}});
  INFO("create-super-admin: " << created.output);
  REQUIRE(created.exit_code == 0);
  auto login = client_->post("/api/v1/auth/login",
                             {{"email", session.email}, {"password", session.password}});
  INFO("login answered " << login.status << ": " << login.body);
  REQUIRE(login.status == 200);
  auto json = login.json();
  session.access_token = string_at(json, {"accessToken"});
  session.refresh_token = string_at(json, {"refreshToken"});
  session.user_id = string_at(json, {"user", "id"});
  return session;
}

}  // namespace payrollx::test
