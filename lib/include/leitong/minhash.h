// MinHash signatures: k 32-bit values whose agreement rate estimates the Jaccard similarity of two
// shingle sets.
//
// Two variants: classic MinHash (k independent hash functions, the textbook estimator) and
// one-permutation hashing with optimal densification (Li, Owen & Zhang 2012; Shrivastava 2017),
// which hashes each shingle once and is the default because it is ~k times cheaper while its
// estimation error matches classic MinHash (tests/test_minhash.cpp measures both against exact
// Jaccard; README gives the figures). Signatures of different variants, k or seed never compare.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace leitong {

enum class MinHashVariant { kOnePermutation = 1, kClassic = 2 };

struct MinHashParams {
  int k = 128;  // signature length; for kOnePermutation a power of two in [8, 4096]
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  MinHashVariant variant = MinHashVariant::kOnePermutation;
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

}  // namespace leitong
