// Sections of a report: split at its top-level headings (一、 / 第三部分 / (一) / 1. …, with or
// without a line of their own) and mapped to the mandated parts of a 法治政府建设年度报告
// (DESIGN.md "Agencies and sections"), so that a check can say "存在的不足 copied 95 % from 2023".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace leitong {

enum class SectionKind { kMeasures, kShortcomings, kLeadership, kNextYear, kOther };
// "measures" (主要举措和成效), "shortcomings" (存在的不足和原因), "leadership" (主要负责人履行推进法治
// 建设第一责任人职责情况), "next_year" (下一年度工作安排), "other".
std::string_view section_kind_name(SectionKind kind);
std::string_view section_kind_label(SectionKind kind);  // the part's name in Chinese

struct Section {
  std::string title;  // the heading (UTF-8, at most 40 characters); "（开头）" for text before the first
  SectionKind kind = SectionKind::kOther;
  std::uint32_t start = 0, end = 0;  // code points of the text: the heading through the next one
  // Mandated parts named by headings of lower levels inside it: 五、改进不足，推进新年度工作
  // holding （三）下一步工作安排 has the next year's plan too.
  std::vector<SectionKind> inner_kinds;
};

// Cuts `text` at the headings of its highest level present (a level counts when it heads at
// least two sections): 一、…, then 第X部分, then （一）…, then 1.…; text before the first heading
// is a section of its own. Kinds come from the titles' wording; where no title names the
// measures, the untitled parts before the first other mandated part are taken as the measures
// (reports often split them by theme). A text without headings is one `other` section.
std::vector<Section> split_sections(std::u32string_view text);

// The mandated parts a report lacks, neither a section's kind nor named inside one: given only when
// it has at least one of them (a document with none is not such a report).
std::vector<SectionKind> missing_parts(const std::vector<Section>& sections);

}  // namespace leitong
