// Evaluation against planted truth (synth.h): the PAN-PC character measures (Potthast et al.,
// "An Evaluation Framework for Plagiarism Detection", COLING 2010) and document-level counts.
//
// A case (planted copy) and a detection are both a span of a suspicious document (code points
// [start, end) of its extracted text, text.h) together with a span of a source document. A
// detection *detects* a case when the two overlap in the suspicious document and the detection
// names the case's source document. Characters are counted in both documents: |s| = (end − start)
// + (source_end − source_start), and the overlap of a detection and a case it detects is their
// overlap in the suspicious document plus their overlap in the source.
//   precision   = mean over detections r of |∪_s (s ⊓ r)| / |r|
//   recall      = mean over cases s of |∪_r (s ⊓ r)| / |s|
//   granularity = mean over detected cases of the number of detections detecting it (≥ 1)
//   plagdet     = F1(precision, recall) / log2(1 + granularity)
#pragma once

#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace leitong {

struct PanSpan {
  std::string document;  // the suspicious document (any identifier, compared exactly)
  std::uint32_t start = 0, end = 0;
  std::string source;  // the source document
  std::uint32_t source_start = 0, source_end = 0;
};

struct PanScores {
  double precision = 1, recall = 1, granularity = 1, plagdet = 0;
  std::size_t cases = 0, detections = 0;
  std::size_t detected_cases = 0;   // cases detected by at least one detection
  std::size_t true_detections = 0;  // detections detecting at least one case
};

// Pure function. Without detections precision is 1; without cases recall is 1; granularity is 1
// when no case is detected; plagdet is 0 when precision and recall are both 0.
PanScores pan_scores(const std::vector<PanSpan>& cases, const std::vector<PanSpan>& detections);

struct EvalParams {
  CheckParams check;
  double flag_threshold = 0.4;  // copy_ratio_excluding_boilerplate that flags a clean report
};

struct EvalDocuments {
  std::size_t reports = 0;         // reports of the truth file that were checked
  std::size_t missing = 0;         // reports of the truth file not found in the archive
  std::size_t recycled = 0;        // reports with a recycled plant
  std::size_t recycled_found = 0;  // … whose top source is the recycled-from report
  std::size_t clean = 0;           // reports without plants
  std::size_t clean_flagged = 0;   // … with copy_ratio_excluding_boilerplate ≥ flag_threshold
};

struct EvalResult {
  PanScores overall;
  std::map<std::string, PanScores> by_type;  // cases of one plant type against all detections
  EvalDocuments documents;
  double flag_threshold = 0;
  double seconds = 0;  // wall time of the checks
};

// Reads `truth` (truth.jsonl of synthesize()) and finds each report in the archive (by agency and
// year, kind report; a truth file name matches an archived file whose path ends with it). The
// archive is replayed in filing order in a temporary archive with the same parameters (under the
// system temp folder, removed afterwards): its templates first, then each report of the truth file
// is checked (check_against_archive) against what was filed before it, and then added. Against the
// whole archive a report would also match the later reports that copy it. Archived reports the
// truth file does not list take no part. Scored passages: those with a source and not boilerplate,
// and self-repetition in reports that have a self plant; a passage pointing to another report that
// filled in the same 范文 paragraph counts as pointing to the 范文. `progress` (may be empty) is
// called after each report with (done, total). Throws Error for an unreadable or malformed truth
// file or a temporary archive that cannot be written.
EvalResult evaluate(const Archive& archive, const std::filesystem::path& truth,
                    const EvalParams& params = {},
                    const std::function<void(std::size_t, std::size_t)>& progress = {});

// Renderers: JSON (schema "leitong.eval/1") and a short text table.
std::string eval_json(const EvalResult& result);
std::string eval_text(const EvalResult& result);

}  // namespace leitong
