#include "output.h"

#include "commands.h"

#include <leitong/error.h>
#include <leitong/report.h>

namespace leitong::cli {

void write_findings(const Findings& findings, const std::string& format, const std::string& output) {
  if (format == "json") return write_output(output, render_json(findings));
  if (format == "text") return write_output(output, render_text(findings));
  throw_error("--format {} is not available in this version; use text or json", format);
}

}  // namespace leitong::cli
