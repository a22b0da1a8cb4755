// Tests for index.h and lsh_index.h: the banded MinHash LSH index against the exact brute-force
// index on generated Chinese-like documents with planted near-duplicates, the banding formula,
// and the SimHash index.
#include <gtest/gtest.h>
#include <leitong/core/index.h>
#include <leitong/core/lsh_index.h>
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

TEST(Lsh, RecallAgainstBruteForce) {
  const Corpus& c = corpus();
  BruteForceIndex exact;
  LshIndex lsh;
  for (std::size_t i = 0; i < c.sketches.size(); ++i) {
    exact.add(DocId(i), c.sketches[i]);
    lsh.add(DocId(i), c.sketches[i]);
  }
  ASSERT_EQ(exact.size(), c.sketches.size());
  ASSERT_EQ(lsh.size(), c.sketches.size());

  constexpr double kThreshold = 0.6;
  std::size_t truth = 0, found = 0, reported = 0, false_positive = 0, candidates_found = 0;
  std::size_t near_pairs = 0;  // pairs with 0.3 <= J < 0.6, to be sure the corpus is not trivial
  for (std::size_t q = 0; q < c.sketches.size(); ++q) {
    // One exact query at 0.3 gives both the answers at the threshold and the near misses.
    const auto exact_03 = exact.query(c.sketches[q], 0.3);
    std::vector<Candidate> expected;
    for (const auto& e : exact_03) {
      if (e.similarity >= kThreshold) {
        expected.push_back(e);
      } else {
        ++near_pairs;
      }
    }
    const auto got = lsh.query(c.sketches[q], kThreshold);
    // The document itself comes first in both, at similarity 1.
    ASSERT_FALSE(expected.empty());
    EXPECT_EQ(expected.front(), (Candidate{DocId(q), 1.0}));
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front().similarity, 1.0);
    for (std::size_t i = 1; i < got.size(); ++i)
      EXPECT_GE(got[i - 1].similarity, got[i].similarity);
    for (const auto& g : got) EXPECT_GE(g.similarity, kThreshold);

    std::set<DocId> want, have;
    for (const auto& e : expected)
      if (e.id != DocId(q)) want.insert(e.id);
    for (const auto& g : got)
      if (g.id != DocId(q)) have.insert(g.id);
    truth += want.size();
    reported += have.size();
    for (DocId id : want) found += have.count(id);
    // Threshold 0 keeps every banding candidate: the recall of the bands alone.
    std::set<DocId> candidates;
    for (const auto& g : lsh.query(c.sketches[q], 0.0)) candidates.insert(g.id);
    for (DocId id : want) candidates_found += candidates.count(id);
    for (DocId id : have) false_positive += !want.count(id);
  }
  const double recall = truth ? double(found) / double(truth) : 0.0;
  const double candidate_recall = truth ? double(candidates_found) / double(truth) : 0.0;
  std::printf(
      "[lsh] recall %.4f (%zu of %zu pairs with J >= %.1f; %zu reported, %zu below threshold by "
      "exact "
      "J; %zu pairs with 0.3 <= J < 0.6; banding-candidate recall %.4f) bands=32 rows=4 k=128 "
      "docs=%zu\n",
      recall, found, truth, kThreshold, reported, false_positive, near_pairs, candidate_recall,
      c.sketches.size());
  EXPECT_GT(truth, 100u);
  EXPECT_GT(near_pairs, 50u);
  EXPECT_GE(recall, 0.95);
  EXPECT_GE(candidate_recall, 0.97);
  EXPECT_LE(double(false_positive), 0.1 * double(reported));
}

// Pairs whose exact Jaccard lies just above the threshold (about 0.60–0.72): banding still finds
// nearly all of them, but query() verifies by the estimated Jaccard, whose standard error at k =
// 128 is about 0.043, so a share of them falls below the threshold. Printed, not a defect.
TEST(Lsh, NearThresholdRecall) {
  Random rng(99);
  BruteForceIndex exact;
  LshIndex lsh;
  std::vector<Sketch> queries;
  for (int i = 0; i < 150; ++i) {
    const std::u32string original = random_doc(rng, 1000 + rng.below(1000));
    const Sketch s = make_sketch(original);
    exact.add(DocId(i), s);
    lsh.add(DocId(i), s);
    queries.push_back(
        make_sketch(mutate(original, 0.04 + 0.015 * double(rng.below(100)) / 100.0, rng)));
  }
  constexpr double kThreshold = 0.6;
  std::size_t truth = 0, found = 0, candidates_found = 0;
  for (std::size_t q = 0; q < queries.size(); ++q) {
    const auto expected = exact.query(queries[q], kThreshold);
    std::set<DocId> have, candidates;
    for (const auto& g : lsh.query(queries[q], kThreshold)) have.insert(g.id);
    for (const auto& g : lsh.query(queries[q], 0.0)) candidates.insert(g.id);
    for (const auto& e : expected) {
      ++truth;
      found += have.count(e.id);
      candidates_found += candidates.count(e.id);
    }
  }
  const double recall = truth ? double(found) / double(truth) : 0.0;
  const double candidate_recall = truth ? double(candidates_found) / double(truth) : 0.0;
  std::printf(
      "[lsh] near-threshold recall %.4f, banding-candidate recall %.4f (%zu pairs with J in "
      "[0.6, ~0.72])\n",
      recall, candidate_recall, truth);
  EXPECT_GT(truth, 60u);
  EXPECT_GE(candidate_recall, 0.95);
  EXPECT_GE(recall, 0.5);
}

TEST(Lsh, BruteForceQueryIsExactAndSorted) {
  const Corpus& c = corpus();
  BruteForceIndex exact;
  for (std::size_t i = 0; i < 40; ++i) exact.add(DocId(i), c.sketches[i]);
  const auto got = exact.query(c.sketches[0], 0.0);
  ASSERT_FALSE(got.empty());
  const auto q = shingle_set(c.sketches[0].shingles);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_DOUBLE_EQ(got[i].similarity,
                     exact_jaccard(q, shingle_set(c.sketches[std::size_t(got[i].id)].shingles)));
    EXPECT_GT(got[i].similarity, 0.0);  // threshold 0 still leaves out disjoint documents
    if (i > 0) {
      EXPECT_GE(got[i - 1].similarity, got[i].similarity);
    }
  }
  EXPECT_LT(got.size(), 40u);
}

TEST(Lsh, CandidateProbabilityFormula) {
  for (const LshParams p : {LshParams{}, LshParams{16, 8}, LshParams{64, 2}, LshParams{1, 1}}) {
    for (double j : {0.0, 0.1, 0.3, 0.42, 0.5, 0.6, 0.8, 1.0}) {
      const double expected = 1.0 - std::pow(1.0 - std::pow(j, p.rows), p.bands);
      EXPECT_NEAR(lsh_candidate_probability(j, p), expected, 1e-12)
          << p.bands << "x" << p.rows << " J=" << j;
    }
  }
  // The figures quoted in lsh_index.h for the default 32 × 4.
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

TEST(Lsh, EmptyDocumentMatchesNothing) {
  const Corpus& c = corpus();
  LshIndex lsh;
  for (std::size_t i = 0; i < 50; ++i) lsh.add(DocId(i), c.sketches[i]);
  const Sketch empty = make_sketch(U"短");
  lsh.add(1000, empty);
  EXPECT_EQ(lsh.size(), 51u);
  EXPECT_TRUE(lsh.query(empty, 0.1).empty());  // the empty-set signature is similar to nothing
}

TEST(SimHashIndex, FindsIdenticalDocumentAtSimilarityOne) {
  const Corpus& c = corpus();
  SimHashIndex index;
  EXPECT_EQ(index.size(), 0u);
  for (std::size_t i = 0; i < 100; ++i) index.add(DocId(1000 + i), c.sketches[i]);
  EXPECT_EQ(index.size(), 100u);
  for (std::size_t q : {0u, 7u, 42u, 99u}) {
    const auto got = index.query(c.sketches[q], 0.9);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front(), (Candidate{DocId(1000 + q), 1.0}));
    for (const auto& g : got) EXPECT_GE(g.similarity, 0.9);
  }
  // Similarity is 1 - Hamming / 64 and threshold 0 returns everything, most similar first.
  const auto all = index.query(c.sketches[3], 0.0);
  EXPECT_EQ(all.size(), 100u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const int d =
        hamming_distance(c.sketches[3].simhash, c.sketches[std::size_t(all[i].id - 1000)].simhash);
    EXPECT_DOUBLE_EQ(all[i].similarity, 1.0 - d / 64.0);
    if (i > 0) {
      EXPECT_GE(all[i - 1].similarity, all[i].similarity);
    }
  }
}

TEST(Lsh, SizeCountsDocuments) {
  const Corpus& c = corpus();
  BruteForceIndex exact;
  LshIndex lsh;
  SimHashIndex sim;
  EXPECT_EQ(exact.size(), 0u);
  EXPECT_EQ(lsh.size(), 0u);
  for (std::size_t i = 0; i < 17; ++i) {
    exact.add(DocId(i), c.sketches[i]);
    lsh.add(DocId(i), c.sketches[i]);
    sim.add(DocId(i), c.sketches[i]);
  }
  EXPECT_EQ(exact.size(), 17u);
  EXPECT_EQ(lsh.size(), 17u);
  EXPECT_EQ(sim.size(), 17u);
}

}  // namespace
}  // namespace leitong::testing
