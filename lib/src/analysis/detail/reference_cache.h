// Archived documents prepared for alignment (text, alignment sketch, shingle positions), kept
// across the checks of one run (internal). `yoy` checks every report of an archive: the holders of
// widely shared formulae are aligned by almost every check and an agency's reports by each of its
// years, so preparing each once saves most of the decompression, normalization and hashing.
#pragma once

#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>

#include <leitong/core/detail/shingle_positions.h>

#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace leitong::detail {

struct PreparedReference {
  DocumentInfo info;
  std::u32string text;
  Sketch sketch;  // make_alignment_sketch
  // Built for references that are kept (a check that uses each once lets analyze build them one
  // at a time, reusing the memory, instead of holding one table per reference).
  std::optional<ShinglePositions> positions;
  std::size_t bytes = 0;  // memory held, for the cache's budget

  PreparedReference(DocumentInfo info, std::u32string text, const SketchParams& params, bool with_positions);
};

// Thread-safe; least recently used entries leave when the budget is exceeded. Two threads missing
// the same document may both prepare it (the first stored wins); nothing waits on a preparation.
class ReferenceCache {
 public:
  explicit ReferenceCache(std::size_t budget_bytes) : budget_(budget_bytes) {}

  // The document `id` of `archive` (read through the caller's connection on a miss).
  std::shared_ptr<const PreparedReference> get(const Archive& archive, std::int64_t id);

  std::size_t hits() const;
  std::size_t misses() const;

 private:
  using Entry = std::pair<std::int64_t, std::shared_ptr<const PreparedReference>>;
  mutable std::mutex mutex_;
  std::list<Entry> recent_;  // most recently used first
  std::unordered_map<std::int64_t, std::list<Entry>::iterator> where_;
  std::size_t budget_, used_ = 0, hits_ = 0, misses_ = 0;
};

// check_against_archive (check.h) with an optional cache of prepared references.
Findings check_against_archive(const Archive& archive, const Document& report, const CheckParams& params,
                               const std::function<bool(std::int64_t id)>& may_be_source,
                               ReferenceCache* cache);

}  // namespace leitong::detail
