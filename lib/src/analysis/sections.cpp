#include <leitong/analysis/sections.h>
#include <leitong/core/text.h>

#include <algorithm>
#include <array>
#include <initializer_list>

namespace leitong {

namespace {

bool is_numeral(char32_t c) { return std::u32string_view(U"一二三四五六七八九十百零〇").find(c) != std::u32string_view::npos; }
bool is_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

// The level of the heading a line starts with (1: 第X部分/章, 2: 一、, 3: （一）, 4: 1.), or 0;
// `title_at` is where its title starts.
int heading_level(std::u32string_view line, std::size_t& title_at) {
  std::size_t i = 0;
  while (i < line.size() && is_whitespace(line[i])) ++i;
  const std::size_t n = line.size();
  auto numerals_from = [&](std::size_t j) {
    while (j < n && is_numeral(line[j])) ++j;
    return j;
  };
  if (i < n && line[i] == U'第') {
    const std::size_t j = numerals_from(i + 1);
    if (j > i + 1 && j - i <= 4) {
      const std::u32string_view rest = line.substr(j);
      for (const std::u32string_view unit : {std::u32string_view(U"部分"), std::u32string_view(U"章")})
        if (rest.starts_with(unit)) {
          title_at = j + unit.size();
          return 1;
        }
    }
  }
  if (const std::size_t j = numerals_from(i); j > i && j - i <= 3 && j < n && (line[j] == U'、' || line[j] == U'．')) {
    title_at = j + 1;
    return 2;
  }
  if (i < n && (line[i] == U'（' || line[i] == U'(')) {
    const std::size_t j = numerals_from(i + 1);
    if (j > i + 1 && j - i <= 4 && j < n && (line[j] == U'）' || line[j] == U')')) {
      title_at = j + 1;
      return 3;
    }
  }
  std::size_t j = i;
  while (j < n && is_digit(line[j])) ++j;
  if (j > i && j - i <= 2 && j + 1 < n && (line[j] == U'.' || line[j] == U'、' || line[j] == U'．') &&
      !is_digit(line[j + 1])) {
    title_at = j + 1;
    return 4;
  }
  return 0;
}

// The heading's title: up to the end of its first clause (a heading run into its paragraph ends
// there), at most 40 characters.
std::u32string title_of(std::u32string_view line, std::size_t at) {
  std::u32string_view t = line.substr(at);
  const std::size_t end = t.find_first_of(U"。；;：:\n");
  if (end != std::u32string_view::npos) t = t.substr(0, end);
  while (!t.empty() && is_whitespace(t.front())) t.remove_prefix(1);
  while (!t.empty() && is_whitespace(t.back())) t.remove_suffix(1);
  return std::u32string(t.substr(0, 40));
}

bool has_any(std::u32string_view title, std::initializer_list<std::u32string_view> words) {
  return std::any_of(words.begin(), words.end(), [&](std::u32string_view w) { return title.find(w) != std::u32string_view::npos; });
}

SectionKind kind_of(std::u32string_view title) {
  if (has_any(title, {U"其他需要", U"其它需要", U"其他情况"})) return SectionKind::kOther;
  if (has_any(title, {U"第一责任人", U"负责同志履行"}) ||
      (title.find(U"主要负责人") != std::u32string_view::npos && has_any(title, {U"职责", U"履行"})))
    return SectionKind::kLeadership;
  if (has_any(title, {U"不足", U"问题", U"短板", U"差距", U"困难"})) return SectionKind::kShortcomings;
  if (has_any(title, {U"下一年", U"下一步", U"下步", U"明年", U"工作安排", U"工作计划", U"工作打算", U"思路", U"打算",
                      U"规划", U"展望", U"努力方向", U"主要安排", U"工作重点"}))
    return SectionKind::kNextYear;
  if (has_any(title, {U"举措", U"成效", U"措施", U"工作情况", U"开展情况", U"推进情况", U"落实情况", U"主要工作",
                      U"做法", U"成绩", U"工作开展", U"开展的"}))
    return SectionKind::kMeasures;
  return SectionKind::kOther;
}

bool mandated(SectionKind kind) { return kind != SectionKind::kOther; }

}  // namespace

std::string_view section_kind_name(SectionKind kind) {
  switch (kind) {
    case SectionKind::kMeasures: return "measures";
    case SectionKind::kShortcomings: return "shortcomings";
    case SectionKind::kLeadership: return "leadership";
    case SectionKind::kNextYear: return "next_year";
    case SectionKind::kOther: return "other";
  }
  return "other";
}

std::string_view section_kind_label(SectionKind kind) {
  switch (kind) {
    case SectionKind::kMeasures: return "主要举措和成效";
    case SectionKind::kShortcomings: return "存在的不足和原因";
    case SectionKind::kLeadership: return "主要负责人履行第一责任人职责情况";
    case SectionKind::kNextYear: return "下一年度工作安排";
    case SectionKind::kOther: return "其他";
  }
  return "其他";
}

std::vector<Section> split_sections(std::u32string_view text) {
  struct Heading {
    int level;
    std::uint32_t at;
    std::u32string title;
  };
  std::vector<Heading> headings;
  std::array<int, 5> per_level{};
  for (std::size_t line_start = 0; line_start < text.size();) {
    std::size_t line_end = text.find(U'\n', line_start);
    if (line_end == std::u32string_view::npos) line_end = text.size();
    const std::u32string_view line = text.substr(line_start, line_end - line_start);
    std::size_t title_at = 0;
    if (const int level = heading_level(line, title_at)) {
      headings.push_back({level, static_cast<std::uint32_t>(line_start), title_of(line, title_at)});
      ++per_level[level];
    }
    line_start = line_end + 1;
  }
  int level = 0;
  for (int l = 1; l <= 4 && !level; ++l)
    if (per_level[l] >= 2) level = l;

  std::vector<Section> sections;
  auto add = [&](std::uint32_t start, std::uint32_t end, const std::u32string& title, bool preamble) {
    if (start >= end) return;
    const std::u32string_view body = text.substr(start, end - start);
    if (std::all_of(body.begin(), body.end(), is_whitespace)) return;
    Section s;
    s.title = preamble ? "（开头）" : encode_utf8(title);
    s.kind = preamble ? SectionKind::kOther : kind_of(title);
    s.start = start;
    s.end = end;
    sections.push_back(std::move(s));
  };
  std::vector<const Heading*> top;
  for (const Heading& h : headings)
    if (h.level == level) top.push_back(&h);
  const auto size = static_cast<std::uint32_t>(text.size());
  if (top.empty()) {
    add(0, size, U"", true);
    if (!sections.empty()) sections.front().title = "（全文）";
    return sections;
  }
  add(0, top.front()->at, U"", true);
  for (std::size_t i = 0; i < top.size(); ++i)
    add(top[i]->at, i + 1 < top.size() ? top[i + 1]->at : size, top[i]->title, false);

  for (Section& s : sections)
    for (const Heading& h : headings)
      if (h.level > level && h.at > s.start && h.at < s.end)
        if (const SectionKind k = kind_of(h.title); mandated(k) && k != s.kind &&
                                                    std::find(s.inner_kinds.begin(), s.inner_kinds.end(), k) ==
                                                        s.inner_kinds.end())
          s.inner_kinds.push_back(k);

  // Measures told by theme (一、聚焦…, 二、聚焦…) rather than by name: the titled parts before the
  // first other mandated part.
  const bool named_measures =
      std::any_of(sections.begin(), sections.end(), [](const Section& s) { return s.kind == SectionKind::kMeasures; });
  const auto first_mandated =
      std::find_if(sections.begin(), sections.end(), [](const Section& s) { return mandated(s.kind); });
  if (!named_measures && first_mandated != sections.end())
    for (auto it = sections.begin(); it != first_mandated; ++it)
      if (it->title != "（开头）") it->kind = SectionKind::kMeasures;
  return sections;
}

std::vector<SectionKind> missing_parts(const std::vector<Section>& sections) {
  const std::array<SectionKind, 4> parts = {SectionKind::kMeasures, SectionKind::kShortcomings,
                                            SectionKind::kLeadership, SectionKind::kNextYear};
  auto has = [&](SectionKind k) {
    return std::any_of(sections.begin(), sections.end(), [k](const Section& s) {
      return s.kind == k || std::find(s.inner_kinds.begin(), s.inner_kinds.end(), k) != s.inner_kinds.end();
    });
  };
  std::vector<SectionKind> missing;
  if (std::none_of(parts.begin(), parts.end(), has)) return missing;
  for (SectionKind k : parts)
    if (!has(k)) missing.push_back(k);
  return missing;
}

}  // namespace leitong
