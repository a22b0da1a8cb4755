#include <leitong/core/error.h>
#include <leitong/core/minhash.h>

#include <leitong/core/detail/mix.h>
#include <leitong/core/simd.h>
#include "detail/simd_targets.h"
#include "detail/sketch_accumulators.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#if defined(LEITONG_X86_SIMD)
#include <immintrin.h>
#endif

namespace leitong {

namespace {

constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();

// A hash that may lower its bin: its bin and 32-bit value, in parallel arrays.
struct Candidates {
  std::uint32_t bin[256 + 16];
  std::uint32_t value[256 + 16];
};

// Keeps the hashes whose value is at most `threshold` (none above the largest bin minimum can
// change a bin); returns how many. Once every bin holds a value, few hashes pass, so the per-bin
// update — a load and store at a data-dependent address, 2–3 cycles — runs for few of them.
std::size_t select_candidates(const std::uint64_t* hashes, std::size_t count, std::uint32_t threshold,
                              int bin_shift, Candidates& out) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < count; ++i) {
    out.bin[kept] = static_cast<std::uint32_t>(hashes[i] >> bin_shift);
    out.value[kept] = static_cast<std::uint32_t>(hashes[i]);
    kept += static_cast<std::uint32_t>(hashes[i]) <= threshold;
  }
  return kept;
}

#if defined(LEITONG_X86_SIMD)
// The minima of the bins of 16 hashes' bins, from the k minima held in R = max(1, k/16) registers:
// permutes pick within 32 entries by the bin's low 5 bits, blends by bits 5 and 6.
template <std::size_t R>
LEITONG_TARGET_AVX512 __m512i lookup_bins(const __m512i (&table)[R], __m512i bin) {
  if constexpr (R == 1) {
    return _mm512_maskz_permutexvar_epi32(0xFFFF, bin, table[0]);  // maskz: no -Wmaybe-uninitialized
  } else {
    const __m512i low64 = _mm512_permutex2var_epi32(table[0], bin, table[1]);
    if constexpr (R == 2) {
      return low64;
    } else {
      const __mmask16 bit5 = _mm512_test_epi32_mask(bin, _mm512_set1_epi32(32));
      const __m512i low128 = _mm512_mask_blend_epi32(bit5, low64, _mm512_permutex2var_epi32(table[2], bin, table[3]));
      if constexpr (R == 4) {
        return low128;
      } else {
        const __m512i high64 = _mm512_permutex2var_epi32(table[4], bin, table[5]);
        const __m512i high128 =
            _mm512_mask_blend_epi32(bit5, high64, _mm512_permutex2var_epi32(table[6], bin, table[7]));
        return _mm512_mask_blend_epi32(_mm512_test_epi32_mask(bin, _mm512_set1_epi32(64)), low128, high128);
      }
    }
  }
}

// The same selection for k <= 128, but against each hash's own bin: the k minima are looked up in
// registers, so only hashes that lower their bin (or tie the empty marker) pass — about k·ln(n/k)
// of n, instead of the many more that fall below the largest minimum while a few bins are still
// high. `mins` is read once, at the start: a stale (higher) minimum only lets more through.
template <std::size_t R>
LEITONG_TARGET_AVX512 std::size_t select_candidates_by_bin(const std::uint64_t* hashes, std::size_t count, const std::uint32_t* mins,
                                     std::size_t k, int bin_shift, Candidates& out) {
  __m512i table[R];
  for (std::size_t r = 0; r < R; ++r)
    table[r] = k < 16 ? _mm512_maskz_loadu_epi32(static_cast<__mmask16>((1u << k) - 1), mins)
                      : _mm512_loadu_si512(mins + 16 * r);
  // Low and high 32-bit halves of 16 hashes held in two vectors of 8.
  const __m512i low_halves = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i high_halves = _mm512_add_epi32(low_halves, _mm512_set1_epi32(1));
  const __m512i shift = _mm512_set1_epi32(bin_shift - 32);
  std::size_t kept = 0, i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512i a = _mm512_loadu_si512(hashes + i), b = _mm512_loadu_si512(hashes + i + 8);
    const __m512i value = _mm512_permutex2var_epi32(a, low_halves, b);
    const __m512i bin = _mm512_maskz_srlv_epi32(0xFFFF, _mm512_permutex2var_epi32(a, high_halves, b), shift);
    // No branch on an empty mask: with ~1 in 10 hashes passing, it would mispredict often.
    const __mmask16 keep = _mm512_cmple_epu32_mask(value, lookup_bins(table, bin));
    _mm512_storeu_si512(out.bin + kept, _mm512_maskz_compress_epi32(keep, bin));
    _mm512_storeu_si512(out.value + kept, _mm512_maskz_compress_epi32(keep, value));
    kept += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(keep)));
  }
  for (; i < count; ++i) {
    out.bin[kept] = static_cast<std::uint32_t>(hashes[i] >> bin_shift);
    out.value[kept] = static_cast<std::uint32_t>(hashes[i]);
    kept += out.value[kept] <= mins[out.bin[kept]];
  }
  return kept;
}
#endif


// One-permutation MinHash over `hashes`, in blocks: mixed with the seed (unless `direct`; a loop
// the compiler vectorizes, 64-bit multiplies on 4 or 8 lanes), filtered (against each hash's bin
// minimum with AVX-512 and k <= 128, else against the largest minimum), then binned. Inlined into
// one function per instruction set, so each is compiled for its own.
struct OnePermutationState {
  std::uint32_t* mins;
  std::uint8_t* filled_by_max_value;
  std::size_t k;
  std::uint32_t& threshold;
  std::uint64_t seed;
  int bin_shift;
  bool direct;
};

template <bool kByBin>
[[gnu::always_inline]] inline void one_permutation_blocks(std::span<const std::uint64_t> hashes,
                                                          OnePermutationState& state) {
  constexpr std::size_t kBlock = 256;
  std::uint64_t mixed[kBlock];
  Candidates candidates;
  std::uint32_t* const mins = state.mins;
  const std::size_t k = state.k;
  const int shift = state.bin_shift;
  for (std::size_t start = 0; start < hashes.size(); start += kBlock) {
    const std::size_t count = std::min(kBlock, hashes.size() - start);
    const std::uint64_t* block = hashes.data() + start;
    if (!state.direct) {
      for (std::size_t i = 0; i < count; ++i) mixed[i] = detail::mix64(block[i] ^ state.seed);
      block = mixed;
    }
    std::size_t kept = 0;
#if defined(LEITONG_X86_SIMD)
    if constexpr (kByBin)
      kept = k <= 16   ? select_candidates_by_bin<1>(block, count, mins, k, shift, candidates)
             : k == 32 ? select_candidates_by_bin<2>(block, count, mins, k, shift, candidates)
             : k == 64 ? select_candidates_by_bin<4>(block, count, mins, k, shift, candidates)
                       : select_candidates_by_bin<8>(block, count, mins, k, shift, candidates);
    else
#endif
      kept = select_candidates(block, count, state.threshold, shift, candidates);
    if (kept == 0) continue;
    for (std::size_t i = 0; i < kept; ++i) {
      const std::uint32_t bin = candidates.bin[i], value = candidates.value[i];
      mins[bin] = value < mins[bin] ? value : mins[bin];
      if (value == kEmpty) [[unlikely]]
        state.filled_by_max_value[bin] = 1;
    }
    if constexpr (kByBin) continue;
    std::uint32_t largest = 0;  // a plain loop, which the compiler vectorizes
    for (std::size_t i = 0; i < k; ++i) largest = mins[i] > largest ? mins[i] : largest;
    state.threshold = largest;
  }
}

void one_permutation_portable(std::span<const std::uint64_t> hashes, OnePermutationState& state) {
  one_permutation_blocks<false>(hashes, state);
}

#if defined(LEITONG_X86_SIMD)
LEITONG_TARGET_AVX2 void one_permutation_avx2(std::span<const std::uint64_t> hashes, OnePermutationState& state) {
  one_permutation_blocks<false>(hashes, state);
}

LEITONG_TARGET_AVX512 void one_permutation_avx512(std::span<const std::uint64_t> hashes, OnePermutationState& state) {
  if (state.k <= 128)
    one_permutation_blocks<true>(hashes, state);
  else
    one_permutation_blocks<false>(hashes, state);
}
#endif

// Classic MinHash: k hash functions a_i * x + b_i, every one applied to every hash (a loop over k
// that vectorizes: 5 times the time without AVX-512, bench_sketch BM_MinHashClassic).
struct ClassicState {
  std::uint32_t* mins;
  const std::uint64_t* a;
  const std::uint64_t* b;
  std::size_t k;
  std::uint64_t seed;
};

[[gnu::always_inline]] inline void classic_blocks(std::span<const std::uint64_t> hashes, const ClassicState& state) {
  std::uint32_t* const mins = state.mins;
  const std::uint64_t* const a = state.a;
  const std::uint64_t* const b = state.b;
  for (std::uint64_t h : hashes) {
    const std::uint64_t x = detail::mix64(h ^ state.seed);
    for (std::size_t i = 0; i < state.k; ++i) {
      const auto v = static_cast<std::uint32_t>((a[i] * x + b[i]) >> 32);
      mins[i] = v < mins[i] ? v : mins[i];
    }
  }
}

void classic_portable(std::span<const std::uint64_t> hashes, const ClassicState& state) {
  classic_blocks(hashes, state);
}

#if defined(LEITONG_X86_SIMD)
LEITONG_TARGET_AVX2 void classic_avx2(std::span<const std::uint64_t> hashes, const ClassicState& state) {
  classic_blocks(hashes, state);
}

LEITONG_TARGET_AVX512 void classic_avx512(std::span<const std::uint64_t> hashes, const ClassicState& state) {
  classic_blocks(hashes, state);
}
#endif

}  // namespace

namespace detail {

MinHashAccumulator::MinHashAccumulator(const MinHashParams& params) : params_(params), threshold_(kEmpty) {
  if (params.k <= 0 || params.k > 4096) throw_error("MinHash k must be in [1, 4096], not {}", params.k);
  if (minhash_variant_name(params.variant) == "unknown")
    throw_error("unknown MinHash variant {}", static_cast<int>(params.variant));
  const auto k = static_cast<std::size_t>(params.k);
  mins_.assign(k, kEmpty);
  if (params.variant != MinHashVariant::kClassic) {
    if (!std::has_single_bit(static_cast<unsigned>(params.k)) || params.k < 8)
      throw_error("one-permutation MinHash needs k a power of two >= 8, not {}", params.k);
    filled_by_max_value_.assign(k, 0);
    bin_shift_ = 64 - std::countr_zero(static_cast<unsigned>(params.k));
  } else {
    // Hash function i: the top 32 bits of a_i * x + b_i over 64-bit words, a_i odd.
    classic_a_.resize(k);
    classic_b_.resize(k);
    for (std::size_t i = 0; i < k; ++i) {
      classic_a_[i] = detail::mix64(params.seed + 2 * i + 1) | 1;
      classic_b_[i] = detail::mix64(params.seed + 2 * i + 2);
    }
  }
}

void MinHashAccumulator::add(std::span<const std::uint64_t> hashes) {
  count_ += hashes.size();
  if (params_.variant == MinHashVariant::kClassic)
    add_classic(hashes);
  else
    add_one_permutation(hashes);
}

void MinHashAccumulator::add_one_permutation(std::span<const std::uint64_t> hashes) {
  OnePermutationState state{mins_.data(), filled_by_max_value_.data(), mins_.size(), threshold_,
                            params_.seed, bin_shift_, params_.variant == MinHashVariant::kOnePermutationDirect};
#if defined(LEITONG_X86_SIMD)
  switch (path_) {
    case SimdPath::kAvx512: return one_permutation_avx512(hashes, state);
    case SimdPath::kAvx2: return one_permutation_avx2(hashes, state);
    case SimdPath::kPortable: break;
  }
#endif
  one_permutation_portable(hashes, state);
}

void MinHashAccumulator::add_classic(std::span<const std::uint64_t> hashes) {
  const ClassicState state{mins_.data(), classic_a_.data(), classic_b_.data(), mins_.size(), params_.seed};
#if defined(LEITONG_X86_SIMD)
  switch (path_) {
    case SimdPath::kAvx512: return classic_avx512(hashes, state);
    case SimdPath::kAvx2: return classic_avx2(hashes, state);
    case SimdPath::kPortable: break;
  }
#endif
  classic_portable(hashes, state);
}

MinHashSignature MinHashAccumulator::finish() const {
  if (count_ == 0 || params_.variant == MinHashVariant::kClassic) return mins_;
  const auto k = static_cast<std::uint32_t>(mins_.size());
  std::vector<std::uint8_t> filled = filled_by_max_value_;
  for (std::uint32_t i = 0; i < k; ++i) filled[i] |= mins_[i] != kEmpty;
  // Optimal densification (Shrivastava 2017): an empty bin copies the bin that a hash of
  // (bin, attempt) points to, trying again until it hits a filled one. Depends only on which bins
  // are empty, so equal sets still get equal signatures.
  MinHashSignature out = mins_;
  for (std::uint32_t i = 0; i < k; ++i) {
    if (filled[i]) continue;
    for (std::uint64_t attempt = 1;; ++attempt) {
      const std::uint32_t j =
          static_cast<std::uint32_t>(detail::mix64(params_.seed ^ (std::uint64_t(i) << 32) ^ attempt)) & (k - 1);
      if (filled[j]) {
        out[i] = mins_[j];
        break;
      }
    }
  }
  return out;
}

}  // namespace detail

std::string_view minhash_variant_name(MinHashVariant variant) {
  switch (variant) {
    case MinHashVariant::kOnePermutationDirect: return "one_permutation_direct";
    case MinHashVariant::kOnePermutation: return "one_permutation";
    case MinHashVariant::kClassic: return "classic";
  }
  return "unknown";
}

std::optional<MinHashVariant> parse_minhash_variant(std::string_view name) {
  for (MinHashVariant v :
       {MinHashVariant::kOnePermutationDirect, MinHashVariant::kOnePermutation, MinHashVariant::kClassic})
    if (minhash_variant_name(v) == name) return v;
  return std::nullopt;
}

MinHashSignature minhash(std::span<const std::uint64_t> shingle_hashes, const MinHashParams& params) {
  detail::MinHashAccumulator accumulator(params);
  accumulator.add(shingle_hashes);
  return accumulator.finish();
}

double estimate_jaccard(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  return estimate_jaccard_truncated(a, b, 32);
}

namespace {

std::uint32_t low_bits_mask(int bits) {
  if (bits < 1 || bits > 32) throw_error("signature bits must be in [1, 32], not {}", bits);
  return bits == 32 ? 0xFFFFFFFFu : (std::uint32_t(1) << bits) - 1;
}

}  // namespace

MinHashSignature truncate_signature(std::span<const std::uint32_t> signature, int bits) {
  const std::uint32_t mask = low_bits_mask(bits);
  MinHashSignature out(signature.begin(), signature.end());
  for (std::uint32_t& v : out) v &= mask;
  return out;
}

double estimate_jaccard_truncated(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b, int bits) {
  const std::uint32_t mask = low_bits_mask(bits);
  if (a.size() != b.size() || a.empty()) return 0.0;
  auto empty_set = [mask](std::span<const std::uint32_t> s) {
    for (std::uint32_t v : s)
      if ((v & mask) != mask) return false;
    return true;
  };
  if (empty_set(a) || empty_set(b)) return 0.0;
  std::size_t equal = 0;
  for (std::size_t i = 0; i < a.size(); ++i) equal += ((a[i] ^ b[i]) & mask) == 0;
  const double agree = double(equal) / double(a.size());
  if (bits == 32) return agree;
  const double chance = std::ldexp(1.0, -bits);
  return std::max(0.0, (agree - chance) / (1.0 - chance));
}

}  // namespace leitong
