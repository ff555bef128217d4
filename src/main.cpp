// The payrollx binary: parse the command line, run the command, map failures to exit statuses.
#include <fmt/format.h>
#include <sodium.h>

#include <cstdio>

#include "cli/arguments.hpp"
#include "core/config.hpp"

int main(int argc, char** argv) {
  using namespace payrollx;
  if (sodium_init() < 0) {
    fmt::print(stderr, "payrollx: libsodium could not be initialised\n");
    return cli::k_exit_failure;
  }
  try {
    auto invocation = cli::parse_arguments(argc, argv);
    return invocation.run(invocation);
  } catch (const cli::UsageError& e) {
    fmt::print(stderr, "payrollx: {}\n\n{}", e.what(), cli::usage());
    return cli::k_exit_usage;
  } catch (const ConfigError& e) {
    fmt::print(stderr, "payrollx: configuration: {}\n", e.what());
    return cli::k_exit_usage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "payrollx: {}\n", e.what());
    return cli::k_exit_failure;
  }
}
