#pragma once
// One end-to-end test's world: a fresh database, the real server on it, a client, and helpers
// for the steps most tests start with.
#include <boost/json/object.hpp>
#include <memory>
#include <string>

#include "http_client.hpp"
#include "server_process.hpp"
#include "test_database.hpp"

namespace payrollx::test {

struct SignedUp {
  std::string access_token;
  std::string refresh_token;
  std::string user_id;
  std::string organization_id;
  std::string email;
  std::string password;
};

// Whom the server connects as: the cluster's superuser (most tests), or a runtime role of its
// own that migrate granted DML only (README, "Database roles"), started --no-migrate.
enum class ServerRole { superuser, runtime };

class TestApp {
 public:
  explicit TestApp(std::string_view label, ServerSettings extra = {},
                   ServerRole role = ServerRole::superuser);

  HttpClient& http() { return *client_; }
  ServerProcess& server() { return *server_; }
  const std::string& database_url() const { return database_url_; }  // the owner's
  Sql& sql() { return *sql_; }
  HttpClient new_client() { return HttpClient(server_->port()); }

  // POST /api/v1/auth/signup with a unique email and organisation name derived from `who`.
  SignedUp signup(const std::string& who);
  // Invites a user with `role` as `admin`, accepts the invitation, returns the user's session.
  SignedUp add_user(const SignedUp& admin, const std::string& who, const std::string& role);
  // A new platform operator (SUPER_ADMIN, of no organisation) made with `payrollx
  // create-super-admin`, signed in.
  SignedUp super_admin();

 private:
  std::string database_url_;
  std::unique_ptr<Sql> sql_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace payrollx::test
