// leitong boilerplate: the passages shared by the most distinct agencies.
#include "commands.h"
#include "options.h"

#include <leitong/analysis/boilerplate.h>
#include <leitong/archive/archive.h>
#include <leitong/render/report.h>

#include <memory>

namespace leitong::cli {

namespace {

struct BoilerplateOptions {
  std::string archive;
  std::string format = "text";
  std::string output;
  BoilerplateParams params;
};

int run_boilerplate(const BoilerplateOptions& o) {
  const Archive archive = open_for_reading(o.archive);
  const BoilerplateResult result = mine_boilerplate(archive, o.params);
  write_output(o.output, o.format == "json" ? json_text(boilerplate_to_json(result))
                                            : render_boilerplate_text(result));
  return kExitOk;
}

}  // namespace

Runner register_boilerplate(CLI::App& app) {
  auto o = std::make_shared<BoilerplateOptions>();
  app.footer(
      "List the passages that the reports of the most distinct agencies share (political formulae,\n"
      "mandated headings): what `check` reports as boilerplate and leaves out of\n"
      "copy_ratio_excluding_boilerplate.");
  add_archive_option(app, o->archive);
  app.add_option("--top", o->params.top, "Passages listed")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--boilerplate-agencies", o->params.min_agencies, "Agencies that must share a passage")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--format", o->format, kFormatHelp)->capture_default_str()->check(CLI::IsMember({"text", "json"}));
  app.add_option("-o,--output", o->output, "Write to this file instead of standard output");
  return [o] { return run_boilerplate(*o); };
}

}  // namespace leitong::cli
