// A notice names its organisation without a foreign key (notification/0010): one check per
// statement, which locks each organisation its rows name, and a trigger that keeps an
// organisation with notices from being deleted or re-keyed. The same rules as the key, under
// concurrency too.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "test_database.hpp"

using namespace payrollx;
using Catch::Matchers::Contains;
using test::failure_of;

namespace {

std::string new_organization(test::Sql& sql) {
  return *sql.scalar(
      "INSERT INTO organization.organizations (name) VALUES ('Org ' || gen_random_uuid())"
      " RETURNING id::text");
}

// Inserts `count` notices, the last of them in `last_org` and the rest in `org`, in one
// statement; what it said.
std::string insert_notices(test::Sql& sql, const std::string& org, const std::string& last_org,
                           int count) {
  return failure_of(sql,
                    "INSERT INTO notification.notifications (id, organization_id, user_id,"
                    "  event_type, title, body)"
                    " SELECT gen_random_uuid(), CASE WHEN i = $3 THEN $2::uuid ELSE $1::uuid END,"
                    "  gen_random_uuid(), 'payroll.payslip.available', 't', 'b'"
                    " FROM generate_series(1, $3::int) i",
                    {org, last_org, std::to_string(count)});
}

long long notices(test::Sql& sql) {
  return sql.count("SELECT count(*) FROM notification.notifications");
}

// Waits until a statement containing `text` waits for a lock.
void wait_for_lock_wait(test::Sql& sql, const std::string& text) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    if (sql.count("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                  "  AND query LIKE '%' || $1 || '%'",
                  {text}) > 0)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("no statement containing '" << text << "' waited for a lock");
}

}  // namespace

TEST_CASE("notices: a statement naming an organisation that does not exist fails whole") {
  const auto url = test::fresh_database("notice_org_insert");
  test::Sql sql(url);
  const auto org = new_organization(sql);
  const auto missing = *sql.scalar("SELECT gen_random_uuid()::text");

  for (int count : {1, 3, 5000}) {
    INFO(count << " notices");
    if (count > 1) {
      const auto said = insert_notices(sql, org, missing, count);
      CHECK_THAT(said, Contains("23503") && Contains(missing));
    }
    CHECK_THAT(insert_notices(sql, missing, missing, count), Contains("23503"));
    CHECK(notices(sql) == 0);
  }
  // Two organisations that exist, in one statement.
  CHECK(insert_notices(sql, org, new_organization(sql), 3) == "succeeded");
  CHECK(notices(sql) == 3);
}

TEST_CASE("notices: an organisation with notices is kept, one without is deleted") {
  const auto url = test::fresh_database("notice_org_kept");
  test::Sql sql(url);
  const auto noticed = new_organization(sql);
  const auto quiet = new_organization(sql);
  REQUIRE(insert_notices(sql, noticed, noticed, 2) == "succeeded");

  CHECK_THAT(failure_of(sql, "DELETE FROM organization.organizations WHERE id = $1", {noticed}),
             Contains("23503"));
  CHECK_THAT(failure_of(sql,
                        "UPDATE organization.organizations SET id = gen_random_uuid()"
                        " WHERE id = $1",
                        {noticed}),
             Contains("23503"));
  CHECK(failure_of(sql, "UPDATE organization.organizations SET name = 'Renamed' WHERE id = $1",
                   {noticed}) == "succeeded");
  CHECK(failure_of(sql, "DELETE FROM organization.organizations WHERE id = $1", {quiet}) ==
        "succeeded");
  CHECK(sql.count("SELECT count(*) FROM organization.organizations WHERE id = $1", {noticed}) == 1);
  // A notice stays in its organisation.
  CHECK_THAT(failure_of(sql, "UPDATE notification.notifications SET organization_id = $1",
                        {new_organization(sql)}),
             Contains("23001"));
  CHECK(failure_of(sql, "UPDATE notification.notifications SET read_at = now()") == "succeeded");
  CHECK(notices(sql) == 2);
}

TEST_CASE("notices: an organisation is deleted under READ COMMITTED only") {
  // Under REPEATABLE READ the check would read the transaction's snapshot, older than a notice
  // committed since; the key it replaces read a newer one.
  const auto url = test::fresh_database("notice_org_isolation");
  test::Sql sql(url);
  const auto quiet = new_organization(sql);
  for (const char* isolation : {"REPEATABLE READ", "SERIALIZABLE"}) {
    INFO(isolation);
    sql.exec(std::string("BEGIN ISOLATION LEVEL ") + isolation);
    CHECK_THAT(failure_of(sql, "DELETE FROM organization.organizations WHERE id = $1", {quiet}),
               Contains("25000"));
    sql.exec("ROLLBACK");
  }
  CHECK(failure_of(sql, "DELETE FROM organization.organizations WHERE id = $1", {quiet}) ==
        "succeeded");
}

TEST_CASE("notices: a deletion racing an insert of the organisation's notices never orphans one") {
  const auto url = test::fresh_database("notice_org_race");
  test::Sql watcher(url);
  const auto org = new_organization(watcher);
  test::Sql inserting(url);
  test::Sql deleting(url);

  SECTION("the insert first: the deletion waits for its commit, then refuses") {
    inserting.exec("BEGIN");
    REQUIRE(insert_notices(inserting, org, org, 3) == "succeeded");
    std::string deleted;
    std::thread deletion([&] {
      deleted = failure_of(deleting, "DELETE FROM organization.organizations WHERE id = $1", {org});
    });
    wait_for_lock_wait(watcher, "DELETE FROM organization.organizations");
    inserting.exec("COMMIT");
    deletion.join();
    CHECK_THAT(deleted, Contains("23503"));
    CHECK(notices(watcher) == 3);
  }
  SECTION("the deletion first: the insert waits for its commit, then fails") {
    deleting.exec("BEGIN");
    REQUIRE(failure_of(deleting, "DELETE FROM organization.organizations WHERE id = $1", {org}) ==
            "succeeded");
    std::string inserted;
    std::thread insertion([&] { inserted = insert_notices(inserting, org, org, 3); });
    wait_for_lock_wait(watcher, "INSERT INTO notification.notifications");
    deleting.exec("COMMIT");
    insertion.join();
    CHECK_THAT(inserted, Contains("23503"));
    CHECK(notices(watcher) == 0);
  }
  CHECK(watcher.count("SELECT count(*) FROM notification.notifications n WHERE NOT EXISTS"
                      "  (SELECT FROM organization.organizations o"
                      "   WHERE o.id = n.organization_id)") == 0);
}
