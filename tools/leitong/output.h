// Writing a check's findings in the format the user asked for (internal to the tool).
#pragma once

#include <leitong/analysis/findings.h>
#include <leitong/analysis/yoy.h>

#include <string>

namespace leitong::cli {

// `format`: text, json or html; `output`: a file, or "" / "-" for standard output. Throws Error.
void write_findings(const Findings& findings, const std::string& format, const std::string& output);

// `format`: text, json, csv, html or xlsx (html and xlsx need a file: evidence pages go into a folder
// beside it). CSV written to a file starts with a UTF-8 byte-order mark, by which Excel reads it as
// UTF-8 rather than the system's code page, unless `csv_bom` is false; standard output never has one.
void write_yoy(const YoyResult& result, const std::string& format, const std::string& output, bool csv_bom = true);

}  // namespace leitong::cli
