// Writing a check's findings in the format the user asked for (internal to the tool).
#pragma once

#include <leitong/findings.h>

#include <string>

namespace leitong::cli {

// `format`: text, json or html; `output`: a file, or "" / "-" for standard output. Throws Error.
void write_findings(const Findings& findings, const std::string& format, const std::string& output);

}  // namespace leitong::cli
