// MinHash signatures: k 32-bit values whose agreement rate estimates the Jaccard similarity of two
// shingle sets.
//
// Three variants:
// - kOnePermutationDirect (the default): one-permutation hashing with optimal densification (Li,
//   Owen & Zhang 2012; Shrivastava 2017) on the shingle hash's own bits: its top log2(k) bits pick
//   the bin, its low 32 bits are the value. A shingle hash is already XXH3 of the window, so it is
//   not hashed again; the MinHash seed only drives densification.
// - kOnePermutation: the same after re-mixing each hash with the seed (splitmix64's finalizer); the
//   default of archives made before kOnePermutationDirect, which cost 0.5 ns more per shingle.
// - kClassic: k independent hash functions, the textbook estimator, ~20 times slower.
// All three estimate Jaccard with the error of classic MinHash (tests/test_minhash.cpp measures
// them against exact Jaccard; bench/README.md gives the figures). Signatures of different variants, k or
// seed never compare.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace leitong {

enum class MinHashVariant { kOnePermutation = 1, kClassic = 2, kOnePermutationDirect = 3 };

// Stable names, as archives store them: "one_permutation_direct", "one_permutation", "classic".
std::string_view minhash_variant_name(MinHashVariant variant);
std::optional<MinHashVariant> parse_minhash_variant(std::string_view name);

struct MinHashParams {
  int k = 128;  // signature length; for the one-permutation variants a power of two in [8, 4096]
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  MinHashVariant variant = MinHashVariant::kOnePermutationDirect;
  friend bool operator==(const MinHashParams&, const MinHashParams&) = default;
};

using MinHashSignature = std::vector<std::uint32_t>;  // exactly params.k values

// Signature of the set of `shingle_hashes` (duplicates allowed, order irrelevant). An empty input
// gives the all-0xFFFFFFFF signature, which estimate_jaccard treats as similar to nothing.
MinHashSignature minhash(std::span<const std::uint64_t> shingle_hashes,
                         const MinHashParams& params = {});

// Share of equal positions; 0 when either signature is the empty-set signature. The standard
// error is about sqrt(J(1-J)/k): ±0.044 at J = 0.5 for k = 128.
double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b);

// b-bit minwise hashing (Li & König 2010): a signature reduced to the low `bits` bits of each value
// (1 <= bits <= 32), which archives store (format 2 keeps 8 bits: 128 bytes instead of 512).
MinHashSignature truncate_signature(std::span<const std::uint32_t> signature, int bits);

// Jaccard estimate from two signatures compared on their low `bits` bits. Two different minima
// agree there by chance with probability 2^-bits, which the estimate removes: (P - c) / (1 - c),
// c = 2^-bits, floored at 0. For bits = 32 it equals estimate_jaccard. 0 when either is the
// empty-set signature (all bits set), as there.
double estimate_jaccard_truncated(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b, int bits);

}  // namespace leitong
