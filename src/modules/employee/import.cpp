// The CSV import: every row is checked (per-field errors with the row number), duplicates are
// found inside the file and against the organisation's employees, and only a file without a
// single error is written — set-based, whatever its size: one statement for the wallets, one for
// the employees, one for the audit entries (sealed by one before-commit hook).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <span>

#include "core/currency.hpp"
#include "core/db/error.hpp"
#include "core/db/pool.hpp"
#include "core/email.hpp"
#include "core/error.hpp"
#include "core/utf8.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/employee/csv.hpp"
#include "modules/employee/decimal.hpp"
#include "modules/employee/employee.hpp"
#include "modules/employee/rules.hpp"
#include "modules/employee/store.hpp"

namespace payrollx::employee {
namespace {

using boost::asio::awaitable;

// One request's worth: the wallets, employees and audit entries of this many rows are a few
// statements of a few megabytes each, and the transaction stays short.
constexpr std::size_t k_max_rows = 10000;
// The answer lists at most this many errors (the first ones, by row); `errorsTruncated` says
// when there were more.
constexpr std::size_t k_max_errors = 1000;

enum Column : std::size_t {
  first_name,
  last_name,
  email,
  hire_date,
  salary_amount,
  salary_currency,
  salary_period,
  employee_number,
  department,
  position,
  pay_frequency,
  column_count
};

struct ColumnSpec {
  std::string_view name;
  bool required;
};

constexpr std::array<ColumnSpec, column_count> k_columns{{{"firstName", true},
                                                          {"lastName", true},
                                                          {"email", true},
                                                          {"hireDate", true},
                                                          {"salaryAmount", true},
                                                          {"salaryCurrency", true},
                                                          {"salaryPeriod", true},
                                                          {"employeeNumber", false},
                                                          {"department", false},
                                                          {"position", false},
                                                          {"payFrequency", false}}};

using Currencies = std::map<std::string, int, std::less<>>;  // code → scale

class ErrorList {
 public:
  void add(std::size_t row, std::optional<std::string_view> field, std::string message) {
    std::optional<std::string> name;
    if (field) name = std::string(*field);
    errors_.push_back({row, std::move(name), std::move(message)});
  }
  void add(std::size_t row, Column column, std::string message) {
    add(row, k_columns[column].name, std::move(message));
  }
  bool empty() const { return errors_.empty(); }

  // By row (the header's first), each row's errors in column order; at most k_max_errors.
  void move_to(ImportResult& result) {
    std::stable_sort(errors_.begin(), errors_.end(),
                     [](const ImportError& a, const ImportError& b) { return a.row < b.row; });
    result.errors_truncated = errors_.size() > k_max_errors;
    if (result.errors_truncated) errors_.resize(k_max_errors);
    result.errors = std::move(errors_);
  }

 private:
  std::vector<ImportError> errors_;
};

std::string_view trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

std::string lower(std::string_view text) {
  return rules::lower_ascii(text);
}

// Which file column holds each of ours; header problems are errors of row 0.
struct Header {
  std::array<std::optional<std::size_t>, column_count> at;
  std::size_t width = 0;
};

std::optional<Header> read_header(const CsvRecord& record, ErrorList& errors) {
  Header header;
  header.width = record.fields.size();
  if (!record.error.empty()) {
    errors.add(0, std::nullopt, "the header row is malformed: " + record.error);
    return std::nullopt;
  }
  bool ok = true;
  for (std::size_t i = 0; i < record.fields.size(); ++i) {
    auto name = trim(record.fields[i]);
    // Names match case-insensitively: spreadsheets and people rewrite headers' case.
    auto spec = std::find_if(k_columns.begin(), k_columns.end(),
                             [&](const ColumnSpec& c) { return lower(c.name) == lower(name); });
    std::string shown = is_valid_utf8(name) ? std::string(name) : fmt::format("column {}", i + 1);
    if (spec == k_columns.end()) {
      errors.add(0, shown, "is not a known column");
      ok = false;
      continue;
    }
    auto column = static_cast<std::size_t>(spec - k_columns.begin());
    if (header.at[column]) {
      errors.add(0, spec->name, "appears more than once in the header");
      ok = false;
      continue;
    }
    header.at[column] = i;
  }
  for (std::size_t column = 0; column < column_count; ++column)
    if (k_columns[column].required && !header.at[column]) {
      errors.add(0, k_columns[column].name, "is a required column and is missing from the header");
      ok = false;
    }
  if (!ok) return std::nullopt;
  return header;
}

// One data row's checks; the fields are trimmed of surrounding spaces and tabs (a name with a
// trailing space is always a typing accident).
class RowReader {
 public:
  RowReader(const CsvRecord& record, const Header& header, std::size_t row, ErrorList& errors)
      : record_(record), header_(header), row_(row), errors_(errors) {}

  // The column's trimmed text; nullopt (with an error) when it is not valid text.
  std::optional<std::string> text(Column column, json::StringRule rule, bool required) {
    auto index = header_.at[column];
    std::string_view value = index ? trim(record_.fields[*index]) : std::string_view();
    if (value.empty()) {
      if (required) fail(column, "is required");
      return std::nullopt;
    }
    if (!is_valid_utf8(value)) return fail(column, "is not valid UTF-8");
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r')
        return fail(column, "must not contain control characters");
    auto length = json::utf8_length(value);
    if (length < rule.min)
      return fail(column, fmt::format("must be at least {} characters", rule.min));
    if (length > rule.max)
      return fail(column, fmt::format("must be at most {} characters", rule.max));
    return std::string(value);
  }

  std::optional<std::string> one_of(Column column, std::span<const std::string_view> allowed,
                                    bool required) {
    auto value = text(column, {1, 64}, required);
    if (!value) return std::nullopt;
    for (auto candidate : allowed)
      if (candidate == *value) return value;
    return fail(column, rules::one_of(allowed));
  }

  std::nullopt_t fail(Column column, std::string message) {
    errors_.add(row_, column, std::move(message));
    ok_ = false;
    return std::nullopt;
  }

  bool ok() const { return ok_; }

 private:
  const CsvRecord& record_;
  const Header& header_;
  std::size_t row_;
  ErrorList& errors_;
  bool ok_ = true;
};

struct ImportRow {
  std::size_t row = 0;
  NewEmployee employee;
};

std::optional<ImportRow> read_row(const CsvRecord& record, const Header& header, std::size_t row,
                                  const Currencies& currencies, ErrorList& errors) {
  if (!record.error.empty()) {
    errors.add(row, std::nullopt, record.error);
    return std::nullopt;
  }
  if (record.fields.size() != header.width) {
    errors.add(row, std::nullopt,
               fmt::format("has {} fields; the header has {}", record.fields.size(), header.width));
    return std::nullopt;
  }
  RowReader reader(record, header, row, errors);
  ImportRow result{.row = row};
  auto& out = result.employee;
  auto first = reader.text(first_name, rules::k_name, true);
  auto last = reader.text(last_name, rules::k_name, true);
  auto mail = reader.text(email, rules::k_email, true);
  if (mail) {
    *mail = lower(*mail);
    if (!is_valid_email(*mail)) mail = reader.fail(email, "must be a valid email address");
  }
  auto hired_text = reader.text(hire_date, {1, 32}, true);
  std::optional<Date> hired;
  if (hired_text) {
    hired = parse_date(*hired_text);
    if (!hired) reader.fail(hire_date, "must be a date (YYYY-MM-DD)");
  }
  auto currency = reader.text(salary_currency, k_currency_code, true);
  std::optional<int> scale;
  if (currency) {
    auto known = currencies.find(*currency);
    if (known == currencies.end())
      reader.fail(salary_currency, "is not a known currency");
    else
      scale = known->second;
  }
  auto amount_text = reader.text(salary_amount, {1, 40}, true);
  std::optional<std::int64_t> amount;
  if (amount_text && scale) {
    auto minor = to_minor_units(*amount_text, *scale);
    if (!minor.ok())
      reader.fail(salary_amount, minor.error);
    else if (minor.value <= 0)
      reader.fail(salary_amount, "must be greater than 0");
    else
      amount = minor.value;
  }
  auto period = reader.one_of(salary_period, rules::k_salary_periods, true);
  auto number = reader.text(employee_number, rules::k_employee_number, false);
  auto dept = reader.text(department, rules::k_department, false);
  auto role = reader.text(position, rules::k_position, false);
  auto frequency = reader.one_of(pay_frequency, rules::k_pay_frequencies, false);
  if (!reader.ok()) return std::nullopt;

  out.first_name = std::move(*first);
  out.last_name = std::move(*last);
  out.email = std::move(*mail);
  out.employee_number = std::move(number);
  out.department = std::move(dept);
  out.position = std::move(role);
  out.hire_date = *hired;
  out.salary = {.amount = *amount, .currency = std::move(*currency), .period = std::move(*period)};
  out.pay_frequency = frequency.value_or("MONTHLY");
  return result;
}

// Later rows that repeat an earlier row's email or employee number.
void find_duplicates_in_file(const std::vector<ImportRow>& rows, ErrorList& errors) {
  std::map<std::string_view, std::size_t> emails, numbers;
  for (const auto& row : rows) {
    auto [email_at, new_email] = emails.emplace(row.employee.email, row.row);
    if (!new_email)
      errors.add(row.row, "email", fmt::format("is also on row {}", email_at->second));
    if (!row.employee.employee_number) continue;
    auto [number_at, new_number] = numbers.emplace(*row.employee.employee_number, row.row);
    if (!new_number)
      errors.add(row.row, "employeeNumber", fmt::format("is also on row {}", number_at->second));
  }
}

awaitable<void> find_taken(db::Tx& tx, const Uuid& organization_id,
                           const std::vector<ImportRow>& rows, ErrorList& errors) {
  std::vector<std::string> emails, numbers;
  for (const auto& row : rows) {
    emails.push_back(row.employee.email);
    if (row.employee.employee_number) numbers.push_back(*row.employee.employee_number);
  }
  auto taken = co_await store::select_taken(tx, organization_id, emails, numbers);
  for (const auto& row : rows) {
    if (taken.emails.contains(row.employee.email))
      errors.add(row.row, "email", "is already used by an employee of the organisation");
    if (row.employee.employee_number && taken.numbers.contains(*row.employee.employee_number))
      errors.add(row.row, "employeeNumber", "is already used by an employee of the organisation");
  }
}

struct Parsed {
  std::vector<ImportRow> rows;
  std::size_t data_rows = 0;
  bool header_ok = false;
};

Parsed parse_file(std::string_view csv, const Currencies& currencies, ErrorList& errors) {
  Parsed parsed;
  auto records = parse_csv(csv);
  if (records.empty()) {
    errors.add(0, std::nullopt, "the file is empty: its first line must be the header");
    return parsed;
  }
  parsed.data_rows = records.size() - 1;
  if (parsed.data_rows > k_max_rows) {
    errors.add(0, std::nullopt,
               fmt::format("the file has {} data rows; an import takes at most {}",
                           parsed.data_rows, k_max_rows));
    return parsed;
  }
  auto header = read_header(records[0], errors);
  if (!header) return parsed;
  parsed.header_ok = true;
  parsed.rows.reserve(parsed.data_rows);
  for (std::size_t i = 1; i < records.size(); ++i)
    if (auto row = read_row(records[i], *header, i, currencies, errors))
      parsed.rows.push_back(std::move(*row));
  find_duplicates_in_file(parsed.rows, errors);
  return parsed;
}

}  // namespace

awaitable<ImportResult> Service::import_csv(const Uuid& organization_id, std::string csv,
                                            bool dry_run, const compliance::Actor& actor) {
  const Currencies currencies = co_await store::select_currencies(pool_);

  ErrorList errors;
  auto parsed = parse_file(csv, currencies, errors);
  ImportResult result{.rows = parsed.data_rows, .dry_run = dry_run};
  if (!parsed.header_ok || parsed.rows.empty()) {
    errors.move_to(result);
    co_return result;
  }

  auto body = [&](db::Tx& tx) -> awaitable<ImportResult> {
    ImportResult answer = result;
    ErrorList all = errors;
    co_await find_taken(tx, organization_id, parsed.rows, all);
    if (!all.empty() || dry_run) {
      all.move_to(answer);
      co_return answer;
    }

    std::vector<wallet::NewWallet> new_wallets;
    std::vector<Uuid> ids;
    new_wallets.reserve(parsed.rows.size());
    for (const auto& row : parsed.rows) {
      ids.push_back(Uuid::random());
      new_wallets.push_back({.owner_type = wallet::OwnerType::employee,
                             .owner_id = ids.back(),
                             .currency = row.employee.salary.currency});
    }
    auto opened = co_await wallets_.open_many(tx, organization_id, new_wallets, actor);
    std::map<Uuid, Uuid> wallet_of;  // owner → wallet
    for (const auto& w : opened) wallet_of.emplace(w.owner_id, w.id);

    std::vector<store::ImportedEmployee> imported;
    imported.reserve(parsed.rows.size());
    for (std::size_t i = 0; i < parsed.rows.size(); ++i)
      imported.push_back(
          {.id = ids[i], .wallet_id = wallet_of.at(ids[i]), .employee = parsed.rows[i].employee});
    std::vector<Employee> inserted;
    try {
      inserted = co_await store::insert_many(tx, organization_id, imported);
    } catch (const db::Error& e) {
      // Another request added one of these employees after the duplicate check.
      if (e.is_unique_violation())
        throw conflict(
            "An employee of the file was added meanwhile by another request; import again to "
            "see which rows.");
      throw;
    }

    std::vector<compliance::AuditEntry> entries;
    entries.reserve(inserted.size());
    for (const auto& employee : inserted) {
      entries.push_back({.organization_id = organization_id,
                         .actor = actor,
                         .action = "employee.created",
                         .entity_type = "employee",
                         .entity_id = employee.id,
                         .before = nullptr,
                         .after = to_json(employee)});
    }
    co_await audit_.append_many(tx, std::move(entries));
    answer.created = static_cast<std::int64_t>(inserted.size());
    co_return answer;
  };
  co_return co_await pool_.transaction(body);
}

}  // namespace payrollx::employee
