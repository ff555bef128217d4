#include <fmt/format.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/serialize.hpp>
#include <cstdio>

#include "app/app.hpp"
#include "cli/commands.hpp"
#include "core/error.hpp"
#include "core/log.hpp"

namespace payrollx::cli {
namespace {

constexpr auto k_password_variable = "PAYROLLX_SUPER_ADMIN_PASSWORD";

// The service's refusal (bad email or password, email taken), told the way the API would.
void print_problem(const Problem& problem) {
  fmt::print(stderr, "payrollx: create-super-admin: {}\n", problem.detail());
  for (const auto& error : problem.errors())
    fmt::print(stderr, "  {}: {}\n", error.field, error.message);
}

}  // namespace

int create_super_admin(const Invocation& invocation) {
  // The password comes from the environment: a command-line argument would show in `ps`.
  auto password = process_env(k_password_variable);
  if (!password || password->empty())
    throw ConfigError(fmt::format("{} is required (the new user's password)", k_password_variable));
  // Creating a user needs only the database: dev semantics spare it the JWT secret.
  auto config = load_configuration(invocation, /*dev=*/true);

  boost::asio::io_context io;
  App app(config, io);
  std::optional<auth::User> user;
  std::exception_ptr failure;
  auto create = [&]() -> boost::asio::awaitable<void> {
    try {
      user = co_await app.auth().create_super_admin(*invocation.value("--email"), *password,
                                                    *invocation.value("--first-name"),
                                                    *invocation.value("--last-name"));
    } catch (...) {
      failure = std::current_exception();
    }
    co_await app.pool().close(config.shutdown_timeout);
  };
  boost::asio::co_spawn(io, create(), [&](std::exception_ptr error) {
    if (error && !failure) failure = error;
    io.stop();
  });
  io.run();

  try {
    if (failure) std::rethrow_exception(failure);
  } catch (const Problem& problem) {
    print_problem(problem);
    return k_exit_failure;
  } catch (const std::exception& e) {
    log::error("auth.super_admin_failed", {{"error", e.what()}});
    return k_exit_failure;
  }
  log::info("auth.super_admin_created", {{"userId", user->id.str()}});
  fmt::print("{}\n", boost::json::serialize(auth::to_json(*user)));
  return k_exit_ok;
}

}  // namespace payrollx::cli
