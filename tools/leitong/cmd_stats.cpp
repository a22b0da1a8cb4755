// leitong stats: what the archive holds and how large its index is.
#include "commands.h"
#include "options.h"

#include <leitong/archive/archive.h>
#include <leitong/render/report.h>

#include <memory>

namespace leitong::cli {

namespace {

struct StatsOptions {
  std::string archive;
  std::string format = "text";
};

int run_stats(const StatsOptions& o) {
  const Archive archive = open_for_reading(o.archive);
  const ArchiveStats stats = archive.stats();
  write_output("", o.format == "json" ? json_text(stats_to_json(stats)) : render_stats_text(stats));
  return kExitOk;
}

}  // namespace

Runner register_stats(CLI::App& app) {
  auto o = std::make_shared<StatsOptions>();
  app.footer("Describe the archive: documents, agencies, years, sizes and parameters.");
  add_archive_option(app, o->archive);
  app.add_option("--format", o->format, kFormatHelp)->capture_default_str()->check(CLI::IsMember({"text", "json"}));
  return [o] { return run_stats(*o); };
}

}  // namespace leitong::cli
