#include "cli/arguments.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "cli/commands.hpp"

namespace payrollx::cli {
namespace {

struct OptionSpec {
  std::string_view name;
  bool takes_value = false;
  bool required = false;
};

struct CommandSpec {
  std::string_view name;
  CommandFn run;
  std::vector<OptionSpec> options;
};

const std::vector<CommandSpec>& command_specs() {
  static const std::vector<CommandSpec> specs{
      {"serve", serve, {{"--config", true}, {"--dev"}, {"--no-migrate"}}},
      {"migrate", migrate, {{"--config", true}, {"--status"}}},
      {"create-super-admin",
       create_super_admin,
       {{"--config", true},
        {"--email", true, true},
        {"--first-name", true, true},
        {"--last-name", true, true}}},
      {"backup", backup, {{"--config", true}, {"--out", true, true}}},
      {"restore", restore, {{"--config", true}, {"--in", true, true}, {"--database-url", true}}},
      {"import-legacy",
       import_legacy,
       {{"--config", true}, {"--source-template", true, true}, {"--dry-run"}}},
      {"--help", help, {}},
      {"-h", help, {}},
      {"help", help, {}},
      {"--version", version, {}},
  };
  return specs;
}

constexpr std::string_view k_usage = R"(Usage:
  payrollx serve [--config FILE] [--dev] [--no-migrate]
      Start the HTTP API. Applies pending migrations first unless --no-migrate (or
      database.migrateOnStart is false). --dev starts without a JWT secret (a random one).
  payrollx migrate [--config FILE] [--status]
      Apply pending migrations as the schema owner and exit; --status lists them instead.
  payrollx create-super-admin --email EMAIL --first-name NAME --last-name NAME [--config FILE]
      Create a platform operator (SUPER_ADMIN); the password is read from the environment
      variable PAYROLLX_SUPER_ADMIN_PASSWORD.
  payrollx backup --out FILE [--config FILE]
      pg_dump of the database (custom format, through the migrate URL), checked with
      pg_restore --list, written to a temporary name and renamed: no partial file on failure.
  payrollx restore --in FILE [--database-url URL] [--config FILE]
      Restores a backup into an empty database (the migrate URL unless --database-url; one
      with tables is refused, unchanged), in parallel, then applies pending migrations.
  payrollx import-legacy --source-template URL_WITH_{db} [--dry-run] [--config FILE]
      Copies the eight legacy databases ({db}: auth, org, employee, wallet, payroll,
      transaction, notification, compliance) in, in one transaction through the migrate URL;
      a report on stdout, progress on stderr; commits only when everything balances.
  payrollx --version | --help

Configuration: a JSON file (--config; config/payrollx.example.json documents every key)
overridden by environment variables, among them:
  PAYROLLX_DATABASE_URL          the server's libpq connection string (required)
  PAYROLLX_MIGRATE_DATABASE_URL  the schema owner's connection for migrations (default: the above)
  PAYROLLX_JWT_SECRET            access-token signing secret, at least 32 bytes (required
                                 unless --dev)
  PAYROLLX_LISTEN                host:port to listen on (default 127.0.0.1:8080)
  PAYROLLX_THREADS               I/O threads (default: the number of cores)
  PAYROLLX_DB_POOL_SIZE          most database connections (default 16)
  PAYROLLX_LOG_LEVEL             debug, info, warn or error (default info)
  PAYROLLX_LOG_FORMAT            json or text (default json)

Exit status: 0 success, 1 the command failed, 2 bad command line or configuration.
)";

const OptionSpec* find_option(const CommandSpec& command, std::string_view name) {
  auto it = std::find_if(command.options.begin(), command.options.end(),
                         [&](const OptionSpec& option) { return option.name == name; });
  return it == command.options.end() ? nullptr : &*it;
}

}  // namespace

std::optional<std::string> Invocation::value(std::string_view option) const {
  auto it = options.find(option);
  if (it == options.end()) return std::nullopt;
  return it->second;
}

Invocation parse_arguments(int argc, const char* const* argv) {
  if (argc < 2) throw UsageError("a command is required");
  std::string_view name = argv[1];
  const auto& specs = command_specs();
  auto command = std::find_if(specs.begin(), specs.end(),
                              [&](const CommandSpec& spec) { return spec.name == name; });
  if (command == specs.end()) throw UsageError(fmt::format("unknown command '{}'", name));

  Invocation invocation{std::string(name), command->run, {}};
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    const auto* option = find_option(*command, arg);
    if (!option) throw UsageError(fmt::format("unknown option '{}' for {}", arg, name));
    if (invocation.has(arg)) throw UsageError(fmt::format("option '{}' is given twice", arg));
    std::string value;
    if (option->takes_value) {
      if (i + 1 >= argc) throw UsageError(fmt::format("option '{}' needs a value", arg));
      value = argv[++i];
    }
    invocation.options.emplace(arg, std::move(value));
  }
  for (const auto& option : command->options) {
    if (option.required && !invocation.has(option.name))
      throw UsageError(fmt::format("{} needs {}", name, option.name));
  }
  return invocation;
}

std::string_view usage() {
  return k_usage;
}

int help(const Invocation&) {
  fmt::print("{}", k_usage);
  return k_exit_ok;
}

int version(const Invocation&) {
  fmt::print("payrollx {}\n", PAYROLLX_VERSION);
  return k_exit_ok;
}

}  // namespace payrollx::cli
