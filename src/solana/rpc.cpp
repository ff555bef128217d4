#include "solana/rpc.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <mutex>
#include <new>
#include <utility>

#include "core/base58.hpp"

namespace payrollx::solana {

namespace asio = boost::asio;
namespace json = boost::json;

std::string_view to_string(Commitment commitment) {
  switch (commitment) {
    case Commitment::processed:
      return "processed";
    case Commitment::confirmed:
      return "confirmed";
    case Commitment::finalized:
      return "finalized";
  }
  return "finalized";
}

namespace {

// Far more than any answer of the five calls (256 statuses are about 40 KiB); a node that sends
// more is not read further.
constexpr std::size_t k_answer_cap = 1024 * 1024;
// A node's error message is shown in logs; one that goes on is cut.
constexpr std::size_t k_error_message_cap = 200;

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw std::runtime_error("curl_global_init failed");
  });
}

struct CurlDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// This thread's easy handle, reset to no options. Only the client's own pool threads call it, so
// the handle (and its open connection to the node, kept between calls) ends with the client's
// pool.
CURL* thread_curl_handle() {
  thread_local std::unique_ptr<CURL, CurlDeleter> handle;
  if (handle) {
    curl_easy_reset(handle.get());  // options only: the connection cache stays
  } else {
    init_curl();
    handle.reset(curl_easy_init());
    if (!handle) throw std::bad_alloc();
  }
  return handle.get();
}

struct Transfer {
  std::string answer;
  bool too_large = false;
  std::array<char, CURL_ERROR_SIZE> error{};
};

std::size_t collect_answer(char* data, std::size_t size, std::size_t count, void* context) {
  auto& transfer = *static_cast<Transfer*>(context);
  if (transfer.answer.size() + size * count > k_answer_cap) {
    transfer.too_large = true;
    return 0;  // less than given: libcurl aborts the transfer
  }
  transfer.answer.append(data, size * count);
  return size * count;
}

// POSTs `body` and answers the HTTP 200 answer's body. Blocking: runs on the client's pool. The
// messages name the method, never the URL (a provider's URL may carry an API key) nor the body.
std::string post(const RpcOptions& options, std::string_view method, const std::string& body) {
  CURL* curl = thread_curl_handle();
  curl_slist* list = curl_slist_append(nullptr, "Content-Type: application/json");
  const std::unique_ptr<curl_slist, SlistDeleter> headers(list);
  if (list == nullptr || curl_slist_append(list, "Expect:") == nullptr) throw std::bad_alloc();
  Transfer transfer;
  curl_easy_setopt(curl, CURLOPT_URL, options.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // pool threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  // Ignore http_proxy and the like: the deployment's network is the route.
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "PayrollX/" PAYROLLX_VERSION);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_answer);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, transfer.error.data());
  const CURLcode code = curl_easy_perform(curl);

  if (transfer.too_large)
    throw RpcError(fmt::format("{}: the answer is larger than {} bytes", method, k_answer_cap));
  if (code == CURLE_OPERATION_TIMEDOUT)
    throw RpcError(fmt::format("{}: no answer within {} ms", method, options.timeout.count()));
  if (code != CURLE_OK) {
    const std::string_view detail =
        transfer.error[0] != '\0' ? transfer.error.data() : curl_easy_strerror(code);
    throw RpcError(fmt::format("{}: {}", method, detail));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) throw RpcError(fmt::format("{}: HTTP {}", method, status));
  return std::move(transfer.answer);
}

bool is_id(const json::value& value, std::uint64_t id) {
  return (value.is_uint64() && value.get_uint64() == id) ||
         (value.is_int64() && value.get_int64() >= 0 &&
          static_cast<std::uint64_t>(value.get_int64()) == id);
}

// The `result` of a JSON-RPC answer to request `id`; RpcError for an `error` object or any other
// shape.
json::value result_of(std::string_view method, std::uint64_t id, const std::string& answer) {
  boost::system::error_code ec;
  json::value parsed = json::parse(answer, ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  if (object == nullptr) throw RpcError(fmt::format("{}: the answer is not a JSON object", method));
  if (const json::value* error = object->if_contains("error")) {
    const json::object* fields = error->if_object();
    const json::value* code = fields != nullptr ? fields->if_contains("code") : nullptr;
    const json::value* message = fields != nullptr ? fields->if_contains("message") : nullptr;
    if (code == nullptr || !code->is_int64() || message == nullptr || !message->is_string())
      throw RpcError(fmt::format("{}: a malformed JSON-RPC error", method));
    const std::string_view text = message->get_string();
    throw RpcError(fmt::format("{}: JSON-RPC error {}: {}", method, code->get_int64(),
                               text.substr(0, k_error_message_cap)));
  }
  const json::value* answered_id = object->if_contains("id");
  const json::value* result = object->if_contains("result");
  if (answered_id == nullptr || !is_id(*answered_id, id) || result == nullptr)
    throw RpcError(fmt::format("{}: the answer is not a JSON-RPC answer to this request", method));
  return *result;
}

// Reading the result: each helper throws RpcError naming the method and the field.
class Reader {
 public:
  explicit Reader(std::string_view method) : method_(method) {}

  [[noreturn]] void fail(std::string_view what) const {
    throw RpcError(fmt::format("{}: unexpected answer: {}", method_, what));
  }

  const json::object& object(const json::value& value, std::string_view what) const {
    const json::object* object = value.if_object();
    if (object == nullptr) fail(fmt::format("{} is not an object", what));
    return *object;
  }
  const json::value& field(const json::object& object, std::string_view key) const {
    const json::value* value = object.if_contains(key);
    if (value == nullptr) fail(fmt::format("no {}", key));
    return *value;
  }
  std::uint64_t u64(const json::value& value, std::string_view what) const {
    if (value.is_uint64()) return value.get_uint64();
    if (value.is_int64() && value.get_int64() >= 0)
      return static_cast<std::uint64_t>(value.get_int64());
    fail(fmt::format("{} is not an unsigned integer", what));
  }
  std::string_view string(const json::value& value, std::string_view what) const {
    if (!value.is_string()) fail(fmt::format("{} is not a string", what));
    return value.get_string();
  }
  PublicKey key(const json::value& value, std::string_view what) const {
    const std::optional<PublicKey> key = PublicKey::from_base58(string(value, what));
    if (!key) fail(fmt::format("{} is not a public key", what));
    return *key;
  }
  // The `value` of an RpcResponse ({"context": {...}, "value": ...}).
  const json::value& response_value(const json::value& result) const {
    return field(object(result, "result"), "value");
  }
  // Its context.slot: the slot the node answered at.
  std::uint64_t context_slot(const json::value& result) const {
    return u64(field(object(field(object(result, "result"), "context"), "context"), "slot"),
               "context.slot");
  }

 private:
  std::string_view method_;
};

Commitment commitment_of(const Reader& read, const json::value& value) {
  const std::string_view text = read.string(value, "confirmationStatus");
  for (const Commitment commitment :
       {Commitment::processed, Commitment::confirmed, Commitment::finalized})
    if (text == to_string(commitment)) return commitment;
  read.fail("an unknown confirmationStatus");
}

SignatureStatus status_of(const Reader& read, const json::value& value) {
  const json::object& fields = read.object(value, "a status");
  SignatureStatus status;
  status.slot = read.u64(read.field(fields, "slot"), "slot");
  // Nodes before 1.5 leave confirmationStatus out for every status; then only
  // `confirmations: null` says rooted, and anything else is taken as the weakest claim.
  const json::value* confirmation = fields.if_contains("confirmationStatus");
  const json::value* confirmations = fields.if_contains("confirmations");
  if (confirmation != nullptr && !confirmation->is_null())
    status.confirmation = commitment_of(read, *confirmation);
  else if (confirmations != nullptr && confirmations->is_null())
    status.confirmation = Commitment::finalized;
  else
    status.confirmation = Commitment::processed;
  const json::value& error = read.field(fields, "err");
  if (!error.is_null()) status.error = error;
  return status;
}

json::object commitment_config(Commitment commitment) {
  return json::object{{"commitment", to_string(commitment)}};
}

std::string base64(const std::vector<std::uint8_t>& bytes) {
  namespace base64 = boost::beast::detail::base64;
  std::string text(base64::encoded_size(bytes.size()), '\0');
  text.resize(base64::encode(text.data(), bytes.data(), bytes.size()));
  return text;
}

}  // namespace

struct RpcClient::Impl {
  RpcOptions options;
  std::atomic<std::uint64_t> next_id{1};
  // Last, so that it is joined first: a call still running on it uses `options`. Three threads:
  // the settlement's sends and status polls rarely wait on each other, and the node sees at most
  // three connections from us.
  asio::thread_pool pool{3};

  // The `result` of `method(params)`, fetched on the pool; the caller resumes on its executor.
  asio::awaitable<json::value> call(std::string_view method, json::array params) {
    const std::uint64_t id = next_id.fetch_add(1);
    std::string body = json::serialize(json::object{
        {"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}});
    // Named before co_spawn (a workaround for GCC 12 bug PR 107288).
    auto work = [this, method, id, body = std::move(body)]() -> asio::awaitable<json::value> {
      co_return result_of(method, id, post(options, method, body));
    };
    co_return co_await asio::co_spawn(pool.get_executor(), std::move(work), asio::use_awaitable);
  }
};

RpcClient::RpcClient(RpcOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

RpcClient::~RpcClient() = default;

asio::awaitable<LatestBlockhash> RpcClient::latest_blockhash(Commitment commitment) {
  constexpr std::string_view method = "getLatestBlockhash";
  json::array params{commitment_config(commitment)};
  const json::value result = co_await impl_->call(method, std::move(params));
  const Reader read(method);
  const json::object& value = read.object(read.response_value(result), "value");
  const auto bytes = base58_decode(read.string(read.field(value, "blockhash"), "blockhash"));
  LatestBlockhash latest;
  if (!bytes || bytes->size() != latest.blockhash.size()) read.fail("blockhash is not 32 bytes");
  std::copy(bytes->begin(), bytes->end(), latest.blockhash.begin());
  latest.last_valid_block_height =
      read.u64(read.field(value, "lastValidBlockHeight"), "lastValidBlockHeight");
  latest.context_slot = read.context_slot(result);
  co_return latest;
}

asio::awaitable<std::string> RpcClient::send_transaction(const std::vector<std::uint8_t>& bytes) {
  constexpr std::string_view method = "sendTransaction";
  json::array params{
      base64(bytes),
      json::object{{"encoding", "base64"}, {"skipPreflight", true}, {"maxRetries", 0}}};
  const json::value result = co_await impl_->call(method, std::move(params));
  const Reader read(method);
  const std::string_view signature = read.string(result, "result");
  const auto decoded = base58_decode(signature);
  if (!decoded || decoded->size() != Signature{}.size()) read.fail("result is not a signature");
  co_return std::string(signature);
}

asio::awaitable<SignatureStatuses> RpcClient::signature_statuses(
    const std::vector<std::string>& signatures, bool search_history) {
  constexpr std::string_view method = "getSignatureStatuses";
  json::array params{json::array(signatures.begin(), signatures.end()),
                     json::object{{"searchTransactionHistory", search_history}}};
  const json::value result = co_await impl_->call(method, std::move(params));
  const Reader read(method);
  const json::array* values = read.response_value(result).if_array();
  if (values == nullptr || values->size() != signatures.size())
    read.fail("value is not an array of one status per signature");
  SignatureStatuses answer{.context_slot = read.context_slot(result), .statuses = {}};
  answer.statuses.reserve(values->size());
  for (const json::value& value : *values) {
    if (value.is_null())
      answer.statuses.emplace_back();
    else
      answer.statuses.emplace_back(status_of(read, value));
  }
  co_return answer;
}

asio::awaitable<std::uint64_t> RpcClient::block_height(Commitment commitment) {
  constexpr std::string_view method = "getBlockHeight";
  json::array params{commitment_config(commitment)};
  const json::value result = co_await impl_->call(method, std::move(params));
  co_return Reader(method).u64(result, "result");
}

asio::awaitable<EpochInfo> RpcClient::epoch_info(Commitment commitment) {
  constexpr std::string_view method = "getEpochInfo";
  json::array params{commitment_config(commitment)};
  const json::value result = co_await impl_->call(method, std::move(params));
  const Reader read(method);
  const json::object& fields = read.object(result, "result");
  co_return EpochInfo{.absolute_slot = read.u64(read.field(fields, "absoluteSlot"), "absoluteSlot"),
                      .block_height = read.u64(read.field(fields, "blockHeight"), "blockHeight")};
}

asio::awaitable<std::uint64_t> RpcClient::minimum_ledger_slot() {
  constexpr std::string_view method = "minimumLedgerSlot";
  const json::value result = co_await impl_->call(method, json::array{});
  co_return Reader(method).u64(result, "result");
}

asio::awaitable<std::optional<AccountInfo>> RpcClient::account_info(const PublicKey& account,
                                                                    Commitment commitment) {
  constexpr std::string_view method = "getAccountInfo";
  json::object config = commitment_config(commitment);
  config["encoding"] = "base64";
  json::array params{account.to_base58(), std::move(config)};
  const json::value result = co_await impl_->call(method, std::move(params));
  const Reader read(method);
  const json::value& value = read.response_value(result);
  if (value.is_null()) co_return std::nullopt;
  const json::object& fields = read.object(value, "value");
  co_return AccountInfo{.lamports = read.u64(read.field(fields, "lamports"), "lamports"),
                        .owner = read.key(read.field(fields, "owner"), "owner")};
}

}  // namespace payrollx::solana
