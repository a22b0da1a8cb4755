// HTML evidence: self-contained pages (inline CSS and script, no network, system fonts) that an
// inspector opens in a browser, in the manner of the CNKI reports they know — summary ratios
// (总复制比, 去除样板后, 单篇最大), the sources with relation and share, the whole report with every
// copied passage highlighted in its source's colour (boilerplate grey), and each passage side by
// side with its source, the characters that differ marked so changed numbers and names stand out.
#pragma once

#include <leitong/analysis/findings.h>
#include <leitong/analysis/yoy.h>

#include <functional>
#include <string>

namespace leitong {

// Text made safe to place in HTML text and in quoted attribute values (& < > " ' escaped).
std::string html_escape(std::string_view text);

// The style sheet of every page (the evidence pages and the service's pages share one look).
std::string_view html_report_style();

// One check or compare. Needs Findings::text (set by analyze).
std::string render_check_html(const Findings& findings);

// The year-over-year overview: a sortable table, a histogram of ratios (inline SVG) with the
// threshold, and for each row a link to `evidence_href(row_index)` (empty: no link).
std::string render_yoy_html(const YoyResult& result, const std::function<std::string(std::size_t)>& evidence_href);

}  // namespace leitong
