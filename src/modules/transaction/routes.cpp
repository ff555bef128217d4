// The money-moving routes of wallets and transactions (deposits, withdrawals, transfers,
// settling and reversing), the transactions and the ledger reconciliation. Every 💰 route runs
// its flow through idempotency::run: one database transaction for the key, the effects and the
// stored answer.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json/array.hpp>

#include "core/base58.hpp"
#include "core/db/pool.hpp"
#include "core/error.hpp"
#include "core/http/context.hpp"
#include "core/http/pagination.hpp"
#include "core/http/route_table.hpp"
#include "core/http/router.hpp"
#include "core/http/schema.hpp"
#include "core/idempotency.hpp"
#include "core/json.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/transaction/rules.hpp"
#include "modules/transaction/schemas.hpp"
#include "modules/transaction/transaction.hpp"
#include "modules/wallet/wallet.hpp"

namespace payrollx::transaction {
namespace {

namespace schema = http::schema;
using boost::asio::awaitable;

// Enough for any employee's wallets (one per currency) in one page.
constexpr int k_wallets_per_employee = 200;

// An EMPLOYEE caller's wallets: what they may see and spend. None without an employee record.
awaitable<std::vector<Uuid>> own_wallets(wallet::Service& wallets, const Principal& caller) {
  auto employee = co_await wallets.employee_of(caller);
  if (!employee) co_return std::vector<Uuid>{};
  const http::PageRequest all{.limit = k_wallets_per_employee};
  auto owned = co_await wallets.list(caller.org(), *employee, all);
  std::vector<Uuid> ids;
  for (const auto& wallet : owned) ids.push_back(wallet.id);
  co_return ids;
}

// Runs a 💰 flow under the request's Idempotency-Key and answers its transaction.
template <class Flow>
awaitable<http::Response> money_route(Service& service, http::RequestContext& ctx, int status,
                                      Flow flow) {
  idempotency::Work work = [&](db::Tx& tx) -> awaitable<http::Response> {
    auto transaction = co_await flow(tx);
    co_return http::Response::json(status, to_json(transaction));
  };
  co_return co_await idempotency::run(service.pool(), ctx, std::move(work));
}

awaitable<http::Response> post_deposit(Service& service, http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto amount = reader.required_int("amount", rules::k_amount);
  auto reference = reader.required_string("reference", rules::k_reference);
  reader.finish();
  const Deposit deposit{
      .wallet_id = ctx.id_param("id"), .amount = *amount, .reference = *reference};
  auto actor = compliance::actor_of(ctx);
  co_return co_await money_route(service, ctx, 201, [&](db::Tx& tx) {
    return service.deposit(tx, ctx.user().org(), deposit, actor);
  });
}

awaitable<http::Response> post_withdrawal(Service& service, http::RequestContext& ctx) {
  auto wallet_id = ctx.id_param("id");
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto amount = reader.required_int("amount", rules::k_amount);
  auto destination = reader.required_string("destinationAddress", rules::k_address);
  if (destination && !is_solana_public_key(*destination))
    reader.fail("destinationAddress", "must be a Solana address (base58 of 32 bytes)");
  reader.finish();
  if (ctx.user().role == Role::employee) {
    auto own = co_await own_wallets(service.wallets(), ctx.user());
    if (std::find(own.begin(), own.end(), wallet_id) == own.end())
      throw not_found("The wallet does not exist.");
  }
  const Withdrawal withdrawal{
      .wallet_id = wallet_id, .amount = *amount, .destination_address = *destination};
  auto actor = compliance::actor_of(ctx);
  co_return co_await money_route(service, ctx, 201, [&](db::Tx& tx) {
    return service.withdraw(tx, ctx.user().org(), withdrawal, actor);
  });
}

awaitable<http::Response> post_transfer(Service& service, http::RequestContext& ctx) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto from = reader.required_uuid("fromWalletId");
  auto to = reader.required_uuid("toWalletId");
  auto amount = reader.required_int("amount", rules::k_amount);
  auto type = reader.required_enum("type", rules::k_transfer_types);
  auto notes = reader.optional_string("notes", rules::k_reason);
  if (from && to && *from == *to) reader.fail("toWalletId", "must differ from fromWalletId");
  reader.finish();
  const Transfer transfer{.from_wallet_id = *from,
                          .to_wallet_id = *to,
                          .amount = *amount,
                          .type = *parse_type(*type),
                          .notes = notes};
  auto actor = compliance::actor_of(ctx);
  co_return co_await money_route(service, ctx, 201, [&](db::Tx& tx) {
    return service.transfer(tx, ctx.user().org(), transfer, actor);
  });
}

// A settlement or reversal body: one required text field.
std::string read_one_text(const http::RequestContext& ctx, std::string_view key,
                          json::StringRule rule) {
  auto body = ctx.json_body();
  json::FieldReader reader(body);
  auto text = reader.required_string(key, rule);
  reader.finish();
  return *text;
}

awaitable<http::Response> post_complete(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto external_reference = read_one_text(ctx, "externalReference", rules::k_reference);
  auto actor = compliance::actor_of(ctx);
  co_return co_await money_route(service, ctx, 200, [&](db::Tx& tx) {
    return service.complete(tx, ctx.user().org(), id, external_reference, actor);
  });
}

awaitable<http::Response> post_fail(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto reason = read_one_text(ctx, "reason", rules::k_reason);
  auto actor = compliance::actor_of(ctx);
  co_return co_await money_route(service, ctx, 200, [&](db::Tx& tx) {
    return service.fail(tx, ctx.user().org(), id, reason, actor);
  });
}

awaitable<http::Response> post_settle(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto actor = compliance::actor_of(ctx);
  co_return co_await money_route(service, ctx, 200, [&](db::Tx& tx) {
    return service.retry_settlement(tx, ctx.user().org(), id, actor);
  });
}

awaitable<http::Response> post_reverse(Service& service, http::RequestContext& ctx) {
  auto id = ctx.id_param("id");
  auto reason = read_one_text(ctx, "reason", rules::k_reason);
  auto actor = compliance::actor_of(ctx);
  co_return co_await money_route(service, ctx, 201, [&](db::Tx& tx) {
    return service.reverse(tx, ctx.user().org(), id, reason, actor);
  });
}

std::optional<Uuid> uuid_param(const http::RequestContext& ctx, std::string_view name) {
  auto text = ctx.request().query_param(name);
  if (!text) return std::nullopt;
  auto id = Uuid::parse(*text);
  if (!id) throw validation_failed(std::string(name), "must be a UUID");
  return id;
}

template <class E, std::size_t N>
std::optional<E> enum_param(const http::RequestContext& ctx, std::string_view name,
                            const EnumNames<E, N>& names) {
  auto text = ctx.request().query_param(name);
  if (!text) return std::nullopt;
  auto value = names.parse(*text);
  if (!value)
    throw validation_failed(std::string(name),
                            fmt::format("must be one of {}", fmt::join(names.names(), ", ")));
  return value;
}

// `from` / `to`: an RFC 3339 instant, or a date (the whole day: from its first instant, to its
// last).
std::optional<Timestamp> time_param(const http::RequestContext& ctx, std::string_view name,
                                    bool end_of_day) {
  auto text = ctx.request().query_param(name);
  if (!text) return std::nullopt;
  if (auto date = parse_date(*text)) {
    Timestamp start{std::chrono::sys_days(*date)};
    return end_of_day ? start + std::chrono::days(1) - std::chrono::microseconds(1) : start;
  }
  if (auto instant = parse_timestamp(*text)) return instant;
  throw validation_failed(std::string(name), "must be an RFC 3339 timestamp or a YYYY-MM-DD date");
}

awaitable<Filter> read_filter(Service& service, const http::RequestContext& ctx) {
  Filter filter;
  filter.wallet_id = uuid_param(ctx, "walletId");
  auto employee_id = uuid_param(ctx, "employeeId");
  filter.payroll_run_id = uuid_param(ctx, "payrollRunId");
  filter.type = enum_param(ctx, "type", k_types);
  filter.status = enum_param(ctx, "status", k_statuses);
  filter.from = time_param(ctx, "from", false);
  filter.to = time_param(ctx, "to", true);
  auto& wallets = service.wallets();
  if (ctx.user().role == Role::employee)
    filter.visible_wallets = co_await own_wallets(wallets, ctx.user());
  if (employee_id) {
    const http::PageRequest all{.limit = k_wallets_per_employee};
    auto owned = co_await wallets.list(ctx.user().org(), *employee_id, all);
    std::vector<Uuid> ids;
    for (const auto& wallet : owned) ids.push_back(wallet.id);
    filter.employee_wallets = std::move(ids);
  }
  co_return filter;
}

// A transaction as its viewer may see it. An EMPLOYEE sees their own pay, not who in finance
// made or settled it (a person sees only their own wallets' entries, never the organisation's).
boost::json::object transaction_json(const Transaction& transaction, const Principal& viewer) {
  auto answer = to_json(transaction);
  if (viewer.role == Role::employee) answer["createdBy"] = nullptr;
  return answer;
}

awaitable<http::Response> list_transactions(Service& service, http::RequestContext& ctx) {
  auto page = http::page_request(ctx);
  auto filter = co_await read_filter(service, ctx);
  auto transactions = co_await service.list(ctx.user().org(), filter, page);
  boost::json::array data;
  std::optional<http::Keyset> next;
  const auto shown = std::min(transactions.size(), static_cast<std::size_t>(page.limit));
  for (std::size_t i = 0; i < shown; ++i)
    data.push_back(transaction_json(transactions[i], ctx.user()));
  if (transactions.size() > shown)
    next = http::Keyset{transactions[shown - 1].created_at, transactions[shown - 1].id};
  co_return http::Response::json(200, http::list_answer(std::move(data), next));
}

// `actorId` only for the organisation's roles (see transaction_json).
boost::json::object history_json(const StatusChange& change, const Principal& viewer) {
  const bool show_actor = change.actor_id && viewer.role != Role::employee;
  return {{"fromStatus",
           change.from_status ? boost::json::value(to_string(*change.from_status)) : nullptr},
          {"toStatus", to_string(change.to_status)},
          {"reason", change.reason ? boost::json::value(*change.reason) : nullptr},
          {"actorId", show_actor ? boost::json::value(change.actor_id->str()) : nullptr},
          {"createdAt", to_rfc3339(change.created_at)}};
}

awaitable<http::Response> get_transaction(Service& service, http::RequestContext& ctx) {
  const auto& organization_id = ctx.user().org();
  auto transaction = co_await service.get(organization_id, ctx.id_param("id"));
  // An EMPLOYEE sees a transaction that touches one of their wallets, and of it only the legs
  // (entries) of their wallets: never the treasury's running balance.
  std::optional<std::vector<Uuid>> visible_wallets;
  if (ctx.user().role == Role::employee) {
    visible_wallets = co_await own_wallets(service.wallets(), ctx.user());
    auto mine = [&](const Uuid& id) {
      return std::find(visible_wallets->begin(), visible_wallets->end(), id) !=
             visible_wallets->end();
    };
    if (!mine(transaction.from_wallet_id) && !mine(transaction.to_wallet_id))
      throw not_found("The transaction does not exist.");
  }
  auto answer = transaction_json(transaction, ctx.user());
  boost::json::array entries, history;
  const std::vector<Uuid> ids{transaction.id};
  auto read_entries = [&](db::Tx& tx) {
    return service.wallets().entries_of(tx, organization_id, ids);
  };
  db::TxOptions read_only;
  read_only.read_only = true;
  for (const auto& entry : co_await service.pool().transaction(read_entries, read_only))
    if (!visible_wallets || std::find(visible_wallets->begin(), visible_wallets->end(),
                                      entry.wallet_id) != visible_wallets->end())
      entries.push_back(to_json(entry));
  for (const auto& change : co_await service.history(organization_id, transaction.id))
    history.push_back(history_json(change, ctx.user()));
  answer["entries"] = std::move(entries);
  answer["statusHistory"] = std::move(history);
  co_return http::Response::json(200, answer);
}

awaitable<http::Response> get_reconciliation(Service& service, http::RequestContext& ctx) {
  co_return http::Response::json(200, co_await service.reconcile(ctx.user().org()));
}

// A 💰 route: the Idempotency-Key header is required and answers are replayed.
http::RouteDoc money_doc(std::string summary, boost::json::value request, int status) {
  return {.summary = std::move(summary),
          .request_schema = std::move(request),
          .response_schema = schemas::transaction(),
          .success_status = status,
          .query = {},
          .idempotency_key_required = true};
}

}  // namespace

void register_routes(http::Router& router, Service& service) {
  const auto finance = http::Access::roles_of({Role::finance_manager});
  const auto finance_or_owner = http::Access::roles_of({Role::finance_manager, Role::employee});

  http::add_routes<Service&>(
      router, "transaction", service,
      {{.method = "POST",
        .pattern = "/api/v1/wallets/{id}/deposits",
        .access = finance,
        .doc = money_doc("Deposit into a wallet from outside the platform (COMPLETED)",
                         schemas::deposit(), 201),
        .handler = post_deposit},
       {.method = "POST",
        .pattern = "/api/v1/wallets/{id}/withdrawals",
        .access = finance_or_owner,
        .doc = money_doc("Withdraw to a Solana address: PENDING, the amount held until settled",
                         schemas::withdrawal(), 201),
        .handler = post_withdrawal},
       {.method = "POST",
        .pattern = "/api/v1/transfers",
        .access = finance,
        .doc = money_doc("Move money between two wallets of one currency (COMPLETED)",
                         schemas::transfer(), 201),
        .handler = post_transfer},
       {.method = "GET",
        .pattern = "/api/v1/transactions",
        .access = finance_or_owner,
        .doc = {.summary = "Transactions, newest first (an EMPLOYEE: their own)",
                .response_schema = schema::list_of(schemas::transaction()),
                .query = schemas::list_query()},
        .handler = list_transactions},
       {.method = "GET",
        .pattern = "/api/v1/transactions/{id}",
        .access = finance_or_owner,
        .doc = {.summary = "One transaction with its entries and status history",
                .response_schema = schemas::transaction_detail()},
        .handler = get_transaction},
       {.method = "POST",
        .pattern = "/api/v1/transactions/{id}/complete",
        .access = finance,
        .doc = money_doc("Settle a PENDING withdrawal: the held money leaves the wallet",
                         schemas::text_body("externalReference", rules::k_reference), 200),
        .handler = post_complete},
       {.method = "POST",
        .pattern = "/api/v1/transactions/{id}/fail",
        .access = finance,
        .doc = money_doc("Fail a PENDING withdrawal: the held money is available again",
                         schemas::text_body("reason", rules::k_reason), 200),
        .handler = post_fail},
       {.method = "POST",
        .pattern = "/api/v1/transactions/{id}/settle",
        .access = finance,
        .doc = money_doc("Resume the on-chain settlement of a withdrawal that FAILED for a "
                         "reason that may pass (an RPC outage); a transaction already sent is "
                         "looked for first, never replaced while it may land",
                         nullptr, 200),
        .handler = post_settle},
       {.method = "POST",
        .pattern = "/api/v1/transactions/{id}/reverse",
        .access = finance,
        .doc = money_doc("Reverse a COMPLETED transaction with a compensating one (a reversal is "
                         "never reversed, nothing is reversed twice)",
                         schemas::text_body("reason", rules::k_reason), 201),
        .handler = post_reverse},
       {.method = "GET",
        .pattern = "/api/v1/ledger/reconciliation",
        .access = finance,
        .doc = {.summary = "Recompute every balance from the entries and check every rule of the "
                           "books",
                .response_schema = schemas::reconciliation()},
        .handler = get_reconciliation}});
}

}  // namespace payrollx::transaction
