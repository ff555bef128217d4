#pragma once
// The session settings the server's SQL relies on (UTC timestamps in ISO form, ISO intervals, a
// statement timeout). A direct connection sends them at startup (`options`); a pooler in
// transaction mode (PgBouncer) refuses that, so they become the defaults of the server's role in
// the database, which every server connection the pooler opens starts with.
#include <chrono>
#include <optional>
#include <string>

namespace payrollx::db {

class BlockingConnection;

// The role a connection URL signs in as (its user), or nullopt when the URL names none.
std::optional<std::string> role_of(const std::string& conninfo);

// ALTER ROLE `role` IN DATABASE (the current one) SET each setting; run by the schema owner
// (migrate), so a pooler's fresh server connections start right.
void set_role_defaults(BlockingConnection& owner, const std::string& role,
                       std::chrono::milliseconds statement_timeout);

// What is wrong with the settings a connection starts with (nullopt: nothing), said so that an
// operator can fix it.
std::optional<std::string> session_defaults_problem(BlockingConnection& connection);

}  // namespace payrollx::db
