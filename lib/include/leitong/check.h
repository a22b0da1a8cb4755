// Checking a report: candidates → alignment → attribution → boilerplate → Findings.
//
// analyze() is the archive-independent core: given the report and the documents to compare it
// with, it aligns each, attributes every copied region of the report to one source (the source that
// covers most of the report wins overlaps), splits off boilerplate, finds self-repetition and
// computes the ratios. The archive-backed check (archive.h: check_against_archive) chooses the
// candidates and supplies agency counts for boilerplate.
#pragma once

#include <leitong/align.h>
#include <leitong/document.h>
#include <leitong/findings.h>
#include <leitong/sketch.h>

#include <cstdint>
#include <span>
#include <vector>

namespace leitong {

namespace detail {
class ShinglePositions;
}

struct CheckParams {
  AlignParams align;
  // A region of the report is boilerplate when reports of at least this many distinct agencies
  // (other than the report's own) contain it. Chosen in README ("Defaults and why").
  int boilerplate_agencies = 3;
  int max_candidates = 50;       // archive documents aligned per check, besides the same agency's
  // Reports of other agencies brought in because they hold a fingerprint of the report that at
  // least `boilerplate_agencies` agencies share: aligning them measures exactly how far the shared
  // (boilerplate) text extends, which sparse fingerprints alone cannot.
  int boilerplate_references = 12;
  int min_shared_fingerprints = 2;  // a document sharing fewer is not a candidate
  // A fingerprint held by more archived documents than this does not rank candidates (it still
  // marks boilerplate): like a formula at the posting cap, text that hundreds of reports hold says
  // nothing about who copied whom. 0: no limit. Chosen in README ("Defaults and why").
  int ranking_holders = 256;
  double lsh_threshold = 0.4;    // estimated Jaccard for an LSH near-duplicate candidate
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
Findings analyze(const Document& report, const Sketch& report_sketch,
                 std::span<const ReferenceDocument> references, const SketchParams& sketch_params,
                 const CheckParams& params,
                 std::span<const std::uint16_t> boilerplate_agencies_at = {});

Relation relation_between(const DocumentInfo& report, const DocumentInfo& source);

}  // namespace leitong
