// leitong yoy: the year-over-year check over the whole archive.
#include "commands.h"
#include "options.h"
#include "output.h"

#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>
#include <leitong/render/report.h>

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <memory>

namespace leitong::cli {

namespace {

struct YoyOptions {
  std::string archive;
  std::string format = "text";
  std::string output;
  int year = 0;
  bool all_prior = false;
  bool quiet = false;
  bool no_bom = false;
  std::size_t cache_mb = YoyParams{}.reference_cache_bytes >> 20;
  YoyParams params;
};

int run_yoy(YoyOptions& o) {
  if ((o.format == "html" || o.format == "xlsx") && (o.output.empty() || o.output == "-")) {
    print_error(o.format == "html"
                    ? "yoy: --format html writes an overview page and evidence pages beside it; give -o FILE.html"
                    : "yoy: --format xlsx writes a workbook and evidence pages beside it; give -o FILE.xlsx");
    return kExitUsage;
  }
  const Archive archive = open_for_reading(o.archive);
  if (o.year) o.params.year = o.year;
  o.params.all_prior = o.all_prior;
  o.params.keep_findings = o.format == "html" || o.format == "xlsx";
  o.params.reference_cache_bytes = o.cache_mb << 20;
  const bool progress = !o.quiet && isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto last = start - std::chrono::seconds(1);
  const YoyResult result = year_over_year(archive, o.params, [&](std::size_t done, std::size_t total) {
    if (!progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - last < std::chrono::milliseconds(200)) return;  // a line a fifth of a second
    last = now;
    const double elapsed = std::chrono::duration<double>(now - start).count();
    std::string rate;
    if (done >= 20 && elapsed > 1) {
      const double per_second = double(done) / elapsed;
      const auto left = static_cast<long long>(double(total - done) / per_second);
      rate = fmt::format(", {:.0f}/s, about {}:{:02d}:{:02d} left", per_second, left / 3600, left / 60 % 60, left % 60);
    }
    fmt::print(stderr, "\r[{}/{}] reports checked{}\x1b[K", done, total, rate);
  });
  if (progress) fmt::print(stderr, "\r\x1b[K");
  write_yoy(result, o.format, o.output, !o.no_bom);
  return kExitOk;
}

}  // namespace

Runner register_yoy(CLI::App& app) {
  auto o = std::make_shared<YoyOptions>();
  app.footer(
      "For every report that has an earlier report of the same agency, check it against the archive and\n"
      "read off how much it copies from the nearest earlier year; rank by the share excluding boilerplate\n"
      "and flag those at or above the threshold. html writes an overview (sortable table, histogram) and\n"
      "one evidence page per row into a folder beside it; xlsx a workbook (rows, sections, notes) linking to\n"
      "the same evidence pages. CSV written with -o starts with a byte-order mark so that Excel reads it as\n"
      "UTF-8 (--no-bom: none); on standard output it has none.");
  add_archive_option(app, o->archive);
  app.add_option("--year", o->year, "Only reports of this year")->check(CLI::Range(1900, 2200));
  app.add_option("--threshold", o->params.threshold, "Flag rows whose share excluding boilerplate reaches this")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_flag("--all-prior", o->all_prior, "One row per earlier year, not only the nearest");
  app.add_option("--format", o->format, kFormatHelp)
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json", "csv", "html", "xlsx"}));
  app.add_flag("--no-bom", o->no_bom, "CSV written to a file without the UTF-8 byte-order mark");
  app.add_option("-o,--output", o->output, "Write to this file instead of standard output");
  app.add_flag("-q,--quiet", o->quiet, "No progress on stderr");
  app.add_option("--threads", o->params.threads, "Reports checked in parallel (0: one per core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  app.add_option("--cache-mb", o->cache_mb,
                 "Memory for archived documents prepared for alignment, kept across the checks (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t(0), std::size_t(1) << 20));
  add_check_options(app, o->params.check);
  return [o] { return run_yoy(*o); };
}

}  // namespace leitong::cli
