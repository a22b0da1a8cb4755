// Page chrome: the parts of a saved web page or template-site page that are not the report.
//
// Inspectors collect reports from government portals and 范文 sites, often as text copied from
// the page. Around the report sit the portal's index table (索引号 | 发布机构 | 生成日期 | 名称 |
// 文号), date lists, "日期:… 来源:…" lines, share/print/download buttons, related-article lists
// and footers (主办, 网站标识码, ICP备案, 地址, 邮编). leitong compares the report's words, so
// these lines are recognised here, left out of the extracted text (text.h: offsets point into the
// text *after* removal), and the fields they hold are kept (metadata.h reads the agency, title,
// year and date from them).
//
// Chrome surrounds the report, so only the lines before the report's first paragraph and after
// its last (a paragraph: a line longer than 60 characters or ending like a sentence) are looked
// at; a line between two paragraphs is body text, whatever words it holds (a law quoted in a
// report may well say 版权所有). There, conservatively, because removing a line of the report
// itself would hide copied text, a line is chrome when it is only a numeric date (2023-03-15),
// only navigation words (分享到, 打印, 关闭窗口, 上一篇, 相关文档, 推荐度, 将本文的Word文档下载到
// 电脑, …), a breadcrumb (当前位置: 首页 > …), a site footer mark (网站标识码, ICP备, 公网安备,
// 版权所有) without prose around it, or a line that starts with a portal field (索引号:, 发布机构:,
// 名称:, 日期:, 来源:, 主办:, 地址:, …) or names two fields (日期:2025-01-24来源:区司法局) — never
// a line ending like a sentence; and a related-article list after the last paragraph. A line of
// the report such as "(联系人:王文辉;联系电话:65317131)" after the signature stays, and so do
// fields whose values are blanks to fill in ("联系电话：……", a form printed in a regulation). Every line
// left out is listed (ExtractedText::removed, `leitong extract --format json`), and
// ExtractParams::remove_chrome (`--keep-chrome`) keeps everything.
#pragma once

#include <leitong/extract/metadata.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace leitong {

// A text with its chrome lines left out.
struct ChromeResult {
  std::u32string text;                  // the input minus the removed lines (and their '\n')
  std::vector<std::u32string> removed;  // the removed lines, trimmed, in order
};

// Removes the chrome lines of `text` (lines end with '\n'; a trailing '\r' is part of the line)
// and appends the fields they hold to `metadata.fields`. Lines that are kept are copied unchanged.
ChromeResult strip_chrome(std::u32string_view text, DocumentMetadata& metadata);

// True when `line` (one line, with or without surrounding whitespace) is chrome wherever it
// appears in a text (the first group of rules above).
bool is_chrome_line(std::u32string_view line);

// Chrome that repeats across the pages of one site: the portal's name, hotline or navigation line
// that no rule above knows, standing at the top or foot of every page saved from it. Learned from
// a group of pages (`add` learns from the web pages of each folder), then left out of those pages'
// leading and trailing runs only (the lines before the first paragraph and after the last, as
// above): a line between two paragraphs is body text, however many pages hold it. Lines match
// exactly once trimmed (a report's title, which names its year, never repeats).
class SiteChrome {
 public:
  // A line is site chrome when it stands in the leading or trailing run of at least `min_pages`
  // of the pages learned, and of at least half of them.
  explicit SiteChrome(std::size_t min_pages = 3) : min_pages_(min_pages) {}

  // Counts the lines of the leading and trailing runs of one page's text (each once per page).
  void learn(std::u32string_view text);

  // `text` without the site chrome of its leading and trailing runs; kept lines copied unchanged.
  ChromeResult strip(std::u32string_view text) const;

  std::size_t pages() const { return pages_; }

 private:
  bool is_site_chrome(std::u32string_view trimmed) const;

  std::size_t min_pages_, pages_ = 0;
  std::unordered_map<std::u32string, std::size_t> counts_;  // trimmed line -> pages holding it
};

// The "key: value" fields of one header line ("日期:2025-01-24来源:区司法局", or a table row
// "发布机构: | 沙坪坝区民政局 | 生成日期: | 2025-02-12 |"); empty if the line holds none.
std::vector<MetadataField> header_fields(std::u32string_view line);

}  // namespace leitong
