// Sections (analysis/sections.h): headings in their numbering styles, the mandated parts by their
// wording, and a report whose only recycled parts are its 存在的不足 and 下一步 sections.
#include <gtest/gtest.h>
#include <leitong/analysis/check.h>
#include <leitong/analysis/sections.h>
#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>
#include <leitong/render/report.h>

#include <regex>

#include "support/corpus.h"
#include "support/variants.h"

namespace leitong {
namespace {

using testing::random_ideographs;
using testing::u32;
using testing::utf8;

std::vector<std::string> kinds_of(const std::vector<Section>& sections) {
  std::vector<std::string> out;
  for (const Section& s : sections) out.emplace_back(section_kind_name(s.kind));
  return out;
}

TEST(SplitSections, EachNumberingStyleWithOrWithoutAHeadingLine) {
  const std::u32string body = random_ideographs(60, 1) + U"。\n";
  const std::vector<std::u32string> styles[] = {
      {U"一、主要举措和成效\n", U"二、存在的不足和原因\n", U"三、下一年度工作安排\n"},
      {U"第一部分 主要举措和成效\n", U"第二部分 存在的不足和原因\n", U"第三部分 下一年度工作安排\n"},
      {U"（一）主要举措和成效\n", U"（二）存在的不足和原因\n", U"（三）下一年度工作安排\n"},
      {U"1.主要举措和成效\n", U"2.存在的不足和原因\n", U"3.下一年度工作安排\n"},
      // Run into their paragraphs: the title ends at the first full stop.
      {U"一、主要举措和成效。", U"二、存在的不足和原因。", U"三、下一年度工作安排。"},
  };
  for (const auto& headings : styles) {
    std::u32string text = U"某局2024年法治政府建设年度报告\n";
    for (const std::u32string& h : headings) text += h + body;
    const std::vector<Section> sections = split_sections(text);
    ASSERT_EQ(sections.size(), 4u) << utf8(headings[0]);
    EXPECT_EQ(sections[0].title, "（开头）");
    EXPECT_EQ(kinds_of(sections), (std::vector<std::string>{"other", "measures", "shortcomings", "next_year"}))
        << utf8(headings[0]);
    EXPECT_EQ(sections[2].title, "存在的不足和原因");
    // Together they are the whole text, each starting at its heading.
    EXPECT_EQ(sections.front().start, 0u);
    EXPECT_EQ(sections.back().end, text.size());
    for (std::size_t i = 1; i < sections.size(); ++i) EXPECT_EQ(sections[i].start, sections[i - 1].end);
    EXPECT_EQ(text.substr(sections[1].start, headings[0].size()), headings[0]);
    EXPECT_EQ(missing_parts(sections), std::vector<SectionKind>{SectionKind::kLeadership});
  }
}

TEST(SplitSections, TheHighestLevelCutsAndLowerHeadingsStayInside) {
  const std::u32string text =
      U"一、2024年工作情况\n（一）强化领导。" + random_ideographs(40, 2) + U"\n（二）完善制度。" + random_ideographs(40, 3) +
      U"\n二、2024年度主要负责人履行推进法治建设第一责任人职责情况\n" + random_ideographs(40, 4) +
      U"\n三、存在问题和下一步打算\n（一）存在问题。" + random_ideographs(30, 5) + U"\n（二）下一步工作打算。" +
      random_ideographs(30, 6) + U"\n";
  const std::vector<Section> sections = split_sections(text);
  ASSERT_EQ(sections.size(), 3u);
  EXPECT_EQ(kinds_of(sections), (std::vector<std::string>{"measures", "leadership", "shortcomings"}));
  // 下一步 is named by a heading inside the third section: not missing.
  EXPECT_TRUE(missing_parts(sections).empty());
}

TEST(SplitSections, TheBundledReportsMapToTheirMandatedParts) {
  const auto read = [](const char* name) { return testing::read_corpus_text(std::string("reports/") + name); };
  EXPECT_EQ(kinds_of(split_sections(read("anwen-zhen-2021.txt"))),
            (std::vector<std::string>{"other", "measures", "leadership", "shortcomings", "next_year", "other"}));
  const std::vector<Section> hechuan = split_sections(read("hechuan-sifa-2024.txt"));
  EXPECT_EQ(kinds_of(hechuan), (std::vector<std::string>{"other", "measures", "shortcomings", "next_year"}));
  EXPECT_EQ(missing_parts(hechuan), std::vector<SectionKind>{SectionKind::kLeadership});
  // 罗湖's measures go by theme (一、聚焦…, 二、聚焦…): the parts before its 存在不足 are the measures.
  const std::vector<Section> luohu = split_sections(read("luohu-minzheng-2024.txt"));
  EXPECT_EQ(kinds_of(luohu),
            (std::vector<std::string>{"other", "measures", "measures", "measures", "measures", "shortcomings"}));
  // A text without headings is one section, and no mandated part is said missing.
  const std::vector<Section> plain = split_sections(random_ideographs(200, 7));
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_TRUE(missing_parts(plain).empty());
}

// The prior year's report, and this year's whose measures are new and whose 存在的不足 and 下一步
// sections are last year's with the years changed; `renumbered` rewrites its headings as （一）（二）（三）.
struct Recycled {
  std::u32string prior, report;
};
Recycled recycled_shortcomings(bool renumbered) {
  Recycled out;
  out.prior = testing::read_corpus_text("reports/hechuan-sifa-2024.txt");
  const std::vector<Section> sections = split_sections(out.prior);
  std::u32string report = U"合川区司法局2025年法治政府建设年度报告\n" + random_ideographs(120, 99) + U"。\n";
  std::u32string measures = U"一、2025年推进法治政府建设的主要举措和成效\n";
  for (int p = 0; p < 6; ++p) measures += random_ideographs(230, 100 + p) + U"。\n";
  report += measures;
  report += out.prior.substr(sections[2].start);  // 二、存在的问题和不足 and 三、下一步工作打算
  report = u32(std::regex_replace(utf8(report), std::regex("2024"), "2025"));
  if (renumbered)
    for (const auto& [from, to] : {std::pair{U"一、", U"（一）"}, {U"二、", U"（二）"}, {U"三、", U"（三）"}}) {
      const std::size_t at = report.find(from);
      if (at != std::u32string::npos) report.replace(at, std::u32string_view(from).size(), to);
    }
  out.report = report;
  return out;
}

TEST(Sections, OnlyTheRecycledShortcomingsAndPlansAreCopied) {
  for (const bool renumbered : {false, true}) {
    const Recycled c = recycled_shortcomings(renumbered);
    testing::TempDir dir;
    Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
    archive.add({{0, "2024.txt", "重庆市合川区司法局", 2024, DocumentKind::kReport}, c.prior});
    const Findings f = check_against_archive(
        archive, {{0, "2025.txt", "重庆市合川区司法局", 2025, DocumentKind::kReport}, c.report});
    std::map<std::string, double> by_kind;
    for (const SectionFinding& s : f.sections)
      if (s.kind != SectionKind::kOther) by_kind[std::string(section_kind_name(s.kind))] = s.copy_ratio_excluding_boilerplate;
    ASSERT_EQ(by_kind.size(), 3u) << renumbered;
    EXPECT_GE(by_kind["shortcomings"], 0.8) << renumbered;
    EXPECT_GE(by_kind["next_year"], 0.8) << renumbered;
    EXPECT_LE(by_kind["measures"], 0.1) << renumbered;
    EXPECT_EQ(f.missing_parts, std::vector<SectionKind>{SectionKind::kLeadership});
    // The whole report is not flagged: its measures are new.
    EXPECT_LT(f.copy_ratio_excluding_boilerplate, 0.4) << renumbered;
    // In JSON: the copied sections name the prior report as their largest source.
    const nlohmann::json j = findings_to_json(f);
    ASSERT_EQ(j.at("sections").size(), f.sections.size());
    for (const auto& section : j.at("sections"))
      if (section.at("kind") == "shortcomings") {
        ASSERT_TRUE(section.at("max_source").is_number()) << section.dump();
        EXPECT_EQ(j.at("sources").at(section.at("max_source").get<std::size_t>()).at("year"), 2024);
        EXPECT_GE(section.at("max_source_ratio").get<double>(), 0.8);
      }
    EXPECT_EQ(j.at("missing_parts"), nlohmann::json::array({"leadership"}));

    // yoy names the two sections although the row is not flagged.
    archive.add({{0, "2025.txt", "重庆市合川区司法局", 2025, DocumentKind::kReport}, c.report});
    archive.flush();
    const YoyResult yoy = year_over_year(archive, YoyParams{});
    ASSERT_EQ(yoy.rows.size(), 1u);
    EXPECT_FALSE(yoy.rows[0].flagged);
    const nlohmann::json row = yoy_to_json(yoy).at("rows").at(0);
    std::vector<std::string> named;
    for (const auto& s : row.at("copied_sections")) named.push_back(s.at("kind").get<std::string>());
    std::sort(named.begin(), named.end());
    EXPECT_EQ(named, (std::vector<std::string>{"next_year", "shortcomings"})) << row.dump();
    const std::string text = render_yoy_text(yoy);
    EXPECT_NE(text.find("sections from 2024: "), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace leitong
