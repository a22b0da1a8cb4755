// The year-over-year table as an Excel workbook, for inspectors who sort, filter and annotate the
// year's findings in a spreadsheet: one sheet of rows (ratios as numbers formatted as percentages,
// flagged rows marked, the sections copied from the prior year, the parts a report lacks, a link
// to each row's evidence page) and one sheet of every row's sections.
#pragma once

#include <leitong/analysis/yoy.h>

#include <functional>
#include <string>

namespace leitong {

// Writes the workbook to `path` (replacing it). `evidence_href(row_index)` is the evidence page's
// path relative to the workbook (empty: no link). Rows past a sheet's 1,048,575 continue on
// another sheet of the same name numbered (2), (3) …; Excel allows 65,530 links per sheet, so
// the evidence of rows past those is given as a path without a link. Throws Error naming `path`
// when the file cannot be written.
void write_yoy_xlsx(const YoyResult& result, const std::string& path,
                    const std::function<std::string(std::size_t)>& evidence_href);

}  // namespace leitong
