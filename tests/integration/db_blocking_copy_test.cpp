// BlockingConnection::copy between two real databases: what the legacy import streams its
// eight sources through. Every value arrives as the text PostgreSQL wrote it (NULLs, tabs,
// line breaks, backslashes, arrays, JSON, numerics of 30 decimals), and a failure at either end
// is an error that leaves both connections usable.
#include <catch2/catch.hpp>
#include <string>

#include "core/db/blocking.hpp"
#include "test_database.hpp"

using namespace payrollx;
using Catch::Matchers::Contains;

TEST_CASE("db: copy streams every row between two databases, values as text") {
  const auto source_url = test::empty_database("copy_source");
  const auto target_url = test::empty_database("copy_target");
  db::BlockingConnection source(source_url);
  db::BlockingConnection target(target_url);
  source.run(
      "CREATE TABLE \"employees\" (\"id\" TEXT, \"salary\" DECIMAL(65,30), \"tags\" TEXT[],"
      " \"docs\" JSONB, \"deletedAt\" TIMESTAMP(3));"
      "INSERT INTO \"employees\" SELECT 'e' || i, 48000.25 + i, ARRAY['a', 'b' || i],"
      " '{\"k\": \"tab\\there\"}', CASE WHEN i % 2 = 0 THEN TIMESTAMP '2025-06-01' END"
      " FROM generate_series(1, 2500) i;"
      "INSERT INTO \"employees\" VALUES (E'odd\\\\one\\nline', 1000.123456789012345678901234567891,"
      " NULL, NULL, NULL)");
  target.run("CREATE TEMP TABLE staged (id text, salary text, tags text, docs text, deleted text)");

  const auto rows = db::BlockingConnection::copy(
      source, "COPY (SELECT * FROM \"employees\") TO STDOUT", target, "COPY staged FROM STDIN");
  CHECK(rows == 2501);
  CHECK(target.run("SELECT count(*) FROM staged").at(0).at(0) == "2501");
  auto odd = target.run(
      "SELECT salary, tags IS NULL, docs IS NULL, deleted IS NULL FROM staged "
      "WHERE id = E'odd\\\\one\\nline'");
  REQUIRE(odd.size() == 1);
  CHECK(odd[0][0] == "1000.123456789012345678901234567891");
  CHECK(odd[0][1] == "t");
  CHECK(odd[0][2] == "t");
  auto first = target.run("SELECT salary, tags, docs, deleted FROM staged WHERE id = 'e2'");
  REQUIRE(first.size() == 1);
  CHECK(first[0][0] == "48002.250000000000000000000000000000");
  CHECK(first[0][1] == "{a,b2}");
  CHECK(first[0][2] == "{\"k\": \"tab\\there\"}");
  CHECK(first[0][3] == "2025-06-01 00:00:00");
  // The texts convert back exactly.
  CHECK(target.run("SELECT sum(salary::numeric) FROM staged").at(0).at(0) ==
        source.run("SELECT sum(\"salary\") FROM \"employees\"").at(0).at(0));
}

TEST_CASE("db: a copy that fails at either end throws, and both connections stay usable") {
  const auto source_url = test::empty_database("copy_fail_source");
  const auto target_url = test::empty_database("copy_fail_target");
  db::BlockingConnection source(source_url);
  db::BlockingConnection target(target_url);
  source.run("CREATE TABLE t (a text, b text); INSERT INTO t VALUES ('1', '2'), ('3', '4')");
  target.run("CREATE TABLE narrow (a text)");

  // No such target table.
  CHECK_THROWS_WITH(
      db::BlockingConnection::copy(source, "COPY t TO STDOUT", target, "COPY missing FROM STDIN"),
      Contains("missing"));
  // Rows the target cannot take (two columns into one): nothing is kept.
  CHECK_THROWS(
      db::BlockingConnection::copy(source, "COPY t TO STDOUT", target, "COPY narrow FROM STDIN"));
  CHECK(target.run("SELECT count(*) FROM narrow").at(0).at(0) == "0");
  // No such source table.
  CHECK_THROWS_WITH(db::BlockingConnection::copy(source, "COPY nowhere TO STDOUT", target,
                                                 "COPY narrow FROM STDIN"),
                    Contains("nowhere"));
  CHECK(source.run("SELECT count(*) FROM t").at(0).at(0) == "2");
  CHECK(target.run("SELECT count(*) FROM narrow").at(0).at(0) == "0");
}

TEST_CASE("db: copy_in sends rows from memory, in pieces, and a bad row throws") {
  const auto url = test::empty_database("copy_in");
  db::BlockingConnection db(url);
  db.run("CREATE TABLE links (key text PRIMARY KEY, seq bigint)");
  // More than one 1 MiB piece, so rows cross the pieces' boundaries.
  std::string rows;
  for (int i = 0; i < 100'000; ++i)
    rows += "key-" + std::to_string(i) + "\t" + std::to_string(i) + "\n";
  REQUIRE(rows.size() > (1u << 20));
  db.copy_in("COPY links FROM STDIN", rows);
  CHECK(db.run("SELECT count(*), sum(seq) FROM links").at(0) ==
        std::vector<std::string>{"100000", "4999950000"});

  CHECK_THROWS_WITH(db.copy_in("COPY links FROM STDIN", "late\tnot-a-number\n"),
                    Contains("invalid input syntax"));
  CHECK_THROWS_WITH(db.copy_in("COPY nowhere FROM STDIN", "a\n"), Contains("nowhere"));
  CHECK(db.run("SELECT count(*) FROM links").at(0).at(0) == "100000");
}
