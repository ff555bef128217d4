#include "solana/keypair.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <new>
#include <utility>

namespace payrollx::solana {
namespace {

constexpr std::size_t k_secret_bytes = crypto_sign_SECRETKEYBYTES;  // seed ‖ public key
static_assert(k_secret_bytes == 64 && crypto_sign_SEEDBYTES == 32 &&
              crypto_sign_PUBLICKEYBYTES == 32);
// solana-keygen writes about 250 bytes; anything much larger is not a keypair file.
constexpr std::size_t k_max_file_bytes = 4096;

// Wipes a buffer that held key material when it goes out of scope, however the scope ends.
class WipeOnExit {
 public:
  WipeOnExit(void* data, std::size_t size) : data_(data), size_(size) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { sodium_memzero(data_, size_); }

 private:
  void* data_;
  std::size_t size_;
};

bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Reads solana-keygen's JSON array straight into `out`, digit by digit, so that the key passes
// through no buffer of ours but `text` and `out`. The errors name the rule, never a value.
void parse_key_array(std::string_view text, std::uint8_t* out) {
  const KeypairError not_an_array("not a JSON array of integers (solana-keygen's format)");
  std::size_t at = 0;
  auto skip_space = [&] {
    while (at < text.size() && is_json_space(text[at])) ++at;
  };
  auto next_is = [&](char c) {
    skip_space();
    return at < text.size() && text[at] == c;
  };

  if (!next_is('[')) throw not_an_array;
  ++at;
  std::size_t count = 0;
  while (!next_is(']')) {
    if (count > 0) {
      if (!next_is(',')) throw not_an_array;
      ++at;
      skip_space();
    }
    if (count == k_secret_bytes) throw KeypairError("more than 64 entries");
    if (at < text.size() && text[at] == '-') throw KeypairError("an entry is below 0");
    std::size_t digits = 0;
    unsigned value = 0;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits)
      if (digits < 3) value = value * 10 + static_cast<unsigned>(text[at] - '0');
    if (digits == 0 || (digits > 1 && text[at - digits] == '0')) throw not_an_array;
    if (at < text.size() && (text[at] == '.' || text[at] == 'e' || text[at] == 'E'))
      throw KeypairError("an entry is not an integer");
    if (digits > 3 || value > 255) throw KeypairError("an entry is above 255");
    out[count++] = static_cast<std::uint8_t>(value);
  }
  ++at;
  skip_space();
  if (at != text.size()) throw not_an_array;
  if (count != k_secret_bytes) throw KeypairError("fewer than 64 entries");
}

// Closes the descriptor however load_file ends.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Keypair Keypair::from_json(std::string_view text) {
  // sodium_malloc needs libsodium initialised (its page size); sodium_init is idempotent.
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  Keypair keypair;
  keypair.secret_ = static_cast<std::uint8_t*>(sodium_malloc(k_secret_bytes));
  if (keypair.secret_ == nullptr) throw std::bad_alloc();
  parse_key_array(text, keypair.secret_);

  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> derived_public{};
  std::array<std::uint8_t, k_secret_bytes> derived_secret{};
  WipeOnExit wipe(derived_secret.data(), derived_secret.size());
  crypto_sign_seed_keypair(derived_public.data(), derived_secret.data(), keypair.secret_);
  if (sodium_memcmp(derived_public.data(), keypair.secret_ + crypto_sign_SEEDBYTES,
                    derived_public.size()) != 0)
    throw KeypairError(
        "the second half is not the public key of the first (it would sign for another account)");
  std::copy(derived_public.begin(), derived_public.end(), keypair.public_key_.bytes.begin());
  return keypair;
}

Keypair Keypair::load_file(const std::filesystem::path& path) {
  auto refuse = [&](std::string_view why) {
    return KeypairError("keypair file " + path.string() + ": " + std::string(why));
  };
  FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) throw refuse("cannot be opened");
  // The mode of the file opened, not of the path: it cannot change between check and read.
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) throw refuse("cannot be examined");
  if (!S_ISREG(status.st_mode)) throw refuse("is not a regular file");
  if ((status.st_mode & 077) != 0)
    throw refuse("group or others may access it; the custody key must be private (chmod 600)");
  if (static_cast<std::size_t>(status.st_size) > k_max_file_bytes)
    throw refuse("is too large to be a keypair file");

  std::array<char, k_max_file_bytes> buffer{};
  WipeOnExit wipe(buffer.data(), buffer.size());
  std::size_t size = 0;
  while (size < buffer.size()) {
    auto got = ::read(file.get(), buffer.data() + size, buffer.size() - size);
    if (got < 0) throw refuse("cannot be read");
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
  }
  if (size == buffer.size()) throw refuse("is too large to be a keypair file");
  try {
    return from_json(std::string_view(buffer.data(), size));
  } catch (const KeypairError& error) {
    throw refuse(error.what());
  }
}

Keypair::Keypair(Keypair&& other) noexcept
    : secret_(std::exchange(other.secret_, nullptr)), public_key_(other.public_key_) {}

Keypair& Keypair::operator=(Keypair&& other) noexcept {
  std::swap(secret_, other.secret_);
  std::swap(public_key_, other.public_key_);
  return *this;
}

Keypair::~Keypair() {
  sodium_free(secret_);
}  // wipes the 64 bytes, and accepts null

Signature Keypair::sign(std::span<const std::uint8_t> message) const {
  Signature signature{};
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_);
  return signature;
}

}  // namespace payrollx::solana
