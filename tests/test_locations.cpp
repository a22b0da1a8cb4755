// Passages located as a reader of the printed report finds them: by section and paragraph, not by
// code-point offsets (which stay in the JSON).
#include "support/variants.h"

#include <leitong/analysis/sections.h>
#include <leitong/render/report.h>

#include <gtest/gtest.h>

namespace leitong::testing {
namespace {

std::vector<SectionSpan> spans_of(const std::u32string& text) {
  std::vector<SectionSpan> out;
  for (const Section& s : split_sections(text)) out.push_back({s.start, s.end, s.title});
  return out;
}

std::uint32_t at(const std::u32string& text, const char* needle) {
  const std::size_t p = text.find(u32(needle));
  EXPECT_NE(p, std::u32string::npos) << needle;
  return static_cast<std::uint32_t>(p);
}

TEST(PassageLocation, SectionAndParagraphWithinIt) {
  const std::u32string text = u32(
      "某区民政局2024年法治政府建设年度报告\n"
      "2024年，我局坚持依法行政。\n"
      "一、主要举措和成效\n"
      "（一）完善制度。全年修订制度五项。\n"
      "\n"
      "（二）规范执法。开展案卷评查两次。\n"
      "二、存在的不足和原因\n"
      "一是学习不够深入。\n"
      "二是执法队伍力量不足。\n"
      "三、下一年度工作安排。明年将继续加强学习，提升执法水平。\n");
  const auto spans = spans_of(text);
  ASSERT_GE(spans.size(), 4u);
  EXPECT_EQ(passage_location(text, spans, at(text, "2024年，我局")), "开头第 2 段");
  EXPECT_EQ(passage_location(text, spans, at(text, "（一）完善")), "「主要举措和成效」第 1 段");
  // Blank lines are no paragraphs.
  EXPECT_EQ(passage_location(text, spans, at(text, "开展案卷")), "「主要举措和成效」第 2 段");
  EXPECT_EQ(passage_location(text, spans, at(text, "主要举措和成效")), "「主要举措和成效」标题");
  EXPECT_EQ(passage_location(text, spans, at(text, "二是执法")), "「存在的不足和原因」第 2 段");
  // A heading run into its paragraph: that line is the first paragraph.
  const std::string next = passage_location(text, spans, at(text, "明年将"));
  EXPECT_TRUE(next.ends_with("」第 1 段")) << next;
}

TEST(PassageLocation, TextWithoutHeadingsCountsParagraphsFromTheTop) {
  const std::u32string text = u32("第一段文字。\n第二段文字。\n\n第三段文字，较长一些。\n");
  const auto spans = spans_of(text);
  EXPECT_EQ(passage_location(text, spans, at(text, "第三段")), "第 3 段");
  EXPECT_EQ(passage_location(text, {}, at(text, "第二段")), "第 2 段");
  EXPECT_EQ(passage_location(text, spans, 9999), "第 3 段") << "past the end: the last paragraph";
}

}  // namespace
}  // namespace leitong::testing
