// What a payroll run writes by the hundred thousand names its parents without foreign keys: one
// check per statement (payroll/0008, transaction/0008, wallet/0008) refuses what the keys refused
// (and for an item more: its wallet must be its employee's own), and the parents refuse to be
// deleted or re-keyed (core/0008).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <string>

#include "test_database.hpp"

using namespace payrollx;
using Catch::Matchers::Contains;
using test::failure_of;

namespace {

// One organisation's rows, written as the owner: an employee with a wallet, a second employee
// with a wallet, and a draft run.
struct World {
  test::Sql sql;
  std::string organization, employee, wallet, other_employee, other_wallet, run;

  explicit World(const std::string& url) : sql(url) {
    organization = new_organization();
    employee = new_uuid();
    wallet = add_employee(employee, "a@example.com");
    other_employee = new_uuid();
    other_wallet = add_employee(other_employee, "b@example.com");
    run = new_run(organization);
  }

  std::string new_run(const std::string& org) {
    return *sql.scalar(
        "INSERT INTO payroll.payroll_runs (id, organization_id, type, period_start, period_end,"
        "  pay_date, currency) VALUES (gen_random_uuid(), $1, 'OFF_CYCLE', '2026-12-01',"
        "  '2026-12-31', '2026-12-31', 'USD') RETURNING id::text",
        {org});
  }

  std::string new_uuid() { return *sql.scalar("SELECT gen_random_uuid()::text"); }

  std::string new_organization() {
    return *sql.scalar(
        "INSERT INTO organization.organizations (name) VALUES ('Org ' || gen_random_uuid())"
        " RETURNING id::text");
  }

  // A new wallet of `org`, owned by `owner` of `owner_type`, in `currency`; its id.
  std::string add_wallet(const std::string& org, const std::string& owner_type,
                         const std::string& owner, const std::string& currency) {
    return *sql.scalar(
        "INSERT INTO wallet.wallets (id, organization_id, owner_type, owner_id, currency)"
        " VALUES (gen_random_uuid(), $1, $2, $3, $4) RETURNING id::text",
        {org, owner_type, owner, currency});
  }

  // An employee of the organisation, `id`, with a new USD wallet; the wallet's id.
  std::string add_employee(const std::string& id, const std::string& email) {
    const auto wallet_id = add_wallet(organization, "EMPLOYEE", id, "USD");
    sql.exec(
        "INSERT INTO employee.employees (id, organization_id, wallet_id, first_name, last_name,"
        "  email, hire_date, salary_amount, salary_currency, salary_period)"
        " VALUES ($1, $2, $3, 'A', 'B', $4, '2020-01-01', 100, 'USD', 'ANNUAL')",
        {id, organization, wallet_id, email});
    return wallet_id;
  }

  // Inserts items (employee, wallet) at positions 0, 1, ... in one statement, in `org`.
  std::string insert_items(const std::string& org, const std::string& run_id,
                           const std::string& employees, const std::string& wallets) {
    return failure_of(
        sql,
        "INSERT INTO payroll.payroll_items (id, organization_id, run_id, employee_id, wallet_id,"
        "  position, base_pay, earnings, gross, pre_tax_deductions, taxable, tax,"
        "  post_tax_deductions, net)"
        " SELECT gen_random_uuid(), $1, $2, e, w, p - 1, 1, 0, 1, 0, 1, 0, 0, 1"
        " FROM unnest($3::uuid[], $4::uuid[]) WITH ORDINALITY AS i(e, w, p)",
        {org, run_id, employees, wallets});
  }

  long long items() { return sql.count("SELECT count(*) FROM payroll.payroll_items"); }

  // One item of the run at `position`: the employee's, PAID by `transaction_id` when given.
  std::string insert_item(int position, const std::string& transaction_id = "") {
    return failure_of(
        sql,
        "INSERT INTO payroll.payroll_items (id, organization_id, run_id, employee_id, wallet_id,"
        "  position, base_pay, earnings, gross, pre_tax_deductions, taxable, tax,"
        "  post_tax_deductions, net, status, transaction_id)"
        " VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 1, 0, 1, 0, 1, 0, 0, 1,"
        "  CASE WHEN $6 = '' THEN 'PENDING' ELSE 'PAID' END, nullif($6, '')::uuid)",
        {organization, run, employee, wallet, std::to_string(position), transaction_id});
  }

  // A transaction of `amount` from `from` to `to` in `currency`, with `reversal_of` or NULL.
  std::string insert_transaction(const std::string& id, const std::string& from,
                                 const std::string& to, const std::string& currency,
                                 const std::string& reversal_of = "") {
    return failure_of(
        sql,
        "INSERT INTO transaction.transactions (id, organization_id, type, status, amount,"
        "  currency, from_wallet_id, to_wallet_id, reversal_of)"
        " VALUES ($1, $2, CASE WHEN $6 = '' THEN 'TRANSFER' ELSE 'REVERSAL' END, 'COMPLETED', 5,"
        "  $5, $3, $4, nullif($6, '')::uuid)",
        {id, organization, from, to, currency, reversal_of});
  }

  // Two entries of a transaction in one statement: a debit of `debited` and a credit of
  // `credited`, both in `currency`.
  std::string insert_entries(const std::string& transaction_id, const std::string& debited,
                             const std::string& credited, const std::string& currency) {
    return failure_of(
        sql,
        "INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction,"
        "  amount, balance_after, currency)"
        " VALUES (gen_random_uuid(), $1, $2, $4, 'DEBIT', 5, 0, $5),"
        "  (gen_random_uuid(), $1, $3, $4, 'CREDIT', 5, 5, $5)",
        {organization, debited, credited, transaction_id, currency});
  }

  // `count` transfers from `wallet` to `other_wallet` in one statement, but the last from
  // `last_from` to `last_to`, reversing `last_reverses` when given, in `last_organization` when
  // given.
  std::string insert_transactions(int count, const std::string& last_from,
                                  const std::string& last_to, const std::string& last_reverses = "",
                                  const std::string& last_organization = "") {
    return failure_of(
        sql,
        "INSERT INTO transaction.transactions (id, organization_id, type, status, amount,"
        "  currency, from_wallet_id, to_wallet_id, reversal_of)"
        " SELECT gen_random_uuid(),"
        "  CASE WHEN i = $2 AND $8 <> '' THEN $8::uuid ELSE $1::uuid END,"
        "  CASE WHEN i = $2 AND $7 <> '' THEN 'REVERSAL' ELSE 'TRANSFER' END, 'COMPLETED', 5,"
        "  'USD', CASE WHEN i = $2 THEN $3::uuid ELSE $4::uuid END,"
        "  CASE WHEN i = $2 THEN $5::uuid ELSE $6::uuid END,"
        "  CASE WHEN i = $2 THEN nullif($7, '')::uuid END"
        " FROM generate_series(1, $2::int) AS i",
        {organization, std::to_string(count), last_from, wallet, last_to, other_wallet,
         last_reverses, last_organization});
  }

  // Another organisation with two wallets and a transaction between them: ids that exist, but
  // not in this organisation. Returns {wallet, transaction}.
  std::pair<std::string, std::string> foreign_wallet_and_transaction() {
    const auto other_org = new_organization();
    const auto from = add_wallet(other_org, "EMPLOYEE", new_uuid(), "USD");
    const auto to = add_wallet(other_org, "EMPLOYEE", new_uuid(), "USD");
    const auto paid = new_uuid();
    sql.exec(
        "INSERT INTO transaction.transactions (id, organization_id, type, status, amount,"
        "  currency, from_wallet_id, to_wallet_id) VALUES ($1, $2, 'TRANSFER', 'COMPLETED', 5,"
        "  'USD', $3, $4)",
        {paid, other_org, from, to});
    return {to, paid};
  }

  // `count` credits of transaction `paid` to `wallet` in one statement, but the last one of
  // transaction `last_transaction` to `last_wallet`.
  std::string insert_credits(int count, const std::string& paid,
                             const std::string& last_transaction, const std::string& last_wallet) {
    return failure_of(
        sql,
        "INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction,"
        "  amount, balance_after, currency)"
        " SELECT gen_random_uuid(), $1, CASE WHEN i = $2 THEN $3::uuid ELSE $4::uuid END,"
        "  CASE WHEN i = $2 THEN $5::uuid ELSE $6::uuid END, 'CREDIT', 5, 5 * i, 'USD'"
        " FROM generate_series(1, $2::int) AS i",
        {organization, std::to_string(count), last_wallet, wallet, last_transaction, paid});
  }
};

// More rows than a check looks up one by one (core.probed_at_most): the check planned for the
// statement.
constexpr int k_run_sized = 40;

std::string array(const std::string& a, const std::string& b) {
  return fmt::format("{{{},{}}}", a, b);
}

}  // namespace

TEST_CASE(
    "payroll items: a statement naming a run, employee or wallet that is not there fails "
    "whole") {
  World w(test::fresh_database("item_refs_insert"));
  const auto employees = array(w.employee, w.other_employee);
  const auto wallets = array(w.wallet, w.other_wallet);

  SECTION("a run of another organisation") {
    CHECK_THAT(w.insert_items(w.organization, w.new_run(w.new_organization()), employees, wallets),
               Contains("23503") && Contains("run"));
  }
  SECTION("a run that does not exist") {
    CHECK_THAT(w.insert_items(w.organization, w.new_uuid(), employees, wallets),
               Contains("23503") && Contains("run"));
  }
  SECTION("an employee that does not exist, second of two rows") {
    CHECK_THAT(w.insert_items(w.organization, w.run, array(w.employee, w.new_uuid()), wallets),
               Contains("23503") && Contains("employee"));
  }
  SECTION("a wallet that is another employee's") {
    CHECK_THAT(w.insert_items(w.organization, w.run, employees, array(w.wallet, w.wallet)),
               Contains("23503") && Contains("wallet of the employee"));
  }
  SECTION("a wallet owned by the organisation, whatever its owner id says") {
    const auto not_a_payee = w.add_wallet(w.organization, "ORGANIZATION", w.other_employee, "EUR");
    CHECK_THAT(w.insert_items(w.organization, w.run, employees, array(w.wallet, not_a_payee)),
               Contains("23503") && Contains("wallet of the employee"));
  }
  SECTION("the right ids under another organisation") {
    const auto other_org = w.new_organization();
    CHECK_THAT(w.insert_items(other_org, w.run, employees, wallets), Contains("23503"));
  }
  SECTION("a paying transaction that does not exist") {
    CHECK_THAT(w.insert_item(0, w.new_uuid()), Contains("23503") && Contains("transaction"));
  }
  CHECK(w.items() == 0);

  // The same rows with their own run, employees and wallets are taken.
  CHECK(w.insert_items(w.organization, w.run, employees, wallets) == "succeeded");
  CHECK(w.items() == 2);
  // Once per employee in a run (payroll/0009's key), at any other place.
  CHECK_THAT(w.insert_item(7), Contains("23505") && Contains("payroll_items_employee_run_key"));
  CHECK(w.items() == 2);
}

TEST_CASE("payroll items: what an item names is never deleted or re-keyed, nor is the name") {
  World w(test::fresh_database("item_refs_kept"));
  REQUIRE(w.insert_items(w.organization, w.run, array(w.employee, w.other_employee),
                         array(w.wallet, w.other_wallet)) == "succeeded");
  const auto organization = w.organization;

  for (const char* table : {"employee.employees", "wallet.wallets", "payroll.payroll_runs"}) {
    INFO(table);
    CHECK_THAT(failure_of(w.sql, fmt::format("DELETE FROM {} WHERE organization_id = $1", table),
                          {organization}),
               Contains("23001"));
    CHECK_THAT(failure_of(w.sql, fmt::format("TRUNCATE {} CASCADE", table)), Contains("23001"));
    CHECK_THAT(failure_of(w.sql,
                          fmt::format("UPDATE {} SET id = gen_random_uuid() WHERE "
                                      "organization_id = $1",
                                      table),
                          {organization}),
               Contains("23001"));
  }
  CHECK_THAT(failure_of(w.sql, "UPDATE wallet.wallets SET owner_id = $1 WHERE id = $2",
                        {w.other_employee, w.wallet}),
             Contains("23001"));
  CHECK_THAT(
      failure_of(w.sql, "UPDATE wallet.wallets SET owner_type = 'ORGANIZATION' WHERE id = $1",
                 {w.wallet}),
      Contains("23001"));
  // A truncation cascading from the organisations reaches them too.
  CHECK_THAT(failure_of(w.sql, "TRUNCATE organization.organizations CASCADE"), Contains("23001"));
  CHECK_THAT(failure_of(w.sql,
                        "UPDATE payroll.payroll_items SET wallet_id = $1 WHERE "
                        "employee_id = $2",
                        {w.other_wallet, w.employee}),
             Contains("23001"));
  CHECK_THAT(failure_of(w.sql, "UPDATE payroll.payroll_items SET run_id = gen_random_uuid()"),
             Contains("23001"));

  // What does change still does: a status, a name, a balance.
  CHECK(failure_of(w.sql, "UPDATE payroll.payroll_items SET status = 'CANCELLED'") == "succeeded");
  CHECK(failure_of(w.sql, "UPDATE employee.employees SET first_name = 'C' WHERE id = $1",
                   {w.employee}) == "succeeded");
  CHECK(failure_of(w.sql, "UPDATE wallet.wallets SET balance = 5 WHERE id = $1", {w.wallet}) ==
        "succeeded");
  CHECK(w.sql.count("SELECT count(*) FROM employee.employees") == 2);
  CHECK(w.sql.count("SELECT count(*) FROM payroll.payroll_runs") == 1);
}

TEST_CASE(
    "ledger rows: a transaction or entry naming a wallet, currency or transaction that is not "
    "there fails whole") {
  World w(test::fresh_database("ledger_refs_insert"));
  const auto euros = w.add_wallet(w.organization, "EMPLOYEE", w.employee, "EUR");
  const auto paid = w.new_uuid();
  REQUIRE(w.insert_transaction(paid, w.wallet, w.other_wallet, "USD") == "succeeded");

  // A transaction: its source in its currency, its destination, what it reverses.
  CHECK_THAT(w.insert_transaction(w.new_uuid(), euros, w.other_wallet, "USD"), Contains("23503"));
  CHECK_THAT(w.insert_transaction(w.new_uuid(), w.wallet, w.new_uuid(), "USD"), Contains("23503"));
  CHECK_THAT(w.insert_transaction(w.new_uuid(), w.other_wallet, w.wallet, "USD", w.new_uuid()),
             Contains("23503"));
  const auto reversal = w.new_uuid();
  CHECK(w.insert_transaction(reversal, w.other_wallet, w.wallet, "USD", paid) == "succeeded");
  // ... and what reverses it, set later.
  const auto set_reversed_by = "UPDATE transaction.transactions SET reversed_by = $1 WHERE id = $2";
  CHECK_THAT(failure_of(w.sql, set_reversed_by, {w.new_uuid(), paid}), Contains("23503"));
  CHECK(failure_of(w.sql, set_reversed_by, {reversal, paid}) == "succeeded");
  CHECK(w.sql.count("SELECT count(*) FROM transaction.transactions") == 2);

  // Ids of another organisation's wallet and transaction are not this one's.
  const auto [foreign_wallet, foreign_transaction] = w.foreign_wallet_and_transaction();
  CHECK_THAT(w.insert_transaction(w.new_uuid(), w.wallet, foreign_wallet, "USD"),
             Contains("23503") && Contains("destination wallet"));
  CHECK_THAT(w.insert_entries(foreign_transaction, w.wallet, w.other_wallet, "USD"),
             Contains("23503") && Contains("transaction"));

  // An entry: its transaction, its wallet in its currency; the statement's every row.
  CHECK_THAT(w.insert_entries(w.new_uuid(), w.wallet, w.other_wallet, "USD"), Contains("23503"));
  CHECK_THAT(w.insert_entries(paid, w.wallet, euros, "USD"), Contains("23503"));
  CHECK_THAT(w.insert_entries(paid, w.wallet, w.new_uuid(), "USD"), Contains("23503"));
  CHECK(w.sql.count("SELECT count(*) FROM wallet.entries") == 0);
  CHECK(w.insert_entries(paid, w.wallet, w.other_wallet, "USD") == "succeeded");
  CHECK(w.sql.count("SELECT count(*) FROM wallet.entries") == 2);

  // An item is marked paid only by a transaction of its organisation.
  REQUIRE(w.insert_items(w.organization, w.run, array(w.employee, w.other_employee),
                         array(w.wallet, w.other_wallet)) == "succeeded");
  const auto mark_paid =
      "UPDATE payroll.payroll_items SET transaction_id = $1 WHERE employee_id = $2";
  CHECK_THAT(failure_of(w.sql, mark_paid, {w.new_uuid(), w.employee}), Contains("23503"));
  CHECK(failure_of(w.sql, mark_paid, {paid, w.employee}) == "succeeded");
  CHECK_THAT(failure_of(w.sql,
                        "UPDATE payroll.payroll_items SET reversal_transaction_id = $1"
                        " WHERE employee_id = $2",
                        {w.new_uuid(), w.employee}),
             Contains("23503"));
}

TEST_CASE("ledger rows: a transaction and an entry keep what they name, and so do their wallets") {
  World w(test::fresh_database("ledger_refs_kept"));
  const auto paid = w.new_uuid();
  REQUIRE(w.insert_transaction(paid, w.wallet, w.other_wallet, "USD") == "succeeded");
  REQUIRE(w.insert_entries(paid, w.wallet, w.other_wallet, "USD") == "succeeded");

  CHECK_THAT(failure_of(w.sql, "DELETE FROM transaction.transactions"), Contains("23001"));
  CHECK_THAT(failure_of(w.sql, "TRUNCATE transaction.transactions CASCADE"), Contains("23001"));
  for (const char* change : {"amount = 6", "to_wallet_id = from_wallet_id", "currency = 'EUR'",
                             "id = gen_random_uuid()"}) {
    INFO(change);
    CHECK_THAT(failure_of(w.sql, fmt::format("UPDATE transaction.transactions SET {}", change)),
               Contains("23001"));
  }
  CHECK_THAT(failure_of(w.sql, "UPDATE wallet.entries SET wallet_id = $1", {w.wallet}),
             Contains("23001"));
  CHECK_THAT(failure_of(w.sql, "UPDATE wallet.wallets SET currency = 'EUR'"), Contains("23001"));
  // A status still changes.
  CHECK(failure_of(w.sql, "UPDATE transaction.transactions SET status = 'FAILED'") == "succeeded");
}

TEST_CASE("ledger rows: a run-sized statement is checked row for row like a transfer's") {
  World w(test::fresh_database("ledger_refs_run_sized"));
  REQUIRE(w.sql.count("SELECT core.probed_at_most()") < k_run_sized);
  const auto euros = w.add_wallet(w.organization, "EMPLOYEE", w.employee, "EUR");

  // Transactions: the last row's source in another currency, its destination missing.
  CHECK_THAT(w.insert_transactions(k_run_sized, euros, w.other_wallet),
             Contains("23503") && Contains("source wallet in its currency"));
  CHECK_THAT(w.insert_transactions(k_run_sized, w.wallet, w.new_uuid()),
             Contains("23503") && Contains("destination wallet"));
  CHECK_THAT(w.insert_transactions(k_run_sized, w.wallet, w.other_wallet, w.new_uuid()),
             Contains("23503") && Contains("reversed transaction"));
  const auto [foreign_wallet, foreign_transaction] = w.foreign_wallet_and_transaction();
  CHECK_THAT(w.insert_transactions(k_run_sized, w.wallet, foreign_wallet),
             Contains("23503") && Contains("destination wallet"));
  CHECK(w.sql.count("SELECT count(*) FROM transaction.transactions") == 1);  // the foreign one
  REQUIRE(w.insert_transactions(k_run_sized, w.wallet, w.other_wallet) == "succeeded");

  // What reverses them, set on every row at once: one missing.
  const auto paid =
      *w.sql.scalar("SELECT min(id::text) FROM transaction.transactions WHERE organization_id = $1",
                    {w.organization});
  CHECK_THAT(failure_of(w.sql,
                        "UPDATE transaction.transactions"
                        " SET reversed_by = CASE WHEN id = $1 THEN gen_random_uuid() ELSE id END"
                        " WHERE organization_id = $2",
                        {paid, w.organization}),
             Contains("23503") && Contains("reversal"));
  CHECK(w.sql.count(
            "SELECT count(*) FROM transaction.transactions WHERE reversed_by IS NOT NULL") == 0);
  CHECK(
      failure_of(w.sql,
                 "UPDATE transaction.transactions SET reversed_by = id WHERE organization_id = $1",
                 {w.organization}) == "succeeded");

  // Entries: the last one's transaction missing, its wallet missing or in another currency.
  CHECK_THAT(w.insert_credits(k_run_sized, paid, w.new_uuid(), w.wallet),
             Contains("23503") && Contains("transaction"));
  CHECK_THAT(w.insert_credits(k_run_sized, paid, paid, w.new_uuid()),
             Contains("23503") && Contains("wallet in its currency"));
  CHECK_THAT(w.insert_credits(k_run_sized, paid, paid, euros), Contains("23503"));
  CHECK_THAT(w.insert_credits(k_run_sized, paid, foreign_transaction, w.wallet),
             Contains("23503") && Contains("transaction"));
  CHECK(w.sql.count("SELECT count(*) FROM wallet.entries") == 0);
  CHECK(w.insert_credits(k_run_sized, paid, paid, w.other_wallet) == "succeeded");
  CHECK(w.sql.count("SELECT count(*) FROM wallet.entries") == k_run_sized);
}

TEST_CASE("ledger rows: a run-sized statement over two organisations checks each row in its own") {
  World w(test::fresh_database("ledger_refs_two_orgs"));
  const auto other_org = w.new_organization();
  const auto other_from = w.add_wallet(other_org, "EMPLOYEE", w.new_uuid(), "USD");
  const auto other_to = w.add_wallet(other_org, "EMPLOYEE", w.new_uuid(), "USD");
  // k_run_sized transfers of this organisation, the last one of `other_org`; the check reads
  // both organisations' wallets (transaction/0009).
  const auto transfers = [&](const std::string& from, const std::string& to) {
    return w.insert_transactions(k_run_sized, from, to, "", other_org);
  };
  CHECK_THAT(transfers(w.wallet, other_to), Contains("23503") && Contains("source wallet"));
  CHECK_THAT(transfers(other_from, w.other_wallet),
             Contains("23503") && Contains("destination wallet"));
  CHECK(w.sql.count("SELECT count(*) FROM transaction.transactions") == 0);
  REQUIRE(transfers(other_from, other_to) == "succeeded");

  // Their entries: the last credit of `other_org` naming this organisation's wallet.
  const auto credits = [&](const std::string& last_wallet) {
    return failure_of(
        w.sql,
        "INSERT INTO wallet.entries (id, organization_id, wallet_id, transaction_id, direction,"
        "  amount, balance_after, currency)"
        " SELECT gen_random_uuid(), t.organization_id,"
        "  CASE WHEN t.organization_id = $1 THEN t.to_wallet_id ELSE $2::uuid END, t.id,"
        "  'CREDIT', 5, 5 * row_number() OVER (PARTITION BY t.to_wallet_id ORDER BY t.id), 'USD'"
        " FROM transaction.transactions t",
        {w.organization, last_wallet});
  };
  CHECK_THAT(credits(w.other_wallet), Contains("23503") && Contains("wallet in its currency"));
  CHECK(w.sql.count("SELECT count(*) FROM wallet.entries") == 0);
  CHECK(credits(other_to) == "succeeded");
  CHECK(w.sql.count("SELECT count(*) FROM wallet.entries") == k_run_sized);
}
