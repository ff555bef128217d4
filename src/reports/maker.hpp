#pragma once
// The report maker of every server instance: woken by the NOTIFY of a request's commit (and by a
// poll, for a notification missed or a maker that died), it claims due reports one at a time in
// PostgreSQL (compliance::Reports::claim, with a lease), so that one instance makes each, and
// writes the file from one REPEATABLE READ snapshot, a page of rows at a time.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "core/woken_job.hpp"

namespace payrollx {
namespace compliance {
class Reports;
}
namespace payroll {
class Service;
}
namespace wallet {
class Service;
}
}  // namespace payrollx

namespace payrollx::reports {

class ReportMaker {
 public:
  ReportMaker(boost::asio::any_io_executor executor, compliance::Reports& reports,
              payroll::Service& payroll, wallet::Service& wallets, std::string listen_conninfo,
              std::chrono::milliseconds poll);
  ~ReportMaker();
  ReportMaker(const ReportMaker&) = delete;
  ReportMaker& operator=(const ReportMaker&) = delete;

  void start();
  void stop();

  struct Impl;  // defined in maker.cpp

 private:
  std::shared_ptr<Impl> impl_;  // kept by a run in flight
  WokenJob job_;
};

}  // namespace payrollx::reports
