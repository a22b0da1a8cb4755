#include <leitong/core/index.h>
#include <leitong/core/lsh_index.h>
#include <leitong/core/simhash.h>

#include <leitong/core/detail/mix.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace leitong {

namespace {
void sort_candidates(std::vector<Candidate>& out) {
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.id < b.id;
  });
}
}  // namespace

void BruteForceIndex::add(DocId id, const Sketch& sketch) { sets_[id] = shingle_set(sketch.shingles); }

std::vector<Candidate> BruteForceIndex::query(const Sketch& query, double threshold) const {
  const auto set = shingle_set(query.shingles);
  std::vector<Candidate> out;
  for (const auto& [id, other] : sets_) {
    const double j = exact_jaccard(set, other);
    if (j >= threshold && j > 0) out.push_back({id, j});
  }
  sort_candidates(out);
  return out;
}

std::vector<std::uint64_t> lsh_band_keys(std::span<const std::uint32_t> signature,
                                         const LshParams& params) {
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(params.bands));
  for (int band = 0; band < params.bands; ++band) {
    std::uint64_t key = detail::mix64(0x4C53480000000000ull + std::uint64_t(band));
    for (int r = 0; r < params.rows; ++r)
      key = detail::mix64(key ^ signature[static_cast<std::size_t>(band * params.rows + r)]);
    keys[static_cast<std::size_t>(band)] = key;
  }
  return keys;
}

double lsh_candidate_probability(double jaccard, const LshParams& params) {
  return 1.0 - std::pow(1.0 - std::pow(jaccard, params.rows), params.bands);
}

void LshIndex::add(DocId id, const Sketch& sketch) {
  signatures_[id] = sketch.minhash;
  for (std::uint64_t key : lsh_band_keys(sketch.minhash, params_)) buckets_[key].push_back(id);
}

std::vector<Candidate> LshIndex::query(const Sketch& query, double threshold) const {
  std::unordered_set<DocId> seen;
  std::vector<Candidate> out;
  for (std::uint64_t key : lsh_band_keys(query.minhash, params_)) {
    const auto it = buckets_.find(key);
    if (it == buckets_.end()) continue;
    for (DocId id : it->second) {
      if (!seen.insert(id).second) continue;
      const double j = estimate_jaccard(query.minhash, signatures_.at(id));
      if (j >= threshold) out.push_back({id, j});
    }
  }
  sort_candidates(out);
  return out;
}

void SimHashIndex::add(DocId id, const Sketch& sketch) {
  ids_.push_back(id);
  simhashes_.push_back(sketch.simhash);
}

std::vector<Candidate> SimHashIndex::query(const Sketch& query, double threshold) const {
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    const double s = 1.0 - hamming_distance(query.simhash, simhashes_[i]) / 64.0;
    if (s >= threshold) out.push_back({ids_[i], s});
  }
  sort_candidates(out);
  return out;
}

}  // namespace leitong
