// The archive-backed check: one read snapshot, the report's sketch, its candidates, the references
// prepared for alignment, then analyze().
#include <leitong/analysis/candidates.h>
#include <leitong/analysis/check.h>

#include <memory>

#include "detail/reference_cache.h"

namespace leitong {

Findings check_against_archive(const Archive& archive, const Document& report,
                               const CheckParams& params,
                               const std::function<bool(std::int64_t id)>& may_be_source) {
  return detail::check_against_archive(archive, report, params, may_be_source, nullptr);
}

Findings detail::check_against_archive(const Archive& archive, const Document& report,
                                       const CheckParams& params,
                                       const std::function<bool(std::int64_t id)>& may_be_source,
                                       ReferenceCache* cache) {
  // One read transaction for the whole check: a consistent view, and SQLite's locks taken once
  // instead of around each of its several hundred statements.
  const Archive::ReadSnapshot snapshot(archive);
  const SketchParams& sp = archive.params().sketch;
  const Sketch sketch = make_sketch(report.text, sp);
  const Candidates candidates = choose_candidates(archive, report, sketch, params, may_be_source);

  // Prepared references: from the cache when there is one, else made here for this check.
  std::vector<std::shared_ptr<const PreparedReference>> prepared;
  prepared.reserve(candidates.ids.size());
  std::vector<ReferenceDocument> refs;
  refs.reserve(candidates.ids.size());
  for (std::int64_t id : candidates.ids) {
    prepared.push_back(cache ? cache->get(archive, id)
                             : std::make_shared<const PreparedReference>(
                                   archive.info(id), archive.text(id), sp, false));
    const PreparedReference& p = *prepared.back();
    const bool source = !may_be_source || may_be_source(id);
    refs.push_back({p.info, &p.text, &p.sketch, source, p.positions ? &*p.positions : nullptr});
  }
  return analyze(report, sketch, refs, params, candidates.agencies_at);
}

}  // namespace leitong
