// The employee routes (/api/v1/employees/..., /api/v1/me/employee). Bodies are validated before
// anything is looked up; an EMPLOYEE caller reaches only their own record (another id is 404, as
// for another organisation's).
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
#include "core/json.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/employee/documents.hpp"
#include "modules/employee/employee.hpp"
#include "modules/employee/requests.hpp"
#include "modules/employee/rules.hpp"
#include "modules/employee/schemas.hpp"

namespace payrollx::employee {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

// An EMPLOYEE may act only on their own record; for anyone else's id they get the same 404 as
// for an id that does not exist.
awaitable<void> require_own(Service& service, const http::RequestContext& ctx, const Uuid& id) {
  const auto& user = ctx.user();
  if (user.role != Role::employee) co_return;
  auto own = co_await service.employee_of_user(user.org(), user.user_id);
  if (!own || *own != id) throw not_found("The employee does not exist.");
}

template <class Item, class ToJson>
http::Response page_answer(const std::vector<Item>& items, int limit, ToJson to_json_of) {
  boost::json::array data;
  std::optional<http::Keyset> next;
  const auto shown = std::min(items.size(), static_cast<std::size_t>(limit));
  for (std::size_t i = 0; i < shown; ++i) data.push_back(to_json_of(items[i]));
  if (items.size() > shown) next = http::Keyset{items[shown - 1].created_at, items[shown - 1].id};
  return http::Response::json(200, http::list_answer(std::move(data), next));
}

boost::json::value components_answer(const std::vector<Component>& components,
                                     std::string_view currency) {
  boost::json::array list;
  for (const auto& component : components) list.push_back(to_json(component, currency));
  return list;
}

// A JSON body of any kind (the components' PUT takes an array; json_body() reads objects).
boost::json::value json_value_body(const http::RequestContext& ctx) {
  auto content_type = ctx.request().header("content-type");
  if (!content_type || !requests::is_media_type(*content_type, "application/json"))
    throw unsupported_media_type("The body must be JSON (Content-Type: application/json).");
  return json::parse(ctx.request().body);
}

awaitable<http::Response> create_employee(Service& service, http::RequestContext& ctx) {
  const auto& organization_id = ctx.user().org();
  auto input = requests::read_new_employee(ctx.json_body());
  auto actor = compliance::actor_of(ctx);
  auto create = [&](db::Tx& tx) { return service.create(tx, organization_id, input, actor); };
  auto created = co_await service.pool().transaction(create);
  auto answer = to_json(created.employee);
  if (created.invitation_token)
    answer["invitation"] = {{"token", *created.invitation_token},
                            {"expiresAt", to_rfc3339(*created.invitation_expires_at)}};
  co_return http::Response::json(201, answer);
}

awaitable<http::Response> list_employees(Service& service, http::RequestContext& ctx) {
  auto filter = requests::read_filter(ctx.request());
  auto page = http::page_request(ctx);
  auto employees = co_await service.list(ctx.user().org(), filter, page);
  co_return page_answer(employees, page.limit, [](const Employee& e) { return to_json(e); });
}

awaitable<http::Response> get_employee(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  co_await require_own(service, ctx, id);
  auto employee = co_await service.get(ctx.user().org(), id);
  co_return http::Response::json(200, to_json(employee));
}

awaitable<http::Response> patch_employee(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  auto patch = requests::read_patch(ctx.json_body());
  auto actor = compliance::actor_of(ctx);
  auto update = [&](db::Tx& tx) { return service.update(tx, organization_id, id, patch, actor); };
  auto employee = co_await service.pool().transaction(update);
  co_return http::Response::json(200, to_json(employee));
}

awaitable<http::Response> terminate_employee(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  auto date = requests::read_termination(ctx.json_body());
  auto actor = compliance::actor_of(ctx);
  auto terminate = [&](db::Tx& tx) {
    return service.terminate(tx, organization_id, id, date, actor);
  };
  auto employee = co_await service.pool().transaction(terminate);
  co_return http::Response::json(200, to_json(employee));
}

awaitable<http::Response> approve_kyc(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  auto actor = compliance::actor_of(ctx);
  auto approve = [&](db::Tx& tx) { return service.approve_kyc(tx, organization_id, id, actor); };
  auto employee = co_await service.pool().transaction(approve);
  co_return http::Response::json(200, to_json(employee));
}

awaitable<http::Response> reject_kyc(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  auto reason = requests::read_rejection(ctx.json_body());
  auto actor = compliance::actor_of(ctx);
  auto reject = [&](db::Tx& tx) {
    return service.reject_kyc(tx, organization_id, id, reason, actor);
  };
  auto employee = co_await service.pool().transaction(reject);
  co_return http::Response::json(200, to_json(employee));
}

awaitable<http::Response> put_wallet_address(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  auto address = requests::read_wallet_address(ctx.json_body());
  co_await require_own(service, ctx, id);
  auto actor = compliance::actor_of(ctx);
  auto set = [&](db::Tx& tx) {
    return service.set_wallet_address(tx, organization_id, id, address, actor);
  };
  auto employee = co_await service.pool().transaction(set);
  co_return http::Response::json(200, to_json(employee));
}

awaitable<http::Response> get_components(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  auto read = [&](db::Tx& tx) -> awaitable<boost::json::value> {
    auto employee = co_await service.get(tx, organization_id, id);
    auto components = co_await service.components(tx, organization_id, id);
    co_return components_answer(components, employee.salary.currency);
  };
  db::TxOptions options;
  options.read_only = true;
  options.isolation = db::Isolation::repeatable_read;  // the employee and its list, one snapshot
  auto answer = co_await service.pool().transaction(read, options);
  co_return http::Response::json(200, answer);
}

awaitable<http::Response> put_components(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  auto list = requests::read_components(json_value_body(ctx));
  auto actor = compliance::actor_of(ctx);
  auto replace = [&](db::Tx& tx) -> awaitable<boost::json::value> {
    auto employee = co_await service.get(tx, organization_id, id);
    std::vector<FieldError> errors;
    for (std::size_t i = 0; i < list.currencies.size(); ++i)
      if (!list.currencies[i].empty() && list.currencies[i] != employee.salary.currency)
        errors.push_back(
            {fmt::format("[{}].currency", i),
             fmt::format("must be the salary currency, {}", employee.salary.currency)});
    if (!errors.empty()) throw validation_failed(std::move(errors));
    auto saved =
        co_await service.replace_components(tx, organization_id, id, list.components, actor);
    co_return components_answer(saved, employee.salary.currency);
  };
  auto answer = co_await service.pool().transaction(replace);
  co_return http::Response::json(200, answer);
}

awaitable<http::Response> upload_document(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  const auto& organization_id = ctx.user().org();
  co_await require_own(service, ctx, id);
  // Whose document it is comes first: another organisation's id is 404 whatever the upload.
  co_await service.get(organization_id, id);
  auto query = requests::read_document_query(ctx.request());
  auto content_type = ctx.request().header("content-type");
  auto media_type = content_type ? documents::accepted_media_type(*content_type) : std::nullopt;
  if (!media_type)
    throw unsupported_media_type(
        "A document must be sent as application/pdf, image/png or image/jpeg.");
  const auto& bytes = ctx.request().body;
  if (bytes.empty()) throw validation_failed("body", "must not be empty: send the file's bytes");
  if (!documents::has_magic_of(*media_type, bytes))
    throw unsupported_media_type(fmt::format(
        "The bytes are not a {} file: Content-Type must match the content.", *media_type));
  NewDocument input{.document_type = std::move(query.document_type),
                    .file_name = std::move(query.file_name),
                    .content_type = std::move(*media_type),
                    .bytes = bytes};
  auto actor = compliance::actor_of(ctx);
  auto add = [&](db::Tx& tx) {
    return service.add_document(tx, organization_id, id, input, actor);
  };
  auto document = co_await service.pool().transaction(add);
  co_return http::Response::json(201, to_json(document));
}

awaitable<http::Response> list_documents(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto page = http::page_request(ctx);
  co_await require_own(service, ctx, id);
  auto found = co_await service.documents(ctx.user().org(), id, page);
  co_return page_answer(found, page.limit, [](const Document& d) { return to_json(d); });
}

// RFC 6266 / 5987: the UTF-8 file name percent-encoded, so any name fits an ASCII header.
std::string content_disposition(std::string_view file_name) {
  std::string encoded;
  for (unsigned char c : file_name) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
    if (plain)
      encoded += static_cast<char>(c);
    else
      encoded += fmt::format("%{:02X}", c);
  }
  return "attachment; filename*=UTF-8''" + encoded;
}

awaitable<http::Response> document_content(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto document_id = ctx.id_param("docId");
  co_await require_own(service, ctx, id);
  auto content = co_await service.document_content(ctx.user().org(), id, document_id);
  auto response = http::Response::text(200, content.content_type, std::move(content.bytes));
  response.headers.emplace_back("Content-Disposition", content_disposition(content.file_name));
  // The declared type was checked against the bytes at upload; browsers must not guess another.
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Cache-Control", "private, no-store");
  co_return response;
}

awaitable<http::Response> my_employee(Service& service, http::RequestContext& ctx) {
  auto employee = co_await service.mine(ctx.user());
  co_return http::Response::json(200, to_json(employee));
}

awaitable<http::Response> import_employees(Service& service, http::RequestContext& ctx) {
  const auto& organization_id = ctx.user().org();
  auto dry_run = requests::read_dry_run(ctx.request());
  auto content_type = ctx.request().header("content-type");
  if (!content_type || !requests::is_media_type(*content_type, "text/csv"))
    throw unsupported_media_type("The body must be a CSV file (Content-Type: text/csv).");
  auto actor = compliance::actor_of(ctx);
  auto result = co_await service.import_csv(organization_id, ctx.request().body, dry_run, actor);
  boost::json::array errors;
  for (const auto& error : result.errors)
    errors.push_back({{"row", static_cast<std::int64_t>(error.row)},
                      {"field", error.field ? boost::json::value(*error.field) : nullptr},
                      {"message", error.message}});
  boost::json::object answer{{"created", result.created},
                             {"rows", static_cast<std::int64_t>(result.rows)},
                             {"dryRun", result.dry_run},
                             {"errors", std::move(errors)},
                             {"errorsTruncated", result.errors_truncated}};
  co_return http::Response::json(200, answer);
}

// The upload's query parameters, described with the limits their reader checks.
std::vector<http::QueryParamDoc> document_query() {
  using rules::k_document_type, rules::k_file_name;
  return {{"documentType",
           fmt::format("Required: what the document is (e.g. PASSPORT), {} to {} characters.",
                       k_document_type.min, k_document_type.max),
           schema::string(k_document_type)},
          {"fileName",
           fmt::format("Required: the file's name (no '/' or '\\'), {} to {} characters.",
                       k_file_name.min, k_file_name.max),
           schema::string(k_file_name)}};
}

}  // namespace

void register_routes(http::Router& router, Service& service, std::size_t upload_limit) {
  using http::Access;
  const auto hr = Access::roles_of({Role::hr_manager});
  const auto hr_or_own = Access::roles_of({Role::hr_manager, Role::employee});
  http::add_routes<Service&>(
      router, "employee", service,
      {{.method = "POST",
        .pattern = "/api/v1/employees",
        .access = hr,
        .doc = {.summary = "Create an employee with a wallet in the salary currency (and, with "
                           "createUserAccount, an EMPLOYEE user invitation); 409 when the email "
                           "or employee number is taken in the organisation",
                .request_schema = schemas::new_employee(),
                .response_schema = schemas::created_employee(),
                .success_status = 201},
        .handler = create_employee,
        .carries_secret = true},  // an invitation token
       {.method = "GET",
        .pattern = "/api/v1/employees",
        .access = Access::roles_of({Role::hr_manager, Role::finance_manager}),
        .doc = {.summary = "The organisation's employees, newest first",
                .response_schema = schema::list_of(schemas::employee()),
                .query = http::page_query(
                    {{"status", "ACTIVE or TERMINATED.", schema::enumeration(k_statuses.names())},
                     {"department", "Exact department, case-insensitive.",
                      schema::string(rules::k_department)},
                     {"kycStatus", "PENDING, APPROVED or REJECTED.",
                      schema::enumeration(k_kyc_statuses.names())},
                     {"q", "Case-insensitive substring of the full name or the email.",
                      schema::string(rules::k_query_text)}})},
        .handler = list_employees},
       {.method = "POST",
        .pattern = "/api/v1/employees/import",
        .access = hr,
        .doc = {.summary = "Import employees from a CSV file, all or nothing: per-row errors, and "
                           "nothing is created when there is any (dryRun=true checks only)",
                .request_schema = schemas::import_csv(),
                .response_schema = schemas::import_answer(),
                .query = {{"dryRun", "true: check the file and create nothing (default false).",
                           schema::boolean()}},
                .request_content_type = "text/csv"},
        .handler = import_employees,
        .body_limit = upload_limit},
       {.method = "GET",
        .pattern = "/api/v1/employees/{id}",
        .access = hr_or_own,
        .doc = {.summary = "One employee (an EMPLOYEE may read only their own record)",
                .response_schema = schemas::employee()},
        .handler = get_employee},
       {.method = "PATCH",
        .pattern = "/api/v1/employees/{id}",
        .access = hr,
        .doc = {.summary = "Change an employee's details, audited with before and after",
                .request_schema = schemas::patch(),
                .response_schema = schemas::employee()},
        .handler = patch_employee},
       {.method = "POST",
        .pattern = "/api/v1/employees/{id}/terminate",
        .access = hr,
        .doc = {.summary = "Terminate an ACTIVE employee (409 invalid_state when already "
                           "terminated)",
                .request_schema = schemas::termination(),
                .response_schema = schemas::employee()},
        .handler = terminate_employee},
       {.method = "GET",
        .pattern = "/api/v1/employees/{id}/components",
        .access = hr,
        .doc = {.summary = "The employee's earnings and deductions",
                .response_schema = schemas::components(true)},
        .handler = get_components},
       {.method = "PUT",
        .pattern = "/api/v1/employees/{id}/components",
        .access = hr,
        .doc = {.summary = "Replace the employee's earnings and deductions",
                .request_schema = schemas::components(false),
                .response_schema = schemas::components(true)},
        .handler = put_components},
       {.method = "POST",
        .pattern = "/api/v1/employees/{id}/kyc/approve",
        .access = hr,
        .doc = {.summary = "Approve the employee's KYC (from PENDING or REJECTED; the employee's "
                           "user is notified)",
                .response_schema = schemas::employee()},
        .handler = approve_kyc},
       {.method = "POST",
        .pattern = "/api/v1/employees/{id}/kyc/reject",
        .access = hr,
        .doc = {.summary = "Reject the employee's KYC with a reason (from PENDING or APPROVED; "
                           "the employee's user is notified)",
                .request_schema = schemas::rejection(),
                .response_schema = schemas::employee()},
        .handler = reject_kyc},
       {.method = "PUT",
        .pattern = "/api/v1/employees/{id}/wallet-address",
        .access = hr_or_own,
        .doc = {.summary = "Set the employee's external Solana wallet address (HR, or the "
                           "employee)",
                .request_schema = schemas::wallet_address(),
                .response_schema = schemas::employee()},
        .handler = put_wallet_address},
       {.method = "GET",
        .pattern = "/api/v1/me/employee",
        .access = Access::roles_of({Role::employee}),
        .doc = {.summary = "The caller's own employee record (404 when they have none)",
                .response_schema = schemas::employee()},
        .handler = my_employee},
       {.method = "POST",
        .pattern = "/api/v1/employees/{id}/documents",
        .access = hr_or_own,
        .doc = {.summary = "Upload a document (PDF, PNG or JPEG, at most 10 MiB) for the employee",
                .request_schema = schemas::document_upload(),
                .response_schema = schemas::document(),
                .success_status = 201,
                .query = document_query(),
                .request_content_type = "application/pdf"},
        .handler = upload_document,
        .body_limit = upload_limit},
       {.method = "GET",
        .pattern = "/api/v1/employees/{id}/documents",
        .access = hr_or_own,
        .doc = {.summary = "The employee's documents (metadata), newest first",
                .response_schema = schema::list_of(schemas::document()),
                .query = http::page_query()},
        .handler = list_documents},
       {.method = "GET",
        .pattern = "/api/v1/employees/{id}/documents/{docId}/content",
        .access = hr_or_own,
        .doc = {.summary = "The document's bytes, exactly as uploaded, with their Content-Type"},
        .handler = document_content}});
}

}  // namespace payrollx::employee
