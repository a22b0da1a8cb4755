// Normalization: the text leitong actually compares, with a map back to the extracted text.
//
// Two reports that differ only in the form of their characters (full-width vs half-width),
// punctuation style, line breaks, or in years and counts should match. Each step below is
// switchable; the set of switches and kNormalizationVersion are stored in an archive, because
// changing either changes every shingle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leitong {

// Bumped whenever a step's output changes for some input; archives record it.
inline constexpr int kNormalizationVersion = 1;

struct NormalizeParams {
  bool nfkc = true;                 // Unicode NFKC: full-width → half-width, compatibility forms
  bool fold_case = true;            // Latin letters to lower case
  bool canonical_punctuation = true;  // one form per punctuation mark (，、, → ,  。. → .  “”"' → ")
  bool drop_whitespace = true;      // all Unicode whitespace removed (line breaks inside sentences)
  bool mask_digits = true;          // every run of digits (with inner . or ,) becomes one '#';
                                    // with drop_whitespace, digits separated by spaces are one run
  // Added after format version 1: archives that do not record these switches have them off.
  bool traditional_to_simplified = true;  // 國務院 → 国务院 (OpenCC t2s, character level)
  bool mask_chinese_numerals = true;      // 二〇二三, 十五, 一百二十 → '#' like digits
  friend bool operator==(const NormalizeParams&, const NormalizeParams&) = default;
};

// The normalized text and, for each of its code points, the half-open range [begin, end) of
// extracted-text code points it came from. Ranges are non-decreasing; several normalized code
// points may share one range (an NFKC expansion), and one range may cover several extracted code
// points (a masked number, an NFKC composition).
struct NormalizedText {
  std::u32string chars;
  std::vector<std::uint32_t> begin;
  std::vector<std::uint32_t> end;

  std::size_t size() const { return chars.size(); }
  // Extracted-text range of normalized range [first, last); first < last <= size().
  std::uint32_t source_begin(std::size_t first) const { return begin[first]; }
  std::uint32_t source_end(std::size_t last) const { return end[last - 1]; }
};

NormalizedText normalize(std::u32string_view text, const NormalizeParams& params = {});

// The canonical form of one punctuation code point, or the code point itself.
char32_t canonical_punctuation(char32_t c);

}  // namespace leitong
