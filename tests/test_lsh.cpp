// Tests for lsh.h: the banding formula and the band keys.
#include <gtest/gtest.h>
#include <leitong/core/lsh.h>
#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <vector>

#include "support/variants.h"

namespace leitong::testing {
namespace {

// 500 common CJK ideographs (a contiguous block of the URO) and a few punctuation marks.
char32_t random_char(Random& rng) {
  if (rng.chance(0.05)) return U"，。、；"[rng.below(4)];
  return static_cast<char32_t>(0x4E00 + rng.below(500));
}

std::u32string random_doc(Random& rng, std::size_t length) {
  std::u32string out(length, U' ');
  for (auto& c : out) c = random_char(rng);
  return out;
}

// `share` of the characters replaced by random ones.
std::u32string mutate(const std::u32string& text, double share, Random& rng) {
  std::u32string out = text;
  for (auto& c : out)
    if (rng.chance(share)) c = random_char(rng);
  return out;
}

struct Corpus {
  std::vector<Sketch> sketches;  // id = index
};

// ~300 documents: 60 originals, each with near-duplicates at several mutation rates (Jaccard with
// the original about 0.95, 0.86, 0.42 and 0.20 with 5-shingles; between mutants 0.82, 0.40, 0.38
// and lower), plus unrelated documents. The levels leave a gap around the 0.6 query threshold, so
// the recall measured is that of the index, not of the estimation error of 128-value signatures
// at pairs straddling the threshold (NearThresholdRecall looks at those).
const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    Random rng(2024);
    std::vector<std::u32string> texts;
    for (int base = 0; base < 60; ++base) {
      const std::u32string original = random_doc(rng, 500 + rng.below(1500));
      texts.push_back(original);
      for (double share : {0.005, 0.015, 0.1, 0.2})
        if (rng.chance(0.8)) texts.push_back(mutate(original, share, rng));
    }
    while (texts.size() < 300) texts.push_back(random_doc(rng, 300 + rng.below(2000)));
    for (const auto& t : texts) out.sketches.push_back(make_sketch(t));
    return out;
  }();
  return c;
}




TEST(Lsh, CandidateProbabilityFormula) {
  for (const LshParams p : {LshParams{}, LshParams{16, 8}, LshParams{64, 2}, LshParams{1, 1}}) {
    for (double j : {0.0, 0.1, 0.3, 0.42, 0.5, 0.6, 0.8, 1.0}) {
      const double expected = 1.0 - std::pow(1.0 - std::pow(j, p.rows), p.bands);
      EXPECT_NEAR(lsh_candidate_probability(j, p), expected, 1e-12)
          << p.bands << "x" << p.rows << " J=" << j;
    }
  }
  // The figures quoted in lsh.h for the default 32 × 4.
  EXPECT_NEAR(lsh_candidate_probability(0.3, {}), 0.23, 0.005);
  EXPECT_NEAR(lsh_candidate_probability(0.5, {}), 0.87, 0.005);
  EXPECT_NEAR(lsh_candidate_probability(0.6, {}), 0.99, 0.005);
  EXPECT_EQ(lsh_candidate_probability(0.0, {}), 0.0);
  EXPECT_EQ(lsh_candidate_probability(1.0, {}), 1.0);
}

// The banding really behaves as the formula says: signature pairs agreeing at each position
// independently with probability J share a band key at the predicted rate.
TEST(Lsh, BandKeysCollideAtPredictedRate) {
  Random rng(77);
  const LshParams params;
  constexpr int kTrials = 3000;
  for (double j : {0.3, 0.45, 0.6}) {
    int collide = 0;
    for (int t = 0; t < kTrials; ++t) {
      MinHashSignature a(128), b(128);
      for (std::size_t i = 0; i < 128; ++i) {
        a[i] = static_cast<std::uint32_t>(rng.next());
        b[i] = rng.chance(j) ? a[i] : static_cast<std::uint32_t>(rng.next());
      }
      const auto ka = lsh_band_keys(a, params), kb = lsh_band_keys(b, params);
      ASSERT_EQ(ka.size(), 32u);
      bool any = false;
      for (std::size_t band = 0; band < ka.size(); ++band) any = any || ka[band] == kb[band];
      collide += any;
    }
    const double p = lsh_candidate_probability(j, params);
    const double se = std::sqrt(p * (1 - p) / kTrials);
    EXPECT_NEAR(double(collide) / kTrials, p, 4 * se + 0.005) << "J=" << j;
  }
}

TEST(Lsh, BandKeysMixInTheBandIndex) {
  const MinHashSignature zeros(128, 0);
  const auto keys = lsh_band_keys(zeros, {});
  EXPECT_EQ(std::set<std::uint64_t>(keys.begin(), keys.end()).size(), 32u);
  // A band key depends only on that band's rows.
  MinHashSignature changed = zeros;
  changed[5] = 1;  // band 1 of 4-row bands
  const auto keys2 = lsh_band_keys(changed, {});
  for (std::size_t band = 0; band < 32; ++band)
    EXPECT_EQ(keys[band] == keys2[band], band != 1) << band;
}




}  // namespace
}  // namespace leitong::testing
