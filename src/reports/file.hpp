#pragma once
// A report's file as the maker writes it: text is gathered into chunks of 256 KiB, each stored
// as soon as it is full (with the report's progress, renewing the maker's lease), and hashed as
// it goes; finish() stores the last chunk and marks the report READY with its size and sha256.
#include <sodium.h>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "modules/compliance/compliance.hpp"

namespace payrollx::reports {

class ReportFile {
 public:
  ReportFile(compliance::Reports& reports, compliance::Report report, std::chrono::seconds lease);

  boost::asio::awaitable<void> write(std::string_view text, int progress);
  boost::asio::awaitable<void> finish(std::int64_t rows);

 private:
  boost::asio::awaitable<void> store_chunk(int progress);

  compliance::Reports& reports_;
  compliance::Report report_;
  std::chrono::seconds lease_;
  std::string buffer_;
  int position_ = 0;
  std::int64_t size_ = 0;
  crypto_hash_sha256_state sha256_;
};

}  // namespace payrollx::reports
