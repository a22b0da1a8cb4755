// leitong synth: writes a synthetic archive of reports with planted copies and their truth.
#include <fmt/format.h>
#include <leitong/testing/synth.h>
#include <unistd.h>

#include <memory>

#include "commands.h"

namespace leitong::cli {

namespace {

struct SynthOptions {
  SynthParams params;
  std::string out;
  std::string corpora = "corpora";
  bool quiet = false;
};

int run_synth(SynthOptions& o) {
  o.params.corpora = o.corpora;
  const bool tty = isatty(STDERR_FILENO) && !o.quiet;
  auto progress = [tty](std::size_t done, std::size_t total) {
    if (tty && (done % 10 == 0 || done == total))
      fmt::print(stderr, "\r[{}/{}] reports\x1b[K", done, total);
  };
  const SynthSummary s = synthesize(o.params, o.out, progress);
  if (tty) fmt::print(stderr, "\r\x1b[K");
  if (!o.quiet)
    fmt::print(
        "wrote {} reports and {} templates to {} (manifest.csv, truth.jsonl)\n"
        "plants: {} recycled, {} peer, {} template, {} self; {} reports without plants; sentences "
        "written by a model of {} source sentences\n",
        s.reports, s.templates, o.out, s.recycled, s.peer, s.template_filled, s.self,
        s.clean_reports, s.sentences);
  return kExitOk;
}

}  // namespace

Runner register_synth(CLI::App& app) {
  auto o = std::make_shared<SynthOptions>();
  app.footer(
      "Write a synthetic archive: reports that follow the annual-report skeleton, of new "
      "sentences\n"
      "in the language of the bundled corpora (any number of reports: nothing runs out), with\n"
      "planted year-over-year recycling, paragraphs lifted\n"
      "from peers, 范文 templates filled in, self-repetition, shared boilerplate and formatting\n"
      "noise. OUT receives reports/YEAR/*.txt, templates/*.txt, manifest.csv (for `add "
      "--manifest`)\n"
      "and truth.jsonl (the planted spans, for `eval`). The same seed gives the same files.");
  app.add_option("--agencies", o->params.agencies, "Number of agencies")
      ->capture_default_str()
      ->check(CLI::Range(1, 276480));
  app.add_option("--years", o->params.years, "Years per agency")
      ->capture_default_str()
      ->check(CLI::Range(1, 50));
  app.add_option("--first-year", o->params.first_year, "Year of the first reports")
      ->capture_default_str();
  app.add_option("--seed", o->params.seed, "Random seed")->capture_default_str();
  app.add_option("--corpora", o->corpora,
                 "Folder holding reports/*.txt and gov-work-reports/*.txt (laws/ is not read)")
      ->capture_default_str();
  app.add_option("--local-names", o->params.local_names,
                 "Share of the clauses after a comma (or sentences without one) of new sentences that open with a "
                 "local name of the agency (a place, unit or project of its own; 0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--out", o->out, "Output folder")->required();
  app.add_flag("-q,--quiet", o->quiet, "Print nothing but errors");
  return [o] { return run_synth(*o); };
}

}  // namespace leitong::cli
