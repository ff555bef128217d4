#include "modules/employee/requests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "core/base58.hpp"
#include "core/currency.hpp"
#include "core/email.hpp"
#include "core/error.hpp"
#include "core/json.hpp"
#include "modules/employee/rules.hpp"

namespace payrollx::employee::requests {
namespace {

// The FieldReader reads null as "absent"; in a PATCH that would silently keep the old value of a
// field the client asked to empty, so null is refused where the field cannot be cleared.
void refuse_null(json::FieldReader& reader, const boost::json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it != body.end() && it->value().is_null()) reader.fail(key, "must not be null");
}

// A nested object's reader ends with finish(), which throws; its errors join the outer reader's
// so that one answer lists every bad field.
void finish_into(json::FieldReader& nested, json::FieldReader& outer) {
  try {
    nested.finish();
  } catch (const Problem& problem) {
    for (const auto& error : problem.errors()) outer.errors().push_back(error);
  }
}

// Takes `key` out of the body, so that the outer reader (which knows no object fields) does not
// report it as unknown.
std::optional<boost::json::value> take(boost::json::object& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end()) return std::nullopt;
  auto value = std::move(it->value());
  body.erase(it);
  return value;
}

std::optional<std::string> read_currency(json::FieldReader& reader, std::string_view key,
                                         bool required) {
  auto code = required ? reader.required_string(key, k_currency_code)
                       : reader.optional_string(key, k_currency_code);
  if (code && !is_currency_code(*code)) {
    reader.fail(key, not_a_currency_code());
    return std::nullopt;
  }
  return code;
}

std::optional<Salary> read_salary(json::FieldReader& reader,
                                  const std::optional<boost::json::value>& value) {
  if (!value || value->is_null()) {
    reader.fail("salary", "is required");
    return std::nullopt;
  }
  if (!value->is_object()) {
    reader.fail("salary", "must be an object {amount, currency, period}");
    return std::nullopt;
  }
  json::FieldReader salary(value->get_object(), "salary");
  auto amount = salary.required_int("amount", {.min = 1});
  auto currency = read_currency(salary, "currency", true);
  auto period = salary.required_enum("period", rules::k_salary_periods);
  finish_into(salary, reader);
  if (!amount || !currency || !period) return std::nullopt;
  return Salary{.amount = *amount, .currency = std::move(*currency), .period = std::move(*period)};
}

std::optional<std::string> read_email(json::FieldReader& reader, bool required) {
  auto email = required ? reader.required_string("email", rules::k_email)
                        : reader.optional_string("email", rules::k_email);
  if (!email) return std::nullopt;
  auto lower = normalize_email(*email);
  if (!is_valid_email(lower)) {
    reader.fail("email", "must be a valid email address");
    return std::nullopt;
  }
  return lower;
}

std::string lower(std::string_view text) {
  return rules::lower_ascii(text);
}

std::string_view trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// A query parameter's text under a StringRule (and no control characters).
std::optional<std::string> query_text(const http::Request& request, std::string_view name,
                                      json::StringRule rule, bool required,
                                      std::vector<FieldError>& errors) {
  auto value = request.query_param(name);
  if (!value) {
    if (required) errors.push_back({std::string(name), "is required"});
    return std::nullopt;
  }
  boost::json::object holder{{name, *value}};
  json::FieldReader reader(holder);
  auto text = reader.required_string(name, rule);
  for (auto& error : reader.errors()) errors.push_back(std::move(error));
  return text;
}

std::optional<std::string> query_enum(const http::Request& request, std::string_view name,
                                      std::span<const std::string_view> allowed,
                                      std::vector<FieldError>& errors) {
  auto value = request.query_param(name);
  if (!value) return std::nullopt;
  for (auto candidate : allowed)
    if (candidate == *value) return std::string(*value);
  errors.push_back({std::string(name), rules::one_of(allowed)});
  return std::nullopt;
}

std::optional<Component> read_component(const boost::json::object& item, std::size_t index,
                                        std::string& currency, std::vector<FieldError>& errors) {
  json::FieldReader reader(item, fmt::format("[{}]", index));
  auto present = [&](std::string_view key) {
    auto it = item.find(key);
    return it != item.end() && !it->value().is_null();
  };
  auto kind = reader.required_enum("kind", rules::k_component_kinds);
  auto name = reader.required_string("name", rules::k_component_name);
  auto calc = reader.required_enum("calc", rules::k_component_calcs);
  auto amount = reader.optional_int("amount", {.min = 1});
  auto rate = reader.optional_int("rateBasisPoints", {.min = 1, .max = rules::k_max_basis_points});
  auto pre_tax = reader.required_bool("preTax");
  auto from = reader.required_date("effectiveFrom");
  auto to = reader.optional_date("effectiveTo");
  auto code = read_currency(reader, "currency", false);
  if (calc == "FIXED") {
    if (!present("amount")) reader.fail("amount", "is required when calc is FIXED");
    if (present("rateBasisPoints"))
      reader.fail("rateBasisPoints", "must be absent or null when calc is FIXED");
  } else if (calc == "PERCENT") {
    if (!present("rateBasisPoints"))
      reader.fail("rateBasisPoints", "is required when calc is PERCENT");
    if (present("amount")) reader.fail("amount", "must be absent or null when calc is PERCENT");
  }
  // Only a deduction can be taken before tax; an earning marked pre-tax is a client's mistake
  // that would otherwise be silently ignored.
  if (kind == "EARNING" && pre_tax && *pre_tax)
    reader.fail("preTax", "must be false for an EARNING (only deductions are taken before tax)");
  if (from && to && *to < *from) reader.fail("effectiveTo", "must not be before effectiveFrom");
  bool ok = reader.ok();
  try {
    reader.finish();
  } catch (const Problem& problem) {
    for (const auto& error : problem.errors()) errors.push_back(error);
    return std::nullopt;
  }
  if (!ok) return std::nullopt;
  currency = code.value_or("");
  const bool fixed = *calc == "FIXED";
  return Component{.kind = std::move(*kind),
                   .name = std::move(*name),
                   .calc = std::move(*calc),
                   .amount = fixed ? amount : std::nullopt,
                   .rate_basis_points = fixed ? std::nullopt : rate,
                   .pre_tax = *pre_tax,
                   .effective_from = *from,
                   .effective_to = to};
}

}  // namespace

NewEmployee read_new_employee(boost::json::object body) {
  auto salary_value = take(body, "salary");
  json::FieldReader reader(body);
  auto first_name = reader.required_string("firstName", rules::k_name);
  auto last_name = reader.required_string("lastName", rules::k_name);
  auto email = read_email(reader, true);
  auto employee_number = reader.optional_string("employeeNumber", rules::k_employee_number);
  auto department = reader.optional_string("department", rules::k_department);
  auto position = reader.optional_string("position", rules::k_position);
  auto hire_date = reader.required_date("hireDate");
  auto salary = read_salary(reader, salary_value);
  auto pay_frequency = reader.optional_enum("payFrequency", rules::k_pay_frequencies);
  auto create_user_account = reader.optional_bool("createUserAccount");
  reader.finish();
  return {.first_name = std::move(*first_name),
          .last_name = std::move(*last_name),
          .email = std::move(*email),
          .employee_number = std::move(employee_number),
          .department = std::move(department),
          .position = std::move(position),
          .hire_date = *hire_date,
          .salary = std::move(*salary),
          .pay_frequency = pay_frequency.value_or("MONTHLY"),
          .create_user_account = create_user_account.value_or(false)};
}

EmployeePatch read_patch(boost::json::object body) {
  auto salary_value = take(body, "salary");
  json::FieldReader reader(body);
  for (auto key : {"firstName", "lastName", "email", "hireDate", "payFrequency"})
    refuse_null(reader, body, key);
  EmployeePatch patch;
  patch.first_name = reader.optional_string("firstName", rules::k_name);
  patch.last_name = reader.optional_string("lastName", rules::k_name);
  patch.email = read_email(reader, false);
  patch.employee_number = reader.nullable_string("employeeNumber", rules::k_employee_number);
  patch.department = reader.nullable_string("department", rules::k_department);
  patch.position = reader.nullable_string("position", rules::k_position);
  patch.hire_date = reader.optional_date("hireDate");
  if (salary_value) {
    if (salary_value->is_null())
      reader.fail("salary", "must not be null");
    else
      patch.salary = read_salary(reader, salary_value);
  }
  patch.pay_frequency = reader.optional_enum("payFrequency", rules::k_pay_frequencies);
  reader.finish();
  return patch;
}

Date read_termination(const boost::json::object& body) {
  json::FieldReader reader(body);
  auto date = reader.required_date("terminationDate");
  reader.finish();
  return *date;
}

std::string read_rejection(const boost::json::object& body) {
  json::FieldReader reader(body);
  auto reason = reader.required_string("reason", rules::k_reason);
  reader.finish();
  return std::move(*reason);
}

std::string read_wallet_address(const boost::json::object& body) {
  json::FieldReader reader(body);
  auto address = reader.required_string("walletAddress", rules::k_wallet_address);
  if (address && !is_solana_public_key(*address))
    reader.fail("walletAddress", "must be a Solana public key (base58 that decodes to 32 bytes)");
  reader.finish();
  return std::move(*address);
}

ComponentList read_components(const boost::json::value& body) {
  if (!body.is_array())
    throw validation_failed("body", "must be a JSON array of components (it replaces the list)");
  const auto& items = body.get_array();
  if (items.size() > rules::k_max_components)
    throw validation_failed(
        "body", fmt::format("must have at most {} components", rules::k_max_components));
  ComponentList list;
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object()) {
      errors.push_back({fmt::format("[{}]", i), "must be an object"});
      continue;
    }
    std::string currency;
    if (auto component = read_component(items[i].get_object(), i, currency, errors)) {
      list.components.push_back(std::move(*component));
      list.currencies.push_back(std::move(currency));
    }
  }
  if (!errors.empty()) throw validation_failed(std::move(errors));
  return list;
}

EmployeeFilter read_filter(const http::Request& request) {
  std::vector<FieldError> errors;
  EmployeeFilter filter;
  if (auto status = query_enum(request, "status", k_statuses.names(), errors))
    filter.status = parse_status(*status);
  if (auto kyc = query_enum(request, "kycStatus", k_kyc_statuses.names(), errors))
    filter.kyc_status = parse_kyc_status(*kyc);
  filter.department = query_text(request, "department", rules::k_department, false, errors);
  filter.q = query_text(request, "q", rules::k_query_text, false, errors);
  if (!errors.empty()) throw validation_failed(std::move(errors));
  return filter;
}

DocumentQuery read_document_query(const http::Request& request) {
  std::vector<FieldError> errors;
  auto document_type = query_text(request, "documentType", rules::k_document_type, true, errors);
  auto file_name = query_text(request, "fileName", rules::k_file_name, true, errors);
  // A name, not a path: whoever downloads the file must not be steered into another folder.
  if (file_name &&
      (file_name->find('/') != std::string::npos || file_name->find('\\') != std::string::npos ||
       *file_name == "." || *file_name == "..")) {
    errors.push_back({"fileName", "must be a file name, without '/' or '\\'"});
  }
  if (!errors.empty()) throw validation_failed(std::move(errors));
  return {.document_type = std::move(*document_type), .file_name = std::move(*file_name)};
}

bool read_dry_run(const http::Request& request) {
  auto value = request.query_param("dryRun");
  if (!value || *value == "false") return false;
  if (*value == "true") return true;
  throw validation_failed("dryRun", "must be true or false");
}

bool is_media_type(std::string_view content_type, std::string_view media_type) {
  auto semicolon = content_type.find(';');
  if (lower(trim(content_type.substr(0, semicolon))) != media_type) return false;
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    auto parameter = trim(content_type.substr(0, semicolon));
    auto equals = parameter.find('=');
    if (equals == std::string_view::npos) continue;
    auto value = trim(parameter.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (lower(trim(parameter.substr(0, equals))) == "charset" && lower(value) != "utf-8")
      return false;
  }
  return true;
}

}  // namespace payrollx::employee::requests
