// Sampled fingerprints for containment: winnowing (Schleimer, Wilkerson & Aiken 2003).
//
// Of every `window` consecutive shingle hashes the minimum is selected (the rightmost on ties), and
// each selected (hash, position) pair is kept once. Guarantee: any common substring of at least
// window + n - 1 normalized characters shares at least one fingerprint, in every document, so the
// archive's fingerprint postings find partial copies that whole-report MinHash misses. Expected
// density is 2 / (window + 1) fingerprints per character.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace leitong {

struct FingerprintParams {
  int window = 24;  // shingles per winnowing window
  friend bool operator==(const FingerprintParams&, const FingerprintParams&) = default;
};

struct Fingerprint {
  std::uint64_t hash;
  std::uint32_t position;  // index of the shingle (normalized code point where it starts)
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

std::vector<Fingerprint> winnow(std::span<const std::uint64_t> shingle_hashes,
                                const FingerprintParams& params = {});

}  // namespace leitong
