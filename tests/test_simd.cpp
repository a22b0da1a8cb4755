// The run-time choice of vector instructions (simd.h): every path this CPU supports gives the same
// normalized text, fingerprints and sketches, bit for bit, as the portable one, for every MinHash
// variant and size of k, and for texts on both sides of the vector loops' step sizes.
#include <gtest/gtest.h>
#include <leitong/core/minhash.h>
#include <leitong/core/simd.h>
#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>

#include <cstdint>
#include <random>
#include <vector>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

// Restores the path in use when a test ends, whatever it set.
class SimdPathGuard {
 public:
  SimdPathGuard() : saved_(simd_path()) {}
  ~SimdPathGuard() { limit_simd_path(saved_); }

 private:
  SimdPath saved_;
};

std::vector<SimdPath> supported_paths() {
  std::vector<SimdPath> paths;
  for (SimdPath p : {SimdPath::kPortable, SimdPath::kAvx2, SimdPath::kAvx512})
    if (p <= best_simd_path()) paths.push_back(p);
  return paths;
}

std::vector<std::uint64_t> random_hashes(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> out(n);
  for (std::uint64_t& h : out) h = rng();
  return out;
}

TEST(Simd, NamesRoundTripAndUnknownNamesAreRefused) {
  for (SimdPath p : {SimdPath::kPortable, SimdPath::kAvx2, SimdPath::kAvx512})
    EXPECT_EQ(parse_simd_path(simd_path_name(p)), p);
  EXPECT_FALSE(parse_simd_path("sse2").has_value());
  EXPECT_FALSE(parse_simd_path("").has_value());
}

TEST(Simd, LimitingClampsToWhatTheCpuSupports) {
  SimdPathGuard guard;
  EXPECT_EQ(limit_simd_path(SimdPath::kPortable), SimdPath::kPortable);
  EXPECT_EQ(simd_path(), SimdPath::kPortable);
  EXPECT_EQ(limit_simd_path(SimdPath::kAvx512), best_simd_path());
  EXPECT_EQ(simd_path(), best_simd_path());
  std::printf("this CPU: %s\n", std::string(simd_path_name(best_simd_path())).c_str());
}

TEST(Simd, EveryPathGivesThePortableMinHashAndSimHash) {
  SimdPathGuard guard;
  const auto paths = supported_paths();
  if (paths.size() == 1) GTEST_SKIP() << "this CPU has only the portable path";
  // Sizes around SimHash's 128-hash step and MinHash's 16-hash vectors and 256-hash blocks.
  for (std::size_t n : {0, 1, 15, 16, 17, 127, 128, 129, 255, 256, 257, 1000, 4095, 20000}) {
    const auto hashes = random_hashes(n, n + 7);
    limit_simd_path(SimdPath::kPortable);
    const std::uint64_t portable_simhash = simhash(hashes);
    for (MinHashVariant variant :
         {MinHashVariant::kOnePermutationDirect, MinHashVariant::kOnePermutation, MinHashVariant::kClassic}) {
      for (int k : {8, 16, 32, 64, 128, 256, 1024}) {
        MinHashParams params;
        params.variant = variant;
        params.k = k;
        limit_simd_path(SimdPath::kPortable);
        const MinHashSignature portable = minhash(hashes, params);
        for (SimdPath p : paths) {
          limit_simd_path(p);
          EXPECT_EQ(minhash(hashes, params), portable)
              << simd_path_name(p) << " n=" << n << " k=" << k << " " << minhash_variant_name(variant);
        }
      }
    }
    for (SimdPath p : paths) {
      limit_simd_path(p);
      EXPECT_EQ(simhash(hashes), portable_simhash) << simd_path_name(p) << " n=" << n;
    }
  }
}

TEST(Simd, EveryPathGivesThePortableSketchOfAReport) {
  SimdPathGuard guard;
  const std::u32string text = read_corpus_text("gov-work-reports/2022.txt");
  ASSERT_GT(text.size(), 10000u);
  limit_simd_path(SimdPath::kPortable);
  const Sketch portable = make_sketch(text);
  for (SimdPath p : supported_paths()) {
    limit_simd_path(p);
    const Sketch sketch = make_sketch(text);
    EXPECT_EQ(sketch.minhash, portable.minhash) << simd_path_name(p);
    EXPECT_EQ(sketch.simhash, portable.simhash) << simd_path_name(p);
    EXPECT_EQ(sketch.shingles, portable.shingles) << simd_path_name(p);
    EXPECT_EQ(sketch.normalized.chars, portable.normalized.chars) << simd_path_name(p);
    EXPECT_EQ(sketch.normalized.begin, portable.normalized.begin) << simd_path_name(p);
    EXPECT_EQ(sketch.normalized.end, portable.normalized.end) << simd_path_name(p);
    ASSERT_EQ(sketch.fingerprints.size(), portable.fingerprints.size()) << simd_path_name(p);
    for (std::size_t i = 0; i < sketch.fingerprints.size(); ++i) {
      EXPECT_EQ(sketch.fingerprints[i].hash, portable.fingerprints[i].hash);
      EXPECT_EQ(sketch.fingerprints[i].position, portable.fingerprints[i].position);
    }
  }
}

}  // namespace
}  // namespace leitong::testing
