#pragma once
#include <stdexcept>
#include <string>

#include "core/db/sqlstate.hpp"

namespace payrollx::db {

// A failure reported by PostgreSQL or the connection. The HTTP edge maps what a module did not
// handle itself: unique/foreign-key/check violations → 409, connection loss and timeouts → 503,
// the rest → 500. `what()` is for the log; it may contain SQL but never parameter values.
class Error : public std::runtime_error {
 public:
  Error(std::string sqlstate, std::string message, std::string constraint = {});
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& constraint() const { return constraint_; }

  bool is_unique_violation() const { return sqlstate_ == sqlstate::k_unique_violation; }
  bool is_foreign_key_violation() const { return sqlstate_ == sqlstate::k_foreign_key_violation; }
  bool is_check_violation() const { return sqlstate_ == sqlstate::k_check_violation; }
  bool is_retryable() const {
    return sqlstate_ == sqlstate::k_serialization_failure ||
           sqlstate_ == sqlstate::k_deadlock_detected;
  }
  bool is_query_canceled() const { return sqlstate_ == sqlstate::k_query_canceled; }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

// The connection is gone (server restart, terminated backend, network) or could not be made.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// No connection became free within the acquire timeout.
class PoolTimeout : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A column did not decode into the requested C++ type (a bug in a store, not bad input).
class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace payrollx::db
