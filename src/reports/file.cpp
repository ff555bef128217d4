#include "reports/file.hpp"

#include <array>

namespace payrollx::reports {
namespace {

constexpr std::size_t k_chunk_bytes = 256 * 1024;

}  // namespace

ReportFile::ReportFile(compliance::Reports& reports, compliance::Report report,
                       std::chrono::seconds lease)
    : reports_(reports), report_(std::move(report)), lease_(lease) {
  crypto_hash_sha256_init(&sha256_);
  buffer_.reserve(k_chunk_bytes + k_chunk_bytes / 4);
}

boost::asio::awaitable<void> ReportFile::write(std::string_view text, int progress) {
  buffer_ += text;
  crypto_hash_sha256_update(&sha256_, reinterpret_cast<const unsigned char*>(text.data()),
                            text.size());
  size_ += static_cast<std::int64_t>(text.size());
  if (buffer_.size() >= k_chunk_bytes) co_await store_chunk(progress);
}

boost::asio::awaitable<void> ReportFile::store_chunk(int progress) {
  co_await reports_.append(report_, position_, buffer_, progress, lease_);
  ++position_;
  buffer_.clear();
}

boost::asio::awaitable<void> ReportFile::finish(std::int64_t rows) {
  constexpr int k_all_but_done = 99;
  if (!buffer_.empty()) co_await store_chunk(k_all_but_done);
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256_final(&sha256_, digest.data());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  co_await reports_.finish(report_, rows, size_, std::string(hex.data()));
}

}  // namespace payrollx::reports
