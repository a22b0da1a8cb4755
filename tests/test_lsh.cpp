// Tests for lsh.h (the banding formula and the band keys) and for the archive's candidate
// look-ups, measured against the exact brute-force reference (support/brute_force.h) on generated
// Chinese-like documents with planted near-duplicates: Archive::lsh_candidates (band buckets, 8-bit
// MinHash estimates) and Archive::fingerprint_hits (winnowed fingerprint postings).
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/lsh.h>
#include <leitong/core/sketch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "support/brute_force.h"
#include "support/corpus.h"
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
  std::vector<std::u32string> texts;
  std::vector<Sketch> sketches;  // of texts, same index
};

// ~300 documents: 60 originals, each with near-duplicates at several mutation rates (Jaccard with
// the original about 0.95, 0.86, 0.42 and 0.20 with 5-shingles; between mutants 0.82, 0.40, 0.38
// and lower), plus unrelated documents. The levels leave a gap around the 0.6 query threshold, so
// the recall measured is that of the look-up, not of the estimation error of 128-value signatures
// at pairs straddling the threshold (NearThresholdRecall looks at those).
const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    Random rng(2024);
    for (int base = 0; base < 60; ++base) {
      const std::u32string original = random_doc(rng, 500 + rng.below(1500));
      out.texts.push_back(original);
      for (double share : {0.005, 0.015, 0.1, 0.2})
        if (rng.chance(0.8)) out.texts.push_back(mutate(original, share, rng));
    }
    while (out.texts.size() < 300) out.texts.push_back(random_doc(rng, 300 + rng.below(2000)));
    for (const auto& t : out.texts) out.sketches.push_back(make_sketch(t));
    return out;
  }();
  return c;
}

// An archive in a temp folder holding given texts, and the brute-force reference over the same
// documents. Agencies are drawn at random, so near-duplicates land both in other agencies (the
// copying the postings' agency counts are for) and in the same one; every tenth is a template
// (a document for `documents`, never for the agency counts).
struct Archived {
  TempDir dir;
  Archive archive;
  BruteForce exact;
  std::vector<std::int64_t> ids;      // per text
  std::vector<std::string> agencies;  // per text: what a check of it passes as exclude_agency

  Archived(const std::vector<std::u32string>& texts, const ArchiveParams& params)
      : archive(Archive::open(dir / "a.db", Archive::Mode::kReadWrite, params)) {
    static const char* const kAgencies[] = {"甲区民政局", "乙区民政局", "丙区司法局",
                                            "丁区司法局", "戊区财政局", "己区财政局"};
    Random rng(7);
    archive.set_batch_size(64);  // bulk loading: the blobs are those of one add at a time
    for (std::size_t i = 0; i < texts.size(); ++i) {
      const DocumentKind kind = i % 10 == 9 ? DocumentKind::kTemplate : DocumentKind::kReport;
      agencies.push_back(kind == DocumentKind::kTemplate ? "范文网站" : kAgencies[rng.below(6)]);
      const std::string file = "doc" + std::to_string(i) + ".txt";
      const AddOutcome added =
          archive.add({{0, file, agencies[i], 2020 + int(i % 5), kind}, texts[i]});
      ids.push_back(added.id);
      if (added.added)
        exact.add(added.id, make_sketch(texts[i], archive.params().sketch), agencies[i], kind);
    }
    archive.flush();
  }
};

// The corpus, archived with the default parameters (posting cap 1024: never reached here).
Archived& corpus_archive() {
  static const auto a = std::make_unique<Archived>(corpus().texts, ArchiveParams{});
  return *a;
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

// The archive's LSH look-up against exact Jaccard: every document queried with its own full
// signature, as a check queries with the report's (the archive stores 8 bits of each value, band
// keys are made from the full ones at add time).
TEST(Lsh, ArchiveCandidatesRecallAgainstBruteForce) {
  const Corpus& c = corpus();
  const Archived& a = corpus_archive();
  ASSERT_EQ(a.exact.size(), c.texts.size()) << "every generated text is a new document";

  constexpr double kThreshold = 0.6;
  std::size_t truth = 0, found = 0, reported = 0, false_positive = 0, candidates_found = 0;
  std::size_t near_pairs = 0;  // pairs with 0.3 <= J < 0.6, to be sure the corpus is not trivial
  std::size_t estimated = 0;
  double abs_error = 0;  // of the estimates of candidates other than the query itself
  for (std::size_t q = 0; q < c.sketches.size(); ++q) {
    const std::int64_t self = a.ids[q];
    std::map<std::int64_t, double> jaccard;  // exact, every document sharing a shingle
    std::set<std::int64_t> want;
    for (const auto& [id, j] : a.exact.similar(c.sketches[q], 0.0)) {
      jaccard[id] = j;
      if (id != self && j >= kThreshold) want.insert(id);
      near_pairs += j >= 0.3 && j < kThreshold;
    }
    ASSERT_EQ(jaccard[self], 1.0);

    const auto got = a.archive.lsh_candidates(c.sketches[q].minhash);
    std::set<std::int64_t> have, candidates;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const auto& [id, estimate] = got[i];
      // The estimate is the archive's, on the stored bits; sorted, ties lower id first.
      ASSERT_EQ(estimate,
                a.archive.estimate_jaccard(c.sketches[q].minhash, a.archive.signature(id)));
      ASSERT_TRUE(i == 0 || got[i - 1].second > estimate ||
                  (got[i - 1].second == estimate && got[i - 1].first < id));
      EXPECT_TRUE(candidates.insert(id).second) << "listed once";
      if (id == self) {
        EXPECT_EQ(estimate, 1.0) << "a document is its own candidate at 1";
        continue;
      }
      abs_error += std::abs(estimate - (jaccard.count(id) ? jaccard[id] : 0.0));
      ++estimated;
      if (estimate >= kThreshold) {
        have.insert(id);
        false_positive += !want.count(id);
      }
    }
    ASSERT_TRUE(candidates.count(self)) << q;
    truth += want.size();
    reported += have.size();
    for (std::int64_t id : want) {
      found += have.count(id);
      candidates_found += candidates.count(id);
    }
  }
  const double recall = truth ? double(found) / double(truth) : 0.0;
  const double candidate_recall = truth ? double(candidates_found) / double(truth) : 0.0;
  std::printf(
      "[lsh] archive recall %.4f (%zu of %zu pairs with J >= %.1f; %zu reported, %zu below "
      "threshold by exact J; %zu pairs with 0.3 <= J < 0.6; banding-candidate recall %.4f; mean "
      "|estimate - J| %.4f over %zu candidates) 8-bit values, bands=32 rows=4 k=128 docs=%zu\n",
      recall, found, truth, kThreshold, reported, false_positive, near_pairs, candidate_recall,
      estimated ? abs_error / double(estimated) : 0.0, estimated, c.sketches.size());
  EXPECT_GT(truth, 100u);
  EXPECT_GT(near_pairs, 50u);
  EXPECT_GE(recall, 0.95);
  EXPECT_GE(candidate_recall, 0.97);
  EXPECT_LE(double(false_positive), 0.1 * double(reported));
  EXPECT_LE(abs_error, 0.04 * double(estimated)) << "MinHash's error at k = 128";
}

// Pairs whose exact Jaccard lies just above the threshold (about 0.60–0.72): banding still finds
// nearly all of them, but filtering by the estimate (standard error about 0.043 at k = 128, a
// little more on 8 bits) drops a share of them below the threshold. Printed, not a defect; the
// same filter on the full 32-bit signatures is printed beside it.
TEST(Lsh, ArchiveNearThresholdRecall) {
  Random rng(99);
  std::vector<std::u32string> originals;
  std::vector<Sketch> queries;  // not archived
  for (int i = 0; i < 150; ++i) {
    originals.push_back(random_doc(rng, 1000 + rng.below(1000)));
    queries.push_back(
        make_sketch(mutate(originals.back(), 0.04 + 0.015 * double(rng.below(100)) / 100.0, rng)));
  }
  const Archived a(originals, ArchiveParams{});
  std::map<std::int64_t, MinHashSignature> full;  // the originals' 32-bit signatures, by id
  for (std::size_t i = 0; i < originals.size(); ++i)
    full[a.ids[i]] = make_sketch(originals[i]).minhash;
  constexpr double kThreshold = 0.6;
  std::size_t truth = 0, found = 0, candidates_found = 0, found_32 = 0;
  for (const Sketch& query : queries) {
    std::map<std::int64_t, double> got;
    for (const auto& [id, estimate] : a.archive.lsh_candidates(query.minhash)) got[id] = estimate;
    for (const auto& [id, j] : a.exact.similar(query, kThreshold)) {
      ++truth;
      candidates_found += got.count(id);
      found += got.count(id) && got[id] >= kThreshold;
      found_32 += got.count(id) && estimate_jaccard(query.minhash, full[id]) >= kThreshold;
    }
  }
  const double recall = truth ? double(found) / double(truth) : 0.0;
  const double candidate_recall = truth ? double(candidates_found) / double(truth) : 0.0;
  std::printf(
      "[lsh] archive near-threshold recall %.4f (32-bit estimates: %.4f), banding-candidate "
      "recall %.4f (%zu pairs with J in [0.6, ~0.72])\n",
      recall, truth ? double(found_32) / double(truth) : 0.0, candidate_recall, truth);
  EXPECT_GT(truth, 60u);
  EXPECT_GE(candidate_recall, 0.95);
  EXPECT_GE(recall, 0.7);
}

TEST(Lsh, ArchiveEmptySignatureMatchesNothing) {
  Archived& a = corpus_archive();
  const Sketch empty = make_sketch(U"短");
  ASSERT_TRUE(empty.shingles.empty());
  // The empty-set signature (all bits set) shares a band with no document's.
  EXPECT_TRUE(a.archive.lsh_candidates(empty.minhash).empty());
  // Nor can such a document be archived to be found by it.
  const std::int64_t before = a.archive.document_count();
  EXPECT_THROW(a.archive.add(Document{{0, "short.txt", "甲区民政局", 2024, DocumentKind::kReport}, U"短"}),
               Error);
  EXPECT_EQ(a.archive.document_count(), before);
}

// The distinct fingerprint hashes of the texts, and that the archive's posting identity (bucket
// and 24-bit tag, Archive::fingerprint_key) tells them apart: two hashes may share a key, and the
// archive would count them as one fingerprint where the reference, comparing hashes, counts two.
// With ~16,000 hashes in 2^44 keys that is about one chance in 10^5; asserted rather than assumed.
std::set<std::uint64_t> distinct_hashes_with_distinct_keys(const Archived& a,
                                                           const std::vector<Sketch>& sketches) {
  std::set<std::uint64_t> hashes, keys;
  for (const Sketch& s : sketches)
    for (const Fingerprint& f : s.fingerprints)
      if (hashes.insert(f.hash).second) keys.insert(a.archive.fingerprint_key(f.hash));
  EXPECT_EQ(keys.size(), hashes.size()) << "two fingerprint hashes share a posting key";
  return hashes;
}

// What fingerprint_hits answers for one query, checked against the reference, the archive holding
// every posting of fingerprints held by fewer than `cap` documents and the first `cap` of others.
// Returns how many query fingerprints were left out of `documents`.
std::size_t expect_hits_match(const Archived& a, const std::vector<Fingerprint>& fps,
                              const std::string& exclude, std::size_t holders,
                              std::size_t ranking_holders, std::size_t cap) {
  const FingerprintHits hits = a.archive.fingerprint_hits(fps, exclude, holders, ranking_holders);
  const std::size_t max_holders = std::min(ranking_holders ? ranking_holders : SIZE_MAX, cap - 1);
  const std::map<std::int64_t, int> got(hits.documents.begin(), hits.documents.end());
  EXPECT_EQ(got.size(), hits.documents.size()) << "a document is listed once";
  EXPECT_EQ(got, a.exact.shared_fingerprints(fps, max_holders));
  std::vector<std::uint16_t> agencies;
  std::vector<std::vector<std::int64_t>> first_holders;
  std::size_t left_out = 0;
  for (const Fingerprint& f : fps) {
    std::vector<std::int64_t> reports = a.exact.first_report_per_agency(f.hash, exclude, cap);
    agencies.push_back(static_cast<std::uint16_t>(reports.size()));
    reports.resize(std::min(holders, reports.size()));
    first_holders.push_back(std::move(reports));
    left_out += a.exact.holders(f.hash).size() > max_holders;
  }
  EXPECT_EQ(hits.agencies_per_fingerprint, agencies);
  EXPECT_EQ(hits.holders, first_holders);
  return left_out;
}

// Uncapped (300 documents, cap 1024): the counts are exact. Each document is queried with its own
// fingerprints and agency, as a check of it would.
TEST(Postings, FingerprintHitsMatchBruteForce) {
  const Corpus& c = corpus();
  const Archived& a = corpus_archive();
  const auto cap = static_cast<std::size_t>(a.archive.params().posting_cap);
  ASSERT_GT(cap, a.exact.size()) << "no fingerprint can reach the cap";
  const std::set<std::uint64_t> hashes = distinct_hashes_with_distinct_keys(a, c.sketches);
  std::int64_t postings = 0;  // every document posts each of its distinct hashes once
  std::size_t shared_by_agencies = 0;
  for (std::uint64_t h : hashes) {
    postings += std::int64_t(a.exact.holders(h).size());
    shared_by_agencies += a.exact.first_report_per_agency(h).size() >= 2;
  }
  EXPECT_EQ(a.archive.stats().postings, postings);
  std::size_t queried = 0, pairs = 0;
  for (std::size_t q = 0; q < c.sketches.size(); ++q) {
    std::vector<Fingerprint> fps = c.sketches[q].fingerprints;
    if (q % 2) fps.insert(fps.end(), fps.begin(), fps.end());  // repeats count once per document
    EXPECT_EQ(expect_hits_match(a, fps, a.agencies[q], 3, 0, cap), 0u) << q;
    queried += fps.size();
    pairs += a.exact.shared_fingerprints(fps).size();
    if (HasFailure()) break;  // one query's vectors are enough to read
  }
  std::printf(
      "[postings] %zu fingerprints queried, repeats included (%zu distinct, %lld postings, %zu "
      "held by reports of 2+ agencies), %zu (query, document) counts equal to brute force\n",
      queried, hashes.size(), static_cast<long long>(postings), shared_by_agencies, pairs);
  EXPECT_GT(shared_by_agencies, 1000u) << "the agency counts are put to the test";
  EXPECT_GT(pairs, 2 * c.sketches.size()) << "documents share fingerprints beyond themselves";
}

// A fingerprint held by more than ranking_holders documents counts for agencies and holders only.
TEST(Postings, RankingHoldersLeaveWidelyHeldFingerprintsOut) {
  const Corpus& c = corpus();
  const Archived& a = corpus_archive();
  const auto cap = static_cast<std::size_t>(a.archive.params().posting_cap);
  std::size_t left_out = 0;
  for (std::size_t q = 0; q < c.sketches.size() && !HasFailure(); ++q)
    left_out += expect_hits_match(a, c.sketches[q].fingerprints, a.agencies[q], 2, 2, cap);
  std::printf("[postings] ranking_holders 2: %zu query fingerprints left out of documents\n",
              left_out);
  EXPECT_GT(left_out, 1000u) << "the limit is put to the test";
}

// A small posting cap that the near-duplicate clusters (up to five documents) reach: a capped
// fingerprint is posted by its first `cap` holders only, counts for no document, and its agencies
// and holders are those of the first holders.
TEST(Postings, CappedFingerprintsAreLeftOutOfDocuments) {
  const Corpus& c = corpus();
  constexpr std::size_t kCap = 3, kDocs = 120;
  const std::vector<std::u32string> texts(c.texts.begin(), c.texts.begin() + kDocs);
  const std::vector<Sketch> sketches(c.sketches.begin(), c.sketches.begin() + kDocs);
  ArchiveParams params;
  params.posting_cap = int(kCap);
  const Archived a(texts, params);
  ASSERT_EQ(a.exact.size(), kDocs);
  const std::set<std::uint64_t> hashes = distinct_hashes_with_distinct_keys(a, sketches);
  std::int64_t postings = 0;
  std::size_t capped = 0, refused = 0, agencies_lost = 0;
  for (std::uint64_t h : hashes) {
    const std::size_t holders = a.exact.holders(h).size();
    postings += std::int64_t(std::min(holders, kCap));
    capped += holders >= kCap;
    refused += holders > kCap;
    agencies_lost += a.exact.first_report_per_agency(h, {}, kCap).size() <
                     a.exact.first_report_per_agency(h).size();
  }
  EXPECT_EQ(a.archive.stats().postings, postings) << "postings beyond the cap are refused";
  std::size_t left_out = 0;
  // Fewer holders than a saturated fingerprint's summary keeps (summaries made on first sight,
  // reused by later queries of the connection), then more (counted from the postings each time).
  for (std::size_t holders : {2u, 100u}) {
    for (std::size_t q = 0; q < kDocs && !HasFailure(); ++q)
      left_out += expect_hits_match(a, sketches[q].fingerprints, a.agencies[q], holders, 0, kCap);
  }
  std::printf(
      "[postings] cap %zu on %zu documents: %zu of %zu fingerprints capped (%zu with "
      "postings refused, %zu of them losing agencies); %zu query fingerprints left out\n",
      kCap, kDocs, capped, hashes.size(), refused, agencies_lost, left_out);
  EXPECT_GT(capped, 500u);
  EXPECT_GT(refused, 100u);
  EXPECT_GT(agencies_lost, 10u);
}

}  // namespace
}  // namespace leitong::testing
