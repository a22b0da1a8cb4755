#include <leitong/analysis/clusters.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

namespace leitong {

namespace {

class DisjointSets {
 public:
  std::int64_t find(std::int64_t x) {
    auto it = parent_.try_emplace(x, x).first;
    if (it->second == x) return x;
    const std::int64_t root = find(it->second);
    parent_[x] = root;
    return root;
  }
  void join(std::int64_t a, std::int64_t b) { parent_[find(a)] = find(b); }

 private:
  std::unordered_map<std::int64_t, std::int64_t> parent_;
};

// Share of `query`'s normalized characters inside passages shared with `source`.
double coverage(const Sketch& query, const Sketch& source, int n, const AlignParams& params) {
  if (query.normalized.size() == 0) return 0;
  std::size_t covered = 0;
  for (const AlignedPassage& p : align(query, source, n, params)) covered += p.query_end - p.query_begin;
  return double(covered) / double(query.normalized.size());
}

}  // namespace

ClusterResult find_clusters(const Archive& archive, const ClusterParams& params) {
  ClusterResult result;
  std::unordered_map<std::int64_t, DocumentInfo> info;
  for (DocumentInfo& d : archive.documents())
    if (d.kind == DocumentKind::kReport && (!params.year || d.year == *params.year)) info.emplace(d.id, std::move(d));

  std::set<std::pair<std::int64_t, std::int64_t>> pairs;
  for (const auto& group : archive.lsh_groups()) {
    std::vector<std::int64_t> ids;
    for (std::int64_t id : group)
      if (info.count(id)) ids.push_back(id);
    for (std::size_t i = 0; i < ids.size(); ++i)
      for (std::size_t j = i + 1; j < ids.size(); ++j) {
        if (!params.across_years && info[ids[i]].year != info[ids[j]].year) continue;
        pairs.emplace(std::min(ids[i], ids[j]), std::max(ids[i], ids[j]));
      }
  }
  result.candidate_pairs = pairs.size();

  const SketchParams& sp = archive.params().sketch;
  std::unordered_map<std::int64_t, MinHashSignature> signatures;
  std::unordered_map<std::int64_t, Sketch> sketches;
  auto signature = [&](std::int64_t id) -> const MinHashSignature& {
    auto it = signatures.find(id);
    if (it == signatures.end()) it = signatures.emplace(id, archive.signature(id)).first;
    return it->second;
  };
  auto sketch = [&](std::int64_t id) -> const Sketch& {
    auto it = sketches.find(id);
    if (it == sketches.end()) it = sketches.emplace(id, make_alignment_sketch(archive.text(id), sp)).first;
    return it->second;
  };

  DisjointSets sets;
  std::map<std::pair<std::int64_t, std::int64_t>, double> confirmed;
  for (const auto& [a, b] : pairs) {
    if (archive.estimate_jaccard(signature(a), signature(b)) < params.min_jaccard) continue;
    ++result.aligned_pairs;
    const double ab = coverage(sketch(a), sketch(b), sp.shingle.n, params.align);
    if (ab < params.min_copy_ratio) continue;
    const double ba = coverage(sketch(b), sketch(a), sp.shingle.n, params.align);
    if (ba < params.min_copy_ratio) continue;
    confirmed[{a, b}] = std::min(ab, ba);
    sets.join(a, b);
  }
  result.confirmed_pairs = confirmed.size();

  std::map<std::int64_t, Cluster> by_root;
  std::set<std::int64_t> members;
  for (const auto& [pair, ratio] : confirmed) {
    Cluster& c = by_root[sets.find(pair.first)];
    c.mean_copy_ratio += ratio;
    ++c.confirmed_pairs;
    members.insert(pair.first);
    members.insert(pair.second);
  }
  for (std::int64_t id : members) by_root[sets.find(id)].members.push_back(info[id]);
  for (auto& [root, c] : by_root) {
    c.mean_copy_ratio /= std::max(1, c.confirmed_pairs);
    std::sort(c.members.begin(), c.members.end(), [](const DocumentInfo& x, const DocumentInfo& y) {
      return x.agency != y.agency ? x.agency < y.agency : x.year < y.year;
    });
    std::set<std::string> agencies;
    std::set<int> years;
    for (const auto& m : c.members) {
      agencies.insert(canonical_agency(m.agency));
      years.insert(m.year);
    }
    c.agencies = static_cast<int>(agencies.size());
    c.year = years.size() == 1 ? *years.begin() : 0;
    result.clusters.push_back(std::move(c));
  }
  std::stable_sort(result.clusters.begin(), result.clusters.end(), [](const Cluster& x, const Cluster& y) {
    return x.members.size() != y.members.size() ? x.members.size() > y.members.size()
                                                : x.mean_copy_ratio > y.mean_copy_ratio;
  });
  return result;
}

}  // namespace leitong
