#pragma once
// Program derived addresses and associated token accounts, as the Solana runtime and the SPL
// Associated Token Account program derive them.
#include <cstdint>
#include <span>
#include <vector>

#include "solana/key.hpp"

namespace payrollx::solana {

// Whether the 32 bytes decompress to a point of the Ed25519 curve, as the runtime decides it
// (curve25519-dalek's decompression: y is read modulo p with the sign bit cleared; the point
// need not be in the prime-order subgroup, which is why libsodium's
// crypto_core_ed25519_is_valid_point is not this test).
bool is_on_curve(const PublicKey& key);

struct ProgramAddress {
  PublicKey address;
  std::uint8_t bump = 0;
};

// find_program_address: the first bump from 255 down whose
// sha256(seeds… ‖ bump ‖ program ‖ "ProgramDerivedAddress") is off the curve. Seeds are at most
// 15 of at most 32 bytes each (std::invalid_argument otherwise): the runtime takes 16 seeds, and
// the bump is one of them.
ProgramAddress find_program_address(const std::vector<std::span<const std::uint8_t>>& seeds,
                                    const PublicKey& program);

// The associated token account of `owner` for `mint` under the SPL Token program.
PublicKey associated_token_address(const PublicKey& owner, const PublicKey& mint);

}  // namespace payrollx::solana
