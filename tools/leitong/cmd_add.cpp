// leitong add: files (with --agency/--year) or a manifest into the archive, one transaction each.
#include "commands.h"
#include "options.h"

#include <leitong/archive.h>
#include <leitong/error.h>
#include <leitong/extract.h>
#include <leitong/manifest.h>

#include <fmt/format.h>
#include <unistd.h>

#include <memory>

namespace leitong::cli {

namespace {

struct AddOptions {
  std::string archive;
  std::string agency;
  int year = 0;
  std::string kind = "report";
  std::string manifest;
  std::vector<std::string> files;
  int shingle = 0;
  bool quiet = false;
};

struct Job {
  std::filesystem::path path;
  std::string agency;
  int year;
  DocumentKind kind;
  std::string error;
  std::size_t manifest_line = 0;
};

int run_add(const AddOptions& o) {
  if (o.files.empty() == o.manifest.empty()) {
    print_error("add: give either FILE... (with --agency and --year) or --manifest CSV");
    return kExitUsage;
  }
  std::vector<Job> jobs;
  if (!o.manifest.empty()) {
    for (ManifestRow& row : read_manifest(o.manifest))
      jobs.push_back({row.path, row.agency, row.year, row.kind,
                      row.error.empty() ? "" : fmt::format("{}: line {}: {}", o.manifest, row.line, row.error),
                      row.line});
  } else {
    if (o.agency.find_first_not_of(" \t") == std::string::npos || o.year == 0) {
      print_error("add: --agency and --year are required with FILE arguments");
      return kExitUsage;
    }
    for (const std::string& f : o.files) jobs.push_back({f, o.agency, o.year, *parse_kind(o.kind), "", 0});
  }

  ArchiveParams params;
  if (o.shingle) params.sketch.shingle.n = o.shingle;
  Archive archive = Archive::open(o.archive, Archive::Mode::kReadWrite, params, o.shingle ? &params : nullptr);

  const bool progress = !o.quiet && jobs.size() >= 10 && isatty(STDERR_FILENO);
  std::size_t added = 0, present = 0, refused = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const Job& job = jobs[i];
    if (progress) fmt::print(stderr, "\r[{}/{}] {:.60}\x1b[K", i + 1, jobs.size(), job.path.string());
    try {
      if (!job.error.empty()) throw Error(job.error);
      Document doc;
      doc.info.file = job.path.string();
      doc.info.agency = job.agency;
      doc.info.year = job.year;
      doc.info.kind = job.kind;
      doc.text = extract_file(job.path).text;
      const AddOutcome outcome = archive.add(doc);
      if (outcome.added) {
        ++added;
        if (!o.quiet) fmt::print("added      {} ({}, {}, {}) as #{}\n", doc.info.file, job.agency, job.year,
                                 kind_name(job.kind), outcome.id);
      } else {
        ++present;
        if (!o.quiet) fmt::print("unchanged  {} (already in the archive as #{})\n", doc.info.file, outcome.id);
      }
    } catch (const Error& e) {
      ++refused;
      if (progress) fmt::print(stderr, "\r\x1b[K");
      print_error(e.what());
    }
  }
  if (progress) fmt::print(stderr, "\r\x1b[K");
  if (!o.quiet)
    fmt::print("{} added, {} already present, {} refused; archive {} holds {} documents\n", added, present,
               refused, o.archive, archive.document_count());
  return refused ? kExitRefused : kExitOk;
}

}  // namespace

Runner register_add(CLI::App& app) {
  auto o = std::make_shared<AddOptions>();
  app.footer(
      "Add reports or template pages to the archive. Each file is added in its own transaction: a\n"
      "refused or interrupted file leaves the archive as it was, and re-running the same add only\n"
      "adds what is missing (a text already archived for that agency and year is left unchanged).");
  add_archive_option(app, o->archive);
  app.add_option("--agency", o->agency, "Agency that published the files");
  app.add_option("--year", o->year, "Year the report is about")->check(CLI::Range(1900, 2200));
  app.add_option("--kind", o->kind, "report, or template for a 范文 page or model text")
      ->capture_default_str()
      ->check(CLI::IsMember({"report", "template"}));
  app.add_option("--manifest", o->manifest,
                 "CSV with header path,agency,year[,kind]; paths relative to the CSV")
      ->check(CLI::ExistingFile);
  app.add_option("--shingle", o->shingle, "Shingle size for a new archive (an existing one must match)")
      ->check(CLI::Range(2, 32));
  app.add_flag("-q,--quiet", o->quiet, "Print only refusals");
  app.add_option("FILE", o->files, "Files to add");
  return [o] { return run_add(*o); };
}

}  // namespace leitong::cli
