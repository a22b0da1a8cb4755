// The A4 检测报告: one check as a PDF an inspector can attach to an official notice — report
// number, time, the archive's scope, the document, the indices (总复制比, 去除样板后, 单篇最大), a
// one-line conclusion, the sources, the whole text with every copied passage highlighted, the
// passages side by side with their sources, page numbers, and a place for signature and seal.
// Laid out with Pango on a cairo PDF surface; the text needs a font with Chinese characters
// (fonts-wqy-microhei or fonts-noto-cjk), found through fontconfig.
#pragma once

#include <leitong/archive/archive.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace leitong {

struct PdfReportInfo {
  std::string number;      // 报告编号
  std::string checked_at;  // 检测时间, as it is to be printed
  std::string scope;       // the archive compared against, e.g. "11 篇（6 个单位，2019—2024 年）"
  std::string produced_by; // e.g. "leitong 0.1.0"
};

// The report of a check run at `unix_time` (local time), numbered "LT<date>-<first 8 of key>"
// (a check id, or the text's hash: the same text on the same day gets the same number), over an
// archive of `scope` (scope_text), produced by "leitong <version>".
PdfReportInfo pdf_report_info(std::int64_t unix_time, std::string_view key, std::string scope);

// "11 篇（6 个单位，2019—2024 年）": the scope as PdfReportInfo::scope says it.
std::string scope_text(const ArchiveScope& scope);

// The one-line conclusion of a check (leitong.check/1 JSON): 疑似沿用本单位2024年报告, 疑似抄袭…,
// 疑似套用范文, 多处与已有文档雷同, or 未见明显雷同. A source counts when its share excluding
// boilerplate reaches `threshold` (yoy's flag threshold by default).
std::string check_conclusion(const nlohmann::json& check, double threshold = 0.4);

// The report of `check` (a leitong.check/1 document, as findings_to_json gives it) on the document
// whose extracted text is `text` (UTF-8; the passages' offsets refer to it). Returns the PDF's
// bytes. Throws Error when no installed font has Chinese characters, naming the packages to install.
std::string render_check_pdf(const nlohmann::json& check, std::string_view text, const PdfReportInfo& info);

}  // namespace leitong
