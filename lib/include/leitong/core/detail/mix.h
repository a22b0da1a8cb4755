// 64-bit mixing functions shared by the sketches (internal).
#pragma once

#include <cstdint>

namespace leitong::detail {

// The finalizer of splitmix64 / Stafford's variant 13: a bijection with full avalanche.
// Frozen: archive format 3 files postings under mix64(fingerprint hash) (docs/format.md); changing
// it needs a new format version.
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

}  // namespace leitong::detail
