// leitong: finds recycled, copied and templated text in government annual reports.
#include "commands.h"
#include "heap.h"
#include "icu_data.h"

#include <leitong/core/text.h>

#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/simd.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

namespace leitong::cli {

// Messages name files, agencies and text, whatever characters they hold: one line each, no
// control sequence reaches the terminal.
void print_error(const std::string& message) { fmt::print(stderr, "leitong: {}\n", escape_controls(message)); }

void write_output(const std::string& path, const std::string& content) {
  if (path.empty() || path == "-") {
    std::fwrite(content.data(), 1, content.size(), stdout);
    std::fflush(stdout);
    return;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw_error("{}: cannot open for writing", path);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out.flush()) throw_error("{}: write failed", path);
}

}  // namespace leitong::cli

int main(int argc, char** argv) {
  using namespace leitong::cli;
  leitong::configure_sqlite_for_this_program();  // one thread, no connection yet
  CLI::App app{
      "leitong (雷同) finds recycled, copied and templated text in government annual reports.\n"
      "It keeps an archive of reports (agency, year, text) and says, for a report, how much of it is\n"
      "copied, from which documents, exactly which passages, and how much is shared boilerplate."};
  app.name("leitong");
  // LEITONG_SIMD=portable|avx2 rules out wider vector loops (to compare them, or on a machine
  // that misreports them); results never depend on it.
  if (const char* limit = std::getenv("LEITONG_SIMD"); limit && *limit) {
    const auto path = leitong::parse_simd_path(limit);
    if (!path) {
      print_error(fmt::format("LEITONG_SIMD must be portable, avx2 or avx512, not '{}'", limit));
      return kExitUsage;
    }
    leitong::limit_simd_path(*path);
  }
  app.set_version_flag("--version", fmt::format("leitong {}\nsketching: {} (this CPU: {})", LEITONG_VERSION,
                                                leitong::simd_path_name(leitong::simd_path()),
                                                leitong::simd_path_name(leitong::best_simd_path())));
  app.require_subcommand(1);
  app.footer("Run `leitong COMMAND --help` for a command's options.");
  std::map<CLI::App*, Runner> runners;
  auto add = [&](Runner (*reg)(CLI::App&), const char* name, const char* description) {
    CLI::App* sub = app.add_subcommand(name, description);
    runners[sub] = reg(*sub);
  };
  add(register_add, "add", "Add reports or template pages to the archive");
  add(register_check, "check", "Check one report against the archive (never adds it)");
  add(register_compare, "compare", "Compare two files directly, without an archive");
  add(register_stats, "stats", "Describe the archive");
  add(register_extract, "extract", "Print the text leitong compares for a file (what offsets point into)");
  add(register_yoy, "yoy", "Year-over-year check of every report against its agency's earlier year");
  add(register_boilerplate, "boilerplate", "The passages that the most agencies share");
  add(register_clusters, "clusters", "Groups of near-duplicate reports (one template, many agencies)");
  add(register_verify, "verify", "Check the archive for damage (integrity, texts, sketches, index)");
  add(register_synth, "synth", "Write a synthetic archive with planted copies and their truth");
  add(register_eval, "eval", "Score the archive check against a synthetic archive's truth (PAN measures)");
  add(register_serve, "serve", "Serve the web application and JSON API over the archive");
  add(register_user, "user", "Accounts of the web service (add, list, remove, passwd)");
  add(register_agencies, "agencies", "The register of agencies: list, alias, rename, merge");
  auto is_command = [&](const std::string& name) {
    for (const CLI::App* sub : app.get_subcommands({}))
      if (sub->get_name() == name) return true;
    return false;
  };
  if (argc > 1 && argv[1][0] != '-' && !is_command(argv[1])) {
    print_error(fmt::format("unknown command '{}'", argv[1]));
    fmt::print(stderr, "Run `leitong --help` for the list of commands.\n");
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    print_error(e.what());
    fmt::print(stderr, "Run `leitong --help` for usage.\n");
    return kExitUsage;
  }
  for (CLI::App* sub : app.get_subcommands()) {
    // Only for the commands about one report, whose start is much of their time: the others run
    // long, the service serves from many threads, and the C library's defaults suit them (an arena
    // per thread, trimmed as it frees).
    if (sub->get_name() == "check" || sub->get_name() == "compare") {
      prepare_heap();
      read_icu_data_by_page();
    }
    try {
      return runners.at(sub)();
    } catch (const leitong::Error& e) {
      print_error(e.what());
      return kExitUsage;
    } catch (const std::exception& e) {
      print_error(std::string("internal error: ") + e.what());
      return 3;
    }
  }
  return kExitUsage;
}
