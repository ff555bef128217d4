// The fake Solana cluster of the tests (tests/support/fake_solana.hpp) as a program, for
// bench/settlement:
//   fake_solana keygen FILE                 writes a new keypair (solana-keygen's JSON array,
//                                           mode 0600) and prints its public key
//   fake_solana serve PUBKEY LAMPORTS [BLOCK_MS]
//                                           funds PUBKEY, prints the cluster's URL, serves until
//                                           SIGTERM or SIGINT, then prints what landed:
//                                           "landed N ok N failed N sends N"
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "fake_solana.hpp"

namespace {

int keygen(const char* path) {
  payrollx::solana::PublicKey key;
  unsigned char secret[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(key.bytes.data(), secret);
  {
    std::ofstream out(path);
    out << '[';
    for (std::size_t i = 0; i < sizeof secret; ++i) out << (i ? "," : "") << int(secret[i]);
    out << "]\n";
  }
  sodium_memzero(secret, sizeof secret);
  ::chmod(path, 0600);
  std::cout << key.to_base58() << '\n';
  return 0;
}

int serve(const char* funded, const char* lamports, const char* block_ms) {
  auto key = payrollx::solana::PublicKey::from_base58(funded);
  if (!key) {
    std::cerr << "fake_solana: not a public key: " << funded << '\n';
    return 2;
  }
  // Blocked before the cluster's thread starts, so that it inherits the mask and the signal
  // reaches sigwait below.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  payrollx::test::FakeSolanaOptions options;
  if (block_ms) options.block_time = std::chrono::milliseconds(std::stoll(block_ms));
  payrollx::test::FakeSolana chain(options);
  chain.fund_lamports(*key, std::stoull(lamports));
  std::cout << chain.url() << std::endl;
  int signal = 0;
  sigwait(&stop, &signal);
  auto landed = chain.landed();
  std::size_t failed = 0;
  for (const auto& transaction : landed) failed += transaction.err.has_value();
  std::cout << "landed " << landed.size() << " ok " << landed.size() - failed << " failed "
            << failed << " sends " << chain.sends() << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (sodium_init() < 0) return 1;
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "keygen" && argc == 3) return keygen(argv[2]);
  if (command == "serve" && (argc == 4 || argc == 5))
    return serve(argv[2], argv[3], argc == 5 ? argv[4] : nullptr);
  std::cerr << "usage: fake_solana keygen FILE | fake_solana serve PUBKEY LAMPORTS [BLOCK_MS]\n";
  return 2;
}
