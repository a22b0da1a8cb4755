#include "brute_force.h"

#include <algorithm>
#include <set>

namespace leitong::testing {

namespace {

std::vector<std::uint64_t> distinct_hashes(const std::vector<Fingerprint>& fingerprints) {
  std::vector<std::uint64_t> out;
  for (const Fingerprint& f : fingerprints) out.push_back(f.hash);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool holds(const std::vector<std::uint64_t>& sorted, std::uint64_t hash) {
  return std::binary_search(sorted.begin(), sorted.end(), hash);
}

}  // namespace

void BruteForce::add(std::int64_t id, const Sketch& sketch, std::string_view agency,
                     DocumentKind kind) {
  documents_.push_back({id, shingle_set(sketch.shingles), distinct_hashes(sketch.fingerprints),
                        canonical_agency(agency), kind});
}

std::vector<std::pair<std::int64_t, double>> BruteForce::similar(const Sketch& query,
                                                                 double threshold) const {
  const std::vector<std::uint64_t> set = shingle_set(query.shingles);
  std::vector<std::pair<std::int64_t, double>> out;
  for (const Entry& d : documents_) {
    const double j = exact_jaccard(set, d.shingles);
    if (j >= threshold && j > 0) out.emplace_back(d.id, j);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return out;
}

std::vector<std::int64_t> BruteForce::holders(std::uint64_t hash) const {
  std::vector<std::int64_t> out;
  for (const Entry& d : documents_)
    if (holds(d.fingerprints, hash)) out.push_back(d.id);
  return out;
}

std::map<std::int64_t, int> BruteForce::shared_fingerprints(const std::vector<Fingerprint>& query,
                                                            std::size_t max_holders) const {
  std::vector<std::uint64_t> counted;
  for (std::uint64_t h : distinct_hashes(query))
    if (!max_holders || holders(h).size() <= max_holders) counted.push_back(h);
  std::map<std::int64_t, int> out;
  for (const Entry& d : documents_) {
    int shared = 0;
    for (std::uint64_t h : counted) shared += holds(d.fingerprints, h);
    if (shared) out[d.id] = shared;
  }
  return out;
}

std::vector<std::int64_t> BruteForce::first_report_per_agency(std::uint64_t hash,
                                                              std::string_view exclude_agency,
                                                              std::size_t first_holders) const {
  const std::string excluded = exclude_agency.empty() ? "" : canonical_agency(exclude_agency);
  std::set<std::string> seen;
  std::vector<std::int64_t> out;
  std::size_t holder = 0;
  for (const Entry& d : documents_) {
    if (!holds(d.fingerprints, hash)) continue;
    if (first_holders && holder++ >= first_holders) break;
    if (d.kind != DocumentKind::kReport || d.agency == excluded) continue;
    if (seen.insert(d.agency).second) out.push_back(d.id);
  }
  return out;
}

}  // namespace leitong::testing
