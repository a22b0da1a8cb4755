#include "output.h"

#include "commands.h"

#include <fmt/format.h>

#include <leitong/core/error.h>
#include <leitong/render/html_report.h>
#include <leitong/render/report.h>
#include <leitong/render/xlsx_report.h>

#include <filesystem>

namespace leitong::cli {

void write_findings(const Findings& findings, const std::string& format, const std::string& output) {
  if (format == "json") return write_output(output, render_json(findings));
  if (format == "text") return write_output(output, render_text(findings));
  if (format == "html") return write_output(output, render_check_html(findings));
  throw_error("unknown format '{}'", format);
}

void write_yoy(const YoyResult& result, const std::string& format, const std::string& output, bool csv_bom) {
  if (format == "json") return write_output(output, json_text(yoy_to_json(result)));
  if (format == "csv") {
    const bool to_file = !output.empty() && output != "-";
    return write_output(output, (to_file && csv_bom ? "\xEF\xBB\xBF" : "") + render_yoy_csv(result));
  }
  if (format == "text") return write_output(output, render_yoy_text(result));
  if (format != "html" && format != "xlsx") throw_error("unknown format '{}'", format);
  // Evidence pages go into "<name>_files/" beside the overview, linked relatively.
  const std::filesystem::path overview(output);
  const std::string folder = overview.stem().string() + "_files";
  const std::filesystem::path dir = overview.parent_path() / folder;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_error("{}: cannot create folder: {}", dir.string(), ec.message());
  auto page_name = [](std::size_t i) { return fmt::format("{:05}.html", i + 1); };
  for (std::size_t i = 0; i < result.rows.size(); ++i)
    write_output((dir / page_name(i)).string(), render_check_html(result.rows[i].findings));
  const auto evidence = [&](std::size_t i) { return folder + "/" + page_name(i); };
  if (format == "xlsx") return write_yoy_xlsx(result, output, evidence);
  write_output(output, render_yoy_html(result, evidence));
}

}  // namespace leitong::cli
