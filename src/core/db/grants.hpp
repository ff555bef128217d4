#pragma once
// What the database roles (README, "Database roles") may do, granted by every migrate run (so a
// table a new migration adds is covered at once). The owner (who migrates) is never the server.
#include <set>
#include <string>

#include "core/db/blocking.hpp"

namespace payrollx::db {

// The roles a migrate run grants rights to; an empty name is not granted anything.
struct Roles {
  std::string runtime;    // the server: DML on every module schema, history append-only
  std::string reporting;  // analysts: SELECT on every module schema, secrets excepted
};

// The runtime role reads and changes rows, never the schema; the history tables (the audit
// logs, the ledger's entries and transaction logs) take INSERT and SELECT only: a change of
// state is a new row, never an update.
void grant_runtime_rights(BlockingConnection& db, const std::string& role,
                          const std::set<std::string>& schemas);

// The reporting role reads every table, except what would let it act as someone (password
// hashes, refresh tokens and invitations, webhook secrets, idempotent answers that may hold
// one, queued email payloads) and the KYC documents' content.
void grant_reporting_rights(BlockingConnection& db, const std::string& role,
                            const std::set<std::string>& schemas);

}  // namespace payrollx::db
