#pragma once
// What each kind of report holds: its columns, and its rows read a page at a time through the
// public interfaces of the modules that own the data (payroll, wallet, compliance), all in the
// maker's one snapshot. The rows go to an encoder and the file as they are read.
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <string>

#include "modules/compliance/compliance.hpp"
#include "reports/file.hpp"
#include "reports/table.hpp"

namespace payrollx {
namespace db {
class Session;
}
namespace payroll {
class Service;
}
namespace wallet {
class Service;
}
}  // namespace payrollx

namespace payrollx::reports {

struct Sources {
  payroll::Service& payroll;
  wallet::Service& wallets;
};

// The report's file, whole: its header, every row, its end. Answers the number of rows.
boost::asio::awaitable<std::int64_t> write_report(const Sources& sources, db::Session& session,
                                                  const compliance::Report& report,
                                                  const std::map<std::string, int>& scales,
                                                  ReportFile& file);

}  // namespace payrollx::reports
