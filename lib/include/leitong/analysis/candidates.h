// Candidates: which archived documents a check aligns a report with, chosen from the archive's read
// API (archive.h) — nothing is aligned here.
//
// In this order, each document once, copies of the report itself (its content hash) never:
//  0. every form (kind form: what matches one is boilerplate; never a source);
//  1. the same agency's reports (always compared: recycling is the commonest fault);
//  2. MinHash-LSH near-duplicates at or above CheckParams::lsh_threshold (estimated Jaccard);
//  3. the documents sharing the most winnowed fingerprints with the report, at least
//     min_shared_fingerprints, at most max_candidates of them (formulae held by more than
//     ranking_holders documents do not rank);
//  4. up to boilerplate_references holders of fingerprints that reports of at least
//     boilerplate_agencies other agencies share, so that alignment measures how far boilerplate
//     extends.
// The postings also give, for each normalized position of the report, how many other agencies'
// reports share the text there (a fingerprint covers its shingle): analyze() combines it with the
// agencies of the aligned references to classify boilerplate.
#pragma once

#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/document.h>
#include <leitong/core/sketch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace leitong {

struct Candidates {
  std::vector<std::int64_t> ids;  // documents to align, in the order above
  // Per normalized position of the report: distinct other agencies whose reports hold a
  // fingerprint covering it, according to the postings (saturates at 65,535).
  std::vector<std::uint16_t> agencies_at;
};

// `sketch` is make_sketch(report.text, archive.params().sketch). `may_be_source` (may be empty:
// all may) rejects documents as candidates of steps 1-3; step 4 brings in holders whatever it says
// (they measure boilerplate and are never named as sources when rejected, see ReferenceDocument).
Candidates choose_candidates(const Archive& archive, const Document& report, const Sketch& sketch,
                             const CheckParams& params,
                             const std::function<bool(std::int64_t id)>& may_be_source = {});

}  // namespace leitong
