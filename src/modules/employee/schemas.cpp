#include "modules/employee/schemas.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "core/http/schema.hpp"
#include "modules/employee/employee.hpp"
#include "modules/employee/rules.hpp"

namespace payrollx::employee::schemas {
namespace {

namespace schema = http::schema;
using boost::json::value;

using schema::described;

value currency() {
  return described(schema::currency_code(),
                   "A currency of core.currencies (USD, EUR, USDC, SOL, ...).");
}

value salary() {
  return schema::object({{"amount", described(schema::integer(1),
                                              "Minor units of currency (250000 = 2,500.00 USD).")},
                         {"currency", currency()},
                         {"period", schema::enumeration({"ANNUAL", "MONTHLY", "HOURLY"})}},
                        {"amount", "currency", "period"});
}

value pay_frequency() {
  return schema::enumeration({"WEEKLY", "BIWEEKLY", "SEMIMONTHLY", "MONTHLY"});
}

value email() {
  return described(schema::string(rules::k_email),
                   "Stored and compared lower-cased; unique in the "
                   "organisation.");
}

value clearable(value text, std::string_view null_means) {
  return described(std::move(text), null_means);
}

}  // namespace

value employee() {
  return schema::object(
      {{"id", schema::uuid()},
       {"userId", described(schema::nullable(schema::uuid()),
                            "The employee's portal user (role EMPLOYEE), if any.")},
       {"walletId", described(schema::uuid(), "The employee's wallet in the salary currency.")},
       {"firstName", schema::string(rules::k_name)},
       {"lastName", schema::string(rules::k_name)},
       {"email", email()},
       {"employeeNumber", schema::nullable(schema::string(rules::k_employee_number))},
       {"department", schema::nullable(schema::string(rules::k_department))},
       {"position", schema::nullable(schema::string(rules::k_position))},
       {"hireDate", schema::date()},
       {"terminationDate", schema::nullable(schema::date())},
       {"status", schema::enumeration(k_statuses.names())},
       {"salary", salary()},
       {"payFrequency", pay_frequency()},
       {"kycStatus", schema::enumeration(k_kyc_statuses.names())},
       {"kycRejectionReason", schema::nullable(schema::string(rules::k_reason))},
       {"kycReviewedAt", schema::nullable(schema::date_time())},
       {"walletAddress", schema::nullable(schema::string(rules::k_wallet_address))},
       {"createdAt", schema::date_time()},
       {"updatedAt", schema::date_time()}},
      {"id",
       "userId",
       "walletId",
       "firstName",
       "lastName",
       "email",
       "employeeNumber",
       "department",
       "position",
       "hireDate",
       "terminationDate",
       "status",
       "salary",
       "payFrequency",
       "kycStatus",
       "kycRejectionReason",
       "kycReviewedAt",
       "walletAddress",
       "createdAt",
       "updatedAt"});
}

value created_employee() {
  auto created = employee();
  created.as_object()["properties"].as_object()["invitation"] = described(
      schema::object({{"token", schema::string()}, {"expiresAt", schema::date_time()}},
                     {"token", "expiresAt"}),
      "Only with createUserAccount: the EMPLOYEE user's invitation (the token is shown once; "
      "the invitee sets a password with POST /api/v1/auth/invitations/accept).");
  return described(std::move(created),
                   "The employee, with the wallet opened for it in the salary currency.");
}

value new_employee() {
  return schema::object(
      {{"firstName", schema::string(rules::k_name)},
       {"lastName", schema::string(rules::k_name)},
       {"email", email()},
       {"employeeNumber",
        described(schema::string(rules::k_employee_number), "Unique in the organisation.")},
       {"department", schema::string(rules::k_department)},
       {"position", schema::string(rules::k_position)},
       {"hireDate", schema::date()},
       {"salary", salary()},
       {"payFrequency", described(pay_frequency(), "Default MONTHLY.")},
       {"createUserAccount",
        described(schema::boolean(),
                  "Also invite the employee as a user with role EMPLOYEE (default false); the "
                  "answer then carries the invitation.")}},
      {"firstName", "lastName", "email", "hireDate", "salary"});
}

value patch() {
  return described(
      schema::object(
          {{"firstName", schema::string(rules::k_name)},
           {"lastName", schema::string(rules::k_name)},
           {"email", email()},
           {"employeeNumber",
            clearable(schema::string(rules::k_employee_number), "null clears it.")},
           {"department", clearable(schema::string(rules::k_department), "null clears it.")},
           {"position", clearable(schema::string(rules::k_position), "null clears it.")},
           {"hireDate",
            described(schema::date(),
                      "Corrections are allowed; it must not be after the termination date.")},
           {"salary", described(salary(),
                                "Replaced as a whole. A new currency moves walletId to the "
                                "employee's wallet in that currency (opened when missing); the "
                                "old wallet keeps its money.")},
           {"payFrequency", pay_frequency()}}),
      "A partial update: absent fields stay as they are. Status, KYC and the wallet address "
      "change through their own routes.");
}

value termination() {
  return schema::object({{"terminationDate", described(schema::date(),
                                                       "The last day employed; not before the "
                                                       "hire date.")}},
                        {"terminationDate"});
}

value rejection() {
  return schema::object({{"reason", described(schema::string(rules::k_reason),
                                              "Shown to the employee in their notification.")}},
                        {"reason"});
}

value wallet_address() {
  return schema::object(
      {{"walletAddress", described(schema::string(rules::k_wallet_address),
                                   "A Solana public key: base58 that decodes to exactly 32 "
                                   "bytes.")}},
      {"walletAddress"});
}

value components(bool answer) {
  auto amount = described(schema::nullable(schema::integer(1)),
                          "FIXED only (required there): minor units of the salary currency.");
  auto rate = schema::integer(1);
  rate.as_object()["maximum"] = rules::k_max_basis_points;
  auto component = schema::object(
      {{"kind", schema::enumeration({"EARNING", "DEDUCTION"})},
       {"name", schema::string(rules::k_component_name)},
       {"calc", schema::enumeration({"FIXED", "PERCENT"})},
       {"amount", std::move(amount)},
       {"currency",
        described(currency(),
                  answer ? "The salary currency, which FIXED amounts are in."
                         : "Optional; when given it must be the employee's salary currency.")},
       {"rateBasisPoints", described(schema::nullable(std::move(rate)),
                                     "PERCENT only (required there): 1 to 10000 (100 = 1%).")},
       {"preTax", described(schema::boolean(),
                            "Deductions only: taken before tax. Must be false for an EARNING.")},
       {"effectiveFrom", schema::date()},
       {"effectiveTo", described(schema::nullable(schema::date()),
                                 "Inclusive; not before effectiveFrom. null: open-ended.")}},
      {"kind", "name", "calc", "preTax", "effectiveFrom"});
  if (answer) {
    auto& required = component.as_object()["required"].as_array();
    for (auto key : {"amount", "currency", "rateBasisPoints", "effectiveTo"})
      required.emplace_back(key);
  }
  auto list = schema::array(std::move(component));
  list.as_object()["maxItems"] = rules::k_max_components;
  return described(std::move(list),
                   answer ? "The employee's components, in the order they were given."
                          : "The whole list: it replaces the current one (an empty array "
                            "removes all). Errors name the element, e.g. \"[2].amount\".");
}

value document() {
  return schema::object(
      {{"id", schema::uuid()},
       {"employeeId", schema::uuid()},
       {"documentType", schema::string(rules::k_document_type)},
       {"fileName", schema::string(rules::k_file_name)},
       {"contentType", schema::enumeration({"application/pdf", "image/png", "image/jpeg"})},
       {"size", described(schema::integer(1), "Bytes.")},
       {"sha256", described(schema::string(64, 64), "Lower-case hex.")},
       {"createdAt", schema::date_time()}},
      {"id", "employeeId", "documentType", "fileName", "contentType", "size", "sha256",
       "createdAt"});
}

value document_upload() {
  auto bytes = schema::formatted("binary");
  return described(
      std::move(bytes),
      "The file's raw bytes, at most 10 MiB (413 above). Content-Type application/pdf, image/png "
      "or image/jpeg, and the bytes must start as that type does (%PDF-, the PNG signature, "
      "FF D8 FF); anything else is 415 unsupported_media_type.");
}

value import_csv() {
  return described(
      schema::string(),
      "text/csv, UTF-8, RFC 4180 (quoted fields may hold commas, quotes written twice and line "
      "breaks; CRLF or LF), at most 10 MiB and 10000 data rows. The first line is the header: "
      "firstName, lastName, email, hireDate (YYYY-MM-DD), salaryAmount (a decimal in major units, "
      "e.g. 52000.50, with at most the currency's decimal places), salaryCurrency, salaryPeriod "
      "are required; employeeNumber, department, position, payFrequency (default MONTHLY) are "
      "optional; column names match case-insensitively, in any order, and any other column is "
      "an error. Values are trimmed of surrounding spaces; an empty optional value is absent.");
}

value import_answer() {
  auto error = schema::object(
      {{"row", described(schema::integer(0),
                         "The data row, from 1 (the header is row 0: header errors are there).")},
       {"field", described(schema::nullable(schema::string()),
                           "The column; null when the row as a whole is malformed.")},
       {"message", schema::string()}},
      {"row", "field", "message"});
  return described(
      schema::object(
          {{"created", described(schema::integer(0),
                                 "Employees created (each with a wallet): every row, or 0 when "
                                 "there is any error or on a dry run.")},
           {"rows", described(schema::integer(0), "Data rows read.")},
           {"dryRun", schema::boolean()},
           {"errors", described(schema::array(std::move(error)),
                                "Every problem, by row: bad values, duplicates inside the file "
                                "and against the organisation's employees. At most 1000.")},
           {"errorsTruncated", described(schema::boolean(), "More than 1000 errors were found.")}},
          {"created", "rows", "dryRun", "errors", "errorsTruncated"}),
      "All or nothing: any error creates nothing.");
}

}  // namespace payrollx::employee::schemas
