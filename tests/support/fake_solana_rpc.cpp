#include "fake_solana_rpc.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <optional>
#include <vector>

#include "core/base58.hpp"

namespace payrollx::test::fake_solana {
namespace {

namespace json = boost::json;
using solana::Commitment;

// A node's limit on getSignatureStatuses.
constexpr std::size_t k_max_signatures = 256;

json::object error_answer(const json::value& id, int code, std::string_view message) {
  return json::object{{"jsonrpc", "2.0"},
                      {"error", json::object{{"code", code}, {"message", message}}},
                      {"id", id}};
}

// A parameter a method cannot use: JSON-RPC error -32602 with this message.
struct InvalidParams {
  std::string message;
};

class Params {
 public:
  explicit Params(const json::value& params) : list_(params.as_array()) {}

  const json::value& at(std::size_t index) const {
    if (index >= list_.size()) throw InvalidParams{"Invalid params: missing parameter"};
    return list_[index];
  }
  std::string_view string(std::size_t index) const {
    if (!at(index).is_string()) throw InvalidParams{"Invalid params: expected a string"};
    return at(index).get_string();
  }
  // The configuration object at `index`, which may be left out (then empty).
  json::object config(std::size_t index) const {
    if (index >= list_.size() || list_[index].is_null()) return {};
    if (!list_[index].is_object()) throw InvalidParams{"Invalid params: expected an object"};
    return list_[index].get_object();
  }

 private:
  const json::array& list_;
};

Commitment commitment_of(const json::object& config) {
  const json::value* value = config.if_contains("commitment");
  if (value == nullptr) return Commitment::finalized;  // a node's default
  for (const Commitment commitment :
       {Commitment::processed, Commitment::confirmed, Commitment::finalized})
    if (value->is_string() && value->get_string() == solana::to_string(commitment))
      return commitment;
  throw InvalidParams{"Invalid params: unknown commitment"};
}

// The fake answers and reads account data and transactions in base64 only; a node's default
// encoding is base58, so a request that leaves it out is refused here.
void require_base64(const json::object& config) {
  const json::value* encoding = config.if_contains("encoding");
  if (encoding == nullptr || !encoding->is_string() || encoding->get_string() != "base64")
    throw InvalidParams{"Invalid params: the fake cluster supports encoding base64 only"};
}

std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text) {
  namespace base64 = boost::beast::detail::base64;
  if (text.size() % 4 != 0) return std::nullopt;
  std::vector<std::uint8_t> bytes(base64::decoded_size(text.size()));
  const auto [written, read] = base64::decode(bytes.data(), text.data(), text.size());
  // Decoding stops at the first '=' or foreign character: only padding may follow.
  const std::string_view rest = text.substr(read);
  if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) return std::nullopt;
  bytes.resize(written);
  return bytes;
}

// An RpcResponse: `value` as of the block in `slot` (its context.slot).
json::object with_context(std::uint64_t slot, json::value value) {
  return json::object{{"context", json::object{{"slot", slot}, {"apiVersion", "1.18.26"}}},
                      {"value", std::move(value)}};
}

json::value latest_blockhash(Chain& chain, const Params& params) {
  const Commitment commitment = commitment_of(params.config(0));
  const solana::LatestBlockhash latest = chain.issue_blockhash(commitment);
  // A node answers from its bank at that commitment: the block lastValidBlockHeight counts from.
  return with_context(Chain::slot_of(chain.height_at(commitment)),
                      json::object{{"blockhash", base58_encode(latest.blockhash)},
                                   {"lastValidBlockHeight", latest.last_valid_block_height}});
}

json::value send_transaction(Chain& chain, const Params& params) {
  require_base64(params.config(1));
  const auto bytes = base64_decode(params.string(0));
  if (!bytes) throw InvalidParams{"invalid base64 encoding"};
  auto outcome = chain.submit(*bytes);
  if (const Refusal* refusal = std::get_if<Refusal>(&outcome)) throw *refusal;
  return json::string(std::get<std::string>(outcome));
}

json::value signature_statuses(Chain& chain, const Params& params) {
  const json::value& list = params.at(0);
  if (!list.is_array()) throw InvalidParams{"Invalid params: expected an array of signatures"};
  if (list.get_array().size() > k_max_signatures)
    throw InvalidParams{"Too many inputs provided; max 256"};
  const json::value* history = params.config(1).if_contains("searchTransactionHistory");
  if (history != nullptr && !history->is_bool())
    throw InvalidParams{"Invalid params: searchTransactionHistory is not a boolean"};
  const bool search_history = history != nullptr && history->get_bool();
  json::array statuses;
  for (const json::value& signature : list.get_array()) {
    const auto bytes = signature.is_string() ? base58_decode(signature.get_string()) : std::nullopt;
    if (!bytes || bytes->size() != solana::Signature{}.size())
      throw InvalidParams{"Invalid param: Invalid"};
    statuses.push_back(chain.status(std::string(signature.get_string()), search_history));
  }
  // A node answers statuses from its processed bank: here a lagging node's, when one is scripted.
  return with_context(Chain::slot_of(chain.status_height()), std::move(statuses));
}

json::value block_height(Chain& chain, const Params& params) {
  return chain.height_at(commitment_of(params.config(0)));
}

// Not an RpcResponse: a node answers the bare object.
json::value epoch_info(Chain& chain, const Params& params) {
  return chain.epoch_info(commitment_of(params.config(0)));
}

json::value minimum_ledger_slot(Chain& chain, const Params&) {
  return chain.minimum_ledger_slot();
}

json::value account_info(Chain& chain, const Params& params) {
  const auto key = solana::PublicKey::from_base58(params.string(0));
  if (!key) throw InvalidParams{"Invalid param: Invalid"};
  const json::object config = params.config(1);
  require_base64(config);
  // The commitment is checked, not used: the fake's accounts are as of the newest block, and so
  // is the context.slot that says so.
  commitment_of(config);
  return with_context(chain.slot(), chain.account_info(*key));
}

}  // namespace

std::variant<RpcRequest, json::object> parse_request(std::string_view body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec) return error_answer(nullptr, -32700, "Parse error");
  json::object* object = parsed.if_object();  // batches (arrays) are not served
  const json::value* version = object != nullptr ? object->if_contains("jsonrpc") : nullptr;
  const json::value* method = object != nullptr ? object->if_contains("method") : nullptr;
  if (version == nullptr || *version != "2.0" || method == nullptr || !method->is_string())
    return error_answer(nullptr, -32600, "Invalid request");
  RpcRequest request{.id = (*object)["id"], .method = std::string(method->get_string())};
  request.params = object->contains("params") ? (*object)["params"] : json::array();
  if (!request.params.is_array()) return error_answer(request.id, -32602, "Invalid params");
  return request;
}

json::object answer(Chain& chain, const RpcRequest& request) {
  using Handler = json::value (*)(Chain&, const Params&);
  Handler handler = request.method == "getLatestBlockhash"     ? latest_blockhash
                    : request.method == "sendTransaction"      ? send_transaction
                    : request.method == "getSignatureStatuses" ? signature_statuses
                    : request.method == "getBlockHeight"       ? block_height
                    : request.method == "getEpochInfo"         ? epoch_info
                    : request.method == "minimumLedgerSlot"    ? minimum_ledger_slot
                    : request.method == "getAccountInfo"       ? account_info
                                                               : nullptr;
  if (handler == nullptr) return error_answer(request.id, -32601, "Method not found");
  try {
    json::value result = handler(chain, Params(request.params));
    return json::object{{"jsonrpc", "2.0"}, {"result", std::move(result)}, {"id", request.id}};
  } catch (const InvalidParams& invalid) {
    return error_answer(request.id, -32602, invalid.message);
  } catch (const Refusal& refusal) {
    return error_answer(request.id, refusal.code, refusal.message);
  }
}

}  // namespace payrollx::test::fake_solana
