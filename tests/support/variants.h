// Test support: builds realistic copied reports from real ones, with the truth of what was copied.
//
// Each edit tracks, in the variant's own code points, which spans came from the source text; the
// accuracy tests score detected passages against those spans (character precision and recall).
// Deterministic for a seed (own splitmix64 generator, no std:: distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace leitong::testing {

class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(next() % n) : 0; }
  bool chance(double p) { return double(next() >> 11) * 0x1.0p-53 < p; }

 private:
  std::uint64_t state_;
};

// Text whose every code point is marked copied (from the source) or not.
struct MarkedText {
  std::u32string text;
  std::vector<std::uint8_t> copied;  // same length as text

  void append(std::u32string_view s, bool from_source);
  MarkedText& operator+=(const MarkedText& other);
};

// `length` ideographs drawn from 300 (U+6C00..., none a numeral, which normalization would mask):
// unrelated texts share almost no 5-grams.
std::u32string random_ideographs(std::size_t length, std::uint64_t seed);

std::u32string u32(std::string_view utf8);
std::string utf8(std::u32string_view text);

// Paragraphs: the lines of `text` that hold more than whitespace, each without its line break.
std::vector<std::u32string> paragraphs(std::u32string_view text);
// Sentences of a paragraph, each keeping its closing 。！？；
std::vector<std::u32string> sentences(std::u32string_view paragraph);

// Every 4-digit year 1990–2039 moved by `delta`; other digit runs replaced by different random
// numbers with probability `change_numbers`. Marks are kept per character.
MarkedText bump_years_and_numbers(const MarkedText& in, int delta, double change_numbers, Random& rng);

// Replaces every occurrence of `from` with `to` (marked not copied).
MarkedText replace_all(const MarkedText& in, std::u32string_view from, std::u32string_view to);

// A report recycled from `source`: paragraphs joined by '\n', `replace_share` of the paragraphs
// (at least one) swapped for paragraphs of `filler` (not copied), years bumped by one and most
// numbers changed.
MarkedText recycle(std::u32string_view source, std::u32string_view filler, double replace_share, Random& rng);

// `own` with `count` consecutive paragraphs of `peer` (names swapped) inserted after its
// second paragraph.
MarkedText lift_paragraphs(std::u32string_view own, std::u32string_view peer, std::size_t count,
                           std::u32string_view peer_name, std::u32string_view own_name, Random& rng);

// Sentences shuffled inside every paragraph and a small word inserted about every `every`
// characters; everything but the inserted words is marked copied.
MarkedText reorder_and_insert(std::u32string_view source, int every, Random& rng);

// Character precision and recall, counted without whitespace, of `detected` (per code point of the
// variant) against `truth.copied`.
struct Score {
  double precision = 0, recall = 0;
  std::size_t truth_chars = 0, detected_chars = 0;
};
Score score(const MarkedText& truth, const std::vector<std::uint8_t>& detected);

}  // namespace leitong::testing
