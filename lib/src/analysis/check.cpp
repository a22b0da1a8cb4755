// The archive-backed check: one read snapshot, the report's sketch, its candidates, the references
// prepared for alignment, then analyze().
#include <leitong/analysis/candidates.h>
#include <leitong/analysis/check.h>

#include <leitong/core/ordered_pipeline.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "detail/reference_cache.h"

namespace leitong {

namespace {

// The documents of one check, prepared for alignment: their texts read in order through the
// caller's connection (SQLite serves one thread at a time), then normalized and hashed on every
// core — most of a check's time when none is cached (a check aligns dozens of documents).
std::vector<std::shared_ptr<const detail::PreparedReference>> prepare_references(
    const Archive& archive, const std::vector<std::int64_t>& ids, const SketchParams& params, int threads_wanted) {
  std::vector<StoredDocument> stored = archive.infos_and_texts(ids);
  // A thread is worth starting for a few documents' work (each takes about 0.1 ms).
  constexpr std::size_t kDocumentsPerThread = 8;
  const std::size_t cores = threads_wanted > 0 ? static_cast<std::size_t>(threads_wanted)
                                               : std::max(1u, std::thread::hardware_concurrency());
  PipelineLimits limits;
  limits.threads = static_cast<int>(std::min(cores, std::max<std::size_t>(1, ids.size() / kDocumentsPerThread))) - 1;
  limits.max_items = std::max<std::size_t>(1, ids.size());  // the texts are all in memory already
  using Prepared = std::shared_ptr<const detail::PreparedReference>;
  std::vector<Prepared> prepared(ids.size());
  ordered_parallel_map<Prepared>(
      ids.size(), [](std::size_t) { return std::size_t(0); },
      [&](std::size_t i) {
        return std::make_shared<const detail::PreparedReference>(std::move(stored[i].info), std::move(stored[i].text), params,
                                                                 false);
      },
      [&](std::size_t i, Prepared&& p) {
        prepared[i] = std::move(p);
        return true;
      },
      limits);
  return prepared;
}

}  // namespace

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
  if (cache) {
    prepared.reserve(candidates.ids.size());
    for (std::int64_t id : candidates.ids) prepared.push_back(cache->get(archive, id));
  } else {
    prepared = prepare_references(archive, candidates.ids, sp, params.threads);
  }
  std::vector<ReferenceDocument> refs;
  refs.reserve(candidates.ids.size());
  for (std::size_t i = 0; i < candidates.ids.size(); ++i) {
    const std::int64_t id = candidates.ids[i];
    const PreparedReference& p = *prepared[i];
    const bool source = !may_be_source || may_be_source(id);
    refs.push_back({p.info, &p.text, &p.sketch, source, p.positions ? &*p.positions : nullptr});
  }
  return analyze(report, sketch, refs, params, candidates.agencies_at);
}

}  // namespace leitong
