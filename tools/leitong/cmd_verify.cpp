// leitong verify: checks an archive end to end (SQLite integrity, texts, sketches, index).
#include <fmt/format.h>
#include <leitong/render/report.h>
#include <leitong/archive/archive.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "options.h"

namespace leitong::cli {

namespace {

struct VerifyOptions {
  std::string archive;
  std::string format = "text";
};

int run_verify(const VerifyOptions& o) {
  const Archive archive = open_for_reading(o.archive);
  const ArchiveCheck check = archive.verify();
  if (o.format == "json") {
    nlohmann::json j{{"archive", o.archive},         {"ok", check.ok()},
                     {"documents", check.documents}, {"lsh_entries", check.lsh_entries},
                     {"postings", check.postings},   {"problems", check.problems}};
    write_output("", json_text(j));
  } else {
    std::string text = fmt::format("{}: {} documents, {} LSH bucket entries, {} postings checked\n",
                                   o.archive, check.documents, check.lsh_entries, check.postings);
    for (const auto& p : check.problems) text += "  " + p + "\n";
    text += check.ok() ? "ok\n" : fmt::format("{} problems\n", check.problems.size());
    write_output("", text);
  }
  if (!check.ok()) {
    print_error(fmt::format(
        "{}: damaged archive ({} problems); rebuild it from its files or restore a copy", o.archive,
        check.problems.size()));
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace

Runner register_verify(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  app.footer(
      "Check the whole archive: SQLite's integrity check, every text (decompresses, checksum, "
      "content hash),\n"
      "every sketch (recomputed from the text) and every LSH bucket and posting. Exit 0 if sound, "
      "2 if\n"
      "damaged or unreadable.");
  add_archive_option(app, o->archive);
  app.add_option("--format", o->format, kFormatHelp)
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  return [o] { return run_verify(*o); };
}

}  // namespace leitong::cli
