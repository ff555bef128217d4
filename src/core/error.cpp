#include "core/error.hpp"

namespace payrollx {

Problem::Problem(int status, std::string code, std::string detail, std::vector<FieldError> errors)
    : std::runtime_error(detail),
      status_(status),
      code_(std::move(code)),
      detail_(std::move(detail)),
      errors_(std::move(errors)) {}

Problem& Problem::with(std::string_view key, boost::json::value value) {
  extra_[key] = std::move(value);
  return *this;
}

Problem& Problem::with_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Problem& Problem::with_log_detail(std::string text) {
  log_detail_ = std::move(text);
  return *this;
}

std::string_view Problem::title_for(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return status >= 500 ? "Internal Server Error" : "Error";
  }
}

Problem validation_failed(std::vector<FieldError> errors, std::string detail) {
  return Problem(400, "validation_failed", std::move(detail), std::move(errors));
}
Problem validation_failed(std::string field, std::string message) {
  std::vector<FieldError> errors;
  errors.push_back({std::move(field), std::move(message)});
  return validation_failed(std::move(errors));
}
Problem bad_request(std::string detail) {
  return Problem(400, "validation_failed", std::move(detail));
}
Problem unauthorized(std::string detail) {
  return Problem(401, "unauthorized", std::move(detail));
}
Problem forbidden(std::string detail) {
  return Problem(403, "forbidden", std::move(detail));
}
Problem organization_suspended() {
  return Problem(403, "organization_suspended",
                 "Your organisation is suspended; a platform administrator can reactivate it.");
}
Problem not_found(std::string detail, std::vector<FieldError> errors) {
  return Problem(404, "not_found", std::move(detail), std::move(errors));
}
Problem conflict(std::string detail, std::vector<FieldError> errors) {
  return Problem(409, "conflict", std::move(detail), std::move(errors));
}
Problem invalid_state(std::string detail) {
  return Problem(409, "invalid_state", std::move(detail));
}
Problem idempotency_key_reused() {
  return Problem(409, "idempotency_key_reused",
                 "This Idempotency-Key was already used with a different request.");
}
Problem insufficient_funds(std::int64_t required, std::int64_t available, std::string detail) {
  Problem p(409, "insufficient_funds", std::move(detail));
  p.with("required", required);
  p.with("available", available);
  return p;
}
Problem payload_too_large(std::string detail) {
  return Problem(413, "payload_too_large", std::move(detail));
}
Problem unsupported_media_type(std::string detail) {
  return Problem(415, "unsupported_media_type", std::move(detail));
}
Problem rate_limited(int retry_after_seconds) {
  Problem p(429, "rate_limited", "Too many attempts; try again later.");
  p.with_header("Retry-After", std::to_string(retry_after_seconds));
  p.with("retryAfter", retry_after_seconds);
  return p;
}
Problem service_unavailable(std::string detail) {
  return Problem(503, "service_unavailable", std::move(detail));
}
Problem internal_error() {
  return Problem(500, "internal", "An unexpected error occurred; it has been logged.");
}

}  // namespace payrollx
