// Organisation-first keys, read from the catalog of a migrated database: every tenant table
// carries organization_id NOT NULL, every primary key, unique constraint and unique index
// starts with it, and every reference between tenant tables goes through it. Then the upgrade
// of a database that holds rows from before the rule.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/db/migrations.hpp"
#include "test_database.hpp"

using namespace payrollx;

namespace {

// Tables that are not an organisation's rows, each with its reason. Anything else in a module
// schema is a tenant table. The auth schema is the identity directory as a whole: a person
// signs in by email and accepts an invitation by its token before any organisation is known,
// and a SUPER_ADMIN belongs to none.
const std::map<std::string, std::string> k_global_tables{
    {"core.schema_migrations", "the migrations applied to the database"},
    {"core.currencies", "reference data, the same for every organisation"},
    {"organization.organizations", "the tenants themselves: id is the organisation"},
};
const std::set<std::string> k_global_schemas{"auth"};
const std::set<std::string> k_module_schemas{"auth",     "compliance",   "core",
                                             "employee", "notification", "organization",
                                             "payroll",  "transaction",  "wallet"};

std::string module_schemas_sql() {
  std::string list;
  for (const auto& schema : k_module_schemas) list += (list.empty() ? "'" : ", '") + schema + "'";
  return list;
}

bool is_tenant(const std::string& table) {
  if (k_global_tables.contains(table)) return false;
  return !k_global_schemas.contains(table.substr(0, table.find('.')));
}

std::vector<std::string> tables(test::Sql& sql) {
  std::vector<std::string> names;
  for (auto& row : sql.rows(fmt::format("SELECT n.nspname || '.' || c.relname FROM pg_class c "
                                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                        "WHERE c.relkind IN ('r', 'p') AND n.nspname IN ({}) "
                                        "ORDER BY 1",
                                        module_schemas_sql())))
    names.push_back(*row[0]);
  return names;
}

// Every key of a table that promises uniqueness (primary keys, unique constraints, unique
// indexes, partial or not), as "index name: first column" (an expression has no column).
std::vector<std::pair<std::string, std::string>> unique_keys(test::Sql& sql,
                                                             const std::string& table) {
  std::vector<std::pair<std::string, std::string>> keys;
  for (auto& row : sql.rows("SELECT i.indexrelid::regclass::text, coalesce(a.attname, '')"
                            " FROM pg_index i LEFT JOIN pg_attribute a"
                            "   ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                            " WHERE i.indrelid = $1::regclass AND i.indisunique",
                            {table}))
    keys.emplace_back(*row[0], *row[1]);
  return keys;
}

// Foreign keys between tenant tables: "table(columns) -> table(columns)".
std::set<std::string> tenant_references(test::Sql& sql) {
  std::set<std::string> references;
  auto rows = sql.rows(fmt::format(
      "SELECT k.conrelid::regclass::text, k.confrelid::regclass::text,"
      " (SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY"
      "   AS u(attnum, ord) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = "
      "u.attnum),"
      " (SELECT string_agg(a.attname, ',' ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY"
      "   AS u(attnum, ord) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = "
      "u.attnum)"
      " FROM pg_constraint k WHERE k.contype = 'f' AND k.connamespace::regnamespace::text IN ({})",
      module_schemas_sql()));
  for (auto& row : rows) {
    if (!is_tenant(*row[0]) || !is_tenant(*row[1])) continue;
    references.insert(fmt::format("{}({}) -> {}({})", *row[0], *row[2], *row[1], *row[3]));
  }
  return references;
}

}  // namespace

TEST_CASE("organisation-first keys: every tenant table keys its rows by organisation first") {
  test::Sql sql(test::fresh_database("org_first_catalog"));
  auto all = tables(sql);
  REQUIRE(all.size() > 25);
  // A schema the rule does not know about would escape it.
  CHECK(sql.count(fmt::format("SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ({})"
                              " AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'"
                              " AND nspname <> 'public'",
                              module_schemas_sql())) == 0);
  for (const auto& [table, reason] : k_global_tables)
    CHECK(std::find(all.begin(), all.end(), table) != all.end());

  int tenant_tables = 0;
  for (const auto& table : all) {
    if (!is_tenant(table)) continue;
    ++tenant_tables;
    INFO(table);
    CHECK(sql.scalar("SELECT a.attnotnull::text FROM pg_attribute a WHERE a.attrelid = "
                     "$1::regclass AND a.attname = 'organization_id' AND NOT a.attisdropped",
                     {table}) == "true");
    auto keys = unique_keys(sql, table);
    CHECK_FALSE(keys.empty());
    for (const auto& [index, first_column] : keys) {
      INFO(index);
      CHECK(first_column == "organization_id");
    }
  }
  CHECK(tenant_tables >= 24);
}

TEST_CASE(
    "organisation-first keys: every reference between tenant tables names the "
    "organisation, and none was lost") {
  test::Sql sql(test::fresh_database("org_first_references"));
  // The full list: a foreign key dropped with the key it pointed at and not put back fails here.
  const std::set<std::string> expected{
      "compliance.audit_seals(organization_id,entry_id) -> "
      "compliance.audit_logs(organization_id,id)",
      "compliance.audit_unsealed(organization_id,entry_id) -> "
      "compliance.audit_logs(organization_id,id)",
      "compliance.report_chunks(organization_id,report_id) -> "
      "compliance.reports(organization_id,id)",
      "compliance.tax_brackets(organization_id,table_id) -> "
      "compliance.tax_tables(organization_id,id)",
      "employee.components(organization_id,employee_id) -> employee.employees(organization_id,id)",
      "employee.documents(organization_id,employee_id) -> employee.employees(organization_id,id)",
      "employee.employees(organization_id,wallet_id) -> wallet.wallets(organization_id,id)",
      // What a payroll run writes by the hundred thousand (its items, transactions and entries)
      // is checked once per statement instead (0008; references_per_statement_test).
      "payroll.payroll_runs(organization_id,schedule_id) -> "
      "payroll.pay_schedules(organization_id,id)",
      "payroll.payroll_runs(organization_id,treasury_wallet_id) -> "
      "wallet.wallets(organization_id,id)",
      "transaction.settlement_attempts(organization_id,transaction_id) -> "
      "transaction.settlements(organization_id,transaction_id)",
      "transaction.settlements(organization_id,transaction_id) -> "
      "transaction.transactions(organization_id,id)",
      "transaction.transaction_logs(organization_id,transaction_id) -> "
      "transaction.transactions(organization_id,id)",
      "wallet.holds(organization_id,wallet_id) -> wallet.wallets(organization_id,id)",
  };
  CHECK(tenant_references(sql) == expected);
}

TEST_CASE("organisation-first keys: every tenant row belongs to an organisation that exists") {
  test::Sql sql(test::fresh_database("org_first_owner"));
  // Tenant tables whose organisation the database does not check, each with its reason.
  const std::map<std::string, std::string> unchecked{
      {"core.idempotency_keys",
       "the request that stores a key has just found its organisation, "
       "and the key lives a day"},
      {"payroll.payroll_items",
       "its run, employee, wallet and transactions are checked once per statement "
       "(payroll/0008): a row trigger each was half of a large run's calculation"},
      {"transaction.transactions",
       "its wallets and the transactions it reverses or is reversed by are checked once per "
       "statement (transaction/0008): a row trigger each was a large part of a run's execute"},
      {"wallet.entries",
       "its transaction and wallet are checked once per statement (wallet/0008): a row "
       "trigger each was a large part of a run's execute"},
      {"notification.notifications",
       "its organisation is locked and checked once per statement, and kept while it has "
       "notices (notification/0010): a row trigger each was a tenth of a large run's execute"},
      {"notification.deliveries",
       "a trigger per row was half the cost of a large run's fan-out; "
       "only ids its caller's transaction has just read are written"},
  };
  // Either a foreign key to the organisation itself, or one through a parent that has it: a
  // key of NOT NULL columns that starts with organization_id and points at a tenant table.
  auto rows = sql.rows(fmt::format(
      "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      " WHERE c.relkind = 'r' AND n.nspname IN ({}) AND NOT EXISTS ("
      "   SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'f'"
      "     AND (k.confrelid = 'organization.organizations'::regclass OR ("
      "       (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = c.oid"
      "          AND a.attnum = k.conkey[1]) = 'organization_id'"
      "       AND NOT EXISTS (SELECT 1 FROM unnest(k.conkey) u(attnum) JOIN pg_attribute a"
      "         ON a.attrelid = c.oid AND a.attnum = u.attnum WHERE NOT a.attnotnull))))"
      " ORDER BY 1",
      module_schemas_sql()));
  std::set<std::string> orphans_possible;
  for (auto& row : rows)
    if (is_tenant(*row[0]) && !unchecked.contains(*row[0])) orphans_possible.insert(*row[0]);
  CHECK(orphans_possible == std::set<std::string>{});
  for (const auto& [table, reason] : unchecked) CHECK(is_tenant(table));
}

TEST_CASE("organisation-first keys: a database with rows from before the rule is upgraded") {
  auto url = test::empty_database("org_first_upgrade");
  std::vector<db::Migration> before, all = db::embedded_migrations();
  for (const auto& migration : all)
    if (migration.file < "0005") before.push_back(migration);
  REQUIRE(before.size() < all.size());
  db::migrate(url, {}, before);

  test::Sql sql(url);
  sql.exec(R"sql(
    INSERT INTO organization.organizations (id, name)
    VALUES ('00000000-0000-4000-8000-000000000001', 'Acme'),
           ('00000000-0000-4000-8000-000000000002', 'Globex');
    INSERT INTO compliance.tax_tables (id, organization_id, name, currency, effective_from)
    VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000002',
            'flat', 'USD', '2026-01-01');
    INSERT INTO compliance.tax_brackets (table_id, position, up_to, rate_basis_points)
    VALUES ('00000000-0000-4000-8000-0000000000a1', 0, NULL, 1000);
    INSERT INTO compliance.reports (id, organization_id, kind, format, period_start, period_end,
                                    status)
    VALUES ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-000000000001',
            'PAYROLL_REGISTER', 'CSV', '2026-01-01', '2026-01-31', 'RUNNING');
    INSERT INTO compliance.report_chunks (report_id, position, data)
    VALUES ('00000000-0000-4000-8000-0000000000b1', 0, 'a,b'::bytea);
    INSERT INTO wallet.wallets (id, organization_id, owner_type, owner_id, currency)
    VALUES ('00000000-0000-4000-8000-0000000000c1', '00000000-0000-4000-8000-000000000001',
            'ORGANIZATION', '00000000-0000-4000-8000-000000000001', 'USD'),
           ('00000000-0000-4000-8000-0000000000c2', '00000000-0000-4000-8000-000000000001',
            'EXTERNAL', '00000000-0000-4000-8000-000000000001', 'USD');
    INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,
                                          from_wallet_id, to_wallet_id)
    VALUES ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-000000000001',
            'DEPOSIT', 'COMPLETED', 500, 'USD', '00000000-0000-4000-8000-0000000000c2',
            '00000000-0000-4000-8000-0000000000c1');)sql");

  auto applied = db::migrate(url, {});
  CHECK(applied.size() == all.size() - before.size());
  // The children were given their parent's organisation.
  CHECK(sql.scalar("SELECT organization_id::text FROM compliance.tax_brackets") ==
        "00000000-0000-4000-8000-000000000002");
  CHECK(sql.scalar("SELECT organization_id::text FROM compliance.report_chunks") ==
        "00000000-0000-4000-8000-000000000001");
  // The references hold again, through the organisation: a transaction cannot name another
  // organisation's wallet.
  // 24 foreign keys before 0008, which checks 11 of them once per statement instead.
  CHECK(tenant_references(sql).size() == 13);
  CHECK_THAT(test::failure_of(sql, R"sql(
    INSERT INTO transaction.transactions (id, organization_id, type, status, amount, currency,
                                          from_wallet_id, to_wallet_id)
    VALUES ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-000000000002',
            'DEPOSIT', 'COMPLETED', 500, 'USD', '00000000-0000-4000-8000-0000000000c2',
            '00000000-0000-4000-8000-0000000000c1'))sql"),
             Catch::Matchers::Contains("23503"));
  // Deleting a report still takes its chunks with it.
  sql.exec("DELETE FROM compliance.reports");
  CHECK(sql.count("SELECT count(*) FROM compliance.report_chunks") == 0);
}
