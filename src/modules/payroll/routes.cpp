// The payroll routes (/api/v1/payroll/..., /api/v1/me/payslips). Bodies are read and checked
// before anything is looked up; the two 💰 routes (execute, reverse) run under the request's
// Idempotency-Key, whose claim, the money's movement and the stored answer share one database
// transaction.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "core/auth/principal.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/idempotency.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/payroll/payroll.hpp"
#include "modules/payroll/requests.hpp"
#include "modules/payroll/schemas.hpp"

namespace payrollx::payroll {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

// The first `limit` of `rows` (the store fetched one more when more follow) and the next cursor.
template <class Row, class ToJson, class KeyOf>
http::Response page_answer(const std::vector<Row>& rows, int limit, ToJson to_json_of,
                           KeyOf key_of) {
  boost::json::array data;
  std::optional<http::Keyset> next;
  const auto shown = std::min(rows.size(), static_cast<std::size_t>(limit));
  for (std::size_t i = 0; i < shown; ++i) data.push_back(to_json_of(rows[i]));
  if (rows.size() > shown) next = key_of(rows[shown - 1]);
  return http::Response::json(200, http::list_answer(std::move(data), next));
}

http::Keyset created_key(const auto& row) {
  return {row.created_at, row.id};
}

// A change of a run in a transaction of its own, answered with the run.
template <class Change>
awaitable<http::Response> run_change(Service& service, Change change) {
  auto run = co_await service.pool().transaction(change);
  co_return http::Response::json(200, to_json(run));
}

awaitable<http::Response> create_schedule(Service& service, http::RequestContext& ctx) {
  auto input = requests::read_new_schedule(ctx.json_body());
  auto actor = compliance::actor_of(ctx);
  auto create = [&](db::Tx& tx) {
    return service.create_schedule(tx, ctx.user().org(), input, actor);
  };
  auto created = co_await service.pool().transaction(create);
  co_return http::Response::json(201, to_json(created));
}

awaitable<http::Response> list_schedules(Service& service, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto schedules = co_await service.schedules(ctx.user().org(), page);
  co_return page_answer(
      schedules, page.limit, [](const Schedule& s) { return to_json(s); },
      [](const Schedule& s) { return created_key(s); });
}

awaitable<http::Response> patch_schedule(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto patch = requests::read_schedule_patch(ctx.json_body());
  auto actor = compliance::actor_of(ctx);
  auto update = [&](db::Tx& tx) {
    return service.update_schedule(tx, ctx.user().org(), id, patch, actor);
  };
  auto updated = co_await service.pool().transaction(update);
  co_return http::Response::json(200, to_json(updated));
}

awaitable<http::Response> preview(Service& service, http::RequestContext& ctx) {
  auto request = requests::read_run_request(ctx.json_body());
  auto calculate = [&](db::Tx& tx) { return service.preview(tx, ctx.user().org(), request); };
  db::TxOptions options;
  options.read_only = true;
  options.isolation = db::Isolation::repeatable_read;  // the roster and its settings, one snapshot
  auto draft = co_await service.pool().transaction(calculate, options);
  co_return http::Response::json(200, to_json(draft));
}

awaitable<http::Response> create_run(Service& service, http::RequestContext& ctx) {
  auto request = requests::read_run_request(ctx.json_body());
  auto actor = compliance::actor_of(ctx);
  auto create = [&](db::Tx& tx) {
    return service.create_run(tx, ctx.user().org(), request, actor);
  };
  auto created = co_await service.pool().transaction(create);
  co_return http::Response::json(201, to_json(created));
}

awaitable<http::Response> list_runs(Service& service, http::RequestContext& ctx) {
  auto filter = requests::read_run_filter(ctx.request());
  auto page = http::page_request(ctx);
  auto runs = co_await service.list(ctx.user().org(), filter, page);
  co_return page_answer(
      runs, page.limit, [](const Run& r) { return to_json(r); },
      [](const Run& r) { return created_key(r); });
}

awaitable<http::Response> get_run(Service& service, http::RequestContext& ctx) {
  auto run = co_await service.get(ctx.user().org(), ctx.id_param("id"));
  co_return http::Response::json(200, to_json(run));
}

awaitable<http::Response> list_items(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto page = http::page_request(ctx);
  std::optional<Uuid> after;
  if (page.after) after = page.after->id;
  auto items = co_await service.items(ctx.user().org(), id, after, page.limit);
  // Items keep the run's order: the cursor carries the last item only.
  co_return page_answer(
      items, page.limit, [](const Item& i) { return to_json(i); },
      [](const Item& i) {
        return http::Keyset{Timestamp{}, i.id};
      });
}

awaitable<http::Response> recalculate(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto actor = compliance::actor_of(ctx);
  co_return co_await run_change(
      service, [&](db::Tx& tx) { return service.recalculate(tx, ctx.user().org(), id, actor); });
}

awaitable<http::Response> approve(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto actor = compliance::actor_of(ctx);
  co_return co_await run_change(
      service, [&](db::Tx& tx) { return service.approve(tx, ctx.user().org(), id, actor); });
}

awaitable<http::Response> cancel(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto actor = compliance::actor_of(ctx);
  co_return co_await run_change(
      service, [&](db::Tx& tx) { return service.cancel(tx, ctx.user().org(), id, actor); });
}

awaitable<http::Response> execute(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto actor = compliance::actor_of(ctx);
  idempotency::Work work = [&](db::Tx& tx) -> awaitable<http::Response> {
    auto run = co_await service.execute(tx, ctx.user().org(), id, actor);
    co_return http::Response::json(200, to_json(run));
  };
  co_return co_await idempotency::run(service.pool(), ctx, std::move(work));
}

awaitable<http::Response> reverse(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  std::optional<boost::json::object> body;
  if (!ctx.request().body.empty()) body = ctx.json_body();
  const auto reason = requests::read_reversal(body).value_or("");
  auto actor = compliance::actor_of(ctx);
  idempotency::Work work = [&](db::Tx& tx) -> awaitable<http::Response> {
    auto run = co_await service.reverse(tx, ctx.user().org(), id, reason, actor);
    co_return http::Response::json(200, to_json(run));
  };
  co_return co_await idempotency::run(service.pool(), ctx, std::move(work));
}

awaitable<http::Response> get_payslip(Service& service, http::RequestContext& ctx) {
  auto run_id = ctx.id_param("id");
  auto employee_id = ctx.id_param("employeeId");
  const bool employee_caller = ctx.user().role == Role::employee;
  if (employee_caller) {
    // Another employee's payslip is answered as one that does not exist.
    auto own = co_await service.employee_of(ctx.user());
    if (!own || *own != employee_id) throw not_found("The payslip does not exist.");
  }
  const auto accept = ctx.request().header("accept").value_or("");
  if (accept.find("application/pdf") != std::string_view::npos) {
    auto pdf = co_await service.payslip_pdf(ctx.user().org(), run_id, employee_id, employee_caller);
    auto response = http::Response::text(200, "application/pdf", std::move(pdf));
    response.headers.emplace_back(
        "Content-Disposition",
        fmt::format("inline; filename=\"payslip_{}_{}.pdf\"", run_id.str(), employee_id.str()));
    co_return response;
  }
  auto payslip = co_await service.payslip(ctx.user().org(), run_id, employee_id, employee_caller);
  co_return http::Response::json(200, to_json(payslip));
}

awaitable<http::Response> my_payslips(Service& service, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto own = co_await service.employee_of(ctx.user());
  if (!own) throw not_found("You have no employee record.");
  auto payslips = co_await service.payslips(ctx.user().org(), *own, page);
  co_return page_answer(
      payslips, page.limit, [](const Payslip& p) { return to_json(p); },
      [](const Payslip& p) {
        return http::Keyset{Timestamp{std::chrono::sys_days(p.run.pay_date)}, p.run.id};
      });
}

std::vector<http::QueryParamDoc> run_filters() {
  return http::page_query(
      {{"status", "One run status.", schema::enumeration(k_run_statuses.names())},
       {"type", "REGULAR or OFF_CYCLE.", schema::enumeration({"REGULAR", "OFF_CYCLE"})},
       {"scheduleId", "Runs of this pay schedule.", schema::uuid()}});
}

// A route that answers the run it changes.
http::RouteDoc run_doc(std::string summary) {
  return {.summary = std::move(summary), .response_schema = schemas::run()};
}

// A 💰 route on a run: the Idempotency-Key header is required and answers are replayed.
http::RouteDoc money_run_doc(std::string summary, boost::json::value request_schema = nullptr) {
  auto doc = run_doc(std::move(summary));
  doc.request_schema = std::move(request_schema);
  doc.idempotency_key_required = true;
  return doc;
}

}  // namespace

void register_routes(http::Router& router, Service& service) {
  using http::Access;
  const auto staff = Access::roles_of({Role::hr_manager, Role::finance_manager});
  const auto finance = Access::roles_of({Role::finance_manager});
  http::add_routes<Service&>(
      router, "payroll", service,
      {{.method = "POST",
        .pattern = "/api/v1/payroll/schedules",
        .access = staff,
        .doc = {.summary = "Create a pay schedule (ACTIVE; its first period is the next one); 409 "
                           "when the name is taken",
                .request_schema = schemas::new_schedule(),
                .response_schema = schemas::schedule(),
                .success_status = 201},
        .handler = create_schedule},
       {.method = "GET",
        .pattern = "/api/v1/payroll/schedules",
        .access = staff,
        .doc = {.summary = "The organisation's pay schedules, newest first",
                .response_schema = schema::list_of(schemas::schedule()),
                .query = http::page_query()},
        .handler = list_schedules},
       {.method = "PATCH",
        .pattern = "/api/v1/payroll/schedules/{id}",
        .access = staff,
        .doc = {.summary = "Pause (status PAUSED), resume (ACTIVE) or change a pay schedule; its "
                           "frequency, first period and currency only while no run uses it (409 "
                           "invalid_state)",
                .request_schema = schemas::schedule_patch(),
                .response_schema = schemas::schedule()},
        .handler = patch_schedule},
       {.method = "POST",
        .pattern = "/api/v1/payroll/preview",
        .access = staff,
        .doc = {.summary = "Calculate a run as POST /payroll/runs would draft it, with its items; "
                           "nothing is stored",
                .request_schema = schemas::run_request(),
                .response_schema = schemas::preview()},
        .handler = preview},
       {.method = "POST",
        .pattern = "/api/v1/payroll/runs",
        .access = staff,
        .doc = {.summary = "Draft a calculated run (DRAFT). A REGULAR run pays every employee "
                           "employed in the schedule's period, paid in the run's currency and "
                           "passing the KYC policy (the others are listed in skipped); one per "
                           "schedule and period (409 conflict). Unknown employees in employeeIds "
                           "or items: 404",
                .request_schema = schemas::run_request(),
                .response_schema = schemas::run(),
                .success_status = 201},
        .handler = create_run},
       {.method = "GET",
        .pattern = "/api/v1/payroll/runs",
        .access = staff,
        .doc = {.summary = "Payroll runs, newest first",
                .response_schema = schema::list_of(schemas::run()),
                .query = run_filters()},
        .handler = list_runs},
       {.method = "GET",
        .pattern = "/api/v1/payroll/runs/{id}",
        .access = staff,
        .doc = run_doc("One payroll run"),
        .handler = get_run},
       {.method = "GET",
        .pattern = "/api/v1/payroll/runs/{id}/items",
        .access = staff,
        .doc = {.summary = "The run's items (one per employee), in the run's order (employees by "
                           "name)",
                .response_schema = schema::list_of(schemas::item()),
                .query = http::page_query()},
        .handler = list_items},
       {.method = "POST",
        .pattern = "/api/v1/payroll/runs/{id}/recalculate",
        .access = staff,
        .doc = run_doc("Calculate a DRAFT run again from the current employees, components, "
                       "settings and tax table (409 invalid_state unless DRAFT)"),
        .handler = recalculate},
       {.method = "POST",
        .pattern = "/api/v1/payroll/runs/{id}/approve",
        .access = finance,
        .doc = run_doc("Approve a DRAFT run: hold its total net on the organisation's treasury "
                       "in the run's currency. 403 for its creator when requireDistinctApprover; "
                       "409 invalid_state listing employees whose net is negative or above "
                       "maxNetPerEmployee (base-currency runs); 409 insufficient_funds with "
                       "required, available and shortfall, the run staying DRAFT"),
        .handler = approve},
       {.method = "POST",
        .pattern = "/api/v1/payroll/runs/{id}/execute",
        .access = finance,
        .doc = money_run_doc(
            "Execute an APPROVED run in one database transaction: one PAYROLL transaction per "
            "employee with a positive net, paid from the approval's hold; items PAID, run "
            "COMPLETED, payslip notices queued. Executed at most once (409 invalid_state "
            "otherwise)"),
        .handler = execute},
       {.method = "POST",
        .pattern = "/api/v1/payroll/runs/{id}/cancel",
        .access = staff,
        .doc = run_doc("Cancel a DRAFT or APPROVED run (an approved run's hold is released)"),
        .handler = cancel},
       {.method = "POST",
        .pattern = "/api/v1/payroll/runs/{id}/reverse",
        .access = finance,
        .doc = money_run_doc(
            "Reverse a COMPLETED run with one compensating transaction per payment (REVERSED); "
            "409 insufficient_funds listing the employees whose wallets no longer hold their "
            "pay, and nothing changes",
            schemas::reversal()),
        .handler = reverse},
       {.method = "GET",
        .pattern = "/api/v1/payroll/runs/{id}/payslips/{employeeId}",
        .access = Access::roles_of({Role::hr_manager, Role::finance_manager, Role::employee}),
        .doc = {.summary = "An employee's payslip of a run with year-to-date totals (an EMPLOYEE: "
                           "their own, of executed runs; anything else is 404); with Accept: "
                           "application/pdf the same payslip as a one-page PDF",
                .response_schema = schemas::payslip()},
        .handler = get_payslip},
       {.method = "GET",
        .pattern = "/api/v1/me/payslips",
        .access = Access::roles_of({Role::employee}),
        .doc = {.summary = "The caller's payslips of executed runs, newest pay date first",
                .response_schema = schema::list_of(schemas::payslip()),
                .query = http::page_query()},
        .handler = my_payslips}});
}

}  // namespace payrollx::payroll
