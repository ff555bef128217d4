// The states held as enums (core/enum_names.hpp): every value of every enum has a name that parses
// back to it, an unknown name parses to nothing (a request's 400), and the same name read back
// from the database is a broken invariant rather than a silent default.
#include "core/enum_names.hpp"

#include <catch2/catch.hpp>
#include <cctype>
#include <string>

#include "core/invariant.hpp"
#include "modules/employee/employee.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/transaction/transaction.hpp"
#include "modules/wallet/wallet.hpp"

namespace {

using namespace payrollx;

// Walks the values 0..count-1 through the module's own pair, and checks that the table holds
// exactly `count` names, so an enumerator the table forgot fails here.
template <class E, std::size_t N, class Parse>
void round_trips(const EnumNames<E, N>& names, std::size_t count, Parse parse) {
  CHECK(names.names().size() == count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto value = static_cast<E>(i);
    const auto name = to_string(value);
    INFO(std::string(name));
    CHECK_FALSE(name.empty());
    CHECK(parse(name) == value);
    CHECK(names.stored(name, "test.column") == value);
  }
  CHECK_FALSE(parse("NOT_A_STATE").has_value());
  CHECK_FALSE(parse("").has_value());
  if (count > 0) {  // names are exact: another case is another word
    std::string lower(to_string(static_cast<E>(0)));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    CHECK_FALSE(parse(lower).has_value());
  }
}

enum class Light { red, amber, green };
constexpr auto k_lights =
    enum_names<Light>({{Light::red, "RED"}, {Light::amber, "AMBER"}, {Light::green, "GREEN"}});
PAYROLLX_ENUM_NAMES(Light, k_lights, parse_light)
// The table is usable at compile time.
static_assert(k_lights.name(Light::amber) == "AMBER");
static_assert(k_lights.parse("GREEN") == Light::green);
static_assert(!k_lights.parse("BLUE").has_value());

}  // namespace

TEST_CASE("enum names: a table maps each value to its name and back, and nothing else") {
  round_trips(k_lights, 3, parse_light);
  CHECK(k_lights.names().front() == "RED");
  CHECK(k_lights.names().back() == "GREEN");
}

#ifdef NDEBUG
TEST_CASE("enum names: an unknown name in the database is a broken invariant naming it") {
  try {
    (void)k_lights.stored("BLUE", "test.lights.colour");
    FAIL("an unknown stored name was accepted");
  } catch (const payrollx::InvariantBroken& e) {
    const std::string message = e.what();
    CHECK(message.find("test.lights.colour") != std::string::npos);
    CHECK(message.find("BLUE") != std::string::npos);
  }
  const std::optional<std::string> null;
  CHECK_FALSE(k_lights.stored(null, "test.lights.colour").has_value());
  CHECK(k_lights.stored(std::optional<std::string>("RED"), "test.lights.colour") == Light::red);
}
#endif

TEST_CASE("enum names: wallet owner types and statuses round-trip") {
  round_trips(wallet::k_owner_types, 3, wallet::parse_owner_type);
  round_trips(wallet::k_statuses, 2, wallet::parse_status);
  CHECK(to_string(wallet::Status::frozen) == "FROZEN");
}

TEST_CASE("enum names: transaction types and statuses round-trip") {
  round_trips(transaction::k_types, 7, transaction::parse_type);
  round_trips(transaction::k_statuses, 4, transaction::parse_status);
  CHECK(to_string(transaction::Type::withdrawal) == "WITHDRAWAL");
}

TEST_CASE("enum names: employee and KYC statuses round-trip") {
  round_trips(employee::k_statuses, 2, employee::parse_status);
  round_trips(employee::k_kyc_statuses, 3, employee::parse_kyc_status);
  CHECK(to_string(employee::KycStatus::approved) == "APPROVED");
}

TEST_CASE("enum names: payroll's run, item and schedule states and pay frequencies round-trip") {
  round_trips(payroll::k_run_statuses, 7, payroll::parse_run_status);
  round_trips(payroll::k_item_statuses, 4, payroll::parse_item_status);
  round_trips(payroll::k_schedule_statuses, 2, payroll::parse_schedule_status);
  round_trips(payroll::k_frequencies, 4, payroll::parse_frequency);
  CHECK(to_string(payroll::RunStatus::completed) == "COMPLETED");
}
