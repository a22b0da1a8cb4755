// leitong check: one report against the archive.
#include <fmt/format.h>
#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/render/pdf_report.h>
#include <leitong/render/report.h>
#include <unistd.h>

#include <chrono>

#include <memory>

#include "commands.h"
#include "options.h"
#include "output.h"

namespace leitong::cli {

namespace {

struct CheckOptions {
  std::string archive;
  std::string agency;
  int year = 0;
  std::string format = "text";
  std::string output;
  std::string file;
  bool new_agency = false;
  ExtractParams extract;
  CheckParams params;
};

int run_check(const CheckOptions& o) {
  if (o.format == "pdf" && (o.output.empty() || o.output == "-") && ::isatty(STDOUT_FILENO)) {
    print_error("check: --format pdf writes a PDF file: give -o FILE.pdf");
    return kExitUsage;
  }
  if (!o.agency.empty() && o.agency.find_first_not_of(" \t") == std::string::npos) {
    print_error("check: --agency is empty");
    return kExitUsage;
  }
  Archive archive = open_for_reading(o.archive);
  // With the archive not in memory, the posting buckets and the candidates' documents a check
  // reads are fetched eight at a time (bench/README.md "Reading ahead on eight connections").
  archive.set_read_ahead(8);
  ReadDocument read;
  try {
    read = read_document(o.file, o.agency, o.year, DocumentKind::kReport, o.extract);
  } catch (const Error& e) {
    print_error(e.what());
    return kExitRefused;
  }
  // A missing --agency or --year may come from the file itself (a portal header, its title or
  // signature); said on stderr, since stdout holds the findings.
  Document& report = read.document;
  if (read.agency_missing) {
    print_error(fmt::format("check: give --agency ({} names no agency)", o.file));
    return kExitUsage;
  }
  if (!read.agency_from.empty())
    fmt::print(stderr, "note: {}: agency {} from its {}\n", escape_controls(o.file),
               escape_controls(report.info.agency), escape_controls(read.agency_from));
  if (read.year_missing) {
    print_error(fmt::format("check: give --year ({} names no year in its title)", o.file));
    return kExitUsage;
  }
  if (!read.year_from.empty())
    fmt::print(stderr, "note: {}: year {} from its {}\n", escape_controls(o.file), report.info.year,
               escape_controls(read.year_from));
  // The archive's own name for the agency (罗湖区民政局 -> 深圳市罗湖区民政局), or its earlier
  // reports would be compared as another agency's.
  const std::optional<std::string> agency = agency_in_archive(archive, report.info.agency, "check", o.new_agency);
  if (!agency) return kExitUsage;
  report.info.agency = *agency;
  CheckParams params = o.params;
  params.threads = 0;  // one check: every core prepares its documents
  const Findings findings = check_against_archive(archive, report, params);
  if (o.format != "pdf") {
    write_findings(findings, o.format, o.output);
    return kExitOk;
  }
  // Numbered by the text's hash: the same text checked on the same day gets the same number.
  const PdfReportInfo info =
      pdf_report_info(std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count(),
                      content_hash(report.text), scope_text(archive.scope()));
  write_output(o.output, render_check_pdf(findings_to_json(findings), findings.text, info));
  return kExitOk;
}

}  // namespace

Runner register_check(CLI::App& app) {
  auto o = std::make_shared<CheckOptions>();
  app.footer(
      "Check one report against every archived document (except copies of the report itself) and\n"
      "say how much of it is copied, from where, and which passages. The report is not added.");
  add_archive_option(app, o->archive);
  app.add_option(
      "--agency", o->agency,
      "Agency of the report (its earlier reports are always compared); required unless the "
      "file names it (portal header, title or signature)");
  app.add_flag("--new-agency", o->new_agency,
               "Check under an agency name one character from a known one (otherwise refused as a likely typo)");
  app.add_option("--year", o->year, "Year of the report; required unless the file's title names it")
      ->check(CLI::Range(1900, 2200));
  add_max_file_option(app, o->extract);
  add_max_seconds_option(app, o->extract);
  add_keep_chrome_option(app, o->extract);
  app.add_option("--format", o->format, kFormatHelp)
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "html", "pdf"}));
  app.add_option("-o,--output", o->output, "Write to this file instead of standard output");
  add_check_options(app, o->params);
  app.add_option("FILE", o->file, "The report to check")->required();
  return [o] { return run_check(*o); };
}

}  // namespace leitong::cli
