// Year-over-year inspection: every report that has an earlier report of the same agency, compared
// with the nearest earlier year — the inspector's annual check for recycled reports.
//
// Each row is a full check of the archived report against the archive (check.h), read off for the
// prior-year source: copy_ratio and copy_ratio_excluding_boilerplate as in check, but against that
// prior report; max_source is the single archived document (of that year or earlier) the report
// copies most from, whatever its relation. Rows are ranked by copy_ratio_excluding_boilerplate; `flagged` is that ratio at or
// above the threshold. JSON schema "leitong.yoy/1" (docs/json.md).
#pragma once

#include <leitong/analysis/check.h>
#include <leitong/analysis/findings.h>
#include <leitong/archive/archive.h>

#include <functional>
#include <optional>
#include <vector>

namespace leitong {

struct YoyParams {
  // The check of each report: as `check`, except that at most 8 documents found through shared
  // fingerprints are aligned (check: 50) besides the same agency's reports, LSH near-duplicates
  // and the holders of boilerplate. The prior year is always compared, so copy_ratio is exact;
  // max_source is the largest source among those compared (the documents sharing the most
  // fingerprints come first). Measured in bench/README.md ("Year over year").
  CheckParams check = [] {
    CheckParams p;
    p.max_candidates = 8;
    return p;
  }();
  int threads = 0;  // reports checked in parallel, each thread with its own connection; 0: one per core
  // Default threshold, from measured distributions (docs/defaults.md): consecutive national
  // government work reports 1954–2022 share at most 0.166 (median 0.036) with the year before,
  // independent agencies' reports at most 0.047; recycled reports 0.36–0.95.
  double threshold = 0.4;
  std::optional<int> year;  // only reports of this year
  bool all_prior = false;   // one row per earlier year, not only the nearest
  bool keep_findings = false;  // keep each row's whole check (for evidence pages; memory grows)
  // Archived documents prepared for alignment are kept across the checks up to this much memory
  // (least recently used leave first): the holders of common formulae are aligned by nearly every
  // check, an agency's reports by each of its years. About 0.3 MB per 5,000-character
  // report (the sum of its parts' sizes); 0 keeps none.
  std::size_t reference_cache_bytes = std::size_t(1) << 30;
};

struct YoyRow {
  DocumentInfo report;
  DocumentInfo prior;
  double copy_ratio = 0;
  double copy_ratio_excluding_boilerplate = 0;
  bool flagged = false;
  bool nearest = true;  // prior is the nearest earlier year (false only with all_prior)
  // The archived document of the same year or earlier it shares the most with (any relation);
  // none if it shares no passage with any.
  std::optional<SourceFinding> max_source;
  // The report's sections, each with the share copied from `prior` (max_source: the prior, when
  // it shares any of it), and the mandated parts it lacks.
  std::vector<SectionFinding> sections;
  std::vector<SectionKind> missing_parts;
  Findings findings;  // the whole check, only with YoyParams::keep_findings
};

struct YoyResult {
  double threshold = 0;
  std::vector<YoyRow> rows;  // by copy_ratio_excluding_boilerplate, descending
  // Archived documents aligned by the checks: prepared afresh, and taken from the reference cache
  // (both 0 when YoyParams::reference_cache_bytes is 0).
  std::size_t references_prepared = 0;
  std::size_t references_reused = 0;
};

// `progress(done, total)` is called after each report (may be empty), from one thread at a time.
// With several threads, each opens the archive's file again, read-only.
YoyResult year_over_year(const Archive& archive, const YoyParams& params,
                         const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace leitong
