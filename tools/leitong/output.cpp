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

void write_yoy(const YoyResult& result, const std::string& format, const std::string& output) {
  if (format == "json") return write_output(output, yoy_to_json(result).dump(2) + "\n");
  if (format == "csv") return write_output(output, render_yoy_csv(result));
  if (format == "text") return write_output(output, render_yoy_text(result));
  throw_error("--format {} is not available in this version; use text, json or csv", format);
}

}  // namespace leitong::cli
