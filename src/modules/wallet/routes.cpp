// The wallet routes (/api/v1/wallets/...): wallets and their statements.
// An EMPLOYEE sees only their own wallets; anyone else's answer 404, as for an unknown id.
#include <algorithm>
#include <boost/json/array.hpp>

#include "core/currency.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/json.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::wallet {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

constexpr std::string_view k_creatable_owner_types[] = {"ORGANIZATION", "EMPLOYEE"};

// The employee whose wallets an EMPLOYEE caller may see; nullopt for the organisation's roles.
// An EMPLOYEE without an employee record sees nothing: a nil id matches no wallet.
awaitable<std::optional<Uuid>> visible_owner(Service& service, const http::RequestContext& ctx) {
  if (ctx.user().role != Role::employee) co_return std::nullopt;
  auto employee = co_await service.employee_of(ctx.user());
  co_return employee.value_or(Uuid());
}

// The wallet of the path, if the caller may see it (404 otherwise).
awaitable<Wallet> visible_wallet(Service& service, const http::RequestContext& ctx) {
  auto wallet_id = ctx.id_param("id");
  auto owner = co_await visible_owner(service, ctx);
  auto wallet = co_await service.get(ctx.user().org(), wallet_id);
  if (owner && !(wallet.owner_type == OwnerType::employee && wallet.owner_id == *owner))
    throw not_found("The wallet does not exist.");
  co_return wallet;
}

template <class Item>
boost::json::object page_answer(const std::vector<Item>& items, int limit) {
  boost::json::array data;
  std::optional<http::Keyset> next;
  const auto shown = std::min(items.size(), static_cast<std::size_t>(limit));
  for (std::size_t i = 0; i < shown; ++i) data.push_back(to_json(items[i]));
  if (items.size() > shown) next = http::Keyset{items[shown - 1].created_at, items[shown - 1].id};
  return http::list_answer(std::move(data), next);
}

awaitable<http::Response> list_wallets(Service& service, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto owner = co_await visible_owner(service, ctx);
  auto wallets = co_await service.list(ctx.user().org(), owner, page);
  co_return http::Response::json(200, page_answer(wallets, page.limit));
}

awaitable<http::Response> get_wallet(Service& service, http::RequestContext& ctx) {
  co_return http::Response::json(200, to_json(co_await visible_wallet(service, ctx)));
}

awaitable<http::Response> list_entries(Service& service, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto wallet = co_await visible_wallet(service, ctx);
  std::optional<Uuid> after;
  if (page.after) after = page.after->id;
  auto entries = co_await service.statement(ctx.user().org(), wallet.id, after, page.limit);
  co_return http::Response::json(200, page_answer(entries, page.limit));
}

NewWallet read_new_wallet(const http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto text = reader.required_enum("ownerType", k_creatable_owner_types);
  auto employee_id = reader.optional_uuid("employeeId");
  auto currency = reader.required_string("currency", k_currency_code);
  const auto owner_type = text ? parse_owner_type(*text) : std::nullopt;
  if (owner_type == OwnerType::employee && !employee_id && reader.ok())
    reader.fail("employeeId", "is required when ownerType is EMPLOYEE");
  if (owner_type == OwnerType::organization && employee_id)
    reader.fail("employeeId", "must be absent when ownerType is ORGANIZATION");
  reader.finish();
  if (owner_type == OwnerType::organization)
    return {.owner_type = OwnerType::organization,
            .owner_id = ctx.user().org(),
            .currency = std::move(*currency)};
  return {.owner_type = OwnerType::employee,
          .owner_id = *employee_id,
          .currency = std::move(*currency)};
}

awaitable<http::Response> open_wallet(Service& service, http::RequestContext& ctx) {
  auto wallet = read_new_wallet(ctx);
  const auto& organization_id = ctx.user().org();
  if (wallet.owner_type == OwnerType::employee &&
      !co_await service.has_employee(organization_id, wallet.owner_id))
    throw not_found("The employee does not exist.");
  auto actor = compliance::actor_of(ctx);
  auto open = [&](db::Tx& tx) { return service.open(tx, organization_id, wallet, actor); };
  auto opened = co_await service.pool().transaction(open);
  co_return http::Response::json(201, to_json(opened));
}

boost::json::value wallet_schema() {
  return schema::object({{"id", schema::uuid()},
                         {"ownerType", schema::enumeration(k_owner_types.names())},
                         {"ownerId", schema::uuid()},
                         {"currency", schema::string(k_currency_code)},
                         {"balance", schema::integer()},
                         {"held", schema::integer(0)},
                         {"available", schema::integer()},
                         {"status", schema::enumeration(k_statuses.names())},
                         {"createdAt", schema::date_time()}},
                        {"id", "ownerType", "ownerId", "currency", "balance", "held", "available",
                         "status", "createdAt"});
}

boost::json::value entry_schema() {
  return schema::object({{"id", schema::uuid()},
                         {"walletId", schema::uuid()},
                         {"transactionId", schema::uuid()},
                         {"direction", schema::enumeration({"DEBIT", "CREDIT"})},
                         {"amount", schema::integer(1)},
                         {"balanceAfter", schema::integer()},
                         {"currency", schema::string(k_currency_code)},
                         {"createdAt", schema::date_time()}},
                        {"id", "walletId", "transactionId", "direction", "amount", "balanceAfter",
                         "currency", "createdAt"});
}

}  // namespace

void register_routes(http::Router& router, Service& service) {
  const auto readers = http::Access::roles_of({Role::finance_manager, Role::employee});
  http::add_routes<Service&>(
      router, "wallet", service,
      {{.method = "GET",
        .pattern = "/api/v1/wallets",
        .access = readers,
        .doc = {.summary = "The organisation's wallets, newest first (an EMPLOYEE: their own)",
                .response_schema = schema::list_of(wallet_schema()),
                .query = http::page_query()},
        .handler = list_wallets},
       {.method = "POST",
        .pattern = "/api/v1/wallets",
        .access = http::Access::roles_of({Role::finance_manager}),
        .doc = {.summary = "Open a wallet for the organisation or an employee in a currency (one "
                           "per owner and currency: 409 otherwise)",
                .request_schema = schema::object(
                    {{"ownerType", schema::enumeration({"ORGANIZATION", "EMPLOYEE"})},
                     {"employeeId", schema::uuid()},
                     {"currency", schema::string(k_currency_code)}},
                    {"ownerType", "currency"}),
                .response_schema = wallet_schema(),
                .success_status = 201},
        .handler = open_wallet},
       {.method = "GET",
        .pattern = "/api/v1/wallets/{id}",
        .access = readers,
        .doc = {.summary = "One wallet with its balance, held and available amounts",
                .response_schema = wallet_schema()},
        .handler = get_wallet},
       {.method = "GET",
        .pattern = "/api/v1/wallets/{id}/entries",
        .access = readers,
        .doc = {.summary = "The wallet's statement: entries with balanceAfter, newest first",
                .response_schema = schema::list_of(entry_schema()),
                .query = http::page_query()},
        .handler = list_entries}});
}

}  // namespace payrollx::wallet
