#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <leitong/analysis/sections.h>
#include <leitong/core/diff.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/render/pdf_report.h>
#include <leitong/render/report.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

namespace leitong {

namespace {

using nlohmann::json;

constexpr double kPageWidth = 595.276, kPageHeight = 841.89;  // A4, in points
constexpr double kMarginX = 56.7, kTop = 72, kBottom = 64;      // 2 cm at the sides
constexpr double kBodyWidth = kPageWidth - 2 * kMarginX;
constexpr const char* kFamily = "WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, Noto Sans SC, sans-serif";
// Past these the report says how much it left out: a report is read, not searched.
constexpr std::size_t kMaxTextCodePoints = 300000;
constexpr std::size_t kMaxSideBySide = 300;
constexpr std::size_t kSideBySideCodePoints = 400;

struct Rgb {
  double r, g, b;
};
constexpr Rgb kBlack{0.1, 0.1, 0.1}, kGrey{0.42, 0.42, 0.42}, kRule{0.75, 0.75, 0.75}, kHeadFill{0.93, 0.93, 0.93};
constexpr Rgb kCopied{1.0, 0.82, 0.78}, kBoiler{0.86, 0.86, 0.86}, kSelf{0.80, 0.88, 1.0};

std::string markup(std::string_view text) {
  gchar* escaped = g_markup_escape_text(text.data(), static_cast<gssize>(text.size()));
  std::string out(escaped);
  g_free(escaped);
  return out;
}

std::string pct(double value) { return fmt::format("{:.1f}%", 100 * value); }

// Byte offset of each code point of UTF-8 `text`, and the size at the end.
std::vector<std::size_t> code_point_offsets(std::string_view text) {
  std::vector<std::size_t> at;
  at.reserve(text.size() / 2 + 1);
  for (std::size_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) at.push_back(i);
  at.push_back(text.size());
  return at;
}

// A passage and its source as Pango markup, at most max_code_points each, the characters that
// differ (a changed year, number or name) marked as the evidence page marks them.
std::pair<std::string, std::string> marked_pair(const std::string& a, const std::string& b,
                                                std::size_t max_code_points) {
  std::u32string ua, ub;
  try {
    ua = decode_utf8(a, "passage");
    ub = decode_utf8(b, "source");
  } catch (const Error&) {
    return {markup(a), markup(b)};
  }
  // Diffed whole, shown cut: cutting first would mark the ends where the two cuts fall apart.
  std::vector<std::uint8_t> changed_a, changed_b;
  const bool diffed = char_diff(ua, ub, changed_a, changed_b);
  auto render = [&](const std::u32string& s, const std::vector<std::uint8_t>& changed) {
    const std::size_t shown = std::min(s.size(), max_code_points);
    auto marked = [&](std::size_t i) { return diffed && changed[i] && s[i] != U' ' && s[i] != U'\n'; };
    std::string out;
    std::size_t i = 0;
    while (i < shown) {
      const bool mark = marked(i);
      std::size_t j = i + 1;
      while (j < shown && marked(j) == mark) ++j;
      const std::string run = markup(encode_utf8(std::u32string_view(s).substr(i, j - i)));
      out += mark ? "<span background=\"#ffd54f\" weight=\"bold\">" + run + "</span>" : run;
      i = j;
    }
    if (s.size() > shown) out += markup(fmt::format("……（共 {} 字）", s.size()));
    return out;
  };
  return {render(ua, changed_a), render(ub, changed_b)};
}

std::string relation_label(const std::string& relation) {
  if (relation == "same_agency") return "本单位往年";
  if (relation == "peer") return "其他单位";
  if (relation == "template") return "范文";
  if (relation == "self") return "本文";
  return relation;
}

std::string base_name(const std::string& file) {
  const std::string name = std::filesystem::path(file).filename().string();
  return name.empty() ? file : name;
}

double number(const json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : 0.0;
}
std::string text_of(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Pages of the report: blocks of text laid out by Pango, broken across pages line by line, each
// page with its running head and its number.
class Pages {
 public:
  Pages(cairo_surface_t* surface, const PdfReportInfo& info, int total_pages)
      : cr_(cairo_create(surface)), info_(info), total_(total_pages) {
    begin_page();
  }
  ~Pages() { cairo_destroy(cr_); }
  Pages(const Pages&) = delete;
  Pages& operator=(const Pages&) = delete;

  int page() const { return page_; }

  struct LayoutDeleter {
    void operator()(PangoLayout* layout) const { g_object_unref(layout); }
  };
  using Layout = std::unique_ptr<PangoLayout, LayoutDeleter>;

  Layout layout(const std::string& pango_markup, double size, double width, bool bold = false) {
    Layout out(pango_cairo_create_layout(cr_));
    PangoFontDescription* font = pango_font_description_from_string(kFamily);
    pango_font_description_set_size(font, static_cast<int>(size * PANGO_SCALE));
    if (bold) pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
    pango_layout_set_font_description(out.get(), font);
    pango_font_description_free(font);
    pango_layout_set_width(out.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(out.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_markup(out.get(), pango_markup.c_str(), -1);
    return out;
  }

  // Lines of `layout` from the current position down, onto following pages as needed.
  void flow(PangoLayout* layout, double x = kMarginX, Rgb colour = kBlack) {
    PangoLayoutIter* it = pango_layout_get_iter(layout);
    do {
      PangoRectangle line;
      pango_layout_iter_get_line_extents(it, nullptr, &line);
      const double height = line.height / double(PANGO_SCALE);
      const double baseline = (pango_layout_iter_get_baseline(it) - line.y) / double(PANGO_SCALE);
      if (y_ + height > kPageHeight - kBottom) new_page();
      cairo_set_source_rgb(cr_, colour.r, colour.g, colour.b);
      cairo_move_to(cr_, x + line.x / double(PANGO_SCALE), y_ + baseline);
      pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
      y_ += height;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
  }

  void text(const std::string& pango_markup, double size = 10, Rgb colour = kBlack, bool bold = false,
            double indent = 0) {
    Layout l = layout(pango_markup, size, kBodyWidth - indent, bold);
    flow(l.get(), kMarginX + indent, colour);
  }

  void heading(const std::string& title) {
    need(80);
    space(10);
    text(markup(title), 13, kBlack, true);
    rule(0.8);
    space(5);
  }

  void space(double points) { y_ = std::min(y_ + points, kPageHeight - kBottom); }
  void need(double points) {
    if (y_ + points > kPageHeight - kBottom) new_page();
  }
  void rule(double width = 0.5) {
    cairo_set_source_rgb(cr_, kRule.r, kRule.g, kRule.b);
    cairo_set_line_width(cr_, width);
    cairo_move_to(cr_, kMarginX, y_ + 2);
    cairo_line_to(cr_, kPageWidth - kMarginX, y_ + 2);
    cairo_stroke(cr_);
    y_ += 4;
  }

  struct Cell {
    std::string markup;
    double width;
    bool bold = false;
    std::optional<Rgb> fill;
    double size = 9;
  };
  // One table row; a row that does not fit starts a new page, under `header` again when given.
  void row(const std::vector<Cell>& cells, const std::vector<Cell>* header = nullptr) {
    constexpr double kPad = 4;
    std::vector<Layout> layouts;
    double height = 0;
    for (const Cell& c : cells) {
      layouts.push_back(layout(c.markup, c.size, c.width - 2 * kPad, c.bold));
      PangoRectangle logical;
      pango_layout_get_extents(layouts.back().get(), nullptr, &logical);
      height = std::max(height, logical.height / double(PANGO_SCALE) + 2 * kPad);
    }
    if (y_ + height > kPageHeight - kBottom) {
      new_page();
      if (header) row(*header);
    }
    double x = kMarginX;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (cells[i].fill) {
        cairo_set_source_rgb(cr_, cells[i].fill->r, cells[i].fill->g, cells[i].fill->b);
        cairo_rectangle(cr_, x, y_, cells[i].width, height);
        cairo_fill(cr_);
      }
      cairo_set_source_rgb(cr_, kRule.r, kRule.g, kRule.b);
      cairo_set_line_width(cr_, 0.5);
      cairo_rectangle(cr_, x, y_, cells[i].width, height);
      cairo_stroke(cr_);
      cairo_set_source_rgb(cr_, kBlack.r, kBlack.g, kBlack.b);
      cairo_move_to(cr_, x + kPad, y_ + kPad);
      pango_cairo_show_layout(cr_, layouts[i].get());
      x += cells[i].width;
    }
    y_ += height;
  }

  // A paragraph of the report's text with the passages in it highlighted.
  void highlighted(const std::string& paragraph, const std::vector<std::tuple<std::size_t, std::size_t, Rgb>>& marks) {
    Layout l = layout("", 10, kBodyWidth);
    pango_layout_set_text(l.get(), paragraph.data(), static_cast<int>(paragraph.size()));
    PangoAttrList* attributes = pango_attr_list_new();
    for (const auto& [begin, end, colour] : marks) {
      PangoAttribute* a = pango_attr_background_new(static_cast<guint16>(colour.r * 65535),
                                                    static_cast<guint16>(colour.g * 65535),
                                                    static_cast<guint16>(colour.b * 65535));
      a->start_index = static_cast<guint>(begin);
      a->end_index = static_cast<guint>(end);
      pango_attr_list_insert(attributes, a);
    }
    pango_layout_set_attributes(l.get(), attributes);
    pango_attr_list_unref(attributes);
    pango_layout_set_spacing(l.get(), 3 * PANGO_SCALE);
    flow(l.get());
  }

  // Characters no installed font could show, in what was laid out so far.
  int unknown_glyphs(const std::string& sample) {
    Layout l = layout(markup(sample), 10, kBodyWidth);
    return pango_layout_get_unknown_glyphs_count(l.get());
  }

  void finish() {
    footer();
    cairo_show_page(cr_);
  }

 private:
  void begin_page() {
    y_ = kTop;
    Layout head = layout(markup(fmt::format("文本复制检测报告　报告编号：{}", info_.number)), 8, kBodyWidth * 0.7);
    cairo_set_source_rgb(cr_, kGrey.r, kGrey.g, kGrey.b);
    cairo_move_to(cr_, kMarginX, 40);
    pango_cairo_show_layout(cr_, head.get());
    Layout by = layout(markup(info_.produced_by), 8, kBodyWidth * 0.3);
    pango_layout_set_alignment(by.get(), PANGO_ALIGN_RIGHT);
    cairo_move_to(cr_, kMarginX + kBodyWidth * 0.7, 40);
    pango_cairo_show_layout(cr_, by.get());
    cairo_set_source_rgb(cr_, kRule.r, kRule.g, kRule.b);
    cairo_set_line_width(cr_, 0.5);
    cairo_move_to(cr_, kMarginX, 54);
    cairo_line_to(cr_, kPageWidth - kMarginX, 54);
    cairo_stroke(cr_);
  }
  void footer() {
    const std::string label = total_ > 0 ? fmt::format("第 {} 页　共 {} 页", page_, total_) : fmt::format("第 {} 页", page_);
    Layout foot = layout(markup(label), 8, kBodyWidth);
    pango_layout_set_alignment(foot.get(), PANGO_ALIGN_CENTER);
    cairo_set_source_rgb(cr_, kGrey.r, kGrey.g, kGrey.b);
    cairo_move_to(cr_, kMarginX, kPageHeight - 40);
    pango_cairo_show_layout(cr_, foot.get());
  }
  void new_page() {
    footer();
    cairo_show_page(cr_);
    ++page_;
    begin_page();
  }

  cairo_t* cr_;
  const PdfReportInfo& info_;
  int total_;
  int page_ = 1;
  double y_ = kTop;
};

void compose(Pages& pages, const json& check, std::string_view text, const PdfReportInfo& info) {
  const json& document = check.at("document");
  const json& sources = check.at("sources");
  const json& passages = check.at("passages");

  pages.text("<b>文本复制检测报告</b>", 20);
  pages.space(4);
  pages.text(markup(fmt::format("报告编号：{}　　检测时间：{}", info.number, info.checked_at)), 9, kGrey);
  pages.space(8);

  // The document and what it was compared with.
  const double key = 90, value = kBodyWidth - key;
  auto detail = [&](const std::string& name, const std::string& v) {
    pages.row({{markup(name), key, true, kHeadFill}, {markup(v.empty() ? "-" : v), value}});
  };
  detail("文件", base_name(text_of(document, "file")));
  detail("单位", text_of(document, "agency"));
  detail("年度", text_of(document, "year"));
  detail("字数", fmt::format("{}（不含空白）", text_of(document, "chars")));
  detail("比对范围", fmt::format("档案 {}；与其中 {} 篇逐段比对", info.scope, text_of(check, "candidates_compared")));
  if (const auto s = check.find("settings"); s != check.end() && s->is_object())
    detail("检测参数", fmt::format("{} 字片段，最短片段 {} 字；{} 个以上其他单位共用的文字为样板",
                                   text_of(*s, "shingle"), text_of(*s, "min_passage"),
                                   text_of(*s, "boilerplate_agencies")));

  // The indices and the conclusion.
  pages.space(10);
  const double quarter = kBodyWidth / 4;
  auto index = [&](const char* name, double v) {
    return Pages::Cell{fmt::format("<span size=\"small\">{}</span>\n<span size=\"xx-large\"><b>{}</b></span>", name,
                                   pct(v)),
                       quarter};
  };
  pages.row({index("总复制比", number(check, "copy_ratio")),
             index("去除样板后复制比", number(check, "copy_ratio_excluding_boilerplate")),
             index("单篇最大复制比", number(check, "max_source_ratio")),
             index("样板（公文套语）", number(check, "boilerplate_ratio"))});
  pages.space(10);
  pages.text(markup("结论：" + check_conclusion(check)), 12, kBlack, true);
  pages.space(3);
  pages.text(markup("判定方法：某一来源去除样板后的复制比达到 40%（逐年检查标记雷同的阈值）为疑似雷同；"
                    "样板为多个单位共用的公文套语和规定格式，列出但不计入去除样板后的复制比；"
                    "年份与数字在比对时不计差异。本报告由程序生成，结论须经人工核对。"),
             8.5, kGrey);

  // Sources.
  std::size_t with_passages = 0;
  for (const json& s : sources)
    if (number(s, "passages") > 0) ++with_passages;
  pages.heading(fmt::format("相似来源（{} 篇）", with_passages));
  if (with_passages == 0) {
    pages.text(markup("档案中没有文档与本报告共用片段。"));
  } else {
    const std::vector<double> w = {22, 60, 112, 40, 107.9, 46, 56, 38};
    const std::vector<Pages::Cell> header = {
        {"#", w[0], true, kHeadFill},       {"关系", w[1], true, kHeadFill},     {"单位", w[2], true, kHeadFill},
        {"年度", w[3], true, kHeadFill},    {"文件", w[4], true, kHeadFill},     {"复制比", w[5], true, kHeadFill},
        {"去除样板", w[6], true, kHeadFill}, {"片段", w[7], true, kHeadFill}};
    pages.row(header);
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const json& s = sources[i];
      if (number(s, "passages") <= 0) continue;
      pages.row({{std::to_string(i + 1), w[0]},
                 {markup(relation_label(text_of(s, "relation"))), w[1]},
                 {markup(text_of(s, "agency")), w[2]},
                 {text_of(s, "year"), w[3]},
                 {markup(base_name(text_of(s, "file"))), w[4]},
                 {pct(number(s, "copy_ratio")), w[5]},
                 {pct(number(s, "copy_ratio_excluding_boilerplate")), w[6]},
                 {text_of(s, "passages"), w[7]}},
                &header);
    }
    if (sources.size() > with_passages)
      pages.text(markup(fmt::format("另有 {} 篇文档参与比对，未见共用片段。", sources.size() - with_passages)), 8.5,
                 kGrey);
  }

  // Sections: what each part of the report copies.
  if (const auto it = check.find("sections"); it != check.end() && it->is_array() && it->size() > 1) {
    pages.heading(fmt::format("分节（{} 节）", it->size()));
    const std::vector<double> w = {72, 160, 50, 56, 143.9};
    const std::vector<Pages::Cell> header = {{"部分", w[0], true, kHeadFill},
                                             {"标题", w[1], true, kHeadFill},
                                             {"复制比", w[2], true, kHeadFill},
                                             {"去除样板", w[3], true, kHeadFill},
                                             {"主要来源", w[4], true, kHeadFill}};
    pages.row(header);
    for (const json& section : *it) {
      std::string label = "其他";
      for (const SectionKind k : {SectionKind::kMeasures, SectionKind::kShortcomings, SectionKind::kLeadership,
                                  SectionKind::kNextYear})
        if (text_of(section, "kind") == section_kind_name(k)) label = section_kind_label(k);
      std::string source = "-";
      if (const auto m = section.find("max_source"); m != section.end() && m->is_number()) {
        const auto source_index = m->get<std::size_t>();
        if (source_index < sources.size())
          source = fmt::format("{} {} 年（{}）", text_of(sources[source_index], "agency"),
                               text_of(sources[source_index], "year"),
                               pct(number(section, "max_source_ratio")));
      }
      const double excluding = number(section, "copy_ratio_excluding_boilerplate");
      const std::optional<Rgb> fill = excluding >= 0.4 ? std::optional<Rgb>(kCopied) : std::nullopt;
      pages.row({{markup(label), w[0], false, fill},
                 {markup(text_of(section, "title")), w[1], false, fill},
                 {pct(number(section, "copy_ratio")), w[2], false, fill},
                 {pct(excluding), w[3], false, fill},
                 {markup(source), w[4], false, fill}},
                &header);
    }
    if (const auto m = check.find("missing_parts"); m != check.end() && m->is_array() && !m->empty()) {
      std::string parts;
      for (const json& k : *m)
        for (const SectionKind kind : {SectionKind::kMeasures, SectionKind::kShortcomings, SectionKind::kLeadership,
                                       SectionKind::kNextYear})
          if (k.is_string() && k.get<std::string>() == section_kind_name(kind))
            parts += (parts.empty() ? "" : "、") + std::string(section_kind_label(kind));
      pages.text(markup("报告缺少的规定部分：" + parts), 9);
    }
    pages.text(markup("去除样板后复制比达到 40% 的部分以浅红色标出。"), 8.5, kGrey);
  }

  // The whole text, passages highlighted.
  pages.heading("全文标注");
  pages.row({{"复制片段（来自档案中的文档）", kBodyWidth / 3, false, kCopied, 8.5},
             {"样板（公文套语）", kBodyWidth / 3, false, kBoiler, 8.5},
             {"本文内部重复", kBodyWidth / 3, false, kSelf, 8.5}});
  pages.space(6);
  const std::vector<std::size_t> at = code_point_offsets(text);
  const std::size_t shown = std::min(at.size() - 1, kMaxTextCodePoints);
  struct Mark {
    std::size_t begin, end;  // code points
    Rgb colour;
  };
  std::vector<Mark> marks;
  for (const json& p : passages) {
    const auto begin = static_cast<std::size_t>(number(p, "start")), end = static_cast<std::size_t>(number(p, "end"));
    if (begin >= end || end > at.size() - 1) continue;
    const bool self = !p.contains("source") || p["source"].is_null();
    marks.push_back({begin, end, self ? kSelf : p.value("boilerplate", false) ? kBoiler : kCopied});
  }
  std::size_t line_start = 0;
  while (line_start < shown) {
    std::size_t line_end = line_start;
    while (line_end < shown && text[at[line_end]] != '\n') ++line_end;
    const std::string paragraph(text.substr(at[line_start], at[line_end] - at[line_start]));
    if (paragraph.find_first_not_of(" \t\r") != std::string::npos) {
      std::vector<std::tuple<std::size_t, std::size_t, Rgb>> in_paragraph;
      for (const Mark& m : marks) {
        const std::size_t b = std::max(m.begin, line_start), e = std::min(m.end, line_end);
        if (b < e) in_paragraph.emplace_back(at[b] - at[line_start], at[e] - at[line_start], m.colour);
      }
      pages.highlighted(paragraph, in_paragraph);
      pages.space(4);
    }
    line_start = line_end + 1;
  }
  if (shown < at.size() - 1)
    pages.text(markup(fmt::format("（全文共 {} 字，此处只列出前 {} 字。）", at.size() - 1, shown)), 8.5, kGrey);

  // Passages beside their sources.
  std::vector<const json*> compared;
  std::size_t boilerplate_passages = 0;
  for (const json& p : passages) {
    if (p.value("boilerplate", false)) {
      ++boilerplate_passages;
      continue;
    }
    compared.push_back(&p);
  }
  pages.heading(fmt::format("雷同片段对照（{} 处）", compared.size()));
  pages.text(markup(fmt::format("两侧不同的字（如改动的年份、数字、名称）以黄色标出。{}",
                                boilerplate_passages
                                    ? fmt::format("另有样板片段 {} 处，见全文标注（灰色）。", boilerplate_passages)
                                    : "")),
             8.5, kGrey);
  pages.space(3);
  const double half = kBodyWidth / 2;
  const std::vector<Pages::Cell> header = {{"本报告", half, true, kHeadFill}, {"来源", half, true, kHeadFill}};
  if (!compared.empty()) pages.row(header);
  // Passages are located by section and paragraph, as a reader of the printed report finds them.
  std::vector<SectionSpan> spans;
  if (check.contains("sections") && check["sections"].is_array())
    for (const json& sec : check["sections"])
      spans.push_back({static_cast<std::uint32_t>(number(sec, "start")), static_cast<std::uint32_t>(number(sec, "end")),
                       text_of(sec, "title")});
  std::u32string text32;
  try {
    text32 = decode_utf8(text, "report");
  } catch (const Error&) {  // located by offsets alone then
  }
  for (std::size_t i = 0; i < compared.size() && i < kMaxSideBySide; ++i) {
    const json& p = *compared[i];
    std::string where = "本文较早处";
    if (p.contains("source") && p["source"].is_number()) {
      const auto s = p["source"].get<std::size_t>();
      if (s < sources.size())
        where = fmt::format("来源 {}：{} {} 年（{}）", s + 1, text_of(sources[s], "agency"), text_of(sources[s], "year"),
                            relation_label(text_of(sources[s], "relation")));
    }
    const auto [passage, source] = marked_pair(text_of(p, "text"), text_of(p, "source_text"), kSideBySideCodePoints);
    const std::string location =
        text32.empty() ? fmt::format("第 {}–{} 字", text_of(p, "start"), text_of(p, "end"))
                       : passage_location(text32, spans, static_cast<std::uint32_t>(number(p, "start")));
    const std::string left = fmt::format("<span size=\"small\" foreground=\"#666666\">{}　相似度 {}</span>\n{}",
                                         markup(location), pct(number(p, "similarity")), passage);
    const std::string right =
        fmt::format("<span size=\"small\" foreground=\"#666666\">{}</span>\n{}", markup(where), source);
    pages.row({{left, half}, {right, half}}, &header);
  }
  if (compared.size() > kMaxSideBySide)
    pages.text(markup(fmt::format("（共 {} 处，此处列出前 {} 处；全部片段见 JSON 结果。）", compared.size(),
                                  kMaxSideBySide)),
               8.5, kGrey);

  // Signature and seal.
  pages.need(150);
  pages.space(30);
  pages.text(markup("检测人员（签字）："), 11);
  pages.space(22);
  pages.text(markup("审核人员（签字）："), 11);
  pages.space(22);
  pages.text(markup("单位（盖章）："), 11);
  pages.space(22);
  pages.text(markup("日期：　　　　年　　月　　日"), 11);
}

cairo_status_t discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }
cairo_status_t append(void* out, const unsigned char* data, unsigned int size) {
  static_cast<std::string*>(out)->append(reinterpret_cast<const char*>(data), size);
  return CAIRO_STATUS_SUCCESS;
}

// Lays the report out on a PDF surface writing to `out` (null: nowhere); returns its page count.
int lay_out(const json& check, std::string_view text, const PdfReportInfo& info, int total_pages, std::string* out) {
  cairo_surface_t* surface = out ? cairo_pdf_surface_create_for_stream(append, out, kPageWidth, kPageHeight)
                                 : cairo_pdf_surface_create_for_stream(discard, nullptr, kPageWidth, kPageHeight);
  const std::string title = "文本复制检测报告 " + info.number;
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, info.produced_by.c_str());
  int pages_made = 0;
  try {
    Pages pages(surface, info, total_pages);
    if (pages.unknown_glyphs("文本复制检测报告") > 0)
      throw_error("no installed font has Chinese characters: install fonts-wqy-microhei or fonts-noto-cjk");
    compose(pages, check, text, info);
    pages.finish();
    pages_made = pages.page();
  } catch (...) {
    cairo_surface_destroy(surface);
    throw;
  }
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) throw_error("cannot write the PDF report: {}", cairo_status_to_string(status));
  return pages_made;
}

}  // namespace

PdfReportInfo pdf_report_info(std::int64_t unix_time, std::string_view key, std::string scope) {
  const auto when = static_cast<std::time_t>(unix_time);
  std::tm local{};
  localtime_r(&when, &local);
  PdfReportInfo info;
  info.number = fmt::format("LT{:%Y%m%d}-{}", local, key.substr(0, 8));
  info.checked_at = fmt::format("{:%Y-%m-%d %H:%M}", local);
  info.scope = scope.empty() ? "-" : std::move(scope);
  info.produced_by = std::string("leitong ") + LEITONG_VERSION;
  return info;
}

std::string scope_text(const ArchiveScope& scope) {
  if (scope.documents == 0) return "0 篇";
  const std::string years = scope.first_year == scope.last_year ? fmt::format("{} 年", scope.first_year)
                                                                 : fmt::format("{}—{} 年", scope.first_year, scope.last_year);
  return fmt::format("{} 篇（{} 个单位，{}）", scope.documents, scope.agencies, years);
}

std::string check_conclusion(const json& check, double threshold) {
  const json* best = nullptr;
  for (const json& s : check.at("sources"))
    if (!best || number(s, "copy_ratio_excluding_boilerplate") > number(*best, "copy_ratio_excluding_boilerplate"))
      best = &s;
  if (best && number(*best, "copy_ratio_excluding_boilerplate") >= threshold) {
    const std::string relation = text_of(*best, "relation"), ratio = pct(number(*best, "copy_ratio_excluding_boilerplate"));
    if (relation == "same_agency")
      return fmt::format("疑似沿用本单位{}年报告（去除样板后与之复制比 {}）", text_of(*best, "year"), ratio);
    if (relation == "template")
      return fmt::format("疑似套用范文 {}（去除样板后与之复制比 {}）", base_name(text_of(*best, "file")), ratio);
    return fmt::format("疑似抄袭{}{}年报告（去除样板后与之复制比 {}）", text_of(*best, "agency"), text_of(*best, "year"),
                       ratio);
  }
  if (number(check, "copy_ratio_excluding_boilerplate") >= threshold)
    return fmt::format("多处与已有文档雷同（去除样板后复制比 {}，分散于多个来源）",
                       pct(number(check, "copy_ratio_excluding_boilerplate")));
  return fmt::format("未见明显雷同（去除样板后复制比 {}）", pct(number(check, "copy_ratio_excluding_boilerplate")));
}

std::string render_check_pdf(const json& check, std::string_view text, const PdfReportInfo& info) {
  // Twice: the first pass counts the pages, so that each page can say "of N".
  const int total = lay_out(check, text, info, 0, nullptr);
  std::string pdf;
  lay_out(check, text, info, total, &pdf);
  return pdf;
}

}  // namespace leitong
