#pragma once
// One audit test's world: a fresh database with one organisation, a pool on a two-thread
// io_context, an AuditLog (without a sealer: tests seal when they choose) and SQL helpers.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/db/pool.hpp"
#include "modules/compliance/compliance.hpp"
#include "modules/compliance/service.hpp"
#include "test_database.hpp"

namespace payrollx::test {

class AuditWorld {
 public:
  explicit AuditWorld(const std::string& label = "audit_log")
      : url_(payrollx::test::fresh_database(label)),
        sql_(url_),
        guard_(io_.get_executor()),
        pool_(io_.get_executor(), pool_options(url_), nullptr) {
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
    organization_id_ = *Uuid::parse(
        *sql_.scalar("INSERT INTO organization.organizations (name) VALUES ($1) RETURNING id::text",
                     {"Audit " + Uuid::random().str()}));
  }
  ~AuditWorld() {
    run(pool_.close(std::chrono::seconds(5)));
    guard_.reset();
    io_.stop();
    for (auto& thread : threads_) thread.join();
  }

  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future).get();
  }

  // Appends one entry per action, all in one transaction that commits.
  void commit_entries(const std::vector<std::string>& actions) {
    auto body = [&](db::Tx& tx) -> boost::asio::awaitable<void> {
      for (const auto& action : actions) co_await audit_.append(tx, entry(action));
    };
    run(pool_.transaction(body));
  }

  compliance::AuditEntry entry(const std::string& action) const {
    compliance::AuditEntry e;
    e.organization_id = organization_id_;
    e.actor.user_id = Uuid::random();
    e.actor.request_id = "req-" + action;
    e.action = action;
    e.entity_type = "test";
    e.entity_id = organization_id_;
    e.before = nullptr;
    e.after = boost::json::object{{"action", action}, {"amount", 250000}};
    return e;
  }

  // Seals what is queued, as a reader or the sealer would; how many entries it sealed.
  std::int64_t seal() { return run(payrollx::compliance::seal_queued(pool_, organization_id_)); }

  payrollx::compliance::VerifyResult verify() {
    return run(payrollx::compliance::verify_chain(pool_, organization_id_));
  }

  long long entries() {
    return sql_.count("SELECT count(*) FROM compliance.audit_logs WHERE organization_id = $1",
                      {organization_id_.str()});
  }
  std::optional<std::string> head() {
    auto rows = sql_.rows(
        "SELECT seq || ':' || hash FROM compliance.audit_chain_heads WHERE organization_id = $1",
        {organization_id_.str()});
    if (rows.empty()) return std::nullopt;
    return rows[0][0];
  }
  long long queued() {
    return sql_.count("SELECT count(*) FROM compliance.audit_unsealed WHERE organization_id = $1",
                      {organization_id_.str()});
  }
  std::string id_of(long long seq) {
    return *sql_.scalar(
        "SELECT entry_id::text FROM compliance.audit_seals WHERE organization_id = $1 AND seq = $2",
        {organization_id_.str(), std::to_string(seq)});
  }
  // The action of each sealed entry, in chain order.
  std::vector<std::string> chain_actions() {
    std::vector<std::string> actions;
    for (const auto& row :
         sql_.rows("SELECT e.action FROM compliance.audit_seals s JOIN compliance.audit_logs e "
                   "ON e.organization_id = s.organization_id AND e.id = s.entry_id "
                   "WHERE s.organization_id = $1 ORDER BY s.seq",
                   {organization_id_.str()}))
      actions.push_back(*row[0]);
    return actions;
  }

  boost::asio::io_context& io() { return io_; }
  payrollx::db::Pool& pool() { return pool_; }
  payrollx::test::Sql& sql() { return sql_; }
  compliance::AuditLog& audit() { return audit_; }
  const Uuid& organization_id() const { return organization_id_; }

 private:
  static payrollx::db::PoolOptions pool_options(const std::string& url) {
    payrollx::db::PoolOptions options;
    options.conninfo = url;
    options.max_size = 8;
    return options;
  }

  std::string url_;
  payrollx::test::Sql sql_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  payrollx::db::Pool pool_;
  std::vector<std::thread> threads_;
  compliance::AuditLog audit_;
  Uuid organization_id_;
};

}  // namespace payrollx::test
