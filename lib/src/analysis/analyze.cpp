#include <fmt/format.h>
#include <leitong/analysis/check.h>
#include <leitong/core/detail/shingle_positions.h>
#include <leitong/core/simhash.h>
#include <leitong/core/text.h>

#include <algorithm>
#include <map>
#include <optional>

namespace leitong {

std::string_view relation_name(Relation relation) {
  switch (relation) {
    case Relation::kSameAgency:
      return "same_agency";
    case Relation::kPeer:
      return "peer";
    case Relation::kTemplate:
      return "template";
    case Relation::kSelf:
      return "self";
  }
  return "peer";
}

std::string_view relation_label(Relation relation) {
  switch (relation) {
    case Relation::kSameAgency: return "本单位往年";
    case Relation::kPeer: return "其他单位";
    case Relation::kTemplate: return "范文模板";
    case Relation::kSelf: return "自我重复";
  }
  return "其他单位";
}

Relation relation_between(const DocumentInfo& report, const DocumentInfo& source) {
  if (source.kind == DocumentKind::kTemplate) return Relation::kTemplate;
  if (!report.agency.empty() && canonical_agency(report.agency) == canonical_agency(source.agency))
    return Relation::kSameAgency;
  return Relation::kPeer;
}

namespace {

// A passage should not begin with the previous sentence's closing mark or end with the next one's
// opening mark (a match may start on "。" or stop after "（"): trims those and whitespace.
bool closing_mark(char32_t c) {
  return std::u32string_view(U"。，、；：！？）」』”’》〉】〕.,;:!?)]}").find(c) !=
         std::u32string_view::npos;
}
bool opening_mark(char32_t c) {
  return std::u32string_view(U"（「『“‘《〈【〔([{").find(c) != std::u32string_view::npos;
}
void trim_marks(const std::u32string& text, std::uint32_t& begin, std::uint32_t& end) {
  while (begin < end && (is_whitespace(text[begin]) || closing_mark(text[begin]))) ++begin;
  while (end > begin && (is_whitespace(text[end - 1]) || opening_mark(text[end - 1]))) --end;
}

// Character accounting in extracted-text coordinates: which code points are covered, counted
// without whitespace (the unit of every ratio).
class Coverage {
 public:
  Coverage(const std::u32string& text, const NormalizedText& normalized)
      : text_(text), normalized_(normalized), prefix_(text.size() + 1, 0) {
    for (std::size_t i = 0; i < text.size(); ++i)
      prefix_[i + 1] = prefix_[i] + !is_whitespace(text[i]);
  }
  std::uint32_t begin(std::uint32_t q) const { return normalized_.source_begin(q); }
  std::uint32_t end(std::uint32_t q_end) const { return normalized_.source_end(q_end); }
  std::size_t chars(std::uint32_t b, std::uint32_t e) const { return prefix_[e] - prefix_[b]; }
  std::vector<std::uint8_t> mask() const { return std::vector<std::uint8_t>(text_.size(), 0); }
  // Marks the extracted-text range of normalized [q_begin, q_end), trimmed like passages are.
  void mark(std::vector<std::uint8_t>& m, std::uint32_t q_begin, std::uint32_t q_end) const {
    std::uint32_t b = begin(q_begin), e = end(q_end);
    trim_marks(text_, b, e);
    std::fill(m.begin() + b, m.begin() + e, 1);
  }
  std::size_t count(const std::vector<std::uint8_t>& m) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < m.size(); ++i) n += m[i] && !is_whitespace(text_[i]);
    return n;
  }
  std::size_t count_both(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b,
                         bool b_value) const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
      n += a[i] && bool(b[i]) == b_value && !is_whitespace(text_[i]);
    return n;
  }

 private:
  const std::u32string& text_;
  const NormalizedText& normalized_;
  std::vector<std::uint32_t> prefix_;
};

// One reference aligned with the report.
struct Aligned {
  std::size_t reference;
  std::vector<AlignedPassage> passages;
  Relation relation;
  std::size_t covered = 0;
  double jaccard = 0;
};

struct Alignments {
  std::vector<Aligned> aligned;  // references with at least one passage, in reference order
  // Per other agency: the normalized positions of the report whose text its reports share.
  std::map<std::string, std::vector<std::uint8_t>> shared_by_agency;
  // The normalized positions of the report whose text a form holds (boilerplate).
  std::vector<std::uint8_t> shared_with_forms;
};

bool is_digit_char(char32_t c) { return (c >= U'0' && c <= U'9') || (c >= U'\uFF10' && c <= U'\uFF19'); }

// Rows of statistics: lines of the report whose figures, not their wording, are what they say. A
// table row as extraction renders it (cells joined by tabs, or set apart by '|' or two spaces),
// or a short line that is mostly figures. Normalization masks digits, so such rows match
// whatever their figures: here a row counts as copied only when its figures are the source's,
// and a row of zeros (nothing to report, as most agencies have on most rows) is boilerplate.
class StatisticsRows {
 public:
  StatisticsRows(const std::u32string& text, const NormalizedText& norm) : row_of_(norm.size(), -1) {
    std::vector<std::int32_t> row_of_char(text.size(), -1);
    for (std::size_t begin = 0; begin < text.size();) {
      std::size_t end = text.find(U'\n', begin);
      if (end == std::u32string::npos) end = text.size();
      std::u32string_view line(text.data() + begin, end - begin);
      while (!line.empty() && is_whitespace(line.front())) line.remove_prefix(1);  // an indent is no cell
      while (!line.empty() && is_whitespace(line.back())) line.remove_suffix(1);
      std::size_t digits = 0, nonzero = 0, visible = 0;
      const bool cells =
          line.find(U'\t') != line.npos || line.find(U'|') != line.npos || line.find(U"  ") != line.npos;
      for (const char32_t c : line) {
        if (is_whitespace(c)) continue;
        ++visible;
        if (is_digit_char(c)) ++digits, nonzero += c != U'0' && c != U'\uFF10';
      }
      // A paragraph of prose with figures in it is not a row, whatever its spacing: rows are short.
      const bool figures = digits > 0 && visible <= 200 && (cells || (visible <= 100 && digits * 10 >= visible * 3));
      if (figures) {
        std::fill(row_of_char.begin() + std::ptrdiff_t(begin), row_of_char.begin() + std::ptrdiff_t(end),
                  std::int32_t(rows_.size()));
        rows_.push_back({nonzero == 0, 0, 0});
      }
      begin = end + 1;
    }
    for (std::size_t q = 0; q < norm.size(); ++q) {
      const std::int32_t r = row_of_char[norm.begin[q]];
      row_of_[q] = r;
      if (r < 0) continue;
      Row& row = rows_[std::size_t(r)];
      if (row.q_end == 0) row.q_begin = std::uint32_t(q);
      row.q_end = std::uint32_t(q + 1);
    }
  }

  bool empty() const { return rows_.empty(); }
  // -1: not in a row of statistics; else whether that row's figures are all zero.
  int zeros_at(std::size_t q) const { return row_of_[q] < 0 ? -1 : rows_[std::size_t(row_of_[q])].zeros; }

  // The passage without the rows whose figures differ from the source's (or are not all matched):
  // what is left, in pieces of at least `min_length`.
  std::vector<AlignedPassage> without_changed_rows(const AlignedPassage& p, const std::u32string& text,
                                                   const NormalizedText& norm, const std::u32string& source_text,
                                                   const NormalizedText& source_norm, std::uint32_t min_length) const {
    // Most passages hold no row: nothing to decide, nothing to allocate.
    if (std::all_of(row_of_.begin() + p.query_begin, row_of_.begin() + p.query_end, [](std::int32_t r) { return r < 0; }))
      return {p};
    std::vector<std::uint8_t> covered(p.query_end - p.query_begin, 0);
    std::map<std::int32_t, bool> changed;  // rows met: figures differ
    for (const MatchRun& run : p.runs)
      for (std::uint32_t k = 0; k < run.length; ++k) {
        const std::uint32_t q = run.query + k, s = run.source + k;
        covered[q - p.query_begin] = 1;
        const std::int32_t r = row_of_[q];
        if (r < 0) continue;
        bool& differs = changed[r];
        if (differs) continue;
        const std::u32string_view a(text.data() + norm.begin[q], norm.end[q] - norm.begin[q]);
        const std::u32string_view b(source_text.data() + source_norm.begin[s], source_norm.end[s] - source_norm.begin[s]);
        if (a != b && (std::any_of(a.begin(), a.end(), is_digit_char) || std::any_of(b.begin(), b.end(), is_digit_char)))
          differs = true;
      }
    for (std::uint32_t q = p.query_begin; q < p.query_end; ++q)
      if (row_of_[q] >= 0) changed.try_emplace(row_of_[q], false);
    bool any = false;
    for (auto& [r, differs] : changed) {
      // A row counts only when every character of it is matched: a figure of another length is a gap.
      const Row& row = rows_[std::size_t(r)];
      for (std::uint32_t q = row.q_begin; q < row.q_end && !differs; ++q)
        if (row_of_[q] == r && (q < p.query_begin || q >= p.query_end || !covered[q - p.query_begin])) differs = true;
      any |= differs;
    }
    if (!any) return {p};
    std::vector<AlignedPassage> out;
    for (std::uint32_t q = p.query_begin; q < p.query_end;) {
      while (q < p.query_end && row_of_[q] >= 0 && changed[row_of_[q]]) ++q;
      const std::uint32_t begin = q;
      while (q < p.query_end && !(row_of_[q] >= 0 && changed[row_of_[q]])) ++q;
      AlignedPassage piece;
      if (q > begin && restrict_passage(p, begin, q, min_length, piece)) out.push_back(std::move(piece));
    }
    return out;
  }

 private:
  struct Row {
    bool zeros;
    std::uint32_t q_begin, q_end;  // normalized positions of the row
  };
  std::vector<std::int32_t> row_of_;  // per normalized position: its row, or -1
  std::vector<Row> rows_;
};

// Stage 1. Aligns every reference with the report. Other agencies' reports also mark where they
// share a stretch of at least `formula_chars` characters with the report, however short the
// passage around it: a formula or a mandated heading is shorter than a passage.
Alignments align_references(const Document& report, const Sketch& report_sketch,
                            std::span<const ReferenceDocument> references, const Coverage& cov,
                            const StatisticsRows& rows, const CheckParams& params) {
  const int n = report_sketch.params.shingle.n;
  const NormalizedText& norm = report_sketch.normalized;
  Alignments out;
  const detail::ShinglePositions report_positions(report_sketch.shingles);
  // The report's distinct shingles with their positions, in one dense array: every reference is
  // compared with all of them.
  std::vector<std::pair<std::uint64_t, std::span<const std::uint32_t>>> report_distinct;
  report_distinct.reserve(report_positions.distinct());
  report_positions.for_each([&](std::uint64_t hash, std::span<const std::uint32_t> at) {
    report_distinct.emplace_back(hash, at);
  });
  const std::string own_agency = canonical_agency(report.info.agency);
  const auto formula_chars =
      static_cast<std::uint32_t>(std::max(n, std::max(1, params.align.min_passage) / 2));
  std::vector<std::uint8_t> shingle_shared;  // per report shingle: in the reference too
  for (std::size_t r = 0; r < references.size(); ++r) {
    std::optional<detail::ShinglePositions> built;
    const detail::ShinglePositions& ref_positions =
        references[r].positions ? *references[r].positions
                                : built.emplace(references[r].sketch->shingles);
    const DocumentInfo& info = references[r].info;
    // One pass over the report's distinct shingles: how many the reference shares (for the exact
    // Jaccard) and, if it is another agency's report, where the report shares text with it.
    std::vector<std::uint8_t>* shared = nullptr;
    const bool form = info.kind == DocumentKind::kForm;
    const std::string agency =
        info.kind == DocumentKind::kReport ? canonical_agency(info.agency) : own_agency;
    if (agency != own_agency || form) {
      shared = form ? &out.shared_with_forms : &out.shared_by_agency[agency];
      if (shared->empty()) shared->assign(norm.size(), 0);
      shingle_shared.assign(report_sketch.shingles.size(), 0);
    }
    std::size_t shared_distinct = 0;
    for (const auto& [hash, at] : report_distinct) {
      if (!ref_positions.contains(hash)) continue;
      ++shared_distinct;
      if (shared)
        for (const std::uint32_t q : at) shingle_shared[q] = 1;
    }
    if (shared) {
      auto& m = *shared;
      for (std::size_t q = 0; q < shingle_shared.size();) {
        if (!shingle_shared[q]) {
          ++q;
          continue;
        }
        std::size_t e = q;
        while (e < shingle_shared.size() && shingle_shared[e]) ++e;
        const std::size_t chars_end = std::min(norm.size(), e - 1 + static_cast<std::size_t>(n));
        if (chars_end - q >= formula_chars) std::fill(m.begin() + q, m.begin() + chars_end, 1);
        q = e;
      }
    }
    auto passages =
        detail::align_indexed(report_sketch, *references[r].sketch, ref_positions, n, params.align);
    // A form's rows hold no figures of their own; any other source's rows count only with theirs.
    if (!form && !rows.empty()) {
      std::vector<AlignedPassage> kept;
      const auto min_len = static_cast<std::uint32_t>(std::max(1, params.align.min_passage));
      for (const AlignedPassage& p : passages)
        for (AlignedPassage& piece : rows.without_changed_rows(p, report.text, norm, *references[r].text,
                                                               references[r].sketch->normalized, min_len))
          kept.push_back(std::move(piece));
      passages = std::move(kept);
    }
    if (passages.empty()) continue;
    if (shared)
      for (const auto& p : passages)
        for (const MatchRun& run : p.runs) std::fill_n(shared->begin() + run.query, run.length, 1);
    Aligned a{r, std::move(passages), relation_between(report.info, references[r].info)};
    auto m = cov.mask();
    for (const auto& p : a.passages) cov.mark(m, p.query_begin, p.query_end);
    a.covered = cov.count(m);
    const std::size_t all =
        report_positions.distinct() + ref_positions.distinct() - shared_distinct;
    a.jaccard = all ? double(shared_distinct) / double(all) : 0.0;  // exact_jaccard (shingle.h)
    out.aligned.push_back(std::move(a));
  }
  return out;
}

// Stage 2, and every boilerplate decision of a check: a normalized position of the report is
// boilerplate when reports of at least `boilerplate_agencies` distinct other agencies share it,
// counted from the archive's postings (candidates.h) and from the aligned references, whichever
// counts more; a passage is cut where boilerplate starts or stops.
class Boilerplate {
 public:
  Boilerplate(const Coverage& cov, const NormalizedText& norm,
              std::span<const std::uint16_t> postings_agencies, const Alignments& alignments,
              const StatisticsRows& rows, const CheckParams& params)
      : positions_(norm.size(), 0), in_text_(cov.mask()) {
    const auto& shared_by_agency = alignments.shared_by_agency;
    std::vector<std::uint16_t> agencies_at(norm.size(), 0);
    for (std::size_t q = 0; q < postings_agencies.size() && q < norm.size(); ++q)
      agencies_at[q] = postings_agencies[q];
    std::vector<std::uint16_t> counted(norm.size(), 0);
    for (const auto& [agency, m] : shared_by_agency)
      for (std::size_t q = 0; q < m.size(); ++q)
        counted[q] = static_cast<std::uint16_t>(counted[q] + m[q]);
    for (std::size_t q = 0; q < norm.size(); ++q)
      agencies_at[q] = std::max(agencies_at[q], counted[q]);
    const auto threshold = static_cast<std::uint16_t>(std::max(1, params.boilerplate_agencies));
    for (std::size_t q = 0; q < norm.size(); ++q) positions_[q] = agencies_at[q] >= threshold;
    // What a form holds is boilerplate however few agencies share it yet.
    for (std::size_t q = 0; q < alignments.shared_with_forms.size(); ++q)
      positions_[q] = positions_[q] || alignments.shared_with_forms[q];
    // A row of statistics is decided by its figures (StatisticsRows): zeros say nothing, others
    // are the agency's own even where every agency's table has the same row.
    for (std::size_t q = 0; q < norm.size(); ++q)
      if (const int zeros = rows.zeros_at(q); zeros >= 0) positions_[q] = zeros == 1;
    for (std::size_t q = 0; q < norm.size(); ++q)
      if (positions_[q])
        std::fill(in_text_.begin() + norm.begin[q], in_text_.begin() + norm.end[q], 1);
  }

  // Extracted-text code points inside boilerplate.
  const std::vector<std::uint8_t>& in_text() const { return in_text_; }

  // A copied passage in pieces, each boilerplate or not. Cuts where boilerplate starts or stops,
  // ignoring flips shorter than `smooth` characters, so that a copied paragraph opening with a
  // political formula yields a boilerplate piece and a copied piece.
  std::vector<std::pair<AlignedPassage, bool>> split(const AlignedPassage& p,
                                                     std::uint32_t smooth) const {
    struct Segment {
      std::uint32_t begin, end;
      bool boiler;
    };
    std::vector<Segment> segments;
    for (std::uint32_t q = p.query_begin; q < p.query_end; ++q) {
      const bool b = positions_[q];
      if (segments.empty() || segments.back().boiler != b)
        segments.push_back({q, q + 1, b});
      else
        segments.back().end = q + 1;
    }
    // Absorb short segments into their neighbours (repeat until stable; lists are short).
    bool changed = true;
    while (changed && segments.size() > 1) {
      changed = false;
      for (std::size_t i = 0; i < segments.size(); ++i) {
        if (segments[i].end - segments[i].begin >= smooth) continue;
        segments[i].boiler = !segments[i].boiler;
        changed = true;
        break;
      }
      std::vector<Segment> merged;
      for (const Segment& s : segments) {
        if (!merged.empty() && merged.back().boiler == s.boiler)
          merged.back().end = s.end;
        else
          merged.push_back(s);
      }
      segments = std::move(merged);
    }
    std::vector<std::pair<AlignedPassage, bool>> out;
    for (const Segment& s : segments) {
      AlignedPassage piece;
      if (restrict_passage(p, s.begin, s.end, 1, piece))
        out.emplace_back(std::move(piece), s.boiler);
    }
    return out;
  }

  // Whether a piece of split() counts as boilerplate once trimmed to `chars` characters: what is
  // left of a copied passage beside its boilerplate, when shorter than a passage, is the formula's
  // context (a subject, a connective), not a copy of its own.
  static bool piece_is_boilerplate(bool boilerplate_piece, bool passage_has_boilerplate,
                                   std::size_t chars, std::uint32_t min_passage) {
    return boilerplate_piece || (passage_has_boilerplate && chars < min_passage);
  }

 private:
  std::vector<std::uint8_t> positions_;  // normalized positions
  std::vector<std::uint8_t> in_text_;
};

// Stage 3. Ranks the sources: larger coverage first; ties prefer the same agency, then higher
// Jaccard. References that may not be sources, and forms, have served boilerplate and leave here.
void rank_sources(std::vector<Aligned>& aligned, std::span<const ReferenceDocument> references) {
  std::erase_if(aligned, [&](const Aligned& a) {
    return !references[a.reference].may_be_source || references[a.reference].info.kind == DocumentKind::kForm;
  });
  std::sort(aligned.begin(), aligned.end(), [](const Aligned& a, const Aligned& b) {
    if (a.covered != b.covered) return a.covered > b.covered;
    if ((a.relation == Relation::kSameAgency) != (b.relation == Relation::kSameAgency))
      return a.relation == Relation::kSameAgency;
    return a.jaccard > b.jaccard;
  });
}

// Stage 4. Attribution: each normalized position of the report goes to the highest-ranked source
// with a passage there; remainders shorter than min_passage are dropped. Fills f.sources (in rank
// order, i.e. by copy_ratio descending as the contract requires; passages' `source` indices refer
// to that order, so it must not be re-sorted) and f.passages, and marks `copied` (extracted text).
void attribute_passages(const Document& report, const Sketch& report_sketch,
                        std::span<const ReferenceDocument> references,
                        const std::vector<Aligned>& aligned, const Boilerplate& boilerplate,
                        const Coverage& cov, const CheckParams& params, Findings& f,
                        std::vector<std::uint8_t>& copied) {
  const double total = f.chars ? double(f.chars) : 1.0;
  const auto min_len = static_cast<std::uint32_t>(std::max(1, params.align.min_passage));
  const auto smooth = std::max<std::uint32_t>(1, min_len / 2);
  std::vector<std::uint8_t> claimed(report_sketch.normalized.size(), 0);
  for (const Aligned& a : aligned) {
    const ReferenceDocument& ref = references[a.reference];
    const NormalizedText& src_norm = ref.sketch->normalized;
    SourceFinding sf;
    sf.document = ref.info;
    sf.relation = a.relation;
    sf.copy_ratio = double(a.covered) / total;
    {
      auto m = cov.mask();
      for (const auto& p : a.passages) cov.mark(m, p.query_begin, p.query_end);
      sf.copy_ratio_excluding_boilerplate =
          double(cov.count_both(m, boilerplate.in_text(), false)) / total;
    }
    sf.jaccard = a.jaccard;
    sf.simhash_distance = hamming_distance(report_sketch.simhash, ref.sketch->simhash);

    for (const AlignedPassage& p : a.passages) {
      std::uint32_t q = p.query_begin;
      while (q < p.query_end) {
        while (q < p.query_end && claimed[q]) ++q;
        const std::uint32_t begin = q;
        while (q < p.query_end && !claimed[q]) ++q;
        AlignedPassage part;
        if (q - begin < min_len || !restrict_passage(p, begin, q, min_len, part)) continue;
        std::fill(claimed.begin() + part.query_begin, claimed.begin() + part.query_end, 1);
        // Counted whole, trimmed at its ends like a source's coverage: a mark between a
        // boilerplate piece and a copied piece is trimmed from both pieces but was copied.
        cov.mark(copied, part.query_begin, part.query_end);
        const auto pieces = boilerplate.split(part, smooth);
        const bool split_off_boilerplate = std::any_of(
            pieces.begin(), pieces.end(), [](const auto& piece) { return piece.second; });
        for (auto& [piece, is_boiler] : pieces) {
          PassageFinding pf;
          pf.start = cov.begin(piece.query_begin);
          pf.end = cov.end(piece.query_end);
          pf.source = f.sources.size();
          pf.source_start = src_norm.source_begin(piece.source_begin);
          pf.source_end = src_norm.source_end(piece.source_end);
          trim_marks(report.text, pf.start, pf.end);
          trim_marks(*ref.text, pf.source_start, pf.source_end);
          if (pf.start >= pf.end) continue;
          pf.chars = cov.chars(pf.start, pf.end);
          pf.boilerplate = Boilerplate::piece_is_boilerplate(is_boiler, split_off_boilerplate,
                                                             pf.chars, min_len);
          pf.similarity = piece.density();
          pf.text =
              encode_utf8(std::u32string_view(report.text).substr(pf.start, pf.end - pf.start));
          pf.source_text = encode_utf8(std::u32string_view(*ref.text).substr(
              pf.source_start, pf.source_end - pf.source_start));
          f.passages.push_back(std::move(pf));
          ++sf.passages;
        }
      }
    }
    f.sources.push_back(std::move(sf));
  }
}

// Stage 5. The ratios over the attributed passages.
void compute_ratios(const Coverage& cov, const std::vector<std::uint8_t>& copied_mask,
                    Findings& f) {
  const double total = f.chars ? double(f.chars) : 1.0;
  auto boiler_passages = cov.mask();
  for (const auto& p : f.passages)
    if (p.boilerplate)
      std::fill(boiler_passages.begin() + p.start, boiler_passages.begin() + p.end, 1);
  const std::size_t copied = cov.count(copied_mask);
  const std::size_t boilerplate = cov.count(boiler_passages);
  f.copy_ratio = double(copied) / total;
  f.boilerplate_ratio = double(boilerplate) / total;
  f.copy_ratio_excluding_boilerplate = double(copied - std::min(copied, boilerplate)) / total;
  for (const auto& s : f.sources) f.max_source_ratio = std::max(f.max_source_ratio, s.copy_ratio);
}

// Stage 6. Self-repetition: later passages that repeat earlier text of the report.
void find_self_repetition(const Document& report, const Sketch& report_sketch, const Coverage& cov,
                          const CheckParams& params, Findings& f) {
  const double total = f.chars ? double(f.chars) : 1.0;
  auto self_mask = cov.mask();
  for (const AlignedPassage& p :
       align_self(report_sketch, report_sketch.params.shingle.n, params.align)) {
    PassageFinding pf;
    pf.start = cov.begin(p.query_begin);
    pf.end = cov.end(p.query_end);
    pf.source_start = cov.begin(p.source_begin);
    pf.source_end = cov.end(p.source_end);
    trim_marks(report.text, pf.start, pf.end);
    trim_marks(report.text, pf.source_start, pf.source_end);
    if (pf.start >= pf.end) continue;
    pf.similarity = p.density();
    pf.chars = cov.chars(pf.start, pf.end);
    pf.text = encode_utf8(std::u32string_view(report.text).substr(pf.start, pf.end - pf.start));
    pf.source_text = encode_utf8(
        std::u32string_view(report.text).substr(pf.source_start, pf.source_end - pf.source_start));
    std::fill(self_mask.begin() + pf.start, self_mask.begin() + pf.end, 1);
    f.passages.push_back(std::move(pf));
  }
  f.self_duplication_ratio = double(cov.count(self_mask)) / total;
}

// Stage 7. Sections (sections.h): each one's share copied, with and without boilerplate, and the
// source that covers most of it.
void section_ratios(const Document& report, Findings& f) {
  const std::vector<Section> sections = split_sections(report.text);
  f.sections = section_findings(report.text, sections, f);
  f.missing_parts = missing_parts(sections);
}

}  // namespace

std::vector<SectionFinding> section_findings(std::u32string_view text, const std::vector<Section>& sections,
                                             const Findings& f, std::optional<std::size_t> only_source) {
  std::vector<std::uint8_t> copied(text.size(), 0), own(text.size(), 0);
  for (const PassageFinding& p : f.passages) {
    if (!p.source || (only_source && *p.source != *only_source) || p.end > text.size()) continue;
    std::fill(copied.begin() + p.start, copied.begin() + p.end, 1);
    if (!p.boilerplate) std::fill(own.begin() + p.start, own.begin() + p.end, 1);
  }
  std::vector<SectionFinding> out;
  for (const Section& s : sections) {
    SectionFinding sf;
    sf.title = s.title;
    sf.kind = s.kind;
    sf.start = s.start;
    sf.end = s.end;
    std::size_t any = 0, not_boilerplate = 0;
    for (std::uint32_t i = s.start; i < s.end && i < text.size(); ++i)
      if (!is_whitespace(text[i])) ++sf.chars, any += copied[i], not_boilerplate += own[i];
    std::vector<std::size_t> per_source(f.sources.size(), 0);
    for (const PassageFinding& p : f.passages) {
      if (!p.source || p.boilerplate || (only_source && *p.source != *only_source)) continue;
      for (std::uint32_t i = std::max(p.start, s.start); i < std::min(p.end, s.end) && i < text.size(); ++i)
        if (!is_whitespace(text[i])) ++per_source[*p.source];
    }
    if (sf.chars) {
      sf.copy_ratio = double(any) / double(sf.chars);
      sf.copy_ratio_excluding_boilerplate = double(not_boilerplate) / double(sf.chars);
      const auto best = std::max_element(per_source.begin(), per_source.end());
      if (best != per_source.end() && *best > 0) {
        sf.max_source = static_cast<std::size_t>(best - per_source.begin());
        sf.max_source_ratio = double(*best) / double(sf.chars);
      }
    }
    out.push_back(std::move(sf));
  }
  return out;
}

Findings analyze(const Document& report, const Sketch& report_sketch,
                 std::span<const ReferenceDocument> references, const CheckParams& params,
                 std::span<const std::uint16_t> boilerplate_agencies_at) {
  const SketchParams& sketch_params = report_sketch.params;
  const Coverage cov(report.text, report_sketch.normalized);

  Findings f;
  f.document = report.info;
  f.chars = count_non_whitespace(report.text);
  f.settings = {sketch_params.shingle.n,
                params.align.min_passage,
                params.align.max_gap,
                params.boilerplate_agencies,
                sketch_params.minhash.k,
                sketch_params.fingerprint.window,
                params.max_candidates,
                params.ranking_holders,
                normalization_label(sketch_params.normalize)};
  f.candidates_compared = references.size();
  f.text = encode_utf8(report.text);

  const StatisticsRows rows(report.text, report_sketch.normalized);
  Alignments alignments = align_references(report, report_sketch, references, cov, rows, params);
  const Boilerplate boilerplate(cov, report_sketch.normalized, boilerplate_agencies_at, alignments, rows, params);
  rank_sources(alignments.aligned, references);
  auto copied = cov.mask();
  attribute_passages(report, report_sketch, references, alignments.aligned, boilerplate, cov,
                     params, f, copied);
  compute_ratios(cov, copied, f);
  find_self_repetition(report, report_sketch, cov, params, f);

  std::stable_sort(f.passages.begin(), f.passages.end(),
                   [](const PassageFinding& a, const PassageFinding& b) {
                     if (a.source.has_value() != b.source.has_value()) return a.source.has_value();
                     return a.start < b.start;
                   });
  section_ratios(report, f);
  return f;
}

}  // namespace leitong
