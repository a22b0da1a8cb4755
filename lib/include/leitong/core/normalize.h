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
  //
  // Traditional → simplified, one code point for one (國務院 → 国务院), so that offsets stay
  // exact: each CJK ideograph is converted on its own with OpenCC's t2s conversion (made into a table at build time), and
  // kept as it is where OpenCC gives anything but exactly one code point. Applied after NFKC.
  bool traditional_to_simplified = true;
  // Chinese numerals become '#' like digits (二〇二三年 ≡ 2023年 ≡ 2024年, 十五件 ≡ 20件). A
  // maximal run of the characters 〇零一二三四五六七八九十百千万亿两 (after t2s, so 萬 億 兩 count
  // too) is masked as one '#' mapping to the whole run when it is clearly a number: it has at least
  // two characters and one of them is 〇零十百千万亿 (二〇二三, 十五, 二十, 一百二十, 两千,
  // 十四五). A single character is never masked, so 一是, 统一, 进一步, 第一, 三中全会, 十大 and
  // 万人 keep their characters, nor are runs of digit-like characters alone (一一对应, 五四运动,
  // 两三年). The rule looks at the run only, not at its neighbours, so a masked run is masked the
  // same wherever a passage around it starts or ends.
  bool mask_chinese_numerals = true;
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

// normalize() into `out`, whose buffers keep their capacity: for a thread that normalizes one
// document after another (see make_sketch_into).
void normalize_into(std::u32string_view text, const NormalizeParams& params, NormalizedText& out);

// The canonical form of one punctuation code point, or the code point itself.
char32_t canonical_punctuation(char32_t c);

}  // namespace leitong
