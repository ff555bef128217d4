#include "cli/pg_tools.hpp"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <string_view>

namespace payrollx::cli {
namespace {

// A conninfo value, single-quoted with its quotes and backslashes escaped.
std::string quoted(std::string_view value) {
  std::string text = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') text += '\\';
    text += c;
  }
  return text + "'";
}

}  // namespace

ClientTarget client_target(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
  if (!options) {
    std::string reason = error ? error : "out of memory";
    PQfreemem(error);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    throw std::invalid_argument("the database URL cannot be parsed: " + reason);
  }
  ClientTarget target;
  for (auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr || *option->val == '\0') continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "password") {
      target.env.emplace_back("PGPASSWORD", option->val);
      continue;
    }
    if (!target.conninfo.empty()) target.conninfo += ' ';
    target.conninfo += std::string(keyword) + "=" + quoted(option->val);
  }
  return target;
}

Finished run_pg_tool(const std::string& program, std::vector<std::string> args,
                     const ClientTarget* target) {
  std::vector<std::pair<std::string, std::string>> env;
  if (target) {
    args.push_back("--dbname=" + target->conninfo);
    env = target->env;
  }
  // Never a password prompt: a missing password is a failure, not a hang.
  args.insert(args.begin(), "--no-password");
  return run_program(program, args, env);
}

}  // namespace payrollx::cli
