#pragma once
// The commands of the binary, and the start-up steps they share.
#include "cli/arguments.hpp"
#include "core/config.hpp"

namespace payrollx::cli {

int serve(const Invocation& invocation);
int migrate(const Invocation& invocation);
int create_super_admin(const Invocation& invocation);
int backup(const Invocation& invocation);
int restore(const Invocation& invocation);
int import_legacy(const Invocation& invocation);
int help(const Invocation& invocation);
int version(const Invocation& invocation);

// Loads the configuration (--config FILE, then the environment) and configures the log with it.
// Throws ConfigError.
Config load_configuration(const Invocation& invocation, bool dev);
// Applies pending migrations as the schema owner and logs the ids applied; on failure logs the
// reason and returns false.
bool apply_migrations(const Config& config);
// Warns (db.server_is_schema_owner) when the server's own connection owns the module schemas or
// is a superuser: it should be the runtime role, which may change rows but not schemas (README,
// "Database roles").
void warn_if_schema_owner(const Config& config);
// Behind a transaction pooler: whether the server's connections start with the session settings
// its SQL relies on (logs what is wrong otherwise). True when not behind one.
bool session_defaults_ok(const Config& config);

}  // namespace payrollx::cli
