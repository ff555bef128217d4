#pragma once
// The one error family of the server: a Problem is an RFC 9457 problem document waiting to be
// sent. Code anywhere throws one; the HTTP edge turns it into the response. `log_detail` is for
// the log only (never sent to the client).
#include <boost/json/object.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace payrollx {

struct FieldError {
  std::string field;
  std::string message;
};

class Problem : public std::runtime_error {
 public:
  Problem(int status, std::string code, std::string detail, std::vector<FieldError> errors = {});

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::string& detail() const { return detail_; }
  const std::vector<FieldError>& errors() const { return errors_; }
  // Extra members of the problem document (e.g. `required`/`available` of insufficient_funds).
  const boost::json::object& extra() const { return extra_; }
  Problem& with(std::string_view key, boost::json::value value);
  // Response headers that belong to this problem (e.g. Allow, Retry-After).
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }
  Problem& with_header(std::string name, std::string value);
  const std::string& log_detail() const { return log_detail_; }
  Problem& with_log_detail(std::string text);

  // The `title` the API answers for a status.
  static std::string_view title_for(int status);

 private:
  int status_;
  std::string code_;
  std::string detail_;
  std::vector<FieldError> errors_;
  boost::json::object extra_;
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string log_detail_;
};

// One factory per stable error code: the problem's snake_case `code`, which clients rely on and
// which never changes.
Problem validation_failed(std::vector<FieldError> errors,
                          std::string detail = "The request is not valid.");
Problem validation_failed(std::string field, std::string message);
Problem bad_request(std::string detail);
Problem unauthorized(std::string detail = "Authentication is required.");
Problem forbidden(std::string detail = "This action is not allowed for your role.");
Problem not_found(std::string detail = "The resource does not exist.",
                  std::vector<FieldError> errors = {});
// 403 for every request of a suspended organisation's members.
Problem organization_suspended();
Problem conflict(std::string detail, std::vector<FieldError> errors = {});
Problem invalid_state(std::string detail);
Problem idempotency_key_reused();
// `required` and `available` are minor units of the wallet's currency.
Problem insufficient_funds(std::int64_t required, std::int64_t available,
                           std::string detail = "The wallet does not hold enough available money.");
Problem payload_too_large(std::string detail);
Problem unsupported_media_type(std::string detail);
Problem rate_limited(int retry_after_seconds);
Problem service_unavailable(std::string detail);
Problem internal_error();

}  // namespace payrollx
