// Streaming forms of minhash(), simhash() and shingle_hashes() (internal): make_sketch hashes a
// document's windows block by block and feeds each block to MinHash and SimHash while it is still
// in L1 cache, one pass over the text instead of three over its hashes. Values are identical to
// the one-shot functions, which are built on these.
#pragma once

#include <leitong/core/minhash.h>
#include <leitong/core/shingle.h>
#include <leitong/core/simd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace leitong::detail {

// Hashes of `count` windows starting at `windows` (each params.n code points long; the caller
// guarantees count + n - 1 readable code points) into out[0, count).
void hash_shingles(const char32_t* windows, std::size_t count, const ShingleParams& params, std::uint64_t* out);

class MinHashAccumulator {
 public:
  explicit MinHashAccumulator(const MinHashParams& params);  // throws Error on invalid k
  void add(std::span<const std::uint64_t> hashes);
  MinHashSignature finish() const;

 private:
  void add_one_permutation(std::span<const std::uint64_t> hashes);
  void add_classic(std::span<const std::uint64_t> hashes);

  MinHashParams params_;
  SimdPath path_ = simd_path();  // fixed for the accumulator's life
  std::size_t count_ = 0;
  std::vector<std::uint32_t> mins_;  // one-permutation: per-bin minima; classic: per-function
  // One-permutation only: bins that received a value equal to the empty marker (rare), and the
  // largest bin minimum, above which no value can change any bin.
  std::vector<std::uint8_t> filled_by_max_value_;
  std::uint32_t threshold_;
  int bin_shift_ = 0;
  std::vector<std::uint64_t> classic_a_, classic_b_;
};

class SimHashAccumulator {
 public:
  void add(std::span<const std::uint64_t> hashes);
  std::uint64_t finish() const;

 private:
  void add_portable(std::span<const std::uint64_t> hashes);
  void add_avx512(std::span<const std::uint64_t> hashes);

  SimdPath path_ = simd_path();  // fixed for the accumulator's life
  std::array<std::uint32_t, 64> totals_{};  // votes counted so far, per bit
  std::size_t count_ = 0;
  // AVX-512 carry-save state (zero on the other paths): bit planes of weight 1, 2, 4, 8 (8 lanes
  // each) and byte counters of weight-16 carries, with the number of carry-save steps since they
  // were flushed.
  alignas(64) std::uint64_t planes_[4][8] = {};
  alignas(64) std::uint8_t sixteens_[64] = {};
  int steps_since_flush_ = 0;
};

}  // namespace leitong::detail
