#include "solana/address.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>
#include <string_view>

namespace payrollx::solana {
namespace {

// The runtime's limits: 16 seeds to create_program_address, of which the bump is one.
constexpr std::size_t k_max_seeds = 15;
constexpr std::size_t k_max_seed_bytes = 32;
constexpr std::string_view k_pda_marker = "ProgramDerivedAddress";

// Arithmetic modulo p = 2^255 - 19 on four 64-bit limbs, least significant first. Values stay
// below 2^256 but need not be below p until canonical(): as 2^256 = 2p + 38, a carry out of the
// top limb is worth 38 at the bottom.
using Limbs = std::array<std::uint64_t, 4>;
// -Wpedantic would refuse the GCC extension type without __extension__.
__extension__ typedef unsigned __int128 u128;

constexpr Limbs k_p = {0xffffffffffffffedULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL,
                       0x7fffffffffffffffULL};
constexpr Limbs k_one = {1, 0, 0, 0};
constexpr Limbs k_p_minus_2 = {0xffffffffffffffebULL, 0xffffffffffffffffULL, 0xffffffffffffffffULL,
                               0x7fffffffffffffffULL};
constexpr Limbs k_p_minus_1_half = {0xfffffffffffffff6ULL, 0xffffffffffffffffULL,
                                    0xffffffffffffffffULL, 0x3fffffffffffffffULL};

// `limbs` + `carry` · 2^256, folded below 2^256.
Limbs fold(Limbs limbs, std::uint64_t carry) {
  while (carry != 0) {
    u128 sum = static_cast<u128>(carry) * 38;
    for (auto& limb : limbs) {
      sum += limb;
      limb = static_cast<std::uint64_t>(sum);
      sum >>= 64;
    }
    carry = static_cast<std::uint64_t>(sum);
  }
  return limbs;
}

Limbs add(const Limbs& a, const Limbs& b) {
  Limbs out{};
  u128 sum = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    sum += static_cast<u128>(a[i]) + b[i];
    out[i] = static_cast<std::uint64_t>(sum);
    sum >>= 64;
  }
  return fold(out, static_cast<std::uint64_t>(sum));
}

Limbs mul(const Limbs& a, const Limbs& b) {
  std::array<std::uint64_t, 8> wide{};
  for (std::size_t i = 0; i < 4; ++i) {
    u128 carry = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      carry += static_cast<u128>(a[i]) * b[j] + wide[i + j];
      wide[i + j] = static_cast<std::uint64_t>(carry);
      carry >>= 64;
    }
    wide[i + 4] = static_cast<std::uint64_t>(carry);
  }
  // high · 2^256 + low ≡ high · 38 + low.
  Limbs out{};
  u128 sum = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    sum += static_cast<u128>(wide[i + 4]) * 38 + wide[i];
    out[i] = static_cast<std::uint64_t>(sum);
    sum >>= 64;
  }
  return fold(out, static_cast<std::uint64_t>(sum));
}

bool at_least(const Limbs& a, const Limbs& b) {
  for (std::size_t i = 4; i-- > 0;)
    if (a[i] != b[i]) return a[i] > b[i];
  return true;
}

// a - b, for a at least b.
Limbs minus(const Limbs& a, const Limbs& b) {
  Limbs out{};
  std::uint64_t borrow = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    u128 difference = static_cast<u128>(a[i]) - b[i] - borrow;
    out[i] = static_cast<std::uint64_t>(difference);
    borrow = static_cast<std::uint64_t>(difference >> 64) & 1;
  }
  return out;
}

// The value below p (anything below 2^256 = 2p + 38 is at most two p's above it).
Limbs canonical(Limbs a) {
  while (at_least(a, k_p)) a = minus(a, k_p);
  return a;
}

Limbs sub(const Limbs& a, const Limbs& b) {
  return add(a, minus(k_p, canonical(b)));
}

Limbs power(const Limbs& base, const Limbs& exponent) {
  Limbs result = k_one;
  for (std::size_t bit = 256; bit-- > 0;) {
    result = mul(result, result);
    if ((exponent[bit / 64] >> (bit % 64)) & 1) result = mul(result, base);
  }
  return result;
}

}  // namespace

bool is_on_curve(const PublicKey& key) {
  // d = -121665 / 121666, the curve's constant; the inverse is x^(p-2).
  static const Limbs d =
      mul(sub(Limbs{}, {121665, 0, 0, 0}), power({121666, 0, 0, 0}, k_p_minus_2));

  // y: the 32 bytes little-endian, bit 255 (the sign of x) cleared, possibly not below p.
  Limbs y{};
  for (std::size_t i = 0; i < 32; ++i)
    y[i / 8] |= static_cast<std::uint64_t>(key.bytes[i]) << (8 * (i % 8));
  y[3] &= 0x7fffffffffffffffULL;

  // x² = u / v has a solution iff u·v is a square or zero (Euler: (u·v)^((p-1)/2) is 1 or 0).
  Limbs y2 = mul(y, y);
  Limbs u = sub(y2, k_one);
  Limbs v = add(mul(d, y2), k_one);
  Limbs euler = canonical(power(mul(u, v), k_p_minus_1_half));
  return euler == k_one || euler == Limbs{};
}

ProgramAddress find_program_address(const std::vector<std::span<const std::uint8_t>>& seeds,
                                    const PublicKey& program) {
  if (seeds.size() > k_max_seeds) throw std::invalid_argument("more than 15 seeds");
  for (const auto& seed : seeds)
    if (seed.size() > k_max_seed_bytes) throw std::invalid_argument("a seed over 32 bytes");

  // Bumps 255 down to 1, as the runtime's and web3.js's searches go (both stop before 0).
  for (unsigned bump = 255; bump > 0; --bump) {
    const std::uint8_t bump_seed = static_cast<std::uint8_t>(bump);
    crypto_hash_sha256_state state;
    crypto_hash_sha256_init(&state);
    for (const auto& seed : seeds) crypto_hash_sha256_update(&state, seed.data(), seed.size());
    crypto_hash_sha256_update(&state, &bump_seed, 1);
    crypto_hash_sha256_update(&state, program.bytes.data(), program.bytes.size());
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(k_pda_marker.data()),
                              k_pda_marker.size());
    ProgramAddress found{.bump = bump_seed};
    crypto_hash_sha256_final(&state, found.address.bytes.data());
    if (!is_on_curve(found.address)) return found;
  }
  throw std::runtime_error("no bump gives an address off the curve");  // odds 2^-255
}

PublicKey associated_token_address(const PublicKey& owner, const PublicKey& mint) {
  return find_program_address({owner.bytes, token_program().bytes, mint.bytes},
                              associated_token_account_program())
      .address;
}

}  // namespace payrollx::solana
