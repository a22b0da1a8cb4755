// Test support: the same report in the formats inspectors meet, built at test time from text.
//
// DOCX files are zip containers written with libzip; PDF files are written by hand with a real
// Chinese text layer (a Type0 font, Identity-H encoding, CID = Unicode code point, and a ToUnicode
// map, the way office suites write them, without embedding glyphs); web pages are a government
// portal's article page with all its chrome. Deterministic: no clock, no randomness.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leitong::testing {

// A .docx: one <w:p> per paragraph, its text split into runs every few characters (as Word's
// revision marks do), then the rows of `table` (one <w:tc> per cell), and `title` in
// docProps/core.xml when not empty.
std::string make_docx(const std::vector<std::u32string>& paragraphs,
                      const std::vector<std::vector<std::u32string>>& table = {},
                      const std::string& title = "");

// What a portal page says about the report around the article.
struct PortalPage {
  std::string title;              // <h1>, <title>, <meta ArticleTitle> and the 名称 row
  std::string agency;             // 发布机构 row and <meta ContentSource>
  std::string date;               // 生成日期 / 发布日期 rows and <meta PubDate>
  std::string charset = "utf-8";  // declared in <meta charset>; the caller encodes the bytes
};

// A government portal article page (UTF-8): scripts, styles, navigation, breadcrumb, the
// 索引号/发布机构/名称/文号 table, title, font-size/print/share buttons, the article paragraphs as
// <p> (with &nbsp; indents and entities), a related-articles list and the footer (主办, 网站标识码,
// ICP备案, 地址, 邮编).
std::string make_portal_html(const std::vector<std::u32string>& paragraphs, const PortalPage& page);

// A PDF with a text layer: A4 pages, each paragraph wrapped at the text width (first line
// indented two characters), `header` at the top of every page and "- N -" at the bottom.
std::string make_pdf(const std::vector<std::u32string>& paragraphs, std::u32string_view header);

// A PDF of `pages` pages that hold only an image (a scanned document without OCR).
std::string make_scanned_pdf(int pages);

// A .docx whose word/document.xml (or `member`) inflates to `unpacked` bytes of XML. With `lie`,
// its zip headers declare 1 KiB instead (a zip bomb that hides its size).
std::string make_zip_bomb(std::size_t unpacked, bool lie, const std::string& member = "word/document.xml");

// A zip of stored entries named exactly as given (raw bytes, no UTF-8 flag: "../x", GBK names).
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& entries);

// UTF-8 → GB18030 (ICU).
std::string to_gb18030(std::string_view utf8);

}  // namespace leitong::testing
