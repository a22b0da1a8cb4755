// SimHash-64 (Charikar 2002) over shingle hashes: near-duplicate texts get fingerprints at a
// small Hamming distance. Each shingle occurrence votes +1/-1 on every bit with its own hash bits.
#pragma once

#include <cstdint>
#include <span>

namespace leitong {

std::uint64_t simhash(std::span<const std::uint64_t> shingle_hashes);

inline int hamming_distance(std::uint64_t a, std::uint64_t b) {
  return __builtin_popcountll(a ^ b);
}

}  // namespace leitong
