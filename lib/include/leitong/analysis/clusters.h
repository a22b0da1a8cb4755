// Clusters: groups of reports that are near-duplicates of one another — many agencies filling in
// one 范文, or one agency's recycled years. Candidate pairs come from the archive's LSH buckets,
// are screened by their MinHash estimate and confirmed by alignment (each report of a confirmed pair
// has at least `min_copy_ratio` of its normalized text inside passages shared with the other);
// confirmed pairs are joined transitively.
#pragma once

#include <leitong/archive/archive.h>
#include <leitong/core/align.h>

#include <optional>
#include <vector>

namespace leitong {

struct ClusterParams {
  double min_jaccard = 0.3;     // MinHash estimate below which a candidate pair is not aligned
  double min_copy_ratio = 0.5;  // alignment confirmation, in both directions
  bool across_years = false;    // false: only reports of the same year are grouped
  std::optional<int> year;      // only this year's reports
  AlignParams align;
};

struct Cluster {
  int year = 0;  // the members' year; 0 when across_years groups several years
  std::vector<DocumentInfo> members;  // by agency, then year
  int agencies = 0;
  double mean_copy_ratio = 0;  // over the confirmed pairs (smaller direction of each)
  int confirmed_pairs = 0;
};

struct ClusterResult {
  std::vector<Cluster> clusters;  // largest first
  std::size_t candidate_pairs = 0, aligned_pairs = 0, confirmed_pairs = 0;
};

ClusterResult find_clusters(const Archive& archive, const ClusterParams& params = {});

}  // namespace leitong
