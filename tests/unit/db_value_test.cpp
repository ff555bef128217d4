// Text-format conversions of core/db/value.hpp: what goes to PostgreSQL as a bound parameter
// and how its output decodes.
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <limits>

#include "core/db/error.hpp"
#include "core/db/value.hpp"

using namespace payrollx;
using namespace std::chrono;

namespace {

Timestamp at(sys_days day, microseconds since_midnight) {
  return day + since_midnight;
}

}  // namespace

TEST_CASE("db value: scalars encode as PostgreSQL text", "[db]") {
  CHECK(db::to_param("plain") == "plain");
  CHECK(db::to_param(std::string("it's")) == "it's");
  CHECK(db::to_param(std::string_view("")) == "");
  CHECK(db::to_param(std::int64_t{-42}) == "-42");
  CHECK(db::to_param(std::numeric_limits<std::int64_t>::max()) == "9223372036854775807");
  CHECK(db::to_param(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(db::to_param(7) == "7");
  CHECK(db::to_param(true) == "t");
  CHECK(db::to_param(false) == "f");
  auto id = Uuid::parse("0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09");
  REQUIRE(id);
  CHECK(db::to_param(*id) == "0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09");
  CHECK(db::to_param(Date{year{2026}, month{2}, day{28}}) == "2026-02-28");
  CHECK(db::to_param(boost::json::parse(R"({"a":[1,"x\"y"]})")) == R"({"a":[1,"x\"y"]})");
}

TEST_CASE("db value: timestamps encode as RFC 3339 UTC with microseconds", "[db]") {
  auto day = sys_days{year{2026} / 11 / 25};
  CHECK(db::to_param(at(day, hours{6})) == "2026-11-25T06:00:00Z");
  CHECK(db::to_param(at(day, hours{6} + microseconds{123456})) == "2026-11-25T06:00:00.123456Z");
}

TEST_CASE("db value: NULL comes from nullopt and empty optionals only", "[db]") {
  CHECK_FALSE(db::to_param(std::nullopt).has_value());
  CHECK_FALSE(db::to_param(std::optional<std::int64_t>{}).has_value());
  CHECK_FALSE(db::to_param(static_cast<const char*>(nullptr)).has_value());
  CHECK(db::to_param(std::optional<std::int64_t>{5}) == "5");
  CHECK(db::to_param(std::optional<std::string>{"NULL"}) == "NULL");
}

TEST_CASE("db value: a NUL byte in text is refused rather than cut short", "[db]") {
  using namespace std::string_literals;
  auto with_nul = "ab\0cd"s;
  CHECK_THROWS_AS(db::to_param(with_nul), db::Error);
  CHECK_THROWS_AS(db::to_param(std::vector<std::string>{with_nul}), db::Error);
  try {
    db::to_param(with_nul);
  } catch (const db::Error& e) {
    CHECK(e.sqlstate() == "22021");
  }
}

TEST_CASE("db value: text arrays go binary, each element as it is", "[db]") {
  using namespace std::string_literals;
  auto texts = db::to_param(std::vector<std::string>{R"(say "hi")", ""});
  REQUIRE(texts);
  CHECK(texts.binary());
  // One dimension, no NULLs, text (oid 25), 2 elements from 1, then each length and its bytes:
  // no quoting, no escaping.
  CHECK(*texts ==
        "\0\0\0\1"
        "\0\0\0\0"
        "\0\0\0\x19"
        "\0\0\0\2"
        "\0\0\0\1"
        "\0\0\0\x08"
        R"(say "hi")"
        "\0\0\0\0"s);
  CHECK(*db::to_param(std::vector<std::string>{}) ==
        "\0\0\0\0"
        "\0\0\0\0"
        "\0\0\0\x19"s);
}

TEST_CASE("db value: boolean arrays are literals, integer and uuid arrays binary", "[db]") {
  CHECK(db::to_param(std::vector<bool>{true, false}) == "{t,f}");
  CHECK_FALSE(db::to_param(std::vector<bool>{true}).binary());
  using namespace std::string_literals;
  // array_send's layout: one dimension, no NULLs, int8 (oid 20), 2 elements from 1, then each
  // element's length and big-endian value.
  auto numbers = db::to_param(std::vector<std::int64_t>{1, -2});
  REQUIRE(numbers);
  CHECK(numbers.binary());
  CHECK(*numbers ==
        "\0\0\0\1"
        "\0\0\0\0"
        "\0\0\0\x14"
        "\0\0\0\2"
        "\0\0\0\1"
        "\0\0\0\x08"
        "\0\0\0\0\0\0\0\1"
        "\0\0\0\x08"
        "\xff\xff\xff\xff\xff\xff\xff\xfe"s);
  auto a = Uuid::parse("00000000-0000-4000-8000-000000000001");
  REQUIRE(a);
  auto ids = db::to_param(std::vector<Uuid>{*a});
  REQUIRE(ids);
  CHECK(ids.binary());
  CHECK(*ids ==
        "\0\0\0\1"
        "\0\0\0\0"
        "\0\0\x0b\x86"
        "\0\0\0\1"
        "\0\0\0\1"
        "\0\0\0\x10"
        "\0\0\0\0\0\0\x40\0\x80\0\0\0\0\0\0\1"s);
  // No dimension at all.
  CHECK(*db::to_param(std::vector<std::int64_t>{}) ==
        "\0\0\0\0"
        "\0\0\0\0"
        "\0\0\0\x14"s);
  CHECK_FALSE(db::to_param(std::int64_t{5}).binary());
}

TEST_CASE("db value: integers decode strictly", "[db]") {
  CHECK(db::Decoder<std::int64_t>::decode("0") == 0);
  CHECK(db::Decoder<std::int64_t>::decode("-9223372036854775808") ==
        std::numeric_limits<std::int64_t>::min());
  CHECK(db::Decoder<int>::decode("2147483647") == 2147483647);
  for (auto junk : {"", "12a", " 1", "1 ", "1.5", "+-1", "9223372036854775808", "abc"})
    CHECK_THROWS_AS(db::Decoder<std::int64_t>::decode(junk), db::DecodeError);
  CHECK_THROWS_AS(db::Decoder<int>::decode("2147483648"), db::DecodeError);
}

TEST_CASE("db value: booleans, uuids and JSON decode", "[db]") {
  CHECK(db::Decoder<bool>::decode("t"));
  CHECK_FALSE(db::Decoder<bool>::decode("f"));
  CHECK_THROWS_AS(db::Decoder<bool>::decode("true"), db::DecodeError);
  CHECK_THROWS_AS(db::Decoder<bool>::decode(""), db::DecodeError);

  auto id = db::Decoder<Uuid>::decode("0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09");
  CHECK(id.str() == "0b8a3c6e-9d1f-4c2a-8e7b-5f4d3c2b1a09");
  CHECK_THROWS_AS(db::Decoder<Uuid>::decode("0b8a3c6e9d1f4c2a8e7b5f4d3c2b1a09"), db::DecodeError);
  CHECK_THROWS_AS(db::Decoder<Uuid>::decode("not-a-uuid"), db::DecodeError);

  auto json = db::Decoder<boost::json::value>::decode(R"({"k": [1, 2]})");
  CHECK(json.at("k").as_array().size() == 2);
  CHECK_THROWS_AS(db::Decoder<boost::json::value>::decode("{unquoted: 1}"), db::DecodeError);
}

TEST_CASE("db value: timestamptz in PostgreSQL's ISO output decodes to the UTC instant", "[db]") {
  auto day = sys_days{year{2026} / 11 / 25};
  CHECK(db::Decoder<Timestamp>::decode("2026-11-25 06:00:00.123456+00") ==
        at(day, hours{6} + microseconds{123456}));
  CHECK(db::Decoder<Timestamp>::decode("2026-11-25 06:00:00+00") == at(day, hours{6}));
  CHECK(db::Decoder<Timestamp>::decode("2026-11-25 06:00:00.5+00") ==
        at(day, hours{6} + milliseconds{500}));
  // Another session time zone would print an offset: still the same instant.
  CHECK(db::Decoder<Timestamp>::decode("2026-11-25 11:30:00+05:30") == at(day, hours{6}));
  for (auto junk : {"", "2026-11-25", "2026-13-25 06:00:00+00", "2026-11-25 06:00:00", "yesterday",
                    "2026-11-25 06:00:00.+00"})
    CHECK_THROWS_AS(db::Decoder<Timestamp>::decode(junk), db::DecodeError);
}

TEST_CASE("db value: dates decode only when they are real calendar days", "[db]") {
  CHECK(db::Decoder<Date>::decode("2024-02-29") == Date{year{2024}, month{2}, day{29}});
  for (auto junk : {"2026-02-29", "2026-2-1", "2026-01-01 00:00:00", "", "20260101"})
    CHECK_THROWS_AS(db::Decoder<Date>::decode(junk), db::DecodeError);
}

TEST_CASE("db value: text arrays decode PostgreSQL's array output", "[db]") {
  using Strings = std::vector<std::string>;
  auto decode = db::Decoder<Strings>::decode;
  CHECK(decode("{}").empty());
  CHECK(decode("{a,b}") == Strings{"a", "b"});
  CHECK(decode(R"({"b c","d\"e","f\\g","NULL",""})") == Strings{"b c", "d\"e", "f\\g", "NULL", ""});
  // An unquoted NULL is SQL NULL, which a vector of strings cannot hold.
  CHECK_THROWS_AS(decode("{a,NULL}"), db::DecodeError);
  for (auto junk : {"", "a,b", "{a", R"({"a})", "{{a},{b}}", "{a,,b}", R"({"a"b})"})
    CHECK_THROWS_AS(decode(junk), db::DecodeError);
}
