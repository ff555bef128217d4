// The encodings of a report (src/reports/table.hpp) and amounts in major units (core/money.hpp):
// exact decimals for every int64, CSV fields quoted and formula-like text escaped while amounts
// and ids are left alone, and JSON totals per currency that refuse to overflow.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>

#include "core/money.hpp"
#include "reports/table.hpp"

using payrollx::major_units;
using payrollx::reports::Cell;
using payrollx::reports::csv_encoder;
using payrollx::reports::csv_text;
using payrollx::reports::json_encoder;

TEST_CASE("money: major units are exact at every scale, the extremes included") {
  CHECK(major_units(847179, 2) == "8471.79");
  CHECK(major_units(5, 2) == "0.05");
  CHECK(major_units(-5, 2) == "-0.05");
  CHECK(major_units(0, 2) == "0.00");
  CHECK(major_units(42, 0) == "42");
  CHECK(major_units(1, 9) == "0.000000001");
  CHECK(major_units(std::numeric_limits<std::int64_t>::max(), 2) == "92233720368547758.07");
  CHECK(major_units(std::numeric_limits<std::int64_t>::min(), 2) == "-92233720368547758.08");
}

TEST_CASE("reports: CSV text that a spreadsheet would run is prefixed, and quoted when needed") {
  for (const auto* formula : {"=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"})
    CHECK(csv_text(formula).find('\'') <= 1);
  CHECK(csv_text("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(csv_text("Smith, Jane") == "\"Smith, Jane\"");
  CHECK(csv_text("plain") == "plain");
  CHECK(csv_text("") == "");

  auto encoder = csv_encoder({"name", "amount", "id", "ok"});
  CHECK(encoder->begin() == "name,amount,id,ok\r\n");
  CHECK(encoder->row({Cell::of_text("-Mallory"), Cell::of_amount(-150, "USD", 2),
                      Cell::of_id("01a2-x"), Cell::of_boolean(true)}) ==
        "'-Mallory,-1.50,01a2-x,true\r\n");
  CHECK(encoder->row({Cell::null(), Cell::of_amount(7, "JPY", 0), Cell::null(),
                      Cell::of_boolean(false)}) == ",7,,false\r\n");
  CHECK(encoder->end().empty());
}

TEST_CASE("reports: JSON rows carry minor units and totals per currency, refusing overflow") {
  auto encoder = json_encoder({"TAX_SUMMARY", "2026-01-01", "2026-12-31"}, {"who", "net"});
  std::string text = encoder->begin();
  text += encoder->row({Cell::of_text("=a"), Cell::of_amount(150, "USD", 2)});
  text += encoder->row({Cell::of_text("b"), Cell::of_amount(250, "USD", 2)});
  text += encoder->row({Cell::of_text("c"), Cell::of_amount(9, "EUR", 2)});
  text += encoder->end();
  auto document = boost::json::parse(text).as_object();
  CHECK(document.at("kind") == "TAX_SUMMARY");
  CHECK(document.at("rows").as_array().size() == 3);
  CHECK(document.at("rows").at(0).at("who") == "=a");  // JSON is data, not a spreadsheet
  CHECK(document.at("totals").at("rows").as_int64() == 3);
  CHECK(document.at("totals").at("byCurrency").at("USD").at("net").as_int64() == 400);
  CHECK(document.at("totals").at("byCurrency").at("EUR").at("net").as_int64() == 9);

  auto overflowing = json_encoder({"TAX_SUMMARY", "2026-01-01", "2026-12-31"}, {"net"});
  overflowing->begin();
  overflowing->row({Cell::of_amount(std::numeric_limits<std::int64_t>::max(), "USD", 2)});
  CHECK_THROWS_AS(overflowing->row({Cell::of_amount(1, "USD", 2)}), std::overflow_error);
}
