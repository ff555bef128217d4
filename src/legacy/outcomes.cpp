#include "legacy/outcomes.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <ostream>
#include <string>
#include <vector>

#include "legacy/sources.hpp"

namespace payrollx::legacy {
namespace {

const Rule* rule_of(std::span<const Rule> rules, std::string_view legacy) {
  for (const auto& rule : rules)
    if (rule.legacy == legacy) return &rule;
  return nullptr;
}

struct Counts {
  long long read = 0, written = 0, present = 0, skipped = 0, in_target = 0;
};

Counts counts_of(db::BlockingConnection& db, const LegacyTable& table, const Rule& rule) {
  auto row = db.run(fmt::format("SELECT (SELECT count(*) FROM {0}),"
                                " count(*) FILTER (WHERE outcome = 'written'),"
                                " count(*) FILTER (WHERE outcome = 'present'),"
                                " count(*) FILTER (WHERE outcome = 'skipped')"
                                " FROM legacy_outcomes WHERE legacy_table = $1",
                                table.staging()),
                    {table.name()})
                 .at(0);
  Counts counts{.read = std::stoll(row.at(0)),
                .written = std::stoll(row.at(1)),
                .present = std::stoll(row.at(2)),
                .skipped = std::stoll(row.at(3))};
  if (!rule.target.empty())
    counts.in_target =
        std::stoll(db.run(fmt::format("SELECT count(*) FROM legacy_outcomes o JOIN {} t "
                                      "ON t.id = pg_temp.legacy_uuid(o.legacy_id) "
                                      "WHERE o.legacy_table = $1 AND o.outcome = 'written'",
                                      rule.target),
                          {table.name()})
                       .at(0)
                       .at(0));
  return counts;
}

// Per amount column and currency, the totals read, written, already there and skipped (major
// units, exact), and the written rows' total read back from the new schema: true when each
// read total is the sum of the others and the new schema holds exactly what was written.
bool report_amounts(db::BlockingConnection& db, std::ostream& report) {
  auto rows = db.run(
      "SELECT legacy_table, amount_column, currency,"
      " trim_scale(coalesce(sum(total) FILTER (WHERE outcome <> 'in_target'), 0)),"
      " trim_scale(coalesce(sum(total) FILTER (WHERE outcome = 'written'), 0)),"
      " trim_scale(coalesce(sum(total) FILTER (WHERE outcome = 'present'), 0)),"
      " trim_scale(coalesce(sum(total) FILTER (WHERE outcome = 'skipped'), 0)),"
      " trim_scale(coalesce(sum(total) FILTER (WHERE outcome = 'in_target'), 0)),"
      " coalesce(sum(total) FILTER (WHERE outcome <> 'in_target'), 0) ="
      "   coalesce(sum(total) FILTER (WHERE outcome IN ('written', 'present', 'skipped')), 0)"
      " AND coalesce(sum(total) FILTER (WHERE outcome = 'written'), 0) ="
      "   coalesce(sum(total) FILTER (WHERE outcome = 'in_target'), 0)"
      " FROM legacy_amounts GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  if (rows.empty()) return true;
  bool balanced = true;
  fmt::print(report, "\namounts (major units): read = written + present + skipped\n");
  for (const auto& row : rows) {
    const bool ok = row.at(8) == "t";
    balanced = balanced && ok;
    fmt::print(report,
               "  {} {} {}: read {} written {} (in the new schema {}) present {} skipped {}  {}\n",
               row.at(0), row.at(1), row.at(2), row.at(3), row.at(4), row.at(7), row.at(5),
               row.at(6), ok ? "ok" : "DOES NOT BALANCE");
  }
  return balanced;
}

// A titled list of rows of (legacy table, legacy id, what to say), when there are any.
void list_rows(db::BlockingConnection& db, std::ostream& report, std::string_view title,
               const std::string& sql) {
  auto rows = db.run(sql);
  if (!rows.empty()) fmt::print(report, "\n{}:\n", title);
  for (const auto& row : rows)
    fmt::print(report, "  {:<28} {:<40} {}\n", row.at(0), row.at(1), row.at(2));
}

}  // namespace

void create_outcome_tables(db::BlockingConnection& db) {
  db.run(
      "CREATE TEMP TABLE legacy_outcomes ("
      "  legacy_table text NOT NULL, legacy_id text NOT NULL,"
      "  outcome text NOT NULL CHECK (outcome IN ('written', 'present', 'skipped')),"
      "  reason text CHECK ((outcome = 'skipped') = (reason IS NOT NULL)),"
      "  PRIMARY KEY (legacy_table, legacy_id)) ON COMMIT DROP;"
      "CREATE TEMP TABLE legacy_amounts ("
      "  legacy_table text NOT NULL, amount_column text NOT NULL, currency text NOT NULL,"
      "  outcome text NOT NULL, total numeric NOT NULL) ON COMMIT DROP;"
      "CREATE TEMP TABLE legacy_notes ("
      "  legacy_table text NOT NULL, legacy_id text NOT NULL, note text NOT NULL) ON COMMIT DROP;"
      "CREATE FUNCTION pg_temp.legacy_uuid(text) RETURNS uuid LANGUAGE sql IMMUTABLE AS $$"
      "  SELECT CASE WHEN $1 ~* "
      "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN $1::uuid END $$");
}

void decide(db::BlockingConnection& db, const Decision& decision) {
  db.run(fmt::format("WITH checked AS ({0}), ranked AS ("
                     "  SELECT *, row_number() OVER (PARTITION BY unique_key, reason IS NULL"
                     "    ORDER BY present DESC, created_at, id) AS rank FROM checked)"
                     " INSERT INTO legacy_outcomes (legacy_table, legacy_id, outcome, reason)"
                     " SELECT $1, id,"
                     "  CASE WHEN present THEN 'present'"
                     "       WHEN reason IS NOT NULL OR rank > 1 THEN 'skipped' ELSE 'written' END,"
                     "  CASE WHEN present THEN NULL WHEN reason IS NOT NULL THEN reason"
                     "       WHEN rank > 1 THEN $2 END"
                     " FROM ranked",
                     decision.checked),
         {std::string(decision.legacy_table), std::string(decision.duplicate_reason)});
  // Temporary tables are never analysed by autovacuum: without this the planner takes the
  // grown outcome table for an empty one and nests loops over it.
  db.run("ANALYZE legacy_outcomes");
}

void record_amounts(db::BlockingConnection& db, const Amounts& amounts) {
  const std::vector<std::string> names{std::string(amounts.legacy_table),
                                       std::string(amounts.column)};
  db.run(fmt::format("INSERT INTO legacy_amounts (legacy_table, amount_column, currency, outcome,"
                     "  total)"
                     " SELECT $1, $2, coalesce(r.currency, '?'), o.outcome,"
                     "  sum(coalesce(r.amount, 0))"
                     " FROM ({}) AS r JOIN legacy_outcomes o"
                     "  ON o.legacy_table = $1 AND o.legacy_id = r.id"
                     " GROUP BY 1, 2, 3, 4",
                     amounts.read),
         names);
  db.run(fmt::format("INSERT INTO legacy_amounts (legacy_table, amount_column, currency, outcome,"
                     "  total)"
                     " SELECT $1, $2, w.currency, 'in_target', w.total FROM ({}) AS w",
                     amounts.written),
         names);
}

Verdict report_outcomes(db::BlockingConnection& db, std::span<const Rule> rules,
                        std::ostream& report) {
  Verdict verdict{.balanced = true, .nothing_written = true};
  fmt::print(report, "{:<28} {:>9} {:>9} {:>9} {:>9}  {}\n", "legacy table", "read", "written",
             "present", "skipped", "check");
  for (const auto& table : k_legacy_tables) {
    const auto* rule = rule_of(rules, table.name());
    if (!rule) {
      fmt::print(report, "{:<28} {:>9}  not converted yet\n", table.name(),
                 db.run(fmt::format("SELECT count(*) FROM {}", table.staging())).at(0).at(0));
      verdict.balanced = false;
      continue;
    }
    const auto counts = counts_of(db, table, *rule);
    const bool balanced = counts.read == counts.written + counts.present + counts.skipped &&
                          (rule->target.empty() || counts.in_target == counts.written);
    verdict.balanced = verdict.balanced && balanced;
    verdict.nothing_written = verdict.nothing_written && counts.written == 0;
    fmt::print(report, "{:<28} {:>9} {:>9} {:>9} {:>9}  {}\n", table.name(), counts.read,
               counts.written, counts.present, counts.skipped,
               balanced ? "ok" : "DOES NOT BALANCE");
  }
  if (!report_amounts(db, report)) verdict.balanced = false;
  auto reasons = db.run(
      "SELECT legacy_table, reason, count(*) FROM legacy_outcomes WHERE outcome = 'skipped' "
      "GROUP BY 1, 2 ORDER BY 1, 2");
  if (!reasons.empty()) fmt::print(report, "\nskipped, by reason:\n");
  for (const auto& row : reasons)
    fmt::print(report, "  {:<28} {:<24} {:>9}\n", row.at(0), row.at(1), row.at(2));
  list_rows(db, report, "skipped rows",
            "SELECT legacy_table, legacy_id, reason FROM legacy_outcomes "
            "WHERE outcome = 'skipped' ORDER BY 1, 3, 2");
  list_rows(db, report, "written with a note",
            "SELECT legacy_table, legacy_id, note FROM legacy_notes ORDER BY 1, 2, 3");
  return verdict;
}

}  // namespace payrollx::legacy
