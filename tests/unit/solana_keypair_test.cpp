// The custody keypair: solana-keygen's file, refused unless private and self-consistent, and
// signatures equal to web3.js's (Ed25519 is deterministic).
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "solana/keypair.hpp"
#include "solana_vectors.hpp"

using namespace payrollx::solana;
namespace vectors = solana_vectors;
namespace fs = std::filesystem;

namespace {

// A key none of whose 64 bytes is a number the refusals name (0, 64, 255), so that finding one of
// its bytes in a message can only mean the message leaks the key.
std::array<std::uint8_t, 64> test_key() {
  REQUIRE(sodium_init() >= 0);
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(100 + i);
  std::array<std::uint8_t, 32> public_key{};
  std::array<std::uint8_t, 64> secret{};
  crypto_sign_seed_keypair(public_key.data(), secret.data(), seed.data());
  for (auto byte : secret) REQUIRE((byte != 0 && byte != 64 && byte != 255));
  return secret;
}

std::string to_json(std::span<const std::uint8_t> bytes) {
  boost::json::array array;
  for (auto byte : bytes) array.emplace_back(byte);
  return boost::json::serialize(array);
}

// The message of the KeypairError `text` raises, with `path` (whose digits are not the key's)
// removed; CHECKs that no number in what is left is a byte of `key`.
void check_refused_without_key(const std::function<void()>& load, std::span<const std::uint8_t> key,
                               const std::string& path = {}) {
  std::string message;
  try {
    load();
    FAIL("accepted");
  } catch (const KeypairError& error) {
    message = error.what();
  }
  INFO(message);
  if (!path.empty()) {
    auto at = message.find(path);
    REQUIRE(at != std::string::npos);
    message.erase(at, path.size());
  }
  const std::set<int> key_bytes(key.begin(), key.end());
  const std::regex number("[0-9]+");
  for (auto it = std::sregex_iterator(message.begin(), message.end(), number);
       it != std::sregex_iterator(); ++it)
    CHECK(key_bytes.count(std::stoi(it->str())) == 0);
}

// A file in a fresh private folder, removed with it.
class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    std::string folder = (fs::temp_directory_path() / "payrollx-keypair-XXXXXX").string();
    REQUIRE(::mkdtemp(folder.data()) != nullptr);
    folder_ = folder;
    path_ = folder_ / "custody.json";
    std::ofstream(path_) << content;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() { fs::remove_all(folder_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path folder_;
  fs::path path_;
};

}  // namespace

TEST_CASE("solana: a solana-keygen keypair loads and signs as web3.js does", "[solana]") {
  const auto& payer = vectors::get("keypairs").at("payer");
  auto keypair = Keypair::from_json(vectors::keypair_json("payer"));
  CHECK(keypair.public_key().to_base58() == vectors::text(payer.at("public_key")));

  const auto& transfer = vectors::get("sol_transfer");
  auto message = vectors::from_hex(vectors::text(transfer.at("message_hex")));
  CHECK(to_base58(keypair.sign(message)) == vectors::text(transfer.at("signature_base58")));

  // Moved, it is the same key.
  Keypair moved = std::move(keypair);
  CHECK(to_base58(moved.sign(message)) == vectors::text(transfer.at("signature_base58")));
  auto recipient = Keypair::from_json(vectors::keypair_json("recipient"));
  recipient = std::move(moved);
  CHECK(recipient.public_key().to_base58() == vectors::text(payer.at("public_key")));
}

TEST_CASE(
    "solana: a keypair is refused unless it is 64 integers 0..255 whose halves agree, and "
    "the refusal shows none of its bytes",
    "[solana]") {
  auto key = test_key();
  auto json = to_json(key);
  REQUIRE(Keypair::from_json(json).public_key().bytes ==
          PublicKey{.bytes =
                        [&] {
                          std::array<std::uint8_t, 32> half{};
                          std::copy(key.begin() + 32, key.end(), half.begin());
                          return half;
                        }()}
              .bytes);
  CHECK_NOTHROW(Keypair::from_json(" \n" + json + "\n"));

  auto refused = [&](const std::string& text) {
    check_refused_without_key([&] { Keypair::from_json(text); }, key);
  };
  refused(to_json(std::span(key).first(63)));
  refused(json.substr(0, json.size() - 1) + ",1]");  // 65 entries
  refused(json.substr(0, json.size() - 4) + "256]");
  refused("[-1" + json.substr(json.find(',')));
  refused("[1.5" + json.substr(json.find(',')));
  refused("[01" + json.substr(json.find(',')));
  refused(json.substr(0, json.size() - 1));  // no closing bracket
  refused(json + "x");
  refused("[]");
  refused("{}");
  refused("");

  auto other_half = key;
  other_half[40] ^= 0x01;  // a public key that is not the seed's
  refused(to_json(other_half));
}

TEST_CASE("solana: a keypair file others may read is refused, a private one loads", "[solana]") {
  auto key = test_key();
  TempFile file(to_json(key));
  const auto path = file.path().string();

  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  check_refused_without_key([&] { Keypair::load_file(file.path()); }, key, path);
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  CHECK_THROWS_AS(Keypair::load_file(file.path()), KeypairError);
  REQUIRE(::chmod(path.c_str(), 0602) == 0);
  CHECK_THROWS_AS(Keypair::load_file(file.path()), KeypairError);

  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  auto keypair = Keypair::load_file(file.path());
  CHECK(std::equal(key.begin() + 32, key.end(), keypair.public_key().bytes.begin()));

  // A private file with a bad key names the path, and still not the key.
  auto bad = key;
  bad[50] ^= 0x01;
  TempFile bad_file(to_json(bad));
  REQUIRE(::chmod(bad_file.path().c_str(), 0600) == 0);
  check_refused_without_key([&] { Keypair::load_file(bad_file.path()); }, bad,
                            bad_file.path().string());

  CHECK_THROWS_AS(Keypair::load_file(file.path().parent_path() / "missing.json"), KeypairError);
}
