// Character n-gram shingles of normalized text, hashed with XXH3-64.
//
// Shingle i covers normalized code points [i, i + n). Its hash is XXH3_64bits_withSeed over the n
// code points as little-endian UTF-32 (4n bytes). Hashes are stable across platforms and builds;
// tests/test_vectors.cpp pins them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace leitong {

struct ShingleParams {
  int n = 5;                // characters per shingle; default chosen by measurement (docs/defaults.md)
  std::uint64_t seed = 0;   // XXH3 seed
  friend bool operator==(const ShingleParams&, const ShingleParams&) = default;
};

// Hash of every n-character window of `text`: text.size() - n + 1 values (none if shorter).
std::vector<std::uint64_t> shingle_hashes(std::u32string_view text, const ShingleParams& params = {});

// Appends into `out` (cleared first); lets hot loops reuse one buffer.
void shingle_hashes(std::u32string_view text, const ShingleParams& params,
                    std::vector<std::uint64_t>& out);

// Sorted, deduplicated copy: the shingle *set* whose Jaccard similarity MinHash estimates.
std::vector<std::uint64_t> shingle_set(std::vector<std::uint64_t> hashes);

// Exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted, deduplicated sets (0 if both empty).
double exact_jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b);

}  // namespace leitong
