// Synthetic archives with known truth: reports of new sentences in the language of real ones, with
// planted copies.
//
// synthesize() writes an archive of annual reports (法治政府建设年度报告 skeleton: title, the
// opening 根据…现将…报告如下, the mandated sections 一、…主要举措和成效 / 二、存在的问题和不足 /
// 三、下一步工作打算, the closing signature with agency and date). Body paragraphs are new
// sentences written by a character model of the sentences of the bundled corpora
// (corpora/reports/*.txt and corpora/gov-work-reports/*.txt): runs of 2 to 5 characters of the
// sources, each joined to the next where the sources share the same 2 characters and go on
// differently, so that every 3-character string occurs in real reports while longer ones are new;
// some clauses open with names of the agency's own (places, units, projects; SynthParams::local_names).
// Nothing is drawn without replacement, so independent reports share as little at a million reports
// as at a thousand (the skeleton's formulae and chance; bench/README.md, "Synthetic archives
// against real text", measures it against real documents at 10^3 to 10^5 reports). Planted, with
// the truth recorded:
//  - recycled: a report repeats its agency's previous year (years bumped, numbers changed,
//    sentences dropped, some paragraphs replaced);
//  - peer: one or two paragraphs of another agency's report, district name swapped;
//  - template: a 范文 page (kind template) filled in by at most three agencies (more would make it
//    boilerplate by the archive's measure);
//  - self: a paragraph of the report repeated later in it.
// Shared boilerplate (the formulae every report uses) and formatting noise (full-width digits,
// line breaks inside sentences, ASCII punctuation) are added but are not plants.
//
// Output in `out`: reports/YEAR/aNNNNN.txt (UTF-8), templates/fanwen-NNN.txt, manifest.csv
// (path,agency,year,kind; paths relative to it) and truth.jsonl, one object per report:
//   {"file", "agency", "year", "plants": [{"type", "start", "end", "source_file",
//    "source_start", "source_end"}]}
// Offsets are code points into the written files' extracted text (text.h; the writer checks that
// extraction returns exactly what was written). Files are written as they are made; memory holds
// two years of reports (the current and the previous one), not the archive. Deterministic for a
// seed: the same parameters give byte-identical files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace leitong {

struct SynthParams {
  int agencies = 20;      // distinct agencies, 1 … 276,480
  int years = 3;          // consecutive years per agency, 1 … 50
  int first_year = 2021;  // the year of the first reports
  std::uint64_t seed = 1;
  // Holds reports/*.txt and gov-work-reports/*.txt (the bundled corpora/ suffices; laws/ is not
  // read).
  std::filesystem::path corpora = "corpora";
  double recycle_share = 0.45;    // reports after the first year that recycle the previous one
  double keep_paragraph = 0.7;    // of a recycled report's paragraphs, the share kept (edited)
  double peer_share = 0.2;        // reports that lift paragraphs from a peer
  double self_share = 0.15;       // reports that repeat one of their own paragraphs
  int template_agencies = 3;      // agencies filling each 范文 (≤ 3 keeps it below boilerplate)
  int agencies_per_template = 8;  // one 范文 per this many agencies
  // Of the clauses of new sentences that follow a comma (or of the sentences without one), the
  // share that open with one of the agency's local names (places, units, projects of its own;
  // 0: none).
  double local_names = 0.5;
};

struct SynthSummary {
  std::size_t reports = 0, templates = 0;
  std::size_t plants = 0, recycled = 0, peer = 0, template_filled = 0, self = 0;
  std::size_t clean_reports = 0;  // reports without any plant
  std::size_t sentences = 0;      // source sentences the sentence model was built from
  // Always 0: sentences are written, not drawn from a pool that runs out. Kept for programs that
  // read it (it counted the reshuffles of the pool of real sentences of earlier versions).
  std::size_t pool_reuses = 0;
};

// Writes the archive into `out` (created if missing; existing files of the same names are
// replaced). `progress` (may be empty) is called after each report with (done, total).
// Throws Error for unreadable corpora, too few sentences, bad parameters or failed writes.
SynthSummary synthesize(const SynthParams& params, const std::filesystem::path& out,
                        const std::function<void(std::size_t, std::size_t)>& progress = {});

}  // namespace leitong
