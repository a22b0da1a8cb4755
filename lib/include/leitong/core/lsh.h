// Locality-sensitive hashing over MinHash signatures (banding).
//
// A signature of k = bands × rows values is cut into `bands` bands of `rows` values; two documents
// become candidates when any band is identical. The probability of that for Jaccard J is
// 1 - (1 - J^rows)^bands: with the default 32 × 4 it is 0.23 at J = 0.3, 0.87 at J = 0.5 and 0.99
// at J = 0.6 (threshold ≈ (1/bands)^(1/rows) ≈ 0.42). Near-duplicate search uses it; partial copies
// are found by fingerprint postings instead (fingerprint.h), so the bands favour cheap buckets.
// The archive files every document under its band keys (archive.h: Archive::lsh_candidates); the
// tests measure that look-up against exact Jaccard by brute force.
#pragma once

#include <leitong/core/minhash.h>

#include <cstdint>
#include <span>
#include <vector>

namespace leitong {

struct LshParams {
  int bands = 32;
  int rows = 4;
  friend bool operator==(const LshParams&, const LshParams&) = default;
};

// One 64-bit bucket key per band; the band index is mixed in, so keys of different bands never
// collide by construction. Requires signature.size() >= bands * rows.
std::vector<std::uint64_t> lsh_band_keys(std::span<const std::uint32_t> signature,
                                         const LshParams& params);

// Probability that a pair with Jaccard `jaccard` shares at least one band.
double lsh_candidate_probability(double jaccard, const LshParams& params);

}  // namespace leitong
