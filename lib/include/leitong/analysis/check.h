// Checking a report: candidates → alignment → attribution → boilerplate → Findings.
//
// analyze() is the archive-independent core: given the report and the documents to compare it
// with, it aligns each, attributes every copied region of the report to one source (the source that
// covers most of the report wins overlaps), splits off boilerplate, finds self-repetition and
// computes the ratios. check_against_archive() is the archive-backed check: it chooses the
// candidates (candidates.h), which also supply agency counts for boilerplate, and calls analyze().
#pragma once

#include <leitong/analysis/findings.h>
#include <leitong/archive/archive.h>
#include <leitong/core/align.h>
#include <leitong/core/document.h>
#include <leitong/core/sketch.h>

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace leitong {

namespace detail {
class ShinglePositions;
}

struct CheckParams {
  AlignParams align;
  // A region of the report is boilerplate when reports of at least this many distinct agencies
  // (other than the report's own) contain it. Chosen in docs/defaults.md.
  int boilerplate_agencies = 3;
  int max_candidates = 50;       // archive documents aligned per check, besides the same agency's
  // Reports of other agencies brought in because they hold a fingerprint of the report that at
  // least `boilerplate_agencies` agencies share: aligning them measures exactly how far the shared
  // (boilerplate) text extends, which sparse fingerprints alone cannot.
  int boilerplate_references = 12;
  int min_shared_fingerprints = 2;  // a document sharing fewer is not a candidate
  // A fingerprint held by more archived documents than this does not rank candidates (it still
  // marks boilerplate): like a formula at the posting cap, text that hundreds of reports hold says
  // nothing about who copied whom. 0: no limit. Chosen in docs/defaults.md.
  int ranking_holders = 256;
  double lsh_threshold = 0.4;    // estimated Jaccard for an LSH near-duplicate candidate
  // Threads that normalize and hash the documents a check aligns (the texts are read on the
  // calling thread); 0: one per core. Callers that run checks in parallel themselves (the service,
  // yoy) keep 1. The findings do not depend on it.
  int threads = 1;
};

struct ReferenceDocument {
  DocumentInfo info;
  const std::u32string* text = nullptr;  // extracted text; must outlive the call
  const Sketch* sketch = nullptr;
  // false: the document only tells how widely text is shared (boilerplate); it is never named as a
  // source. Evaluation replays filing order this way: later reports are not sources, but they are
  // other agencies writing the same formulae.
  bool may_be_source = true;
  // Where each of the sketch's shingles occurs, when the caller keeps it across checks (internal;
  // built by analyze when null).
  const detail::ShinglePositions* positions = nullptr;
};

// `boilerplate_agencies_at` (may be empty): for each normalized position of the report, how many
// distinct other agencies' archived reports share the text there according to the archive's
// fingerprint postings. It is combined with the agencies of the aligned references themselves.
// The references' sketches must have been made with the report's parameters (report_sketch.params).
Findings analyze(const Document& report, const Sketch& report_sketch,
                 std::span<const ReferenceDocument> references, const CheckParams& params,
                 std::span<const std::uint16_t> boilerplate_agencies_at = {});

Relation relation_between(const DocumentInfo& report, const DocumentInfo& source);

// Checks `report` against the archive: candidates are the same agency's other documents, LSH
// near-duplicates and the documents sharing the most fingerprints (up to params.max_candidates);
// documents with the report's own content hash are skipped. The archive is not modified.
// `may_be_source` (may be empty: all may): documents it rejects are never candidates or sources,
// but still count as other agencies sharing text when boilerplate is measured.
Findings check_against_archive(const Archive& archive, const Document& report,
                               const CheckParams& params = {},
                               const std::function<bool(std::int64_t id)>& may_be_source = {});

}  // namespace leitong
