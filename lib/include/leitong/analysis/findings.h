// Findings: the one result model of a check. The text, JSON and HTML renderers (report.h) all read
// it; JSON (schema "leitong.check/1", documented in docs/json.md) is the stable contract.
//
// Offsets follow the offset rule of text.h: code points into the extracted text of the report
// (start/end) and of the source (source_start/source_end). Ratios are shares of `chars`, the
// report's non-whitespace characters.
#pragma once

#include <leitong/analysis/sections.h>
#include <leitong/core/align.h>
#include <leitong/core/document.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leitong {

enum class Relation { kSameAgency, kPeer, kTemplate, kSelf };
std::string_view relation_name(Relation relation);  // "same_agency", "peer", "template", "self"
std::string_view relation_label(Relation relation);  // the same for people: 本单位往年, 其他单位, 范文模板, 自我重复

struct SourceFinding {
  DocumentInfo document;
  Relation relation = Relation::kPeer;
  double copy_ratio = 0;  // share of the report this source alone covers (before attribution)
  double copy_ratio_excluding_boilerplate = 0;
  double jaccard = 0;     // exact Jaccard of the two shingle sets
  int simhash_distance = 0;
  int passages = 0;       // entries of Findings::passages attributed to this source
};

struct PassageFinding {
  std::uint32_t start = 0, end = 0;  // extracted-text code points of the report
  std::optional<std::size_t> source;  // index into Findings::sources; nullopt: self-repetition
  std::uint32_t source_start = 0, source_end = 0;  // into the source's (or the report's) text
  bool boilerplate = false;
  double similarity = 0;  // matched share of the passage (normalized characters)
  std::size_t chars = 0;  // non-whitespace characters in [start, end)
  std::string text;         // UTF-8 of the report's [start, end)
  std::string source_text;  // UTF-8 of the source's [source_start, source_end)
};

// One section of the report (sections.h) and how much of it is copied.
struct SectionFinding {
  std::string title;
  SectionKind kind = SectionKind::kOther;
  std::uint32_t start = 0, end = 0;  // extracted-text code points of the report
  std::size_t chars = 0;             // non-whitespace characters in [start, end)
  double copy_ratio = 0;             // share of `chars` in passages from archived documents
  double copy_ratio_excluding_boilerplate = 0;
  std::optional<std::size_t> max_source;  // the source covering most of it (not boilerplate); index into sources
  double max_source_ratio = 0;
};

struct CheckSettings {
  int shingle = 0;
  int min_passage = 0;
  int max_gap = 0;
  int boilerplate_agencies = 0;
  int minhash_k = 0;
  int fingerprint_window = 0;
  int max_candidates = 0;
  int ranking_holders = 0;  // CheckParams::ranking_holders (0: no limit)
  std::string normalization;  // e.g. "v1:nfkc,fold_case,punctuation,whitespace,digits"
};

struct Findings {
  DocumentInfo document;
  std::size_t chars = 0;
  CheckSettings settings;
  double copy_ratio = 0;
  double copy_ratio_excluding_boilerplate = 0;
  double boilerplate_ratio = 0;
  double self_duplication_ratio = 0;
  double max_source_ratio = 0;
  std::vector<SourceFinding> sources;    // sorted by copy_ratio, descending
  std::vector<PassageFinding> passages;  // sorted by start; archived sources first, then self
  std::size_t candidates_compared = 0;   // documents aligned against the report
  std::vector<SectionFinding> sections;  // in text order; together they cover the whole text
  std::vector<SectionKind> missing_parts;  // mandated parts the report lacks (sections.h)
  std::string text;  // the report's extracted text, UTF-8, for renderers that show it whole
};

// The sections of `text` (the report's, as split_sections cut it) with the share of each that
// passages cover: from any archived source, or only from `only_source` (an index into f.sources:
// yoy reads a report off against its prior year's).
std::vector<SectionFinding> section_findings(std::u32string_view text, const std::vector<Section>& sections,
                                             const Findings& f, std::optional<std::size_t> only_source = {});

}  // namespace leitong
