// Alignment on constructed cases: exact positions of copied passages, gaps bridged or not,
// reordering, the minimum length, and self-repetition.
#include "support/variants.h"

#include <leitong/core/align.h>
#include <leitong/core/sketch.h>

#include <gtest/gtest.h>

namespace leitong::testing {
namespace {

constexpr int kN = 5;

std::vector<AlignedPassage> run(const std::u32string& q, const std::u32string& s, const AlignParams& p = {}) {
  return align(make_sketch(q), make_sketch(s), kN, p);
}

TEST(Align, IdenticalTextsGiveOnePassageCoveringAll) {
  const auto text = random_ideographs(500, 1);
  const auto passages = run(text, text);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].query_begin, 0u);
  EXPECT_EQ(passages[0].query_end, 500u);
  EXPECT_EQ(passages[0].source_begin, 0u);
  EXPECT_EQ(passages[0].source_end, 500u);
  EXPECT_DOUBLE_EQ(passages[0].density(), 1.0);
}

TEST(Align, CopiedParagraphIsLocatedExactlyInBothTexts) {
  const auto copied = random_ideographs(120, 2);
  const auto query = random_ideographs(300, 3) + copied + random_ideographs(200, 4);
  const auto source = random_ideographs(700, 5) + copied + random_ideographs(100, 6);
  const auto passages = run(query, source);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].query_begin, 300u);
  EXPECT_EQ(passages[0].query_end, 420u);
  EXPECT_EQ(passages[0].source_begin, 700u);
  EXPECT_EQ(passages[0].source_end, 820u);
}

TEST(Align, SwappedNameInsideAPassageIsBridged) {
  const auto a = random_ideographs(80, 7), b = random_ideographs(80, 8);
  const auto query = a + U"福田镇" + b;  // no character in common with 罗湖区
  const auto source = a + U"罗湖区" + b;
  const auto passages = run(query, source);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].query_begin, 0u);
  EXPECT_EQ(passages[0].query_end, query.size());
  EXPECT_EQ(passages[0].matched, 160u);
  EXPECT_EQ(passages[0].runs.size(), 2u);
}

TEST(Align, InsertionLongerThanMaxGapSplitsThePassage) {
  const auto a = random_ideographs(80, 9), b = random_ideographs(80, 10);
  AlignParams params;
  params.max_gap = 30;
  const auto bridged = run(a + random_ideographs(25, 11) + b, a + b, params);
  EXPECT_EQ(bridged.size(), 1u);
  const auto split = run(a + random_ideographs(60, 12) + b, a + b, params);
  ASSERT_EQ(split.size(), 2u);
  EXPECT_EQ(split[0].query_end, 80u);
  EXPECT_EQ(split[1].query_begin, 140u);
}

TEST(Align, PassagesShorterThanTheMinimumAreDropped) {
  const auto common = random_ideographs(15, 13);
  const auto query = random_ideographs(200, 14) + common + random_ideographs(200, 15);
  const auto source = random_ideographs(200, 16) + common + random_ideographs(200, 17);
  AlignParams params;
  params.min_passage = 20;
  EXPECT_TRUE(run(query, source, params).empty());
  params.min_passage = 10;
  EXPECT_EQ(run(query, source, params).size(), 1u);
}

TEST(Align, SentencesReorderedInsideAParagraphStayOnePassage) {
  const auto s1 = random_ideographs(40, 18), s2 = random_ideographs(40, 19), s3 = random_ideographs(40, 20);
  const auto source = random_ideographs(100, 21) + s1 + s2 + s3 + random_ideographs(100, 22);
  const auto query = random_ideographs(100, 23) + s3 + s1 + s2 + random_ideographs(100, 24);
  const auto passages = run(query, source);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].query_begin, 100u);
  EXPECT_EQ(passages[0].query_end, 220u);
  EXPECT_EQ(passages[0].source_begin, 100u);
  EXPECT_EQ(passages[0].source_end, 220u);
}

TEST(Align, EachQueryCharacterBelongsToOnePassageAtMost) {
  // The source holds the copied text twice; the query once: one passage, not two overlapping.
  const auto copied = random_ideographs(100, 25);
  const auto source = copied + random_ideographs(50, 26) + copied;
  const auto query = random_ideographs(60, 27) + copied;
  const auto passages = run(query, source);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].query_end - passages[0].query_begin, 100u);
}

TEST(Align, UnrelatedTextsShareNothing) {
  EXPECT_TRUE(run(random_ideographs(3000, 28), random_ideographs(3000, 29)).empty());
}

TEST(Align, SelfRepetitionPointsFromTheLaterCopyToTheEarlierOne) {
  const auto paragraph = random_ideographs(90, 30);
  const auto text = random_ideographs(100, 31) + paragraph + random_ideographs(150, 32) + paragraph + random_ideographs(60, 33);
  const auto passages = align_self(make_sketch(text), kN);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(passages[0].query_begin, 340u);
  EXPECT_EQ(passages[0].query_end, 430u);
  EXPECT_EQ(passages[0].source_begin, 100u);
  EXPECT_EQ(passages[0].source_end, 190u);
}

TEST(Align, SelfRepetitionNeverOverlapsItsOwnSource) {
  // A periodic text: every copy overlaps the next, so each passage must stop before its source.
  std::u32string text;
  const auto unit = random_ideographs(30, 34);
  for (int i = 0; i < 10; ++i) text += unit;
  for (const auto& p : align_self(make_sketch(text), kN)) EXPECT_LE(p.source_end, p.query_begin);
}

// However many times a text repeats, every copy after the first is found repeating the one before:
// a shingle that occurs more often than max_occurrences is too common to locate anything between
// two documents, but within one it seeds from its nearest earlier occurrence.
TEST(Align, SelfRepetitionIsFoundAtAnyCount) {
  const auto unit = random_ideographs(400, 36);
  for (const int copies : {2, 3, 64, 65, 70, 300, 1000}) {
    std::u32string text;
    for (int c = 0; c < copies; ++c) text += unit;
    std::size_t covered = 0;
    std::uint32_t last_end = 0;
    for (const AlignedPassage& p : align_self(make_sketch(text), kN)) {
      EXPECT_GE(p.query_begin, last_end);  // passages do not overlap
      EXPECT_LE(p.source_end, p.query_begin);
      covered += p.query_end - p.query_begin;
      last_end = p.query_end;
    }
    EXPECT_EQ(covered, text.size() - unit.size()) << copies << " copies";
  }
}

TEST(Align, NoSelfRepetitionInRandomText) { EXPECT_TRUE(align_self(make_sketch(random_ideographs(4000, 35)), kN).empty()); }

TEST(Align, RestrictPassageClipsRunsAndRecomputesRanges) {
  AlignedPassage p;
  p.runs = {{10, 110, 20}, {40, 140, 20}};
  p.query_begin = 10, p.query_end = 60, p.source_begin = 110, p.source_end = 160, p.matched = 40;
  AlignedPassage out;
  ASSERT_TRUE(restrict_passage(p, 15, 50, 5, out));
  EXPECT_EQ(out.query_begin, 15u);
  EXPECT_EQ(out.query_end, 50u);
  EXPECT_EQ(out.source_begin, 115u);
  EXPECT_EQ(out.source_end, 150u);
  EXPECT_EQ(out.matched, 25u);
  EXPECT_FALSE(restrict_passage(p, 30, 40, 5, out)) << "nothing matched between the runs";
  EXPECT_FALSE(restrict_passage(p, 10, 12, 5, out)) << "shorter than the minimum";
}

TEST(Align, NormalizedOffsetsMapBackToTheExtractedText) {
  // Full-width digits, spaces and a line break inside the copied sentence: the passage, mapped
  // back, starts and ends on the copied characters of the original text.
  const std::u32string copied = random_ideographs(60, 36);
  const std::u32string query = U"前言。" + copied.substr(0, 30) + U"\n２０２３年 " + copied.substr(30) + U"。结束";
  const std::u32string source = copied.substr(0, 30) + U"2024年" + copied.substr(30);
  const Sketch qs = make_sketch(query), ss = make_sketch(source);
  const auto passages = align(qs, ss, kN);
  ASSERT_EQ(passages.size(), 1u);
  EXPECT_EQ(qs.normalized.source_begin(passages[0].query_begin), 3u);
  EXPECT_EQ(qs.normalized.source_end(passages[0].query_end), query.size() - 3);
  EXPECT_EQ(ss.normalized.source_begin(passages[0].source_begin), 0u);
  EXPECT_EQ(ss.normalized.source_end(passages[0].source_end), source.size());
}

}  // namespace
}  // namespace leitong::testing
