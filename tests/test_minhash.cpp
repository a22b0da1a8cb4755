// Statistical and unit tests for minhash.h, simhash.h and fingerprint.h: MinHash estimates against
// exact Jaccard over many random pairs (both variants), SimHash distances, and the winnowing
// guarantee and density.
#include <gtest/gtest.h>
#include <leitong/core/error.h>
#include <leitong/core/fingerprint.h>
#include <leitong/core/minhash.h>
#include <leitong/core/normalize.h>
#include <leitong/core/shingle.h>
#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <set>
#include <vector>

#include "support/variants.h"

namespace leitong::testing {
namespace {

constexpr MinHashVariant kAllVariants[] = {MinHashVariant::kOnePermutationDirect, MinHashVariant::kOnePermutation,
                                           MinHashVariant::kClassic};

MinHashParams params_for(MinHashVariant variant, int k = 128) {
  MinHashParams p;
  p.variant = variant;
  p.k = k;
  return p;
}

// splitmix64's finalizer, as minhash.cpp documents it (written out again: the test must not share
// the code it checks).
std::uint64_t detail_mix64(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::vector<std::uint64_t> random_set(Random& rng, std::size_t size) {
  std::vector<std::uint64_t> out(size);
  for (auto& v : out) v = rng.next();
  return out;
}

// A pair of sets with |A ∩ B| / |A ∪ B| close to `jaccard` and union size `union_size`.
struct Pair {
  std::vector<std::uint64_t> a, b;
};
Pair make_pair_with_jaccard(Random& rng, double jaccard, std::size_t union_size) {
  const auto common = static_cast<std::size_t>(std::lround(jaccard * double(union_size)));
  const std::size_t rest = union_size - common;
  const std::size_t only_a = rest / 4 + rng.below(rest / 2 + 1);  // 25%–75% of the rest
  Pair p;
  p.a = random_set(rng, common);
  p.b = p.a;
  const auto extra_a = random_set(rng, only_a), extra_b = random_set(rng, rest - only_a);
  p.a.insert(p.a.end(), extra_a.begin(), extra_a.end());
  p.b.insert(p.b.end(), extra_b.begin(), extra_b.end());
  return p;
}

void check_estimates(MinHashVariant variant, const char* name) {
  const MinHashParams params = params_for(variant);
  const double k = params.k;
  Random rng(101 * static_cast<std::uint64_t>(variant));
  constexpr int kPairs = 300;
  double sum_abs = 0, sum_sq = 0;
  int within = 0;
  double min_j = 1, max_j = 0;
  for (int t = 0; t < kPairs; ++t) {
    const double target = 0.05 + 0.9 * double(rng.below(1001)) / 1000.0;
    // Union of 300–6000 gives sets of roughly 200–5000 shingles across the J range.
    const std::size_t union_size = 300 + rng.below(5701);
    const Pair pair = make_pair_with_jaccard(rng, target, union_size);
    const double exact = exact_jaccard(shingle_set(pair.a), shingle_set(pair.b));
    min_j = std::min(min_j, exact), max_j = std::max(max_j, exact);
    const double estimate = estimate_jaccard(minhash(pair.a, params), minhash(pair.b, params));
    const double err = std::abs(estimate - exact);
    sum_abs += err;
    sum_sq += err * err;
    const double se = std::sqrt(exact * (1 - exact) / k);
    within += err <= 3 * se + 0.01;
  }
  const double mae = sum_abs / kPairs, rmse = std::sqrt(sum_sq / kPairs);
  std::printf(
      "[minhash] %-16s k=128 pairs=%d J=[%.2f,%.2f] mean_abs_error=%.4f rmse=%.4f "
      "within_3se=%.1f%%\n",
      name, kPairs, min_j, max_j, mae, rmse, 100.0 * within / kPairs);
  EXPECT_LT(min_j, 0.1);
  EXPECT_GT(max_j, 0.9);
  EXPECT_LE(mae, 0.04) << name;
  EXPECT_GE(within, static_cast<int>(std::ceil(0.95 * kPairs))) << name;
}

TEST(MinHash, OnePermutationEstimatesJaccard) {
  check_estimates(MinHashVariant::kOnePermutation, "one-permutation");
}

TEST(MinHash, OnePermutationDirectEstimatesJaccard) {
  check_estimates(MinHashVariant::kOnePermutationDirect, "one-perm-direct");
}

TEST(MinHash, ClassicEstimatesJaccard) { check_estimates(MinHashVariant::kClassic, "classic"); }

// The direct variant takes bins and values from the shingle hashes' own bits, so it is measured
// on real shingle hashes too: pairs of texts whose shingle sets overlap by a chosen share.
TEST(MinHash, OnePermutationDirectEstimatesJaccardOfTextShingles) {
  Random rng(303);
  const MinHashParams params = params_for(MinHashVariant::kOnePermutationDirect);
  constexpr int kPairs = 200;
  double sum_abs = 0;
  int within = 0;
  for (int t = 0; t < kPairs; ++t) {
    // A shared middle between two texts of their own: Jaccard from about 0.05 to 0.9.
    const std::size_t shared = 200 + rng.below(4000), own = 100 + rng.below(3000);
    const std::u32string common = random_ideographs(shared, rng.next());
    const std::u32string a = random_ideographs(own, rng.next()) + common + random_ideographs(own, rng.next());
    const std::u32string b =
        random_ideographs(own / 2, rng.next()) + common + random_ideographs(own * 2, rng.next());
    const auto ha = shingle_hashes(a), hb = shingle_hashes(b);
    const double exact = exact_jaccard(shingle_set(ha), shingle_set(hb));
    const double err = std::abs(estimate_jaccard(minhash(ha, params), minhash(hb, params)) - exact);
    sum_abs += err;
    within += err <= 3 * std::sqrt(exact * (1 - exact) / 128.0) + 0.01;
  }
  std::printf("[minhash] direct on text shingles: pairs=%d mean_abs_error=%.4f within_3se=%.1f%%\n", kPairs,
              sum_abs / kPairs, 100.0 * within / kPairs);
  EXPECT_LE(sum_abs / kPairs, 0.04);
  EXPECT_GE(within, static_cast<int>(std::ceil(0.95 * kPairs)));
}

// One-permutation MinHash straight from its definition: bin = top log2(k) bits, value = low 32
// bits, minimum per bin, then optimal densification as documented in minhash.cpp.
MinHashSignature naive_one_permutation(const std::vector<std::uint64_t>& hashes, const MinHashParams& p) {
  const auto k = static_cast<std::uint32_t>(p.k);
  const int shift = 64 - std::countr_zero(k);
  MinHashSignature bins(k, 0xFFFFFFFFu);
  std::vector<bool> filled(k, false);
  for (std::uint64_t h : hashes) {
    const std::uint64_t x = p.variant == MinHashVariant::kOnePermutation ? detail_mix64(h ^ p.seed) : h;
    const auto bin = static_cast<std::uint32_t>(x >> shift);
    bins[bin] = std::min(bins[bin], static_cast<std::uint32_t>(x));
    filled[bin] = true;
  }
  if (hashes.empty()) return bins;
  MinHashSignature out = bins;
  for (std::uint32_t i = 0; i < k; ++i) {
    if (filled[i]) continue;
    for (std::uint64_t attempt = 1;; ++attempt) {
      const auto j = static_cast<std::uint32_t>(detail_mix64(p.seed ^ (std::uint64_t(i) << 32) ^ attempt)) & (k - 1);
      if (filled[j]) {
        out[i] = bins[j];
        break;
      }
    }
  }
  return out;
}

// The vectorized filters (per-bin look-ups for k <= 128, the largest minimum above) only skip
// hashes that cannot change a bin: every k, size and block edge gives the definition's signature,
// including values equal to the empty marker and sets that leave most bins empty.
TEST(MinHash, OnePermutationMatchesDefinition) {
  Random rng(7);
  for (auto variant : {MinHashVariant::kOnePermutationDirect, MinHashVariant::kOnePermutation}) {
    for (int k : {8, 16, 32, 64, 128, 256, 4096}) {
      const MinHashParams p = params_for(variant, k);
      for (std::size_t size : {1u, 7u, 15u, 16u, 17u, 255u, 256u, 257u, 1000u, 5003u, 40000u}) {
        auto hashes = random_set(rng, size);
        EXPECT_EQ(minhash(hashes, p), naive_one_permutation(hashes, p)) << int(variant) << " k=" << k << " n=" << size;
        // Values equal to the empty marker, and repeats, land in bins too.
        for (std::size_t i = 0; i < hashes.size(); i += 3) hashes[i] |= 0xFFFFFFFFull;
        hashes.insert(hashes.end(), hashes.begin(), hashes.begin() + static_cast<std::ptrdiff_t>(size / 2));
        EXPECT_EQ(minhash(hashes, p), naive_one_permutation(hashes, p)) << int(variant) << " k=" << k << " n=" << size;
      }
      // Falling values: every hash lowers its bin, the filters' worst case.
      std::vector<std::uint64_t> falling(3000);
      for (std::size_t i = 0; i < falling.size(); ++i)
        falling[i] = (rng.next() & ~0xFFFFFFFFull) | (0xFFFFFFF0u - static_cast<std::uint32_t>(i));
      EXPECT_EQ(minhash(falling, p), naive_one_permutation(falling, p)) << int(variant) << " k=" << k;
    }
  }
}

TEST(MinHash, SignatureLengthIsK) {
  Random rng(1);
  const auto set = random_set(rng, 500);
  for (int k : {8, 64, 128, 256, 4096}) {
    EXPECT_EQ(minhash(set, params_for(MinHashVariant::kOnePermutation, k)).size(), std::size_t(k));
    EXPECT_EQ(minhash(set, params_for(MinHashVariant::kClassic, k)).size(), std::size_t(k));
  }
  EXPECT_EQ(minhash(set, params_for(MinHashVariant::kClassic, 100)).size(), 100u);
  EXPECT_EQ(minhash(set).size(), 128u);  // defaults
}

TEST(MinHash, IdenticalSetsEstimateOne) {
  Random rng(2);
  for (auto variant : kAllVariants) {
    for (std::size_t size :
         {1u, 5u, 100u, 3000u}) {  // few shingles: most one-permutation bins are densified
      const auto set = random_set(rng, size);
      const auto p = params_for(variant);
      EXPECT_DOUBLE_EQ(estimate_jaccard(minhash(set, p), minhash(set, p)), 1.0) << size;
    }
  }
}

TEST(MinHash, DisjointSetsEstimateNearZero) {
  Random rng(3);
  for (auto variant : kAllVariants) {
    const auto p = params_for(variant);
    for (int t = 0; t < 10; ++t) {
      const auto a = random_set(rng, 2000), b = random_set(rng, 2000);
      EXPECT_LE(estimate_jaccard(minhash(a, p), minhash(b, p)), 0.04);
    }
  }
}

TEST(MinHash, EmptyInputIsSimilarToNothing) {
  Random rng(4);
  const auto set = random_set(rng, 300);
  for (auto variant : kAllVariants) {
    const auto p = params_for(variant);
    const MinHashSignature empty = minhash(std::vector<std::uint64_t>{}, p);
    ASSERT_EQ(empty.size(), 128u);
    for (std::uint32_t v : empty) EXPECT_EQ(v, 0xFFFFFFFFu);
    EXPECT_EQ(estimate_jaccard(empty, empty), 0.0);
    EXPECT_EQ(estimate_jaccard(empty, minhash(set, p)), 0.0);
    EXPECT_EQ(estimate_jaccard(minhash(set, p), empty), 0.0);
  }
  // Signatures of different lengths, or no signatures, compare as 0.
  const auto a = minhash(set, params_for(MinHashVariant::kClassic, 64));
  const auto b = minhash(set, params_for(MinHashVariant::kClassic, 128));
  EXPECT_EQ(estimate_jaccard(a, b), 0.0);
  EXPECT_EQ(estimate_jaccard(MinHashSignature{}, MinHashSignature{}), 0.0);
}

TEST(MinHash, OrderAndDuplicatesAreIrrelevant) {
  Random rng(5);
  auto set = random_set(rng, 1000);
  for (auto variant : kAllVariants) {
    const auto p = params_for(variant);
    const auto reference = minhash(set, p);
    auto shuffled = set;
    for (std::size_t i = shuffled.size(); i > 1; --i)
      std::swap(shuffled[i - 1], shuffled[rng.below(i)]);
    shuffled.insert(shuffled.end(), set.begin(), set.begin() + 400);  // duplicates
    EXPECT_EQ(minhash(shuffled, p), reference);
    EXPECT_EQ(minhash(shingle_set(shuffled), p), reference);
  }
}

TEST(MinHash, SeedAndVariantChangeSignatures) {
  Random rng(6);
  const auto set = random_set(rng, 1000);
  for (auto variant : {MinHashVariant::kOnePermutation, MinHashVariant::kClassic}) {
    MinHashParams a = params_for(variant), b = a;
    b.seed = 42;
    EXPECT_NE(minhash(set, a), minhash(set, b));
    EXPECT_LT(estimate_jaccard(minhash(set, a), minhash(set, b)), 0.1);
  }
  // The direct variant's randomness is the shingle hash's (its seed is ShingleParams::seed); its
  // own seed only picks where densification copies from, so full sets do not depend on it.
  MinHashParams direct = params_for(MinHashVariant::kOnePermutationDirect), reseeded = direct;
  reseeded.seed = 42;
  EXPECT_EQ(minhash(set, direct), minhash(set, reseeded));
  EXPECT_NE(minhash(set, params_for(MinHashVariant::kOnePermutation)),
            minhash(set, params_for(MinHashVariant::kClassic)));
  EXPECT_NE(minhash(set, params_for(MinHashVariant::kOnePermutationDirect)),
            minhash(set, params_for(MinHashVariant::kOnePermutation)));
}

TEST(MinHash, VariantNamesRoundTrip) {
  for (auto variant : kAllVariants) EXPECT_EQ(parse_minhash_variant(minhash_variant_name(variant)), variant);
  EXPECT_EQ(minhash_variant_name(MinHashParams{}.variant), "one_permutation_direct");
  EXPECT_FALSE(parse_minhash_variant("one_permutation_fast").has_value());
}

TEST(MinHash, InvalidKThrows) {
  const std::vector<std::uint64_t> set = {1, 2, 3, 4, 5};
  for (int k : {0, -1, 4097, 8192}) {
    EXPECT_THROW(minhash(set, params_for(MinHashVariant::kClassic, k)), Error) << k;
    EXPECT_THROW(minhash(set, params_for(MinHashVariant::kOnePermutation, k)), Error) << k;
    EXPECT_THROW(minhash(set, params_for(MinHashVariant::kOnePermutationDirect, k)), Error) << k;
    EXPECT_THROW(minhash(std::vector<std::uint64_t>{}, params_for(MinHashVariant::kClassic, k)),
                 Error)
        << k;
  }
  // One-permutation hashing needs a power of two of at least 8.
  for (int k : {4, 100, 129, 1000}) {
    EXPECT_THROW(minhash(set, params_for(MinHashVariant::kOnePermutation, k)), Error) << k;
    EXPECT_THROW(minhash(set, params_for(MinHashVariant::kOnePermutationDirect, k)), Error) << k;
  }
  EXPECT_NO_THROW(minhash(set, params_for(MinHashVariant::kClassic, 100)));
}

// b-bit signatures (archives of format 2 keep 8 bits per value): the corrected estimate stays as
// accurate as the full one over the whole Jaccard range, and 32 bits is the full estimate itself.
TEST(MinHash, TruncatedSignaturesEstimateJaccard) {
  Random rng(404);
  const MinHashParams p = params_for(MinHashVariant::kOnePermutationDirect);
  constexpr int kPairs = 300;
  double sum_abs_8 = 0, sum_signed_8 = 0, sum_abs_32 = 0;
  for (int t = 0; t < kPairs; ++t) {
    const double target = double(rng.below(1001)) / 1000.0;  // 0 to 1: chance agreement matters most near 0
    const Pair pair = make_pair_with_jaccard(rng, target, 300 + rng.below(5701));
    const double exact = exact_jaccard(shingle_set(pair.a), shingle_set(pair.b));
    const auto sa = minhash(pair.a, p), sb = minhash(pair.b, p);
    std::size_t equal = 0;  // 32 bits: the plain share of equal positions
    for (std::size_t i = 0; i < sa.size(); ++i) equal += sa[i] == sb[i];
    EXPECT_DOUBLE_EQ(estimate_jaccard_truncated(sa, sb, 32), double(equal) / double(sa.size()));
    // A stored (truncated) signature against a full one gives the same as two truncated ones.
    const double e8 = estimate_jaccard_truncated(sa, sb, 8);
    EXPECT_DOUBLE_EQ(estimate_jaccard_truncated(truncate_signature(sa, 8), sb, 8), e8);
    for (std::uint32_t v : truncate_signature(sa, 8)) ASSERT_LT(v, 256u);
    sum_abs_8 += std::abs(e8 - exact);
    sum_signed_8 += e8 - exact;
    sum_abs_32 += std::abs(estimate_jaccard(sa, sb) - exact);
  }
  std::printf("[minhash] 8-bit values: mean_abs_error=%.4f mean_signed_error=%+.4f (32-bit: %.4f)\n",
              sum_abs_8 / kPairs, sum_signed_8 / kPairs, sum_abs_32 / kPairs);
  EXPECT_LE(sum_abs_8 / kPairs, 0.04);
  EXPECT_LE(std::abs(sum_signed_8 / kPairs), 0.01);  // no bias left from chance agreement
  // Disjoint sets: uncorrected, 8-bit values would agree on about 1 position in 256.
  const auto a = random_set(rng, 3000), b = random_set(rng, 3000);
  EXPECT_LE(estimate_jaccard_truncated(minhash(a, p), minhash(b, p), 8), 0.03);
  EXPECT_THROW(truncate_signature(minhash(a, p), 0), Error);
  EXPECT_THROW(estimate_jaccard_truncated(minhash(a, p), minhash(b, p), 33), Error);
}

// Regression: an invalid k is refused whatever the input, also for a text too short to shingle.
TEST(MinHash, InvalidKThrowsEvenForEmptyInput) {
  EXPECT_THROW(
      minhash(std::vector<std::uint64_t>{}, params_for(MinHashVariant::kOnePermutation, 100)),
      Error);
}

// ---- SimHash ----

// Naive SimHash from the definition: bit b is set when more than half of the shingle hashes have
// it set.
std::uint64_t naive_simhash(const std::vector<std::uint64_t>& hashes) {
  std::uint64_t out = 0;
  for (int b = 0; b < 64; ++b) {
    std::size_t ones = 0;
    for (std::uint64_t h : hashes) ones += (h >> b) & 1;
    if (2 * ones > hashes.size()) out |= std::uint64_t(1) << b;
  }
  return out;
}

TEST(SimHash, MatchesDefinition) {
  Random rng(8);
  // Sizes around the vector path's 128-hash steps and its flush every 31 steps.
  for (std::size_t n : {0u, 1u, 2u, 3u, 127u, 128u, 129u, 254u, 255u, 256u, 511u, 1000u, 3968u, 3969u, 4103u,
                        70000u}) {
    const auto hashes = random_set(rng, n);
    EXPECT_EQ(simhash(hashes), naive_simhash(hashes)) << n;
  }
  // Skewed bits, so that every per-bit count runs far from n/2 (and past the 8-bit lanes).
  std::vector<std::uint64_t> skewed(1000);
  for (auto& h : skewed) h = rng.next() | rng.next() | 0xF0F0000000000001ull;
  EXPECT_EQ(simhash(skewed), naive_simhash(skewed));
  EXPECT_EQ(simhash(std::vector<std::uint64_t>(300, ~0ull)), ~0ull);
}

// make_sketch's one pass (hashes in blocks, each summarized while in cache) gives exactly the
// values of the separate functions, for texts shorter than a window, around block edges and long.
TEST(Sketch, OnePassEqualsSeparateFunctions) {
  Random rng(12);
  for (auto variant : kAllVariants) {
    SketchParams params;
    params.minhash.variant = variant;
    for (std::size_t length : {0u, 4u, 5u, 6u, 516u, 517u, 518u, 1029u, 5000u, 70001u}) {
      const std::u32string text = random_ideographs(length, rng.next());
      Sketch sketch;
      hash_normalized(text, params, sketch);
      const auto hashes = shingle_hashes(text, params.shingle);
      EXPECT_EQ(sketch.shingles, hashes) << length;
      EXPECT_EQ(sketch.minhash, minhash(hashes, params.minhash)) << length;
      EXPECT_EQ(sketch.simhash, simhash(hashes)) << length;
    }
  }
}

// Chinese-like text: uniform draws from 500 CJK ideographs.
std::u32string random_cjk(Random& rng, std::size_t length) {
  std::u32string out(length, U' ');
  for (auto& c : out) c = static_cast<char32_t>(0x4E00 + rng.below(500));
  return out;
}

std::uint64_t simhash_of(const std::u32string& text) {
  return simhash(shingle_hashes(normalize(text).chars));
}

TEST(SimHash, IdenticalNearAndUnrelatedTexts) {
  Random rng(9);
  for (int t = 0; t < 10; ++t) {
    const std::u32string text = random_cjk(rng, 3000);
    EXPECT_EQ(hamming_distance(simhash_of(text), simhash_of(text)), 0);
    std::u32string near = text;
    near[rng.below(near.size())] = U'甲';
    const int d_near = hamming_distance(simhash_of(text), simhash_of(near));
    EXPECT_LT(d_near, 10);
    const int d_far = hamming_distance(simhash_of(text), simhash_of(random_cjk(rng, 3000)));
    EXPECT_GE(d_far, 20);
    EXPECT_LE(d_far, 44);
  }
  EXPECT_EQ(hamming_distance(0, ~0ull), 64);
  EXPECT_EQ(hamming_distance(0b1011, 0b0001), 2);
}

// ---- Winnowing ----

std::set<std::uint32_t> positions(const std::vector<Fingerprint>& fps) {
  std::set<std::uint32_t> out;
  for (const auto& f : fps) out.insert(f.position);
  return out;
}

TEST(Winnow, EveryWindowHasAFingerprintAndPositionsIncrease) {
  Random rng(10);
  for (int w : {1, 2, 5, 24, 50}) {
    const auto hashes = random_set(rng, 3000);
    FingerprintParams p;
    p.window = w;
    const auto fps = winnow(hashes, p);
    ASSERT_FALSE(fps.empty());
    for (std::size_t i = 0; i < fps.size(); ++i) {
      ASSERT_LT(fps[i].position, hashes.size());
      EXPECT_EQ(fps[i].hash, hashes[fps[i].position]);
      if (i > 0) {
        ASSERT_LT(fps[i - 1].position, fps[i].position) << "w=" << w;
      }
    }
    // Every window of w consecutive hashes holds a selected position, which is its minimum.
    const auto selected = positions(fps);
    for (std::size_t start = 0; start + std::size_t(w) <= hashes.size(); ++start) {
      const auto it = selected.lower_bound(static_cast<std::uint32_t>(start));
      ASSERT_TRUE(it != selected.end() && *it < start + std::size_t(w))
          << "w=" << w << " start=" << start;
      const std::uint64_t window_min = *std::min_element(
          hashes.begin() + std::ptrdiff_t(start), hashes.begin() + std::ptrdiff_t(start) + w);
      bool has_min = false;
      for (auto p2 = it; p2 != selected.end() && *p2 < start + std::size_t(w); ++p2)
        has_min = has_min || hashes[*p2] == window_min;
      ASSERT_TRUE(has_min) << "w=" << w << " start=" << start;
    }
    if (w == 1) {
      EXPECT_EQ(fps.size(), hashes.size());
    }
  }
}

TEST(Winnow, DensityIsAboutTwoOverWindowPlusOne) {
  Random rng(11);
  const auto hashes = random_set(rng, 200000);
  for (int w : {4, 8, 24, 64}) {
    FingerprintParams p;
    p.window = w;
    const double density = double(winnow(hashes, p).size()) / double(hashes.size());
    const double expected = 2.0 / (w + 1);
    EXPECT_NEAR(density, expected, 0.25 * expected) << "w=" << w;
  }
}

// The guarantee: a common run of at least `window` shingle hashes shares a fingerprint, at the
// same offset inside the run in both documents.
TEST(Winnow, CommonSubstringSharesAFingerprint) {
  Random rng(12);
  for (int w : {4, 8, 24}) {
    FingerprintParams p;
    p.window = w;
    for (int t = 0; t < 200; ++t) {
      const std::size_t len = std::size_t(w) + rng.below(2 * std::size_t(w));
      const auto common = random_set(rng, len);
      auto a = random_set(rng, rng.below(500));
      const std::size_t at_a = a.size();
      a.insert(a.end(), common.begin(), common.end());
      const auto tail_a = random_set(rng, rng.below(500));
      a.insert(a.end(), tail_a.begin(), tail_a.end());
      auto b = random_set(rng, rng.below(500));
      const std::size_t at_b = b.size();
      b.insert(b.end(), common.begin(), common.end());
      const auto tail_b = random_set(rng, rng.below(500));
      b.insert(b.end(), tail_b.begin(), tail_b.end());

      const auto fa = winnow(a, p), fb = winnow(b, p);
      bool shared = false;
      for (const auto& x : fa) {
        if (x.position < at_a || x.position >= at_a + len) continue;
        for (const auto& y : fb)
          shared = shared || (y.hash == x.hash && y.position - at_b == x.position - at_a);
      }
      ASSERT_TRUE(shared) << "w=" << w << " len=" << len << " trial " << t;
    }
  }
}

TEST(Winnow, TiesPickTheRightmostMinimum) {
  FingerprintParams p;
  p.window = 3;
  const std::vector<std::uint64_t> hashes = {3, 1, 1, 2};
  EXPECT_EQ(winnow(hashes, p), (std::vector<Fingerprint>{{1, 2}}));
  const std::vector<std::uint64_t> flat(6, 7);
  const auto fps = winnow(flat, p);
  ASSERT_FALSE(fps.empty());
  EXPECT_EQ(fps.front().position, 2u);
}

TEST(Winnow, ShortInputAndBadWindow) {
  FingerprintParams p;  // window 24
  EXPECT_TRUE(winnow(std::vector<std::uint64_t>{}, p).empty());
  // Fewer hashes than a window: the single minimum.
  EXPECT_EQ(winnow(std::vector<std::uint64_t>{5, 2, 9}, p), (std::vector<Fingerprint>{{2, 1}}));
  p.window = 0;
  EXPECT_THROW(winnow(std::vector<std::uint64_t>{1, 2}, p), Error);
  p.window = -3;
  EXPECT_THROW(winnow(std::vector<std::uint64_t>{1, 2}, p), Error);
}

}  // namespace
}  // namespace leitong::testing
