// Unit tests for normalize.h: every step switched on and off, and the offset map back to the
// extracted text (shape checks and a round-trip property on random strings).
#include <gtest/gtest.h>
#include <leitong/core/normalize.h>
#include <leitong/core/text.h>
#include <opencc/opencc.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>

#include <random>
#include <string>
#include <vector>

#include "support/variants.h"

namespace leitong::testing {
namespace {

std::string norm(std::string_view text, const NormalizeParams& params = {}) {
  return utf8(normalize(u32(text), params).chars);
}

NormalizeParams all_off() {
  NormalizeParams p;
  p.nfkc = p.fold_case = p.canonical_punctuation = p.drop_whitespace = p.mask_digits = false;
  p.traditional_to_simplified = p.mask_chinese_numerals = false;
  return p;
}

// Checks the documented shape of the offset map; returns false (after reporting) on a violation.
void expect_valid_map(const NormalizedText& n, std::size_t input_size) {
  ASSERT_EQ(n.begin.size(), n.chars.size());
  ASSERT_EQ(n.end.size(), n.chars.size());
  for (std::size_t i = 0; i < n.size(); ++i) {
    ASSERT_LT(n.begin[i], n.end[i]) << "at " << i;
    ASSERT_LE(n.end[i], input_size) << "at " << i;
    if (i > 0) {
      ASSERT_LE(n.begin[i - 1], n.begin[i]) << "begin decreases at " << i;
      ASSERT_LE(n.end[i - 1], n.end[i]) << "end decreases at " << i;
    }
  }
}

TEST(Normalize, AllStepsOffIsIdentity) {
  const std::u32string in = U"２０２３年，我局 ＡＢＣ “四个意识”……\n";
  const NormalizedText n = normalize(in, all_off());
  EXPECT_EQ(n.chars, in);
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(n.begin[i], i);
    EXPECT_EQ(n.end[i], i + 1);
  }
}

TEST(Normalize, EmptyInput) {
  const NormalizedText n = normalize(U"");
  EXPECT_TRUE(n.chars.empty());
  EXPECT_TRUE(n.begin.empty());
  EXPECT_TRUE(n.end.empty());
}

TEST(Normalize, NfkcFullWidthToHalfWidth) {
  EXPECT_EQ(norm("ＡＢＣ１２３"), "abc#");
  NormalizeParams p = all_off();
  p.nfkc = true;
  EXPECT_EQ(norm("ＡＢＣ１２３ｘ", p), "ABC123x");
  EXPECT_EQ(norm("ﬁ㎏㈠①", p), "fikg(一)1");
  EXPECT_EQ(norm("e\u0301", p), "\u00E9");  // canonical composition
  // Off: the full-width forms survive (case folding only touches Latin letters below U+3000).
  NormalizeParams off;
  off.nfkc = false;
  off.mask_digits = false;
  EXPECT_EQ(norm("ＡＢＣ１２３", off), "ＡＢＣ１２３");
}

TEST(Normalize, FoldCase) {
  NormalizeParams p = all_off();
  p.fold_case = true;
  EXPECT_EQ(norm("GDP增长ABCxyz", p), "gdp增长abcxyz");
  p.fold_case = false;
  EXPECT_EQ(norm("GDP增长ABCxyz", p), "GDP增长ABCxyz");
  NormalizeParams nfkc_on;
  nfkc_on.fold_case = false;
  EXPECT_EQ(norm("ＧＤＰ", nfkc_on), "GDP");
  nfkc_on.fold_case = true;
  EXPECT_EQ(norm("ＧＤＰ", nfkc_on), "gdp");
}

TEST(Normalize, CanonicalPunctuation) {
  EXPECT_EQ(norm("甲，乙,丙、丁"), "甲,乙,丙,丁");
  EXPECT_EQ(norm("甲。乙.丙"), "甲.乙.丙");
  EXPECT_EQ(norm("“甲”\"乙\"'丙'‘丁’"), "\"甲\"\"乙\"\"丙\"\"丁\"");
  EXPECT_EQ(norm("《条例》"), "<条例>");
  EXPECT_EQ(norm("【甲】〔乙〕(丙)（丁）"), "(甲)(乙)(丙)(丁)");
  EXPECT_EQ(norm("；：！？"), ";:!?");
  EXPECT_EQ(norm("甲——乙"), "甲-乙");
  EXPECT_EQ(norm("甲—乙"), "甲-乙");
  EXPECT_EQ(norm("等等……"), "等等.");
  EXPECT_EQ(norm("等等…"), "等等.");
  EXPECT_EQ(norm("完成。。"), "完成.");
  // Other marks do not collapse.
  EXPECT_EQ(norm("甲，，乙"), "甲,,乙");
  for (char32_t c : {U'，', U'、', U','}) EXPECT_EQ(canonical_punctuation(c), U',');
  for (char32_t c : {U'。', U'.'}) EXPECT_EQ(canonical_punctuation(c), U'.');
  for (char32_t c : {U'“', U'”', U'"', U'\''}) EXPECT_EQ(canonical_punctuation(c), U'"');
  EXPECT_EQ(canonical_punctuation(U'《'), U'<');
  EXPECT_EQ(canonical_punctuation(U'》'), U'>');
  for (char32_t c : {U'【', U'〔', U'(', U'（'}) EXPECT_EQ(canonical_punctuation(c), U'(');
  for (char32_t c : {U'】', U'〕', U')', U'）'}) EXPECT_EQ(canonical_punctuation(c), U')');
  EXPECT_EQ(canonical_punctuation(U'—'), U'-');
  EXPECT_EQ(canonical_punctuation(U'…'), U'.');
  EXPECT_EQ(canonical_punctuation(U'中'), U'中');
  EXPECT_EQ(canonical_punctuation(U'a'), U'a');

  NormalizeParams off;
  off.canonical_punctuation = false;
  off.nfkc = false;  // NFKC alone would already turn the full-width comma into ','
  EXPECT_EQ(norm("甲，乙、丙。“丁”——戊……", off), "甲，乙、丙。“丁”——戊……");
}

TEST(Normalize, DropWhitespace) {
  EXPECT_EQ(norm("坚持 以人民\n为中心\u3000的\t发展\u00A0思想\r\n。\uFEFF"),
            "坚持以人民为中心的发展思想.");
  NormalizeParams keep;
  keep.drop_whitespace = false;
  EXPECT_EQ(norm("坚持 以人民\n为中心", keep), "坚持 以人民\n为中心");
  keep.nfkc = false;
  EXPECT_EQ(norm("中\u3000文", keep), "中\u3000文");
  // Line breaks inside a sentence do not stop two copies from matching.
  EXPECT_EQ(norm("全面推进依法\n行政"), norm("全面推进依法行政"));
}

TEST(Normalize, MaskDigits) {
  EXPECT_EQ(norm("2023年"), "#年");
  EXPECT_EQ(norm("2023年"), norm("2024年"));
  EXPECT_EQ(norm("增长3.5%"), "增长#%");
  EXPECT_EQ(norm("1,234,567元"), "#元");
  EXPECT_EQ(norm("学习33次"), norm("学习5次"));
  EXPECT_EQ(norm("学习33次"), "学习#次");
  EXPECT_EQ(norm("２０２３年"), "#年");  // full-width digits, through NFKC
  NormalizeParams no_nfkc;
  no_nfkc.nfkc = false;
  EXPECT_EQ(norm("２０２３年", no_nfkc), "#年");  // full-width digits, without NFKC
  // A separator that is not followed by a digit stays.
  EXPECT_EQ(norm("共3，其中"), "共#,其中");
  EXPECT_EQ(norm("完成3."), "完成#.");
  EXPECT_EQ(norm("a1b22c"), "a#b#c");
  NormalizeParams off;
  off.mask_digits = false;
  EXPECT_EQ(norm("2023年3.5", off), "2023年3.5");
}

TEST(Normalize, OffsetMapOnCraftedInput) {
  // 0:Ａ 1:b 2:' ' 3..6:2023 7:年 8:， 9:ﬁ 10:① 11:㈠ 12:— 13:— 14:e 15:U+0301
  const std::u32string in = U"Ａb 2023年，ﬁ①㈠——e\u0301";
  const NormalizedText n = normalize(in);
  expect_valid_map(n, in.size());
  EXPECT_EQ(utf8(n.chars), "ab#年,fi#(一)-\u00E9");
  const std::vector<std::uint32_t> begin = {0, 1, 3, 7, 8, 9, 9, 10, 11, 11, 11, 12, 14};
  const std::vector<std::uint32_t> end = {1, 2, 7, 8, 9, 10, 10, 11, 12, 12, 12, 14, 16};
  EXPECT_EQ(n.begin, begin);
  EXPECT_EQ(n.end, end);
  EXPECT_EQ(n.source_begin(2), 3u);
  EXPECT_EQ(n.source_end(3), 7u);
}

// Random strings over an alphabet mixing CJK, ASCII, full-width forms, digits, whitespace,
// punctuation that canonicalizes or collapses, NFKC expansions and a combining mark.
std::u32string random_text(Random& rng, std::size_t length) {
  static const std::u32string alphabet =
      U"中国政府工作报告坚持发展年月日我局市区县"
      U"aBcZ"
      U"0123456789"
      U"ＡｂＣ１２３"
      U" \n\t\u3000\u00A0\uFEFF"
      U"，,、。.；：！？“”\"'《》【】〔〕()（）—-…·"
      U"㈠①⑽ﬁ½㎏\u0301\u00A8";
  std::u32string out;
  for (std::size_t i = 0; i < length; ++i) {
    // Runs of digits and repeated marks are likelier than the alphabet alone would make them.
    if (!out.empty() && rng.chance(0.2)) {
      out.push_back(out.back());
      continue;
    }
    out.push_back(alphabet[rng.below(alphabet.size())]);
  }
  return out;
}

TEST(Normalize, OffsetMapShapeOnRandomInputs) {
  Random rng(7);
  const NormalizeParams variants[] = {NormalizeParams{}, all_off(),
                                      [] {
                                        NormalizeParams p;
                                        p.drop_whitespace = false;
                                        return p;
                                      }(),
                                      [] {
                                        NormalizeParams p;
                                        p.nfkc = false;
                                        return p;
                                      }()};
  for (int t = 0; t < 300; ++t) {
    const std::u32string in = random_text(rng, 1 + rng.below(60));
    for (const NormalizeParams& p : variants) {
      SCOPED_TRACE(utf8(in));
      const NormalizedText n = normalize(in, p);
      expect_valid_map(n, in.size());
    }
  }
}

TEST(Normalize, EveryNonWhitespaceCodePointIsCovered) {
  Random rng(11);
  for (int t = 0; t < 300; ++t) {
    const std::u32string in = random_text(rng, 1 + rng.below(60));
    const NormalizedText n = normalize(in);
    std::vector<bool> covered(in.size(), false);
    for (std::size_t i = 0; i < n.size(); ++i)
      for (std::uint32_t k = n.begin[i]; k < n.end[i] && k < in.size(); ++k) covered[k] = true;
    for (std::size_t k = 0; k < in.size(); ++k) {
      if (is_whitespace(in[k])) continue;
      ASSERT_TRUE(covered[k]) << "code point " << k << " (U+" << std::hex << unsigned(in[k])
                              << ") of '" << utf8(in) << "' is not covered";
    }
  }
}

// A normalized span maps back to an extracted-text substring that normalizes to the same span.
// Span ends are chosen where the source ranges of the neighbours do not overlap (a span cannot cut
// an NFKC expansion or a masked number in two).
TEST(Normalize, SourceRangeOfSpanRenormalizesToSameSpan) {
  Random rng(12345);
  std::size_t checked = 0;
  for (int t = 0; t < 400; ++t) {
    const std::u32string in = random_text(rng, 1 + rng.below(80));
    const NormalizedText n = normalize(in);
    if (n.size() == 0) continue;
    std::vector<std::size_t> starts, stops;  // clean span starts and (exclusive) ends
    for (std::size_t i = 0; i < n.size(); ++i)
      if (i == 0 || n.end[i - 1] <= n.begin[i]) starts.push_back(i);
    for (std::size_t i = 1; i <= n.size(); ++i)
      if (i == n.size() || n.end[i - 1] <= n.begin[i]) stops.push_back(i);
    for (int s = 0; s < 4; ++s) {
      const std::size_t first = starts[rng.below(starts.size())];
      std::vector<std::size_t> later;
      for (std::size_t e : stops)
        if (e > first) later.push_back(e);
      ASSERT_FALSE(later.empty());
      const std::size_t last = later[rng.below(later.size())];
      const std::uint32_t b = n.source_begin(first), e = n.source_end(last);
      ASSERT_LT(b, e);
      ASSERT_LE(e, in.size());
      const std::u32string sub = in.substr(b, e - b);
      const std::u32string again = normalize(sub).chars;
      ASSERT_EQ(utf8(again), utf8(n.chars.substr(first, last - first)))
          << "input '" << utf8(in) << "' span [" << first << ", " << last << ") source [" << b
          << ", " << e << ") '" << utf8(sub) << "'";
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000u);
}

TEST(Normalize, TraditionalToSimplifiedCharacterByCharacter) {
  EXPECT_EQ(norm("國務院辦公廳關於印發《法治政府建設實施綱要》的通知"),
            "国务院办公厅关于印发<法治政府建设实施纲要>的通知");
  EXPECT_EQ(norm("依法行政，嚴格規範公正文明執法"), norm("依法行政，严格规范公正文明执法"));
  // Simplified text is left as it is.
  const std::string simplified = "坚持以习近平新时代中国特色社会主义思想为指导，深入推进依法行政";
  EXPECT_EQ(norm(simplified), "坚持以习近平新时代中国特色社会主义思想为指导,深入推进依法行政");
  // One code point for one: the offset map is the identity on a traditional text.
  const std::u32string in = U"萬眾一心，兩個維護";
  NormalizeParams p = all_off();
  p.traditional_to_simplified = true;
  const NormalizedText n = normalize(in, p);
  EXPECT_EQ(utf8(n.chars), "万众一心，两个维护");
  ASSERT_EQ(n.size(), in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(n.begin[i], i);
    EXPECT_EQ(n.end[i], i + 1);
  }
  // Off: traditional characters stay.
  NormalizeParams off;
  off.traditional_to_simplified = false;
  EXPECT_EQ(norm("國務院", off), "國務院");
}

// The table made at build time against OpenCC itself, asked here for each ideograph alone: the
// same character for every one (and a table that missed or mangled conversions fails).
TEST(Normalize, TraditionalToSimplifiedTableIsOpenCCsConversion) {
  opencc_t cc = opencc_open("t2s.json");
  ASSERT_NE(cc, reinterpret_cast<opencc_t>(-1)) << opencc_error();
  NormalizeParams p = all_off();
  p.traditional_to_simplified = true;
  std::size_t converted = 0, checked = 0;
  for (const auto& [first, last] : {std::pair<char32_t, char32_t>{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}})
    for (char32_t c = first; c <= last; ++c) {
      const std::string in = utf8(std::u32string(1, c));
      char* out = opencc_convert_utf8(cc, in.data(), in.size());
      ASSERT_NE(out, nullptr) << opencc_error();
      const std::u32string by_opencc = u32(out);
      opencc_convert_utf8_free(out);
      const char32_t expected = by_opencc.size() == 1 && by_opencc[0] <= 0xFFFF ? by_opencc[0] : c;
      const std::u32string got = normalize(std::u32string(1, c), p).chars;
      ASSERT_EQ(got, std::u32string(1, expected)) << "U+" << std::hex << static_cast<unsigned>(c);
      converted += expected != c;
      ++checked;
    }
  opencc_close(cc);
  EXPECT_EQ(checked, 0x4DBFu - 0x3400 + 1 + 0x9FFF - 0x4E00 + 1 + 0xFAFF - 0xF900 + 1);
  EXPECT_GT(converted, 2000u);
}

// NFKC as ICU gives it segment by segment: a segment is a code point and every following one
// with no boundary before it, normalized on its own.
std::u32string icu_nfkc_by_segments(std::u32string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(status);
  EXPECT_TRUE(U_SUCCESS(status));
  std::u32string out;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t j = i + 1;
    while (j < text.size() && !nfkc->hasBoundaryBefore(static_cast<UChar32>(text[j]))) ++j;
    const icu::UnicodeString normalized = nfkc->normalize(
        icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(text.data() + i), static_cast<int32_t>(j - i)),
        status);
    EXPECT_TRUE(U_SUCCESS(status));
    for (int32_t k = 0; k < normalized.length(); k += U16_LENGTH(normalized.char32At(k)))
      out.push_back(static_cast<char32_t>(normalized.char32At(k)));
    i = j;
  }
  return out;
}

// The BMP's NFKC comes from tables made at build time (make_nfkc_table.cpp), ICU's own code is
// asked for longer segments, surrogates and beyond the BMP: together they give what ICU gives, for
// every BMP code point alone, between letters and all in a row, and for random text mixing
// combining marks, Hangul jamo, compatibility forms and supplementary characters.
TEST(Normalize, NfkcIsIcusSegmentBySegment) {
  NormalizeParams p = all_off();
  p.nfkc = true;
  std::u32string every;
  std::size_t changed = 0;
  for (char32_t c = 0; c < 0x10000; ++c) {
    const std::u32string alone(1, c);
    const std::u32string got = normalize(alone, p).chars;
    ASSERT_EQ(got, icu_nfkc_by_segments(alone)) << "U+" << std::hex << static_cast<unsigned>(c);
    changed += got != alone;
    const std::u32string between = U"x" + alone + U"y";
    ASSERT_EQ(normalize(between, p).chars, icu_nfkc_by_segments(between)) << "U+" << std::hex << static_cast<unsigned>(c);
    every.push_back(c);
  }
  EXPECT_GT(changed, 2000u);
  EXPECT_EQ(normalize(every, p).chars, icu_nfkc_by_segments(every));

  const std::vector<std::pair<char32_t, char32_t>> ranges = {
      {0x20, 0x7E},     {0x4E00, 0x9FFF},   {0x300, 0x36F},     {0x1100, 0x11FF}, {0xAC00, 0xD7A3},
      {0xF900, 0xFAFF}, {0xFF00, 0xFFEF},   {0x3000, 0x33FF},   {0x0900, 0x097F}, {0x1D400, 0x1D7FF},
      {0x20000, 0x2A6DF}, {0x2F800, 0x2FA1F}, {0x1F100, 0x1F1FF}, {0x0E00, 0x0E7F}};
  std::mt19937 rng(20261204);
  for (int round = 0; round < 3000; ++round) {
    std::u32string text;
    const int length = std::uniform_int_distribution<int>(1, 40)(rng);
    for (int k = 0; k < length; ++k) {
      const auto& [first, last] = ranges[std::uniform_int_distribution<std::size_t>(0, ranges.size() - 1)(rng)];
      text.push_back(std::uniform_int_distribution<char32_t>(first, last)(rng));
    }
    ASSERT_EQ(normalize(text, p).chars, icu_nfkc_by_segments(text)) << "round " << round << ": " << utf8(text);
  }
}

TEST(Normalize, TraditionalReportMatchesItsSimplifiedOriginal) {
  // A paragraph of a real report and the same paragraph typed in traditional characters.
  const std::string simplified =
      "坚持把习近平法治思想作为民政法治建设的根本遵循，将学习贯彻习近平法治思想列入党组理论中心组学"
      "习、"
      "党支部“三会一课”等重要议题，深刻理解把握习近平法治思想关于全面依法治国方向性、根本性、战略性"
      "问题的重要论述。";
  const std::string traditional =
      "堅持把習近平法治思想作為民政法治建設的根本遵循，將學習貫徹習近平法治思想列入黨組理論中心組學"
      "習、"
      "黨支部“三會一課”等重要議題，深刻理解把握習近平法治思想關於全面依法治國方向性、根本性、戰略性"
      "問題的重要論述。";
  EXPECT_EQ(norm(traditional), norm(simplified));
}

TEST(Normalize, ChineseNumeralsMaskedLikeDigits) {
  EXPECT_EQ(norm("二〇二三年"), "#年");
  EXPECT_EQ(norm("二〇二三年"), norm("2023年"));
  EXPECT_EQ(norm("二〇二三年"), norm("二〇二四年"));
  EXPECT_EQ(norm("办理十五件"), "办理#件");
  EXPECT_EQ(norm("办理十五件"), norm("办理20件"));
  EXPECT_EQ(norm("一百二十人"), "#人");
  EXPECT_EQ(norm("两千余次"), "#余次");
  EXPECT_EQ(norm("党的二十大"), norm("党的十九大"));
  EXPECT_EQ(norm("“十四五”规划"), "\"#\"规划");
  EXPECT_EQ(norm("第五十条"), "第#条");
  EXPECT_EQ(norm("壹萬兩千"), "壹#");  // t2s first: 萬兩千 → 万两千
  // Words with a single numeral, and runs of digit-like numerals alone, keep their characters.
  for (const char* kept : {"一是统一思想，进一步落实第一议题", "三中全会", "十大民生事项",
                           "3470余万元", "一一对应", "五四运动", "近两三年", "两个维护"})
    EXPECT_EQ(norm(kept), norm(kept,
                               [] {
                                 NormalizeParams p;
                                 p.mask_chinese_numerals = false;
                                 return p;
                               }()))
        << kept;
  // Off.
  NormalizeParams off;
  off.mask_chinese_numerals = false;
  EXPECT_EQ(norm("二〇二三年办理十五件", off), "二〇二三年办理十五件");
  // With digits: a digit run and a numeral run next to each other are two numbers.
  EXPECT_EQ(norm("2023年二十件"), "#年#件");
}

TEST(Normalize, ChineseNumeralOffsetMap) {
  // 0:共 1:办 2:理 3:二 4:〇 5:二 6:三 7:年 8:' ' 9:十 10:\n 11:五 12:件 13:一 14:是
  const std::u32string in = U"共办理二〇二三年 十\n五件一是";
  const NormalizedText n = normalize(in);
  expect_valid_map(n, in.size());
  EXPECT_EQ(utf8(n.chars), "共办理#年#件一是");
  const std::vector<std::uint32_t> begin = {0, 1, 2, 3, 7, 9, 12, 13, 14};
  const std::vector<std::uint32_t> end = {1, 2, 3, 7, 8, 12, 13, 14, 15};
  EXPECT_EQ(n.begin, begin);
  EXPECT_EQ(n.end, end);
  // Without dropping whitespace the line break splits 十 and 五: two single characters, kept.
  NormalizeParams keep;
  keep.drop_whitespace = false;
  EXPECT_EQ(utf8(normalize(in, keep).chars), "共办理#年 十\n五件一是");
}

TEST(Normalize, NewStepsKeepTheMapPropertiesOnRandomInputs) {
  static const std::u32string alphabet =
      U"〇零一二三四五六七八九十百千万亿两萬兩國務院辦年件次个是统0123 \n，。";
  Random rng(99);
  for (int t = 0; t < 500; ++t) {
    std::u32string in;
    const std::size_t length = 1 + rng.below(40);
    for (std::size_t i = 0; i < length; ++i) in.push_back(alphabet[rng.below(alphabet.size())]);
    SCOPED_TRACE(utf8(in));
    const NormalizedText n = normalize(in);
    expect_valid_map(n, in.size());
    // Every span between clean boundaries renormalizes to itself (the rule is context-free).
    for (std::size_t first = 0; first < n.size(); ++first) {
      if (first > 0 && n.end[first - 1] > n.begin[first]) continue;
      for (std::size_t last = first + 1; last <= n.size(); ++last) {
        if (last < n.size() && n.end[last - 1] > n.begin[last]) continue;
        const std::u32string sub =
            in.substr(n.source_begin(first), n.source_end(last) - n.source_begin(first));
        ASSERT_EQ(utf8(normalize(sub).chars), utf8(n.chars.substr(first, last - first)));
      }
    }
  }
}

TEST(Normalize, ParamsEquality) {
  NormalizeParams a, b;
  EXPECT_EQ(a, b);
  b.mask_digits = false;
  EXPECT_FALSE(a == b);
  EXPECT_GE(kNormalizationVersion, 1);
}

}  // namespace
}  // namespace leitong::testing
