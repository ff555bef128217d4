// Accounts imported from the legacy auth service sign in with their bcrypt hash, which the first
// successful sign-in replaces with Argon2id; a wrong password changes nothing.
#include <catch2/catch.hpp>
#include <string>

#include "auth_helpers.hpp"
#include "test_app.hpp"

namespace {

using payrollx::test::TestApp;
using namespace payrollx::test::auth_e2e;

// 'legacy-password-1' at cost 12, as the legacy service made it (../shared/legacy).
constexpr const char* k_legacy_hash =
    "$2b$12$RLe0i4V1B1eOXHZ/Wpfi.eOBeis3wfsF0S/B2AsGBJsMpkI7BWDEO";
constexpr const char* k_legacy_password = "legacy-password-1";

std::string hash_of(TestApp& app, const std::string& user_id) {
  return app.sql()
      .scalar("SELECT password_hash FROM auth.users WHERE id = $1", {user_id})
      .value_or("");
}

}  // namespace

TEST_CASE("auth: an imported bcrypt password signs in once, then is Argon2id", "[e2e]") {
  TestApp app("auth_legacy_password", unthrottled());
  auto& http = app.http();
  auto admin = app.signup("legacy");
  auto user = app.add_user(admin, "imported", "EMPLOYEE");
  app.sql().exec("UPDATE auth.users SET password_hash = $2 WHERE id = $1",
                 {user.user_id, k_legacy_hash});

  // A wrong password: refused like any other, and the imported hash stays.
  require_problem(login(http, user.email, "legacy-password-2"), 401, "unauthorized");
  CHECK(hash_of(app, user.user_id) == k_legacy_hash);
  CHECK(security_events(app.sql(), user.user_id, "password.rehashed") == 0);

  // The right one signs in and replaces the hash, recorded in the security log.
  auto first = login(http, user.email, k_legacy_password);
  INFO(first.body);
  REQUIRE(first.status == 200);
  CHECK(http.get("/api/v1/auth/me", text_at(first.json(), "accessToken")).status == 200);
  const auto rehashed = hash_of(app, user.user_id);
  CHECK(rehashed.starts_with("$argon2id$"));
  CHECK(security_events(app.sql(), user.user_id, "password.rehashed") == 1);
  CHECK(app.sql().count("SELECT count(*) FROM auth.users WHERE password_hash LIKE '$2%'") == 0);

  // From then on the same password signs in against the new hash, which stays.
  REQUIRE(login(http, user.email, k_legacy_password).status == 200);
  CHECK(hash_of(app, user.user_id) == rehashed);
  CHECK(security_events(app.sql(), user.user_id, "password.rehashed") == 1);
  require_problem(login(http, user.email, "legacy-password-2"), 401, "unauthorized");
}
