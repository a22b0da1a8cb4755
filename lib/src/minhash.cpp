#include <leitong/error.h>
#include <leitong/minhash.h>

#include "detail/mix.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace leitong {

namespace {

constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();

MinHashSignature one_permutation(std::span<const std::uint64_t> hashes, const MinHashParams& p) {
  const auto k = static_cast<std::uint32_t>(p.k);
  const int shift = 64 - std::countr_zero(k);
  MinHashSignature bins(k, kEmpty);
  std::vector<std::uint8_t> filled(k, 0);
  // Mixed in blocks first (a loop the compiler vectorizes: 64-bit multiplies on 8 lanes), then
  // binned. A bin is filled when its minimum is below kEmpty, or, very rarely, when a value equal
  // to kEmpty landed in it.
  constexpr std::size_t kBlock = 256;
  std::uint64_t mixed[kBlock];
  for (std::size_t start = 0; start < hashes.size(); start += kBlock) {
    const std::size_t count = std::min(kBlock, hashes.size() - start);
    for (std::size_t i = 0; i < count; ++i) mixed[i] = detail::mix64(hashes[start + i] ^ p.seed);
    for (std::size_t i = 0; i < count; ++i) {
      const auto bin = static_cast<std::uint32_t>(mixed[i] >> shift);
      const auto value = static_cast<std::uint32_t>(mixed[i]);
      bins[bin] = value < bins[bin] ? value : bins[bin];
      if (value == kEmpty) [[unlikely]]
        filled[bin] = 1;
    }
  }
  for (std::uint32_t i = 0; i < k; ++i) filled[i] |= bins[i] != kEmpty;
  // Optimal densification (Shrivastava 2017): an empty bin copies the bin that a hash of
  // (bin, attempt) points to, trying again until it hits a filled one. Depends only on which bins
  // are empty, so equal sets still get equal signatures.
  MinHashSignature out = bins;
  for (std::uint32_t i = 0; i < k; ++i) {
    if (filled[i]) continue;
    for (std::uint64_t attempt = 1;; ++attempt) {
      const std::uint32_t j =
          static_cast<std::uint32_t>(detail::mix64(p.seed ^ (std::uint64_t(i) << 32) ^ attempt)) & (k - 1);
      if (filled[j]) {
        out[i] = bins[j];
        break;
      }
    }
  }
  return out;
}

MinHashSignature classic(std::span<const std::uint64_t> hashes, const MinHashParams& p) {
  const auto k = static_cast<std::size_t>(p.k);
  // Hash function i: the top 32 bits of a_i * x + b_i over 64-bit words, a_i odd.
  std::vector<std::uint64_t> a(k), b(k);
  for (std::size_t i = 0; i < k; ++i) {
    a[i] = detail::mix64(p.seed + 2 * i + 1) | 1;
    b[i] = detail::mix64(p.seed + 2 * i + 2);
  }
  std::vector<std::uint32_t> mins(k, kEmpty);
  for (std::uint64_t h : hashes) {
    const std::uint64_t x = detail::mix64(h ^ p.seed);
    for (std::size_t i = 0; i < k; ++i) {
      const auto v = static_cast<std::uint32_t>((a[i] * x + b[i]) >> 32);
      mins[i] = v < mins[i] ? v : mins[i];
    }
  }
  return mins;
}

}  // namespace

MinHashSignature minhash(std::span<const std::uint64_t> shingle_hashes, const MinHashParams& params) {
  if (params.k <= 0 || params.k > 4096)
    throw_error("MinHash k must be in [1, 4096], not {}", params.k);
  const bool one_perm = params.variant == MinHashVariant::kOnePermutation;
  if (one_perm && (!std::has_single_bit(static_cast<unsigned>(params.k)) || params.k < 8))
    throw_error("one-permutation MinHash needs k a power of two >= 8, not {}", params.k);
  if (shingle_hashes.empty()) return MinHashSignature(static_cast<std::size_t>(params.k), kEmpty);
  return one_perm ? one_permutation(shingle_hashes, params) : classic(shingle_hashes, params);
}

double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  if (a.size() != b.size() || a.empty()) return 0.0;
  auto empty_set = [](std::span<const std::uint32_t> s) {
    for (std::uint32_t v : s)
      if (v != kEmpty) return false;
    return true;
  };
  if (empty_set(a) || empty_set(b)) return 0.0;
  std::size_t equal = 0;
  for (std::size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return double(equal) / double(a.size());
}

}  // namespace leitong
