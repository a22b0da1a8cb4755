// Locality-sensitive hashing over MinHash signatures (banding), and a SimHash index.
//
// A signature of k = bands × rows values is cut into `bands` bands of `rows` values; two documents
// become candidates when any band is identical. The probability of that for Jaccard J is
// 1 - (1 - J^rows)^bands: with the default 32 × 4 it is 0.23 at J = 0.3, 0.87 at J = 0.5 and 0.99
// at J = 0.6 (threshold ≈ (1/bands)^(1/rows) ≈ 0.42). Near-duplicate search uses it; partial copies
// are found by fingerprint postings instead (fingerprint.h), so the bands favour cheap buckets.
#pragma once

#include <leitong/core/index.h>
#include <leitong/core/minhash.h>

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace leitong {

struct LshParams {
  int bands = 32;
  int rows = 4;
  friend bool operator==(const LshParams&, const LshParams&) = default;
};

// One 64-bit bucket key per band; the band index is mixed in, so keys of different bands never
// collide by construction. Requires signature.size() >= bands * rows.
std::vector<std::uint64_t> lsh_band_keys(std::span<const std::uint32_t> signature,
                                         const LshParams& params);

// Probability that a pair with Jaccard `jaccard` shares at least one band.
double lsh_candidate_probability(double jaccard, const LshParams& params);

// In-memory banded LSH; query() verifies candidates by their estimated Jaccard.
class LshIndex final : public Index {
 public:
  explicit LshIndex(LshParams params = {}) : params_(params) {}
  void add(DocId id, const Sketch& sketch) override;
  std::vector<Candidate> query(const Sketch& query, double threshold) const override;
  std::size_t size() const override { return signatures_.size(); }

 private:
  LshParams params_;
  std::unordered_map<std::uint64_t, std::vector<DocId>> buckets_;
  std::unordered_map<DocId, MinHashSignature> signatures_;
};

// SimHash near-duplicates: similarity = 1 - hamming_distance / 64. A linear scan of 8-byte
// fingerprints (about a millisecond per million documents), which needs no tuning.
class SimHashIndex final : public Index {
 public:
  void add(DocId id, const Sketch& sketch) override;
  std::vector<Candidate> query(const Sketch& query, double threshold) const override;
  std::size_t size() const override { return ids_.size(); }

 private:
  std::vector<DocId> ids_;
  std::vector<std::uint64_t> simhashes_;
};

}  // namespace leitong
