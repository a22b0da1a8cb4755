// Passage alignment: turns a candidate source into exact, explainable passages.
//
// Works on normalized text (see normalize.h), in normalized code-point positions; callers map the
// results back to extracted-text offsets with NormalizedText::source_begin/source_end.
//
//  1. seeds: query shingles that also occur in the source (a shingle occurring more than
//     `max_occurrences` times in the source is too common to locate anything and is skipped);
//  2. runs: seeds on one diagonal joined into exact common substrings;
//  3. tiling: runs taken longest first, each query character claimed by at most one run;
//  4. chaining: runs joined into passages across query gaps of at most `max_gap` characters while
//     their source positions stay within `max_source_jump` of the passage's source range — so a
//     passage survives changed names, inserted words and sentences reordered inside a paragraph;
//  5. passages shorter than `min_passage` or matched on less than `min_density` of their length
//     are dropped.
#pragma once

#include <leitong/core/sketch.h>

#include <cstdint>
#include <vector>

namespace leitong {

struct AlignParams {
  int min_passage = 20;        // normalized characters
  int max_gap = 30;            // normalized characters of unmatched query text inside a passage
  int max_source_jump = 300;   // normalized characters; reordering tolerance on the source side
  double min_density = 0.7;    // matched characters / passage length
  int max_occurrences = 64;    // seed cut-off for shingles repeated within the source
};

// An exact common substring: normalized query [query, query + length) equals source
// [source, source + length).
struct MatchRun {
  std::uint32_t query = 0;
  std::uint32_t source = 0;
  std::uint32_t length = 0;
  friend bool operator==(const MatchRun&, const MatchRun&) = default;
};

// A passage: normalized query range [query_begin, query_end) copied from source range
// [source_begin, source_end), made of the runs it chains (sorted by query position).
struct AlignedPassage {
  std::uint32_t query_begin = 0, query_end = 0;
  std::uint32_t source_begin = 0, source_end = 0;
  std::uint32_t matched = 0;  // characters of the query range inside runs
  std::vector<MatchRun> runs;
  double density() const {
    return query_end > query_begin ? double(matched) / double(query_end - query_begin) : 0.0;
  }
};

// Passages of `query` found in `source`, sorted by query_begin, non-overlapping in the query.
// `shingle_n` is the n the sketches' shingles were made with.
std::vector<AlignedPassage> align(const Sketch& query, const Sketch& source, int shingle_n,
                                  const AlignParams& params = {});

// Passages of `document` that repeat earlier text of the same document: every run's source range
// ends at or before its query range begins, so only the later copy counts.
std::vector<AlignedPassage> align_self(const Sketch& document, int shingle_n,
                                       const AlignParams& params = {});

// Rebuilds a passage from a subset of its runs (those inside [query_begin, query_end), clipped);
// returns false if nothing of at least `min_length` characters is left.
bool restrict_passage(const AlignedPassage& passage, std::uint32_t query_begin,
                      std::uint32_t query_end, std::uint32_t min_length, AlignedPassage& out);

}  // namespace leitong
