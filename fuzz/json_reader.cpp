// The one way request bodies are read (core/json): parse_object, then a FieldReader over fields of
// every kind it reads, a nested object as the modules read one, then finish(). An input is either
// accepted, with values that obey their rules, or refused with a 400 that names each bad field;
// anything else (another exception, a crash, UB) is a finding.
#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <span>
#include <string_view>

#include "check.hpp"
#include "core/json.hpp"
#include "core/utf8.hpp"

namespace {

using namespace payrollx;

constexpr std::array<std::string_view, 2> k_kinds{"EARNING", "DEDUCTION"};
constexpr std::array<std::string_view, 4> k_frequencies{"WEEKLY", "BIWEEKLY", "SEMIMONTHLY",
                                                        "MONTHLY"};
constexpr json::StringRule k_name{1, 100};
constexpr json::StringRule k_note{0, 20};
constexpr json::IntRule k_offset{.min = 0, .max = 365};

// Text a reader accepted goes to PostgreSQL and into answers: UTF-8, within its rule, and with
// no control characters but line breaks and tabs.
void check_text(const std::optional<std::string>& text, json::StringRule rule) {
  if (!text) return;
  auto length = json::utf8_length(*text);
  FUZZ_CHECK(length >= rule.min && length <= rule.max);
  FUZZ_CHECK(is_valid_utf8(*text));
  for (char c : *text)
    FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\r');
}

void check_one_of(const std::optional<std::string>& text,
                  std::span<const std::string_view> allowed) {
  if (text) FUZZ_CHECK(std::find(allowed.begin(), allowed.end(), *text) != allowed.end());
}

// A date is read only in its one spelling, so it writes back as it was sent.
void check_date(const std::optional<Date>& date, const boost::json::object& body,
                std::string_view key) {
  if (!date) return;
  FUZZ_CHECK(date->ok());
  FUZZ_CHECK(to_iso_date(*date) == body.at(key).as_string());
}

// As the modules read a nested object: its own reader, whose errors are named "salary.<field>".
void read_salary(const boost::json::value& value) {
  if (!value.is_object()) return;
  json::FieldReader reader(value.get_object(), "salary");
  auto amount = reader.required_int("amount", {.min = 1});
  auto currency = reader.required_string("currency", {3, 5});
  check_text(currency, {3, 5});
  try {
    reader.finish();
    FUZZ_CHECK(amount && *amount >= 1 && currency);
  } catch (const Problem& problem) {
    FUZZ_CHECK(problem.status() == 400 && !problem.errors().empty());
    for (const auto& error : problem.errors()) FUZZ_CHECK(error.field.starts_with("salary."));
  }
}

void read_fields(boost::json::object body) {
  if (auto salary = body.find("salary"); salary != body.end()) {
    read_salary(salary->value());
    body.erase(salary);
  }
  json::FieldReader reader(body);
  auto name = reader.required_string("name", k_name);
  auto note = reader.optional_string("note", k_note);
  auto department = reader.nullable_string("department", k_name);
  auto amount = reader.required_int("amount", {.min = 1});
  auto offset = reader.optional_int("payDateOffsetDays", k_offset);
  auto pre_tax = reader.required_bool("preTax");
  reader.optional_bool("autoExecute");
  auto kind = reader.required_enum("kind", k_kinds);
  auto frequency = reader.optional_enum("frequency", k_frequencies);
  auto id = reader.required_uuid("id");
  auto schedule = reader.optional_uuid("scheduleId");
  auto hired = reader.required_date("hireDate");
  auto until = reader.optional_date("effectiveTo");
  auto* items = reader.optional_array("items", 8);

  check_text(name, k_name);
  check_text(note, k_note);
  if (department && *department) check_text(*department, k_name);
  if (amount) FUZZ_CHECK(*amount >= 1);
  if (offset) FUZZ_CHECK(*offset >= k_offset.min && *offset <= k_offset.max);
  check_one_of(kind, k_kinds);
  check_one_of(frequency, k_frequencies);
  for (const auto& uuid : {id, schedule})
    if (uuid) FUZZ_CHECK(Uuid::parse(uuid->str()) == uuid);
  check_date(hired, body, "hireDate");
  check_date(until, body, "effectiveTo");
  if (items) FUZZ_CHECK(items->size() <= 8);

  bool fields_ok = reader.ok();
  if (fuzz::accepts([&] { reader.finish(); }))
    FUZZ_CHECK(fields_ok && name && amount && pre_tax && kind && id && hired);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  boost::json::object body;
  if (fuzz::accepts([&] { body = json::parse_object(text); })) read_fields(std::move(body));
  return 0;
}
