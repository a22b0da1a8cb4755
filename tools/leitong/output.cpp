#include "output.h"

#include "commands.h"

#include <fmt/format.h>

#include <leitong/core/error.h>
#include <leitong/render/html_report.h>
#include <leitong/render/report.h>

#include <filesystem>

namespace leitong::cli {

void write_findings(const Findings& findings, const std::string& format, const std::string& output) {
  if (format == "json") return write_output(output, render_json(findings));
  if (format == "text") return write_output(output, render_text(findings));
  if (format == "html") return write_output(output, render_check_html(findings));
  throw_error("unknown format '{}'", format);
}

void write_yoy(const YoyResult& result, const std::string& format, const std::string& output) {
  if (format == "json") return write_output(output, json_text(yoy_to_json(result)));
  if (format == "csv") return write_output(output, render_yoy_csv(result));
  if (format == "text") return write_output(output, render_yoy_text(result));
  if (format != "html") throw_error("unknown format '{}'", format);
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
  write_output(output, render_yoy_html(result, [&](std::size_t i) { return folder + "/" + page_name(i); }));
}

}  // namespace leitong::cli
