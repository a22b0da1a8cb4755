// leitong clusters: groups of near-duplicate reports (one template filled in by many agencies).
#include "commands.h"
#include "options.h"

#include <leitong/analysis/clusters.h>
#include <leitong/archive/archive.h>
#include <leitong/render/report.h>

#include <memory>

namespace leitong::cli {

namespace {

struct ClustersOptions {
  std::string archive;
  std::string format = "text";
  std::string output;
  int year = 0;
  ClusterParams params;
};

int run_clusters(ClustersOptions& o) {
  const Archive archive = open_for_reading(o.archive);
  if (o.year) o.params.year = o.year;
  const ClusterResult result = find_clusters(archive, o.params);
  write_output(o.output, o.format == "json" ? json_text(clusters_to_json(result)) : render_clusters_text(result));
  return kExitOk;
}

}  // namespace

Runner register_clusters(CLI::App& app) {
  auto o = std::make_shared<ClustersOptions>();
  app.footer(
      "Group reports that are near-duplicates of one another: candidates from LSH, confirmed by\n"
      "alignment (each report of a pair shares at least --min-ratio of its text with the other).\n"
      "Reports of the same year by default; --across-years also joins different years.");
  add_archive_option(app, o->archive);
  app.add_option("--year", o->year, "Only reports of this year")->check(CLI::Range(1900, 2200));
  app.add_flag("--across-years", o->params.across_years, "Group reports of different years too");
  app.add_option("--min-ratio", o->params.min_copy_ratio, "Shared share confirming a pair, both ways")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--format", o->format, kFormatHelp)->capture_default_str()->check(CLI::IsMember({"text", "json"}));
  app.add_option("-o,--output", o->output, "Write to this file instead of standard output");
  return [o] { return run_clusters(*o); };
}

}  // namespace leitong::cli
