// Writing a check's findings in the format the user asked for (internal to the tool).
#pragma once

#include <leitong/analysis/findings.h>
#include <leitong/analysis/yoy.h>

#include <string>

namespace leitong::cli {

// `format`: text, json or html; `output`: a file, or "" / "-" for standard output. Throws Error.
void write_findings(const Findings& findings, const std::string& format, const std::string& output);

// `format`: text, json, csv or html (html needs a file: evidence pages go into a folder beside it).
void write_yoy(const YoyResult& result, const std::string& format, const std::string& output);

}  // namespace leitong::cli
