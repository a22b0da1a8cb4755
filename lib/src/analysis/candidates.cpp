#include <leitong/analysis/candidates.h>

#include <algorithm>
#include <unordered_set>

namespace leitong {

Candidates choose_candidates(const Archive& archive, const Document& report, const Sketch& sketch,
                             const CheckParams& params,
                             const std::function<bool(std::int64_t id)>& may_be_source) {
  Candidates out;
  const auto excluded_ids = archive.ids_with_content(report.text);
  const std::unordered_set<std::int64_t> excluded(excluded_ids.begin(), excluded_ids.end());
  std::unordered_set<std::int64_t> seen;
  auto take = [&](std::int64_t id) {
    if (!excluded.count(id) && seen.insert(id).second) out.ids.push_back(id);
  };
  auto source_allowed = [&](std::int64_t id) { return !may_be_source || may_be_source(id); };

  // 0. The forms: what matches them is boilerplate whatever else shares it.
  for (std::int64_t id : archive.form_ids()) take(id);
  // 1. The same agency.
  if (!report.info.agency.empty())
    for (std::int64_t id : archive.ids_of_agency(report.info.agency))
      if (source_allowed(id)) take(id);
  // 2. Near-duplicates.
  for (const auto& [id, j] : archive.lsh_candidates(sketch.minhash))
    if (j >= params.lsh_threshold && source_allowed(id)) take(id);
  // 3. Partial copies: the documents sharing the most fingerprints.
  const auto boilerplate_agencies =
      static_cast<std::size_t>(std::max(1, params.boilerplate_agencies));
  FingerprintHits hits =
      archive.fingerprint_hits(sketch.fingerprints, report.info.agency, boilerplate_agencies + 1,
                               static_cast<std::size_t>(std::max(0, params.ranking_holders)));
  int taken = 0;
  hits.visit_documents_most_first([&](std::int64_t id, int shared) {
    if (shared < params.min_shared_fingerprints || taken >= params.max_candidates) return false;
    if (!source_allowed(id)) return true;
    if (!excluded.count(id) && !seen.count(id)) ++taken;
    take(id);
    return true;
  });
  // 4. Holders of widely shared fingerprints, so that boilerplate is measured by alignment.
  int references = 0;
  for (std::size_t i = 0;
       i < sketch.fingerprints.size() && references < params.boilerplate_references; ++i) {
    if (hits.agencies_per_fingerprint[i] < boilerplate_agencies) continue;
    for (std::int64_t id : hits.holders[i]) {
      if (references >= params.boilerplate_references) break;
      if (!excluded.count(id) && !seen.count(id)) ++references;
      take(id);
    }
  }

  // Agencies per normalized position from the postings: a fingerprint covers its shingle.
  out.agencies_at.assign(sketch.normalized.size(), 0);
  const auto n = static_cast<std::size_t>(archive.params().sketch.shingle.n);
  for (std::size_t i = 0; i < sketch.fingerprints.size(); ++i) {
    const std::size_t p = sketch.fingerprints[i].position;
    for (std::size_t q = p; q < p + n && q < out.agencies_at.size(); ++q)
      out.agencies_at[q] = std::max(out.agencies_at[q], hits.agencies_per_fingerprint[i]);
  }
  return out;
}

}  // namespace leitong
