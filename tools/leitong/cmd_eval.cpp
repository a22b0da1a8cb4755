// leitong eval: scores the archive check against the truth of a synthetic archive (PAN measures).
#include <fmt/format.h>
#include <leitong/archive/archive.h>
#include <leitong/testing/eval.h>
#include <unistd.h>

#include <memory>

#include "commands.h"
#include "options.h"

namespace leitong::cli {

namespace {

struct EvalOptions {
  std::string archive;
  std::string truth;
  std::string format = "text";
  EvalParams params;
};

int run_eval(const EvalOptions& o) {
  const Archive archive = open_for_reading(o.archive);
  const bool tty = isatty(STDERR_FILENO);
  auto progress = [tty](std::size_t done, std::size_t total) {
    if (tty) fmt::print(stderr, "\r[{}/{}] reports checked\x1b[K", done, total);
  };
  const EvalResult result = evaluate(archive, o.truth, o.params, progress);
  if (tty) fmt::print(stderr, "\r\x1b[K");
  write_output("", o.format == "json" ? eval_json(result) : eval_text(result));
  return kExitOk;
}

}  // namespace

Runner register_eval(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  app.footer(
      "Check every report listed in a truth file (truth.jsonl of `leitong synth`) against the "
      "archive\n"
      "and score the detected passages against the planted ones with the PAN-PC character "
      "measures\n"
      "(precision, recall, granularity, plagdet), plus recycled reports found and clean reports\n"
      "wrongly flagged.");
  add_archive_option(app, o->archive);
  app.add_option("--truth", o->truth, "truth.jsonl written by `leitong synth`")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--format", o->format, kFormatHelp)
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option(
         "--threshold", o->params.flag_threshold,
         "copy_ratio_excluding_boilerplate at which a clean report counts as wrongly flagged")
      ->capture_default_str();
  add_check_options(app, o->params.check);
  return [o] { return run_eval(*o); };
}

}  // namespace leitong::cli
