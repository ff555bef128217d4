#include "core/db/pool.hpp"
#include "modules/payroll/store.hpp"

namespace payrollx::payroll::store {
namespace {

using boost::asio::awaitable;

// $1 currency code → a row when it is known.
constexpr db::Query k_select_currency{"payroll.select_currency",
                                      "SELECT code FROM core.currencies WHERE code = $1"};
// $1 code → scale (its number of decimals).
constexpr db::Query k_select_scale{"payroll.select_scale",
                                   "SELECT scale FROM core.currencies WHERE code = $1"};

// The date it is at instant $1 in time zone $2 (an IANA name, checked when it was set): an
// organisation's days, periods and pay dates follow its time zone.
constexpr db::Query k_local_date{"payroll.local_date",
                                 "SELECT ($1::timestamptz AT TIME ZONE $2)::date AS today"};

}  // namespace

awaitable<bool> currency_known(db::Tx& tx, const std::string& code) {
  auto known = co_await tx.query(k_select_currency, code);
  co_return !known.empty();
}

awaitable<int> select_scale(db::Pool& pool, const std::string& code) {
  auto scale = co_await pool.query(k_select_scale, code);
  co_return scale.one().get<int>("scale");
}

awaitable<Date> local_date(db::Tx& tx, Timestamp now, const std::string& timezone) {
  auto result = co_await tx.query(k_local_date, now, timezone);
  co_return result.one().get<Date>("today");
}

}  // namespace payrollx::payroll::store
