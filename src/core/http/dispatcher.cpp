#include "core/http/dispatcher.hpp"

#include <fmt/format.h>
#include <malloc.h>

#include <array>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "core/auth/jwt.hpp"
#include "core/db/error.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/router.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"

namespace payrollx::http {
namespace {

constexpr std::size_t k_max_request_id_length = 128;
constexpr std::string_view k_problem_base = "https://payrollx.dev/problems/";
constexpr double k_trim_after_seconds = 0.25;

bool is_printable_ascii(std::string_view text) {
  for (char c : text)
    if (c < 0x20 || c > 0x7E) return false;
  return true;
}

// Metrics labels come from a fixed set, so that a client inventing methods cannot grow them.
std::string_view method_label(std::string_view method) {
  static constexpr std::array<std::string_view, 7> k_known{"GET",   "HEAD",   "POST",   "PUT",
                                                           "PATCH", "DELETE", "OPTIONS"};
  for (auto known : k_known)
    if (known == method) return known;
  return "OTHER";
}

std::optional<std::string_view> bearer_token(const Request& request) {
  auto header = request.header("authorization");
  if (!header) return std::nullopt;
  constexpr std::string_view k_scheme = "bearer ";
  if (header->size() <= k_scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < k_scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>((*header)[i])) != k_scheme[i]) return std::nullopt;
  auto token = header->substr(k_scheme.size());
  auto begin = token.find_first_not_of(' ');
  if (begin == std::string_view::npos) return std::nullopt;
  return token.substr(begin);
}

Problem missing_credentials(std::string detail) {
  Problem problem = unauthorized(std::move(detail));
  problem.with_header("WWW-Authenticate", "Bearer");
  return problem;
}

Problem method_not_allowed(const std::vector<std::string>& allowed) {
  auto list = fmt::format("{}", fmt::join(allowed, ", "));
  Problem problem(405, "method_not_allowed", fmt::format("This resource answers only {}.", list));
  problem.with_header("Allow", list);
  return problem;
}

// Token and role checks of the matched route. A public route still learns who calls when the
// request carries a valid token (an invalid one is ignored there: the route needs none).
std::optional<Principal> authenticate(const Request& request, const Route& route,
                                      const TokenSigner& tokens) {
  auto token = bearer_token(request);
  std::optional<Principal> principal;
  if (token) principal = tokens.verify(*token, now());
  if (!route.access.authenticated) return principal;
  if (!token) throw missing_credentials("A bearer access token is required.");
  if (!principal) throw missing_credentials("The access token is invalid or expired.");
  if (!route.access.allows(principal->role)) throw forbidden();
  return principal;
}

// The problem a failure becomes. Anything not meant for the client is logged here with the
// request id and answered as the generic 500.
Problem problem_of(std::exception_ptr failure, const std::string& request_id, Metrics& metrics) {
  auto unexpected = [&](std::string_view what) {
    log::error("http.unhandled_exception", {{"requestId", request_id}, {"error", what}});
    return internal_error();
  };
  try {
    std::rethrow_exception(failure);
  } catch (const Problem& problem) {
    return problem;
  } catch (const db::Error& error) {
    // A CHECK (a balance below zero, a hold above the balance) is the database's last line of
    // defence: the code should have refused the request before. Reaching it is a bug, not a
    // conflict of the client's making.
    if (error.is_check_violation()) {
      log::error(
          "db.invariant_violated",
          {{"requestId", request_id}, {"constraint", error.constraint()}, {"error", error.what()}});
      metrics.count_invariant_violation(error.constraint());
      return internal_error();
    }
    if (error.is_unique_violation() || error.is_foreign_key_violation())
      return conflict("The request conflicts with the current state of the data.")
          .with_log_detail(fmt::format("{} ({})", error.what(), error.constraint()));
    if (error.is_query_canceled())
      return service_unavailable("The database did not answer in time; try again.")
          .with_log_detail(error.what());
    if (error.is_retryable())  // still failing after the transaction's bounded retries
      return service_unavailable("The server is busy with conflicting changes; try again.")
          .with_header("Retry-After", "1")
          .with_log_detail(error.what());
    return unexpected(error.what());
  } catch (const db::ConnectionError& error) {
    return service_unavailable("The database is unavailable; try again.")
        .with_log_detail(error.what());
  } catch (const db::PoolTimeout& error) {
    return service_unavailable("The server is busy; try again.").with_log_detail(error.what());
  } catch (const std::exception& error) {
    return unexpected(error.what());
  } catch (...) {
    return unexpected("a non-standard exception");
  }
}

void set_header(Response& response, std::string name, std::string value) {
  for (auto& [key, existing] : response.headers)
    if (key == name) {
      existing = std::move(value);
      return;
    }
  response.headers.emplace_back(std::move(name), std::move(value));
}

void log_request(const RequestContext& ctx, const Route* route, int status, double seconds,
                 const std::string& problem_detail) {
  const auto& principal = ctx.principal();
  std::optional<std::array<char, 36>> user;
  std::optional<std::array<char, 36>> org;
  if (principal) user = principal->user_id.chars();
  if (principal && principal->organization_id) org = principal->organization_id->chars();
  auto text_or_null = [](const auto& chars) -> decltype(log::Field::value) {
    if (!chars) return nullptr;
    return std::string_view(chars->data(), chars->size());
  };
  std::array<log::Field, 8> fields{{
      {"requestId", std::string_view(ctx.request_id())},
      {"method", std::string_view(ctx.request().method)},
      {"route", route ? std::string_view(route->pattern) : std::string_view("unmatched")},
      {"status", std::int64_t{status}},
      {"durationMs", log::Milliseconds{static_cast<std::int64_t>(seconds * 1e6)}},
      {"user", text_or_null(user)},
      {"org", text_or_null(org)},
      {"problem", std::string_view(problem_detail)},
  }};
  // The problem's detail only when there is one.
  std::span<const log::Field> written(fields.data(), problem_detail.empty() ? 7 : 8);
  log::write_fields(status >= 500 ? log::Level::error : log::Level::info, "http.request", written);
}

}  // namespace

std::string request_id_of(const Request& request) {
  auto given = request.header("x-request-id");
  if (given && !given->empty() && given->size() <= k_max_request_id_length &&
      is_printable_ascii(*given))
    return std::string(*given);
  return Uuid::random().str();
}

Response problem_response(const Problem& problem, const std::string& request_id) {
  boost::json::array errors;
  for (const auto& error : problem.errors())
    errors.push_back(boost::json::object{{"field", error.field}, {"message", error.message}});
  boost::json::object document{
      {"type", fmt::format("{}{}", k_problem_base, problem.code())},
      {"title", Problem::title_for(problem.status())},
      {"status", problem.status()},
      {"detail", problem.detail()},
      {"code", problem.code()},
      {"requestId", request_id},
      {"errors", std::move(errors)},
  };
  for (const auto& member : problem.extra()) document.emplace(member.key(), member.value());

  Response response{problem.status(), "application/problem+json", boost::json::serialize(document),
                    problem.headers()};
  set_header(response, "X-Request-Id", request_id);
  return response;
}

Dispatcher::Dispatcher(const Router& router, const TokenSigner& tokens, Metrics& metrics,
                       std::size_t default_body_limit)
    : router_(router),
      tokens_(tokens),
      metrics_(metrics),
      default_body_limit_(default_body_limit) {}

Admission Dispatcher::admit(const Request& head) const {
  Admission admission{.match = router_.match(head.method, head.path)};
  try {
    const Match& match = admission.match;
    if (!match.route) {
      if (!match.allowed_methods.empty()) throw method_not_allowed(match.allowed_methods);
      throw not_found("No resource exists at this path.");
    }
    admission.principal = authenticate(head, *match.route, tokens_);
    const auto& principal = admission.principal;
    if (suspensions_ && principal && principal->organization_id &&
        suspensions_->contains(*principal->organization_id))
      throw organization_suspended();
  } catch (...) {
    admission.refusal = std::current_exception();
  }
  return admission;
}

boost::asio::awaitable<Response> Dispatcher::dispatch(Request request, std::string_view peer) {
  auto admission = admit(request);
  return dispatch(std::move(request), std::move(admission), peer);
}

boost::asio::awaitable<Response> Dispatcher::dispatch(Request request, Admission admission,
                                                      std::string_view peer) {
  RequestContext ctx(request, request_id_of(request),
                     client_address(peer, request, trusted_proxies_));
  const Route* route = admission.match.route;

  Response response;
  std::string problem_detail;
  std::exception_ptr failure = admission.refusal;
  if (!failure) {
    try {
      ctx.set_route(route, std::move(admission.match.params));
      if (admission.principal) ctx.set_principal(std::move(*admission.principal));
      ctx.set_standing_check(standing_check_ ? &standing_check_ : nullptr);
      response = co_await route->handler(ctx);
    } catch (...) {
      failure = std::current_exception();
    }
  }
  if (failure) {
    auto problem = problem_of(failure, ctx.request_id(), metrics_);
    problem_detail = problem.log_detail();
    response = problem_response(problem, ctx.request_id());
  }
  set_header(response, "X-Request-Id", ctx.request_id());
  if (route && route->carries_secret) set_header(response, "Cache-Control", "no-store");

  auto seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started()).count();
  log_request(ctx, route, response.status, seconds, problem_detail);
  // A long request (a payroll run, an import) leaves its peak in malloc's free lists; handing
  // that back keeps the resident size near what the server really holds between big requests.
  if (seconds > k_trim_after_seconds) malloc_trim(0);
  metrics_.observe_request(method_label(request.method), route ? route->pattern : "unmatched",
                           response.status, seconds);
  co_return response;
}

std::size_t Dispatcher::body_limit_for(const Match& match) const {
  if (match.route && match.route->body_limit != 0) return match.route->body_limit;
  return default_body_limit_;
}

std::size_t Dispatcher::body_limit_for(std::string_view method, std::string_view path) const {
  return body_limit_for(router_.match(method, path));
}

}  // namespace payrollx::http
