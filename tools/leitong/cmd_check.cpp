// leitong check: one report against the archive.
#include "commands.h"
#include "options.h"
#include "output.h"

#include <leitong/archive.h>
#include <leitong/error.h>
#include <leitong/extract.h>
#include <leitong/report.h>

#include <memory>

namespace leitong::cli {

namespace {

struct CheckOptions {
  std::string archive;
  std::string agency;
  int year = 0;
  std::string format = "text";
  std::string output;
  std::string file;
  CheckParams params;
};

int run_check(const CheckOptions& o) {
  Archive archive = Archive::open(o.archive, Archive::Mode::kReadOnly);
  Document report;
  report.info.file = o.file;
  report.info.agency = o.agency;
  report.info.year = o.year;
  try {
    report.text = extract_file(o.file).text;
  } catch (const Error& e) {
    print_error(e.what());
    return kExitRefused;
  }
  const Findings findings = check_against_archive(archive, report, o.params);
  write_findings(findings, o.format, o.output);
  return kExitOk;
}

}  // namespace

Runner register_check(CLI::App& app) {
  auto o = std::make_shared<CheckOptions>();
  app.footer(
      "Check one report against every archived document (except copies of the report itself) and\n"
      "say how much of it is copied, from where, and which passages. The report is not added.");
  add_archive_option(app, o->archive);
  app.add_option("--agency", o->agency, "Agency of the report (its earlier reports are always compared)")->required();
  app.add_option("--year", o->year, "Year of the report")->required()->check(CLI::Range(1900, 2200));
  app.add_option("--format", o->format, kFormatHelp)
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "html"}));
  app.add_option("-o,--output", o->output, "Write to this file instead of standard output");
  add_check_options(app, o->params);
  app.add_option("FILE", o->file, "The report to check")->required();
  return [o] { return run_check(*o); };
}

}  // namespace leitong::cli
