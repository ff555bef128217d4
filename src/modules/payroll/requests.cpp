#include "modules/payroll/requests.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

#include "core/currency.hpp"
#include "core/error.hpp"
#include "core/http/message.hpp"
#include "core/json.hpp"

namespace payrollx::payroll::requests {
namespace {

constexpr json::IntRule k_offset{.min = 0, .max = 365};
constexpr json::IntRule k_amount{.min = 1};

constexpr std::array<std::string_view, 2> k_types{"REGULAR", "OFF_CYCLE"};

std::optional<std::string> read_currency(json::FieldReader& reader) {
  auto code = reader.optional_string("currency", k_currency_code);
  if (code && !is_currency_code(*code)) {
    reader.fail("currency", "must be an upper-case currency code such as USD");
    return std::nullopt;
  }
  return code;
}

// A PATCH sets values; null clears nothing here, so it is refused rather than ignored.
void refuse_nulls(json::FieldReader& reader, const boost::json::object& body) {
  for (const auto& member : body)
    if (member.value().is_null()) reader.fail(member.key(), "must not be null");
}

std::optional<std::vector<Uuid>> read_employee_ids(json::FieldReader& reader) {
  const auto* list = reader.optional_array("employeeIds", k_max_listed);
  if (!list) return std::nullopt;
  std::vector<Uuid> ids;
  std::map<Uuid, std::size_t> first_at;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto field = fmt::format("employeeIds[{}]", i);
    const auto& value = (*list)[i];
    auto id = value.is_string() ? Uuid::parse(value.get_string()) : std::nullopt;
    if (!id) {
      reader.errors().push_back({field, "must be a UUID"});
      continue;
    }
    if (auto [at, fresh] = first_at.emplace(*id, i); !fresh) {
      reader.errors().push_back({field, fmt::format("repeats employeeIds[{}]", at->second)});
      continue;
    }
    ids.push_back(*id);
  }
  if (list->empty()) reader.fail("employeeIds", "must not be empty");
  return ids;
}

std::optional<ItemRequest> read_item(const boost::json::value& value, std::size_t index,
                                     std::vector<FieldError>& errors) {
  const auto prefix = fmt::format("items[{}]", index);
  if (!value.is_object()) {
    errors.push_back({prefix, "must be an object {employeeId, amount, description}"});
    return std::nullopt;
  }
  json::FieldReader reader(value.get_object(), prefix);
  auto employee_id = reader.required_uuid("employeeId");
  auto amount = reader.required_int("amount", k_amount);
  auto description = reader.required_string("description", k_description);
  for (const auto& member : value.get_object())
    if (member.key() != "employeeId" && member.key() != "amount" && member.key() != "description")
      reader.fail(member.key(), "is not a known field");
  errors.insert(errors.end(), reader.errors().begin(), reader.errors().end());
  if (!reader.ok()) return std::nullopt;
  return ItemRequest{
      .employee_id = *employee_id, .amount = *amount, .description = std::move(*description)};
}

std::optional<std::vector<ItemRequest>> read_items(json::FieldReader& reader) {
  const auto* list = reader.optional_array("items", k_max_listed);
  if (!list) return std::nullopt;
  std::vector<ItemRequest> items;
  std::map<Uuid, std::size_t> first_at;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto item = read_item((*list)[i], i, reader.errors());
    if (!item) continue;
    if (auto [at, fresh] = first_at.emplace(item->employee_id, i); !fresh) {
      reader.errors().push_back({fmt::format("items[{}].employeeId", i),
                                 fmt::format("repeats items[{}].employeeId: one item per "
                                             "employee",
                                             at->second)});
      continue;
    }
    items.push_back(std::move(*item));
  }
  if (list->empty()) reader.fail("items", "must not be empty");
  return items;
}

// Which lists a run's type allows: a REGULAR run pays every eligible employee of its schedule's
// period; an OFF_CYCLE run pays either named employees (calculated as a regular run would) or
// explicit amounts.
void check_shape(json::FieldReader& reader, const RunRequest& request, bool type_known) {
  if (!type_known) return;
  if (request.type == "REGULAR") {
    if (!request.schedule_id) reader.fail("scheduleId", "is required for a REGULAR run");
    if (request.employee_ids)
      reader.fail("employeeIds", "is only for OFF_CYCLE runs (a REGULAR run pays everyone)");
    if (request.items)
      reader.fail("items", "is only for OFF_CYCLE runs (a REGULAR run pays everyone)");
    return;
  }
  if (request.employee_ids && request.items)
    reader.fail("items", "must not be given together with employeeIds");
  if (!request.employee_ids && !request.items && reader.ok())
    reader.fail("employeeIds", "an OFF_CYCLE run needs employeeIds or items");
}

std::optional<std::string> query_enum(const http::Request& request, std::string_view name,
                                      std::span<const std::string_view> allowed,
                                      std::vector<FieldError>& errors) {
  auto text = request.query_param(name);
  if (!text) return std::nullopt;
  if (std::find(allowed.begin(), allowed.end(), *text) == allowed.end()) {
    errors.push_back(
        {std::string(name), fmt::format("must be one of {}", fmt::join(allowed, ", "))});
    return std::nullopt;
  }
  return std::string(*text);
}

}  // namespace

NewSchedule read_new_schedule(const boost::json::object& body) {
  json::FieldReader reader(body);
  auto name = reader.required_string("name", k_name);
  auto frequency = reader.required_enum("frequency", k_frequencies);
  auto first = reader.required_date("firstPeriodStart");
  auto offset = reader.optional_int("payDateOffsetDays", k_offset);
  auto currency = read_currency(reader);
  auto auto_execute = reader.optional_bool("autoExecute");
  reader.finish();
  return {.name = std::move(*name),
          .frequency = *frequency,
          .first_period_start = *first,
          .pay_date_offset_days = offset.value_or(0),
          .currency = std::move(currency),
          .auto_execute = auto_execute.value_or(false)};
}

SchedulePatch read_schedule_patch(const boost::json::object& body) {
  json::FieldReader reader(body);
  refuse_nulls(reader, body);
  SchedulePatch patch;
  patch.name = reader.optional_string("name", k_name);
  patch.status = reader.optional_enum("status", k_schedule_statuses);
  patch.auto_execute = reader.optional_bool("autoExecute");
  patch.pay_date_offset_days = reader.optional_int("payDateOffsetDays", k_offset);
  patch.frequency = reader.optional_enum("frequency", k_frequencies);
  patch.first_period_start = reader.optional_date("firstPeriodStart");
  patch.currency = read_currency(reader);
  reader.finish();
  return patch;
}

RunRequest read_run_request(const boost::json::object& body) {
  json::FieldReader reader(body);
  RunRequest request;
  auto type = reader.required_enum("type", k_types);
  request.schedule_id = reader.optional_uuid("scheduleId");
  request.period_start = reader.optional_date("periodStart");
  request.period_end = reader.optional_date("periodEnd");
  request.pay_date = reader.optional_date("payDate");
  request.currency = read_currency(reader);
  request.employee_ids = read_employee_ids(reader);
  request.items = read_items(reader);
  if (type) request.type = *type;
  check_shape(reader, request, type.has_value());
  reader.finish();
  return request;
}

std::optional<std::string> read_reversal(const std::optional<boost::json::object>& body) {
  if (!body) return std::nullopt;
  json::FieldReader reader(*body);
  auto reason = reader.optional_string("reason", k_reason);
  reader.finish();
  return reason;
}

RunFilter read_run_filter(const http::Request& request) {
  std::vector<FieldError> errors;
  RunFilter filter;
  if (auto status = query_enum(request, "status", k_run_statuses.names(), errors))
    filter.status = parse_run_status(*status);
  filter.type = query_enum(request, "type", k_types, errors);
  if (auto text = request.query_param("scheduleId")) {
    filter.schedule_id = Uuid::parse(*text);
    if (!filter.schedule_id) errors.push_back({"scheduleId", "must be a UUID"});
  }
  if (!errors.empty()) throw validation_failed(std::move(errors));
  return filter;
}

}  // namespace payrollx::payroll::requests
