// leitong add: files or folders (with --agency/--year, or what the files name themselves) or a
// manifest into the archive, one transaction each.
#include <fmt/format.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/extract/manifest.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "commands.h"
#include "options.h"

namespace leitong::cli {

namespace {

namespace fs = std::filesystem;

struct AddOptions {
  std::string archive;
  std::string agency;
  int year = 0;
  std::string kind = "report";
  std::string manifest;
  std::vector<std::string> files;
  int shingle = 0;
  ExtractParams extract;
  bool quiet = false;
  bool progress = false;
  int batch = 1;
};

struct Job {
  fs::path path;
  std::string agency;
  int year;
  DocumentKind kind;
  std::string error;
  std::size_t manifest_line = 0;
  std::string note;  // agency/year taken from the file itself
};

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() > 1 && name[0] == '.';
}

// The files to add for one FILE argument: the file itself, or a folder's documents (by
// extension, recursively, hidden entries skipped, sorted). `skipped` counts other files.
std::vector<fs::path> expand(const std::string& arg, std::size_t& skipped, std::string& error) {
  std::error_code ec;
  if (!fs::is_directory(arg, ec)) return {fs::path(arg)};
  std::vector<fs::path> out;
  try {
    fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied), end;
    for (; it != end; it.increment(ec)) {
      if (ec) {
        error = fmt::format("{}: cannot read the folder: {}", arg, ec.message());
        break;
      }
      if (hidden(it->path())) {
        if (it->is_directory(ec)) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_regular_file(ec)) continue;
      std::string ext = it->path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (ext.empty() || is_document_extension(ext))
        out.push_back(it->path());
      else
        ++skipped;
    }
  } catch (const fs::filesystem_error& e) {
    error = fmt::format("{}: cannot read the folder: {}", arg, e.code().message());
  }
  std::sort(out.begin(), out.end());
  if (out.empty() && error.empty())
    error = fmt::format("{}: a folder without documents (.txt .md .html .docx .pdf .doc)", arg);
  return out;
}

class Progress {
 public:
  Progress(bool on, std::size_t total) : on_(on), tty_(isatty(STDERR_FILENO)), total_(total) {}
  void show(std::size_t i, const fs::path& path) {
    if (!on_) return;
    if (tty_)
      fmt::print(stderr, "\r[{}/{}] {:.60}\x1b[K", i + 1, total_, escape_controls(path.string()));
    else
      fmt::print(stderr, "[{}/{}] {}\n", i + 1, total_, escape_controls(path.string()));
  }
  void clear() {
    if (on_ && tty_) fmt::print(stderr, "\r\x1b[K");
  }

 private:
  bool on_, tty_;
  std::size_t total_;
};

int run_add(const AddOptions& o) {
  if (o.files.empty() == o.manifest.empty()) {
    print_error("add: give either FILE... or --manifest CSV");
    return kExitUsage;
  }
  const ExtractParams& extract_params = o.extract;

  std::vector<Job> jobs;
  std::size_t skipped_files = 0;
  const bool needs_metadata =
      o.manifest.empty() && (o.agency.find_first_not_of(" \t") == std::string::npos || o.year == 0);
  if (!o.manifest.empty()) {
    for (ManifestRow& row : read_manifest(o.manifest))
      jobs.push_back(
          {row.path, row.agency, row.year, row.kind,
           row.error.empty() ? "" : fmt::format("{}: line {}: {}", o.manifest, row.line, row.error),
           row.line, ""});
  } else {
    if (!o.agency.empty() && o.agency.find_first_not_of(" \t") == std::string::npos) {
      print_error("add: --agency is empty");
      return kExitUsage;
    }
    for (const std::string& f : o.files) {
      std::string error;
      for (fs::path& p : expand(f, skipped_files, error))
        jobs.push_back({std::move(p), o.agency, o.year, *parse_kind(o.kind), "", 0, ""});
      if (!error.empty()) jobs.push_back({f, o.agency, o.year, *parse_kind(o.kind), error, 0, ""});
    }
  }

  const bool progress_on = o.progress || (!o.quiet && jobs.size() >= 10 && isatty(STDERR_FILENO));
  // Without --agency or --year, every file must name what is missing: read them all first, and
  // make it a usage error (before the archive is touched) when one does not.
  if (needs_metadata) {
    Progress progress(progress_on, jobs.size());
    std::vector<std::string> unnamed;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      Job& job = jobs[i];
      if (!job.error.empty()) continue;
      progress.show(i, job.path);
      // Only what the file names is kept; its text is read again when added, so memory stays
      // bounded for large folders.
      ReadDocument read;
      try {
        read = read_document(job.path, job.agency, job.year, job.kind, extract_params);
      } catch (const Error& e) {
        job.error = e.what();
        continue;
      }
      if (!read.complete()) {
        unnamed.push_back(fmt::format("add: {}: give {} (the file names none)", job.path.string(),
                                      read.agency_missing ? "--agency" : "--year"));
        continue;
      }
      std::vector<std::string> notes;
      if (!read.agency_from.empty())
        notes.push_back(fmt::format("agency {} from its {}", read.document.info.agency, read.agency_from));
      if (!read.year_from.empty())
        notes.push_back(fmt::format("year {} from its {}", read.document.info.year, read.year_from));
      job.agency = read.document.info.agency;
      job.year = read.document.info.year;
      for (const std::string& n : notes) job.note += (job.note.empty() ? "" : ", ") + n;
    }
    progress.clear();
    if (!unnamed.empty()) {
      for (const std::string& m : unnamed) print_error(m);
      return kExitUsage;
    }
  }

  ArchiveParams params;
  if (o.shingle) params.sketch.shingle.n = o.shingle;
  Archive archive = Archive::open(o.archive, Archive::Mode::kReadWrite, params);
  // --shingle asks for the shingle size only: an existing archive keeps its other parameters
  // (older archives have other defaults, e.g. their MinHash variant).
  if (o.shingle) {
    ArchiveParams requested = archive.params();
    requested.sketch.shingle.n = o.shingle;
    archive.require_params(requested);
  }
  archive.set_batch_size(o.batch);

  // What stdout says is true: a document is reported added once it is committed. With --batch,
  // the lines of the open group wait for its commit (and are never printed if it fails).
  Progress progress(progress_on, jobs.size());
  std::size_t added = 0, present = 0, refused = 0, chrome_lines = 0;
  std::vector<std::string> held;  // lines of the documents of the open group
  std::size_t held_added = 0;
  auto release_held = [&] {
    progress.clear();
    if (!o.quiet)
      for (const std::string& line : held) fmt::print("{}", line);
    added += held_added;
    held.clear();
    held_added = 0;
  };
  // An archive that cannot be written stops the run: later files would fail the same way.
  auto stop = [&](const ArchiveWriteError& e) {
    progress.clear();
    std::string holds = "could not be counted";
    try {
      holds = fmt::format("holds {} documents", archive.document_count());
    } catch (const Error&) {
    }
    print_error(fmt::format("{} — stopped: {} added by this run and committed, the archive {}; "
                            "run the same add again to add the rest (what is archived is left unchanged)",
                            e.what(), added, holds));
    return kExitUsage;
  };
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    Job& job = jobs[i];
    progress.show(i, job.path);
    try {
      if (!job.error.empty()) throw Error(job.error);
      const ReadDocument read = read_document(job.path, job.agency, job.year, job.kind, extract_params);
      const Document& doc = read.document;
      const AddOutcome outcome = archive.add(doc);
      // Names as a person should see them: any control characters escaped (text.h).
      const std::string file = escape_controls(doc.info.file);
      if (!job.note.empty()) held.push_back(fmt::format("note       {}: {}\n", file, escape_controls(job.note)));
      if (outcome.added) {
        ++held_added;
        chrome_lines += read.chrome_lines;
        held.push_back(fmt::format("added      {} ({}, {}, {}) as #{}\n", file, escape_controls(job.agency),
                                   job.year, kind_name(job.kind), outcome.id));
      } else {
        ++present;
        held.push_back(fmt::format("unchanged  {} (already in the archive as #{})\n", file, outcome.id));
      }
      if (archive.uncommitted() == 0) release_held();
    } catch (const ArchiveWriteError& e) {
      // This file is not in the archive. The documents of the open group before it are, if the
      // group is still open (the failure was this document's alone) and can be committed.
      if (archive.uncommitted() > 0) {
        try {
          archive.flush();
          release_held();
        } catch (const ArchiveWriteError&) {
        }
      }
      return stop(e);
    } catch (const Error& e) {
      ++refused;
      progress.clear();
      print_error(e.what());
    }
  }
  try {
    archive.flush();
    release_held();
  } catch (const ArchiveWriteError& e) {
    return stop(e);
  }
  progress.clear();
  if (!o.quiet) {
    if (skipped_files)
      fmt::print("{} file{} of other types in the folders skipped\n", skipped_files,
                 skipped_files == 1 ? "" : "s");
    if (chrome_lines)
      fmt::print("{} line{} of page chrome left out of the added files (`leitong extract --format json FILE` "
                 "lists them; --keep-chrome keeps them)\n",
                 chrome_lines, chrome_lines == 1 ? "" : "s");
    fmt::print("{} added, {} already present, {} refused; archive {} holds {} documents\n", added,
               present, refused, o.archive, archive.document_count());
  }
  return refused ? kExitRefused : kExitOk;
}

}  // namespace

Runner register_add(CLI::App& app) {
  auto o = std::make_shared<AddOptions>();
  app.footer(
      "Add reports or template pages to the archive. Each file is added in its own transaction: a\n"
      "refused or interrupted file leaves the archive as it was, and re-running the same add only\n"
      "adds what is missing (a text already archived for that agency and year is left unchanged).\n"
      "A FILE that is a folder adds its documents (.txt .md .html .htm .docx .pdf .doc and files\n"
      "without extension), recursively. Without --agency or --year, each file must name them\n"
      "itself (a portal header such as 名称/发布机构, its title, or its signature); what was "
      "taken\n"
      "from the file is said in a `note` line. --batch N groups N files to a transaction for bulk\n"
      "loads: the index entries of a group are written together when it commits, so larger groups\n"
      "are faster (a million reports: 19 minutes with --batch 20000; about 7 KB of memory per file\n"
      "of the group). An interruption then loses the open group, which re-running the same add\n"
      "restores.");
  add_archive_option(app, o->archive);
  app.add_option("--agency", o->agency,
                 "Agency that published the files (default: what each file names)");
  app.add_option("--year", o->year,
                 "Year the report is about (default: the year in each file's title)")
      ->check(CLI::Range(1900, 2200));
  app.add_option("--kind", o->kind, "report, or template for a 范文 page or model text")
      ->capture_default_str()
      ->check(CLI::IsMember({"report", "template"}));
  app.add_option("--manifest", o->manifest,
                 "CSV with header path,agency,year[,kind]; paths relative to the CSV")
      ->check(CLI::ExistingFile);
  app.add_option("--shingle", o->shingle,
                 "Shingle size for a new archive (an existing one must match)")
      ->check(CLI::Range(2, 32));
  add_max_file_option(app, o->extract);
  add_keep_chrome_option(app, o->extract);
  app.add_flag("-q,--quiet", o->quiet, "Print only refusals");
  app.add_flag("--progress", o->progress,
               "Show progress on standard error (default: on a terminal, 10+ files)");
  app.add_option("--batch", o->batch,
                 "Files per transaction (default 1; e.g. 20000 for a bulk load, see below)")
      ->check(CLI::Range(1, 100000));
  app.add_option("FILE", o->files, "Files or folders to add");
  return [o] { return run_add(*o); };
}

}  // namespace leitong::cli
