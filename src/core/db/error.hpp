#pragma once
#include <stdexcept>
#include <string>

namespace payrollx::db {

// A failure reported by PostgreSQL or the connection. The HTTP edge maps what a module did not
// handle itself: unique/foreign-key/check violations → 409, connection loss and timeouts → 503,
// the rest → 500. `what()` is for the log; it may contain SQL but never parameter values.
class Error : public std::runtime_error {
 public:
  Error(std::string sqlstate, std::string message, std::string constraint = {});
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& constraint() const { return constraint_; }

  bool is_unique_violation() const { return sqlstate_ == "23505"; }
  bool is_foreign_key_violation() const { return sqlstate_ == "23503"; }
  bool is_check_violation() const { return sqlstate_ == "23514"; }
  bool is_retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
  bool is_query_canceled() const { return sqlstate_ == "57014"; }

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
