#include <leitong/render/xlsx_report.h>

#include <leitong/analysis/sections.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/render/report.h>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

namespace leitong {

namespace {

// Excel's limits: rows per sheet (the header takes one) and links per sheet.
constexpr lxw_row_t kRowsPerSheet = 1048576;
constexpr std::size_t kLinksPerSheet = 65530;

// Cell text must be valid UTF-8 without XML-forbidden control characters: a file name from a file
// system that allows any bytes would otherwise make the workbook unreadable.
std::string cell_text(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  while (!bytes.empty()) {
    const std::size_t bad = find_invalid_utf8(bytes);
    const std::string_view good = bytes.substr(0, bad);
    for (const char c : good) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\t' && c != '\n') out += "\xEF\xBF\xBD";
      else out += c;
    }
    if (bad == std::string_view::npos) break;
    out += "\xEF\xBF\xBD";
    bytes.remove_prefix(bad + 1);
  }
  return out;
}

struct Column {
  const char* header;
  double width;
};

// A table that continues on a new sheet ("章节 (2)") when one is full.
class Table {
 public:
  Table(lxw_workbook* book, std::string name, std::vector<Column> columns, lxw_format* header)
      : book_(book), name_(std::move(name)), columns_(std::move(columns)), header_(header) {}

  // The sheet and row of the next record.
  std::pair<lxw_worksheet*, lxw_row_t> next_row() {
    if (!sheet_ || row_ + 1 >= kRowsPerSheet) start_sheet();
    return {sheet_, ++row_};
  }
  bool link_allowed() { return links_++ < kLinksPerSheet; }
  void finish() {
    if (!sheet_) start_sheet();
    close_sheet();
  }

 private:
  void start_sheet() {
    if (sheet_) close_sheet();
    ++sheets_;
    const std::string title = sheets_ == 1 ? name_ : fmt::format("{} ({})", name_, sheets_);
    sheet_ = workbook_add_worksheet(book_, title.c_str());
    if (!sheet_) throw_error("cannot add the sheet {}", title);
    row_ = 0;
    links_ = 0;
    for (std::size_t c = 0; c < columns_.size(); ++c) {
      worksheet_set_column(sheet_, lxw_col_t(c), lxw_col_t(c), columns_[c].width, nullptr);
      worksheet_write_string(sheet_, 0, lxw_col_t(c), columns_[c].header, header_);
    }
    worksheet_freeze_panes(sheet_, 1, 0);
  }
  void close_sheet() {
    // A filter over whatever rows the sheet holds (the header alone if none).
    worksheet_autofilter(sheet_, 0, 0, row_, lxw_col_t(columns_.size() - 1));
  }

  lxw_workbook* book_;
  std::string name_;
  std::vector<Column> columns_;
  lxw_format* header_;
  lxw_worksheet* sheet_ = nullptr;
  lxw_row_t row_ = 0;
  std::size_t links_ = 0;
  int sheets_ = 0;
};

}  // namespace

void write_yoy_xlsx(const YoyResult& result, const std::string& path,
                    const std::function<std::string(std::size_t)>& evidence_href) {
  // Rows are written in order, so the writer keeps one row in memory at a time (constant memory):
  // a national year is hundreds of thousands of rows.
  // libxlsxwriter opens the file only when it closes the workbook, and then reports a failure on
  // stderr itself: find out first, so the error is ours and says why.
  if (std::FILE* probe = std::fopen(path.c_str(), "wb")) {
    std::fclose(probe);
  } else {
    throw_error("{}: cannot write the workbook: {}", path, std::strerror(errno));
  }
  lxw_workbook_options options{};
  options.constant_memory = LXW_TRUE;
  options.use_zip64 = LXW_TRUE;
  using BookPtr = std::unique_ptr<lxw_workbook, void (*)(lxw_workbook*)>;
  BookPtr book(workbook_new_opt(path.c_str(), &options), [](lxw_workbook* b) {
    if (b) workbook_close(b);  // only reached when an error is already on its way
  });
  if (!book) throw_error("{}: cannot create the workbook", path);
  lxw_workbook* wb = book.get();

  lxw_format* header = workbook_add_format(wb);
  format_set_bold(header);
  format_set_bg_color(header, 0xE8EDF3);
  format_set_text_wrap(header);
  lxw_format* percent = workbook_add_format(wb);
  format_set_num_format(percent, "0.0%");
  lxw_format* flagged_percent = workbook_add_format(wb);
  format_set_num_format(flagged_percent, "0.0%");
  format_set_bold(flagged_percent);
  format_set_font_color(flagged_percent, 0xC0392B);
  lxw_format* flag = workbook_add_format(wb);
  format_set_bold(flag);
  format_set_font_color(flag, 0xC0392B);
  lxw_format* link = workbook_add_format(wb);
  format_set_underline(link, LXW_UNDERLINE_SINGLE);
  format_set_font_color(link, LXW_COLOR_BLUE);

  // Column indices of the rows sheet, in order.
  enum : lxw_col_t {
    kAgency, kYear, kFile, kPriorYear, kPriorFile, kCopy, kCopyExBoiler, kFlagged, kCopiedSections,
    kMissing, kMaxAgency, kMaxYear, kMaxFile, kMaxRelation, kMaxRatio, kEvidence
  };
  Table rows(wb, "逐年比对",
             {{"单位", 28}, {"年度", 7}, {"文件", 30}, {"对比年度", 9}, {"对比文件", 30}, {"复制比", 9},
              {"去除样板后", 11}, {"标记", 10}, {"沿用上年的章节", 36}, {"缺少的部分", 24}, {"最大来源单位", 28},
              {"最大来源年度", 11}, {"最大来源文件", 30}, {"最大来源关系", 12}, {"最大来源复制比", 13}, {"证据", 30}},
             header);
  std::size_t flagged_rows = 0;
  for (std::size_t i = 0; i < result.rows.size(); ++i) {
    const YoyRow& r = result.rows[i];
    flagged_rows += r.flagged;
    auto [ws, row] = rows.next_row();
    worksheet_write_string(ws, row, kAgency, cell_text(r.report.agency).c_str(), nullptr);
    worksheet_write_number(ws, row, kYear, r.report.year, nullptr);
    worksheet_write_string(ws, row, kFile, cell_text(r.report.file).c_str(), nullptr);
    worksheet_write_number(ws, row, kPriorYear, r.prior.year, nullptr);
    worksheet_write_string(ws, row, kPriorFile, cell_text(r.prior.file).c_str(), nullptr);
    worksheet_write_number(ws, row, kCopy, r.copy_ratio, percent);
    worksheet_write_number(ws, row, kCopyExBoiler, r.copy_ratio_excluding_boilerplate,
                           r.flagged ? flagged_percent : percent);
    if (r.flagged) worksheet_write_string(ws, row, kFlagged, "疑似雷同", flag);
    std::string copied;
    for (const SectionFinding* s : copied_sections(r, result.threshold))
      copied += fmt::format("{}{} {:.1f}%", copied.empty() ? "" : "；", section_reference(r, *s, true),
                            100 * s->copy_ratio_excluding_boilerplate);
    if (!copied.empty()) worksheet_write_string(ws, row, kCopiedSections, cell_text(copied).c_str(), nullptr);
    std::string missing;
    for (const SectionKind k : r.missing_parts)
      missing += (missing.empty() ? "" : "、") + std::string(section_kind_label(k));
    if (!missing.empty()) worksheet_write_string(ws, row, kMissing, missing.c_str(), nullptr);
    if (r.max_source) {
      const DocumentInfo& d = r.max_source->document;
      worksheet_write_string(ws, row, kMaxAgency, cell_text(d.agency).c_str(), nullptr);
      worksheet_write_number(ws, row, kMaxYear, d.year, nullptr);
      worksheet_write_string(ws, row, kMaxFile, cell_text(d.file).c_str(), nullptr);
      worksheet_write_string(ws, row, kMaxRelation, std::string(relation_label(r.max_source->relation)).c_str(),
                             nullptr);
      worksheet_write_number(ws, row, kMaxRatio, r.max_source->copy_ratio, percent);
    }
    const std::string href = evidence_href ? cell_text(evidence_href(i)) : std::string();
    if (!href.empty()) {
      if (rows.link_allowed()) {
        worksheet_write_url_opt(ws, row, kEvidence, ("external:" + href).c_str(), link, "查看", href.c_str());
      } else {
        worksheet_write_string(ws, row, kEvidence, href.c_str(), nullptr);
      }
    }
  }
  rows.finish();

  Table sections(wb, "章节",
                 {{"单位", 28}, {"年度", 7}, {"文件", 30}, {"对比年度", 9}, {"序号", 6}, {"标题", 40},
                  {"部分", 20}, {"字数", 8}, {"复制比（对比年度）", 13}, {"去除样板后", 11}, {"标记", 10}},
                 header);
  for (const YoyRow& r : result.rows) {
    std::vector<const SectionFinding*> copied = copied_sections(r, result.threshold);
    for (std::size_t s = 0; s < r.sections.size(); ++s) {
      const SectionFinding& sec = r.sections[s];
      auto [ws, row] = sections.next_row();
      worksheet_write_string(ws, row, 0, cell_text(r.report.agency).c_str(), nullptr);
      worksheet_write_number(ws, row, 1, r.report.year, nullptr);
      worksheet_write_string(ws, row, 2, cell_text(r.report.file).c_str(), nullptr);
      worksheet_write_number(ws, row, 3, r.prior.year, nullptr);
      worksheet_write_number(ws, row, 4, double(s + 1), nullptr);
      worksheet_write_string(ws, row, 5, cell_text(sec.title).c_str(), nullptr);
      worksheet_write_string(ws, row, 6, std::string(section_kind_label(sec.kind)).c_str(), nullptr);
      worksheet_write_number(ws, row, 7, double(sec.chars), nullptr);
      const bool is_copied = std::find(copied.begin(), copied.end(), &sec) != copied.end();
      worksheet_write_number(ws, row, 8, sec.copy_ratio, percent);
      worksheet_write_number(ws, row, 9, sec.copy_ratio_excluding_boilerplate, is_copied ? flagged_percent : percent);
      if (is_copied) worksheet_write_string(ws, row, 10, "沿用上年", flag);
    }
  }
  sections.finish();

  lxw_worksheet* about = workbook_add_worksheet(wb, "说明");
  if (!about) throw_error("{}: cannot add the sheet 说明", path);
  worksheet_set_column(about, 0, 0, 18, nullptr);
  worksheet_set_column(about, 1, 1, 90, nullptr);
  const std::vector<std::pair<std::string, std::string>> notes = {
      {"报告数", fmt::format("{}", result.rows.size())},
      {"标记为疑似雷同", fmt::format("{}", flagged_rows)},
      {"阈值", fmt::format("去除样板后的复制比达到 {:.1f}% 即标记", 100 * result.threshold)},
      {"复制比", "报告中与对比年度（本单位最近的往年报告）相同的文字所占比例"},
      {"去除样板后", "同上，但不计许多单位共用的样板文字（政治表述、规定标题、规定格式）"},
      {"最大来源", "报告复制最多的存档文件（本年度或更早，任何单位）"},
      {"沿用上年的章节", "字数不少于 100、去除样板后复制比达到阈值的章节"},
      {"证据", "每行的证据页（HTML），与本表放在同一文件夹中"},
  };
  for (std::size_t i = 0; i < notes.size(); ++i) {
    worksheet_write_string(about, lxw_row_t(i), 0, notes[i].first.c_str(), header);
    worksheet_write_string(about, lxw_row_t(i), 1, notes[i].second.c_str(), nullptr);
  }

  const lxw_error error = workbook_close(book.release());
  if (error != LXW_NO_ERROR) throw_error("{}: cannot write the workbook: {}", path, lxw_strerror(error));
}

}  // namespace leitong
