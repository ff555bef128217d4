#pragma once
// What became of every staged row: one row of legacy_outcomes per (legacy table, legacy id),
// written, present (already imported) or skipped with a reason; legacy_notes for what was
// written but must be said (an unknown role, a run whose items did not add up). The report on
// stdout is made from them, and so is the verdict: every table balances when its staged rows
// all have exactly one outcome and its written ones are all in the new schema.
#include <iosfwd>
#include <span>
#include <string_view>

#include "core/db/blocking.hpp"

namespace payrollx::legacy {

// A legacy table's conversion: fills legacy_outcomes for all its staged rows, then writes the
// `written` ones. `target` is the new table whose ids are the legacy ids ("" when no row of it
// is ever written, as for the refresh tokens).
struct Rule {
  std::string_view legacy;  // "auth.users"
  std::string_view target;  // "auth.users"
  void (*convert)(db::BlockingConnection& db);
};

// The temporary outcome and note tables, and pg_temp.legacy_uuid(text): the uuid, or NULL for
// text that is not one.
void create_outcome_tables(db::BlockingConnection& db);

// The outcome of every staged row of `legacy_table`, from `checked`: a SELECT giving each row's
// id, present (already imported), reason (why it is skipped, or NULL), unique_key (what must
// be unique in the new schema) and created_at. Of the rows without a reason that share a
// unique_key, the one already there, else the oldest (then the smallest id), is written and the
// others are skipped as `duplicate_reason`.
struct Decision {
  std::string_view legacy_table;
  std::string_view checked;
  std::string_view duplicate_reason;
};
void decide(db::BlockingConnection& db, const Decision& decision);

// The totals of one legacy amount column for the report, per currency: `read` is a SELECT of
// each staged row's id, currency and legacy amount (summed by the row's outcome), `written` a
// SELECT of currency and total of what the new schema now holds for the written rows, in major
// units.
struct Amounts {
  std::string_view legacy_table;
  std::string_view column;
  std::string_view read;
  std::string_view written;
};
void record_amounts(db::BlockingConnection& db, const Amounts& amounts);

struct Verdict {
  bool balanced = false;
  bool nothing_written = false;  // every row was already there or skipped
};

// The per-table report (rows read, written, already there, skipped by reason; each skipped row;
// the notes) on `report`, and whether it all balances. A legacy table without a rule is
// reported as not converted and does not balance.
Verdict report_outcomes(db::BlockingConnection& db, std::span<const Rule> rules,
                        std::ostream& report);

}  // namespace payrollx::legacy
