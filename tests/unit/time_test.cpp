#include "core/time.hpp"

#include <catch2/catch.hpp>

using namespace payrollx;
using namespace std::chrono;

TEST_CASE("time: RFC 3339 text pads every field and shows a fraction only when there is one") {
  Timestamp whole = sys_days{2026y / 1 / 2} + 3h + 4min + 5s;
  CHECK(to_rfc3339(whole) == "2026-01-02T03:04:05Z");
  CHECK(to_rfc3339(whole + 7us) == "2026-01-02T03:04:05.000007Z");
  CHECK(to_rfc3339(sys_days{2026y / 12 / 31} + 23h + 59min + 59s + 999999us) ==
        "2026-12-31T23:59:59.999999Z");
  CHECK(to_rfc3339(Timestamp{}) == "1970-01-01T00:00:00Z");
  for (auto t : {whole, whole + 7us, whole + 123456us}) CHECK(parse_timestamp(to_rfc3339(t)) == t);
}
