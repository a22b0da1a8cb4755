// leitong add: files or folders (with --agency/--year, or what the files name themselves) or a
// manifest into the archive, one transaction each.
#include <fmt/format.h>
#include <leitong/analysis/agencies.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/ordered_pipeline.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/extract/manifest.h>
#include <leitong/extract/name_pattern.h>
#include <leitong/extract/zip.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "commands.h"
#include "options.h"

namespace leitong::cli {

namespace {

namespace fs = std::filesystem;

// A group of files commits after this many files or this long, whichever comes first (without
// --batch): a folder of thousands loads in seconds (the index entries of a group are written
// together), and what the terminal shows as added never waits long for its commit.
constexpr int kAutoGroupFiles = 1000;
constexpr auto kAutoGroupTime = std::chrono::seconds(2);
// Refusals (and warnings) of one reason printed one per file before the rest are only counted.
constexpr std::size_t kShownPerReason = 3;

struct AddOptions {
  std::string archive;
  std::string agency;
  int year = 0;
  std::string kind = "report";
  std::string manifest;
  std::string name_pattern;
  std::string refusals_csv;
  std::vector<std::string> files;
  int shingle = 0;
  ExtractParams extract;
  bool quiet = false;
  bool progress = false;
  bool new_agency = false;
  int batch = 0;  // 0: groups of kAutoGroupFiles or kAutoGroupTime
};

struct Job {
  fs::path path;           // as shown: the file, or ZIP/ENTRY
  std::string relative;    // the path the name pattern reads: below the folder given, or the name
  std::string agency;
  int year;
  DocumentKind kind;
  std::string error;
  std::shared_ptr<const UnpackedZip> zip;  // set for an entry of a zip
  std::size_t zip_member = 0;
  std::size_t cost = 0;  // what it counts in the pipeline's window before it is read (cost_of)
  bool past_end = false;  // a place past the input's end (it shrank since it was counted): skipped
};

bool hidden(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() > 1 && name[0] == '.';
}

std::string lower_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// The files to add for one FILE argument, each with its path below the argument: the file itself,
// or a folder's documents and zip files (by extension, recursively, hidden entries skipped,
// sorted). `skipped` counts other files.
std::vector<std::pair<fs::path, std::string>> expand(const std::string& arg, std::size_t& skipped, std::string& error) {
  std::error_code ec;
  if (!fs::is_directory(arg, ec)) return {{fs::path(arg), fs::path(arg).filename().generic_string()}};
  std::vector<std::pair<fs::path, std::string>> out;
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
      const std::string ext = lower_extension(it->path());
      if (ext.empty() || is_zip_path(it->path()) || is_document_extension(ext))
        out.emplace_back(it->path(), it->path().lexically_relative(arg).generic_string());
      else
        ++skipped;
    }
  } catch (const fs::filesystem_error& e) {
    error = fmt::format("{}: cannot read the folder: {}", arg, e.code().message());
  }
  std::sort(out.begin(), out.end());
  if (out.empty() && error.empty())
    error = fmt::format("{}: a folder without documents (.txt .md .html .docx .pdf .doc .zip)", arg);
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

// Messages about files, grouped by their reason: the first few of each reason are printed as
// `leitong: FILE: reason` on stderr, the rest counted and summed up in one line at the end; all
// of them can be written to a CSV (file,reason). A reason is the message without its file name,
// digits left out of the grouping ("invalid UTF-8 at byte 1234" is one reason whatever the byte).
class FileMessages {
 public:
  explicit FileMessages(std::string prefix) : prefix_(std::move(prefix)) {}

  // `group` names the reason the summary line gives for all messages alike (default: the reason,
  // its digits left out when they differ).
  void add(const std::string& file, const std::string& message, Progress& progress, const std::string& group = "") {
    std::string reason = message;
    if (reason.starts_with(file + ": ")) reason.erase(0, file.size() + 2);
    std::string key = group;
    if (key.empty()) {
      for (const char c : reason) {
        if (!std::isdigit(static_cast<unsigned char>(c))) key += c;
        else if (key.empty() || key.back() != '#') key += '#';
      }
    }
    auto [it, inserted] = index_.try_emplace(key, groups_.size());
    if (inserted) groups_.push_back({group.empty() ? reason : group, 0});
    Group& g = groups_[it->second];
    if (group.empty() && g.reason != reason) g.reason = key;  // "at byte #": the numbers differ
    if (g.count++ < kShownPerReason) {
      progress.clear();
      print_error(prefix_ + file + ": " + reason);
    }
    all_.emplace_back(file, reason);
  }
  std::size_t count() const { return all_.size(); }

  // One line for each reason with more files than were printed.
  void print_summary() const {
    for (const Group& g : groups_)
      if (g.count > kShownPerReason)
        print_error(fmt::format("{}{} files in all: {} ({} not listed above)", prefix_, g.count, g.reason,
                                g.count - kShownPerReason));
  }
  void write_csv(std::string& out) const {
    for (const auto& [file, reason] : all_) out += csv_field(file) + "," + csv_field(reason) + "\n";
  }

 private:
  static std::string csv_field(const std::string& s) {
    std::string field = escape_controls(s);
    if (field.find_first_of(",\"") == std::string::npos) return field;
    std::string quoted = "\"";
    for (const char c : field) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  }
  struct Group {
    std::string reason;
    std::size_t count;
  };
  std::string prefix_;
  std::map<std::string, std::size_t> index_;
  std::vector<Group> groups_;
  std::vector<std::pair<std::string, std::string>> all_;
};

// Where add's files come from, in input order, zips not yet opened: the files and folders given
// (listed once), or a manifest's rows, read again from the file on each pass, one at a time.
class JobRows {
 public:
  explicit JobRows(std::vector<Job> listed) : listed_(std::move(listed)) {}
  explicit JobRows(std::string manifest) : manifest_path_(std::move(manifest)) { restart(); }
  void restart() {
    next_listed_ = 0;
    if (!manifest_path_.empty()) manifest_.emplace(manifest_path_);
  }
  std::optional<Job> next() {
    if (!manifest_) {
      if (next_listed_ == listed_.size()) return std::nullopt;
      return listed_[next_listed_++];
    }
    std::optional<ManifestRow> row = manifest_->next();
    if (!row) return std::nullopt;
    return Job{std::move(row->path), "", std::move(row->agency), row->year, row->kind,
               row->error.empty() ? "" : fmt::format("{}: line {}: {}", manifest_path_, row->line, row->error)};
  }

 private:
  std::vector<Job> listed_;
  std::size_t next_listed_ = 0;
  std::string manifest_path_;
  std::optional<ManifestReader> manifest_;
};

// Appends the jobs of one row to `out`: a zip's documents (ZIP/ENTRY, each holding the unpacked
// zip until the last of them is dropped), or the row itself (a zip that cannot be opened too, with
// the reason). The entries a zip leaves out go to `left_out` when given.
void expand_row(Job row, std::deque<Job>& out, const std::function<void(const ZipRefusal&)>& left_out) {
  if (!row.error.empty() || row.zip || !is_zip_path(row.path)) {
    out.push_back(std::move(row));
    return;
  }
  std::shared_ptr<const UnpackedZip> zip;
  try {
    zip = std::make_shared<const UnpackedZip>(unpack_zip_file(row.path));
  } catch (const Error& e) {
    row.error = e.what();
    out.push_back(std::move(row));
    return;
  }
  if (left_out)
    for (const ZipRefusal& r : zip->refused) left_out(r);
  // The name pattern reads an entry's path below the zip's folder.
  const std::string folder = fs::path(row.relative).parent_path().generic_string();
  for (std::size_t m = 0; m < zip->members.size(); ++m) {
    const std::string& name = zip->members[m].name;
    out.push_back({row.path / name, folder.empty() ? name : folder + "/" + name, row.agency, row.year, row.kind, "",
                   zip, m});
  }
}

// What a job is counted for in the pipeline's window before it is read: a zip member's bytes, held
// in memory with its zip; a file's name only. What a job holds once read is settled by the worker
// that read it (held_bytes): finding a file's size here, on the writer's thread, cost a cold
// look-up of its path for every file (4 % of the writer's samples in a load of 307,500 reports).
std::size_t zip_member_bytes(const Job& job) {
  return job.error.empty() && job.zip ? job.zip->members[job.zip_member].bytes.size() : 0;
}
std::size_t cost_of(const Job& job) { return 4096 + zip_member_bytes(job); }

// The jobs of the load, made from the rows ahead of the pipeline and dropped once consumed: it
// holds the jobs of the pipeline's window and a little ahead (and the zips they come from), bounded
// in number and in bytes, not the whole input's, so that a manifest of millions of files, or a
// folder of large zips, is added in bounded memory. Safe to use from the pipeline's threads.
class JobFeed {
 public:
  JobFeed(JobRows& rows, std::string source, std::size_t total)
      : rows_(rows), source_(std::move(source)), total_(total) {}
  // Reads the rows from the start. Throws Error when the input cannot be read.
  void start() { rows_.restart(); }
  // Job i, made now if it is not yet (make_ahead keeps it made for the pipeline's threads).
  Job& at(std::size_t i) {
    for (;;) {
      {
        std::lock_guard lock(jobs_mutex_);
        if (i < first_ + jobs_.size()) return jobs_[i - first_];
      }
      make_more();
    }
  }
  // The cost of job i if it is made; else more than any window holds, so that the pipeline does
  // not start it (and no zip is opened under the pipeline's lock).
  std::size_t cost_if_made(std::size_t i) {
    std::lock_guard lock(jobs_mutex_);
    return i < first_ + jobs_.size() ? jobs_[i - first_].cost : std::numeric_limits<std::size_t>::max() / 4;
  }
  // Makes job `next` (the pipeline's next to consume), then the jobs after it through `reach`
  // (never past the counted total) while those made and not yet consumed cost at most `budget`.
  // Throws Error when the input cannot be read.
  void make_ahead(std::size_t next, std::size_t reach, std::size_t budget) {
    if (total_ == 0) return;
    reach = std::min(reach, total_ - 1);
    for (;;) {
      {
        std::lock_guard lock(jobs_mutex_);
        const std::size_t end = first_ + jobs_.size();
        if (end > reach || (end > next && held_ > budget)) return;
      }
      make_more();
    }
  }
  // Jobs up to and including i are done with (called in order, after job i's last use).
  void consumed(std::size_t i) {
    std::lock_guard lock(jobs_mutex_);
    while (first_ <= i && !jobs_.empty()) {
      held_ -= jobs_.front().cost;
      jobs_.pop_front();
      ++first_;
    }
  }
  // Whether the input holds files past the counted total (it grew since it was counted). Throws
  // Error when the input cannot be read.
  bool grew() {
    std::lock_guard make(make_mutex_);
    if (made_ > total_) return true;
    // Rows past the counted total that give no job (an empty zip) are no growth.
    while (!ended_) {
      std::optional<Job> row = rows_.next();
      if (!row) return false;
      std::deque<Job> jobs;
      expand_row(std::move(*row), jobs, {});
      if (!jobs.empty()) return true;
    }
    return false;
  }

 private:
  // The next row's jobs, made outside the jobs' lock (opening a zip takes time), then appended.
  // Past the rows' end, one job refused for the input's shrinking, then places to skip.
  void make_more() {
    std::lock_guard make(make_mutex_);
    std::deque<Job> made;
    std::optional<Job> row = ended_ ? std::nullopt : rows_.next();
    if (row) {
      expand_row(std::move(*row), made, {});
      for (Job& job : made) job.cost = cost_of(job);
      made_ += made.size();
    } else {
      made.push_back({source_, "", "", 0, DocumentKind::kReport,
                      ended_ ? ""
                             : fmt::format("{}: changed while it was added: it has fewer files than when the run "
                                           "started",
                                           source_)});
      made.back().past_end = ended_;
      made.back().cost = 4096;
      ended_ = true;
    }
    std::lock_guard lock(jobs_mutex_);
    for (Job& job : made) {
      held_ += job.cost;
      jobs_.push_back(std::move(job));
    }
  }

  std::mutex make_mutex_;  // held while a row is read and its jobs made
  JobRows& rows_;
  std::string source_;
  std::size_t total_;      // the jobs the first pass counted
  std::size_t made_ = 0;   // jobs made from rows
  bool ended_ = false;
  std::mutex jobs_mutex_;  // held while the jobs are looked at or changed
  std::deque<Job> jobs_;
  std::size_t first_ = 0;  // the index of jobs_.front()
  std::size_t held_ = 0;   // the costs of jobs_
};

int run_add(const AddOptions& o) {
  if (o.files.empty() == o.manifest.empty()) {
    print_error("add: give either FILE... or --manifest CSV");
    return kExitUsage;
  }
  if (!o.name_pattern.empty() && !o.manifest.empty()) {
    print_error("add: --name-pattern reads file names; a manifest names agency and year itself");
    return kExitUsage;
  }
  std::optional<NamePattern> pattern;
  if (!o.name_pattern.empty()) pattern.emplace(o.name_pattern);  // a bad pattern: Error, a usage error
  const ExtractParams& extract_params = o.extract;

  std::size_t skipped_files = 0;
  FileMessages refusals(""), warnings("warning: ");
  std::size_t new_near_places = 0;  // new agencies one character from a known one in the place's name
  std::optional<JobRows> rows;
  if (!o.manifest.empty()) {
    rows.emplace(o.manifest);  // read row by row, once per pass: never held whole
  } else {
    if (!o.agency.empty() && o.agency.find_first_not_of(" \t") == std::string::npos) {
      print_error("add: --agency is empty");
      return kExitUsage;
    }
    std::vector<Job> listed;
    for (const std::string& f : o.files) {
      std::string error;
      for (auto& [path, relative] : expand(f, skipped_files, error))
        listed.push_back({std::move(path), std::move(relative), o.agency, o.year, *parse_kind(o.kind), ""});
      if (!error.empty()) listed.push_back({f, "", o.agency, o.year, *parse_kind(o.kind), error});
    }
    rows.emplace(std::move(listed));
  }
  // A first pass counts the jobs (zips opened one at a time, the entries they leave out said now)
  // and the web pages of each folder; the load itself reads the rows again.
  auto is_web_page = [](const Job& job) {
    const std::string ext = lower_extension(job.path);
    return job.error.empty() && (ext == ".htm" || ext == ".html" || ext == ".shtml" || ext == ".xhtml");
  };
  Progress no_progress(false, 0);
  std::size_t total = 0;
  std::map<fs::path, std::size_t> pages;  // web pages by folder
  std::set<std::size_t> zips_with_pages;  // the rows (by position) of zips holding web pages
  for (std::size_t at = 0; std::optional<Job> row = rows->next(); ++at) {
    std::deque<Job> expanded;
    const bool zip = row->error.empty() && is_zip_path(row->path);
    expand_row(std::move(*row), expanded, [&](const ZipRefusal& r) { refusals.add(r.name, r.reason, no_progress); });
    total += expanded.size();
    if (extract_params.remove_chrome)
      for (const Job& job : expanded)
        if (is_web_page(job)) {
          ++pages[job.path.parent_path()];
          if (zip) zips_with_pages.insert(at);
        }
  }

  const bool progress_on = o.progress || (!o.quiet && total >= 10 && isatty(STDERR_FILENO));
  // The archive is opened for the first document that can be added: a run that refuses every file
  // creates nothing.
  std::optional<Archive> archive;
  std::optional<AgencyIndex> agencies;  // the register's names, and those this run adds
  auto open_archive = [&]() -> Archive& {
    if (archive) return *archive;
    ArchiveParams params;
    if (o.shingle) params.sketch.shingle.n = o.shingle;
    archive.emplace(Archive::open(o.archive, Archive::Mode::kReadWrite, params));
    // --shingle asks for the shingle size only: an existing archive keeps its other parameters
    // (older archives have other defaults, e.g. their MinHash variant).
    if (o.shingle) {
      ArchiveParams requested = archive->params();
      requested.sketch.shingle.n = o.shingle;
      archive->require_params(requested);
    }
    archive->set_batch_size(o.batch ? o.batch : kAutoGroupFiles);
    agencies.emplace(*archive);
    return *archive;
  };

  // Chrome that repeats across the web pages of one folder (one site's pages, saved together):
  // learned from them first (another pass, only when a folder holds three pages or more), left out
  // of their leading and trailing runs when each is added.
  std::map<fs::path, SiteChrome> sites;
  if (extract_params.remove_chrome &&
      std::any_of(pages.begin(), pages.end(), [](const auto& folder) { return folder.second >= 3; })) {
    rows->restart();
    for (std::size_t at = 0; std::optional<Job> row = rows->next(); ++at) {
      const bool zip = row->error.empty() && is_zip_path(row->path);
      if (zip ? !zips_with_pages.count(at) : !(is_web_page(*row) && pages[row->path.parent_path()] >= 3)) continue;
      std::deque<Job> expanded;
      expand_row(std::move(*row), expanded, {});
      for (const Job& job : expanded) {
        if (!is_web_page(job) || pages[job.path.parent_path()] < 3) continue;
        try {
          const ExtractedText page = job.zip ? extract_bytes(job.zip->members[job.zip_member].bytes,
                                                             job.path.string(), extract_params)
                                             : extract_file(job.path, extract_params);
          sites[job.path.parent_path()].learn(page.text);
        } catch (const Error&) {
          // Refused again, with the reason, when it is added.
        }
      }
    }
  }

  // What stdout says is true: a document is reported added once it is committed. The lines of the
  // open group wait for its commit (and are never printed if it fails).
  Progress progress(progress_on, total);
  std::size_t added = 0, present = 0, chrome_lines = 0;
  std::vector<std::string> held;  // lines of the documents of the open group
  std::size_t held_added = 0;
  auto group_started = std::chrono::steady_clock::now();
  struct AgencyDecision {
    std::string agency;   // the name to file under
    std::string refusal;  // or why the file is refused
  };
  std::map<std::string, AgencyDecision> agency_decisions;  // by the name as written
  auto release_held = [&] {
    progress.clear();
    if (!o.quiet)
      for (const std::string& line : held) fmt::print("{}", line);
    std::fflush(stdout);
    added += held_added;
    held.clear();
    held_added = 0;
  };
  // An archive that cannot be written stops the run: later files would fail the same way.
  auto stop = [&](const ArchiveWriteError& e) {
    progress.clear();
    std::string holds = "could not be counted";
    try {
      holds = fmt::format("holds {} documents", archive->document_count());
    } catch (const Error&) {
    }
    print_error(fmt::format("{} — stopped: {} added by this run and committed, the archive {}; "
                            "run the same add again to add the rest (what is archived is left unchanged)",
                            e.what(), added, holds));
    return kExitUsage;
  };
  // Reading, extraction and prepare_document (normalize, sketch, hash, compress) run on worker
  // threads ahead of the writer, in a bounded window (core/ordered_pipeline.h); everything else —
  // agency decisions, adds, printing — happens here, file after file in input order, as in a
  // sequential run. The workers sketch with the archive's parameters as known before it is opened
  // (an existing archive's, else those a new one gets); a document prepared otherwise (the archive
  // changed meanwhile) is read again here.
  std::optional<SketchParams> sketch_hint;
  {
    std::error_code ec;
    if (fs::exists(o.archive, ec)) {
      try {
        sketch_hint = Archive::open(o.archive, Archive::Mode::kReadOnly).params().sketch;
      } catch (const Error&) {  // said when the archive is opened for the first document
      }
    } else {
      ArchiveParams params;
      if (o.shingle) params.sketch.shingle.n = o.shingle;
      sketch_hint = params.sketch;
    }
  }
  struct ReadJob {
    std::string error;  // why the file is refused before its agency is decided
    std::string note;   // what the name pattern said
    ReadDocument read;  // the text is dropped once prepared
    std::optional<PreparedDocument> prepared;
    std::size_t zip_bytes = 0;  // a zip member's bytes, held with its zip until it is consumed
  };
  // What a read job holds while it waits for its turn (its cost in the pipeline's window).
  // (Capacities: what is allocated, whatever is in use.)
  const auto held_bytes = [](const ReadJob& r) {
    std::size_t bytes = 4096 + r.zip_bytes + r.error.capacity() + r.note.capacity() + r.read.agency_from.capacity() +
                        r.read.year_from.capacity() + r.read.document.text.capacity() * sizeof(char32_t);
    if (r.prepared) {
      const Sketch& sketch = r.prepared->sketch;
      bytes += r.prepared->text_zstd.capacity() + r.prepared->content_hash.capacity() +
               sketch.fingerprints.capacity() * sizeof(Fingerprint) +
               sketch.minhash.capacity() * sizeof(std::uint32_t) + sketch.shingles.capacity() * sizeof(std::uint64_t) +
               sketch.normalized.chars.capacity() * sizeof(char32_t) +
               (sketch.normalized.begin.capacity() + sketch.normalized.end.capacity()) * sizeof(std::uint32_t);
    }
    return bytes;
  };
  auto read_job = [&](const Job& job, const SketchParams* sketch) {
    ReadJob r;
    if (job.past_end) return r;  // nothing to read: skipped in its turn
    r.zip_bytes = zip_member_bytes(job);
    try {
      if (!job.error.empty()) throw Error(job.error);
      std::string agency = job.agency;
      int year = job.year;
      // The pattern fills in what was not given; what it does not match is read from the file.
      if (pattern && (agency.empty() || year == 0)) {
        if (const std::optional<NameMatch> m = pattern->match(job.relative)) {
          if (agency.empty() && !m->agency.empty()) {
            agency = m->agency;
            r.note = fmt::format("agency {} from its name", m->agency);
          }
          if (year == 0 && m->year) {
            year = m->year;
            r.note += fmt::format("{}year {} from its name", r.note.empty() ? "" : ", ", m->year);
          }
        }
      }
      r.read = job.zip ? read_document_bytes(job.zip->members[job.zip_member].bytes, job.path.string(), agency, year,
                                             job.kind, extract_params)
                       : read_document(job.path, agency, year, job.kind, extract_params);
      if (const auto site = sites.find(job.path.parent_path()); site != sites.end() && is_web_page(job)) {
        ChromeResult kept = site->second.strip(r.read.document.text);
        if (kept.text.find_first_not_of(U" \t\r\n\u3000") != std::u32string::npos) {
          r.read.chrome_lines += kept.removed.size();
          r.read.document.text = std::move(kept.text);
        }
      }
      if (!r.read.complete()) {
        const bool no_agency = r.read.agency_missing;
        throw Error(fmt::format("{}: the file names no {} (give --{}{})", job.path.string(),
                                no_agency ? "agency" : "year", no_agency ? "agency" : "year",
                                pattern ? ", or a --name-pattern it matches" : " or --name-pattern"));
      }
    } catch (const Error& e) {
      r.error = e.what();
      r.read = ReadDocument{};  // a refused file waits for its turn holding only its reason
      return r;
    }
    // Not prepared when refused: add() below refuses it in its turn (the agency is decided first).
    if (sketch) r.prepared = prepare_for_bulk_add(r.read.document, *sketch);
    return r;
  };
  // Every group's commit stops the writer (a few seconds at --batch 20000); a window of about a
  // group lets the workers go on preparing meanwhile instead of waiting for room: as many files as
  // a group (256 to 20,000) and 16 KiB each of what they hold once read (at least 64 MiB). Files
  // are at most ExtractParams::max_file_bytes, so what the items being read hold beyond their
  // estimates is bounded too. At --batch 20000 the peak memory grew by 540 MiB at a million
  // (bench/README.md "A wider window and cheaper characters").
  PipelineLimits window;
  window.threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  window.max_items = std::clamp<std::size_t>(o.batch > 0 ? o.batch : kAutoGroupFiles, 256, 20000);
  window.max_bytes = std::max(std::size_t(64) << 20, window.max_items * (std::size_t(16) << 10));
  int status = -1;  // set when the run stops early
  const std::string source = o.manifest.empty() ? "the files given" : o.manifest;
  JobFeed feed(*rows, source, total);
  // The input could not be read past the jobs made (it changed since the first pass): what was
  // added is committed and said, then the run stops.
  auto stop_reading = [&](const Error& e) {
    progress.clear();
    print_error(fmt::format("{} — stopped reading it", e.what()));
    try {
      if (archive && archive->uncommitted() > 0) archive->flush();
      release_held();
    } catch (const ArchiveWriteError& write) {
      status = stop(write);
      return false;
    }
    print_error(fmt::format("stopped: {} added by this run and committed; run the same add again to add the rest",
                            added));
    status = kExitUsage;
    return false;
  };
  // The window's first jobs, before its threads start; then each consumed job makes those the
  // window can reach next (on this thread: the pipeline's threads never open a zip).
  try {
    feed.start();
    feed.make_ahead(0, window.max_items, window.max_bytes);
  } catch (const Error& e) {
    stop_reading(e);
    return status;
  }
  auto consume = [&](std::size_t i, ReadJob&& r) -> bool {
    Job& job = feed.at(i);
    struct Done {  // the job is dropped after its last use, whichever way this returns
      JobFeed& feed;
      std::size_t i;
      ~Done() { feed.consumed(i); }
    } done{feed, i};
    try {
      feed.make_ahead(i + 1, i + window.max_items, window.max_bytes);
    } catch (const Error& e) {
      return stop_reading(e);
    }
    if (job.past_end) return true;  // the input shrank: said once, at the first such place
    progress.show(i, job.path);
    try {
      if (!r.error.empty()) throw Error(r.error);
      std::string note = std::move(r.note);
      ReadDocument& read = r.read;
      if (!read.agency_from.empty())
        note += fmt::format("{}agency {} from its {}", note.empty() ? "" : ", ", read.document.info.agency,
                            read.agency_from);
      if (!read.year_from.empty())
        note += fmt::format("{}year {} from its {}", note.empty() ? "" : ", ", read.document.info.year, read.year_from);
      Document& doc = read.document;
      if (!archive) {
        try {
          open_archive();
        } catch (const Error& e) {  // not an archive, other parameters, cannot be created: no file can be added
          progress.clear();
          print_error(e.what());
          status = kExitUsage;
          return false;
        }
      }
      Archive& a = *archive;
      if (r.prepared && r.prepared->sketch.params != a.params().sketch) {
        // Prepared with parameters other than the archive's: read again, with the archive's.
        r = read_job(job, &a.params().sketch);
        if (!r.error.empty()) throw Error(r.error);
      }
      // The agency as the register knows it (DESIGN.md "Agencies and sections"), decided once per
      // name written: an alias or a short or long form is filed under its entry; a name that
      // resembles known ones without being one is refused unless --new-agency says it is new.
      auto [decided, first_time] = agency_decisions.try_emplace(doc.info.agency);
      if (first_time) {
        const AgencyResolution res = agencies->resolve(doc.info.agency);
        std::string names;
        for (const std::string& c : res.candidates) names += (names.empty() ? "" : ", ") + c;
        switch (res.how) {
          case AgencyResolution::How::kExact:
            decided->second.agency = res.name;
            break;
          case AgencyResolution::How::kAlias:
          case AgencyResolution::How::kShortName:
          case AgencyResolution::How::kLongName:
            decided->second.agency = res.name;
            progress.clear();
            fmt::print(stderr, "note: agency {} is {} in the archive: filed as that\n", escape_controls(doc.info.agency),
                       escape_controls(res.name));
            break;
          case AgencyResolution::How::kAmbiguous:
            decided->second.refusal =
                fmt::format("agency {} could be any of {}: give the full name", doc.info.agency, names);
            break;
          case AgencyResolution::How::kUnknown:
            if (!res.candidates.empty() && !o.new_agency) {
              decided->second.refusal = fmt::format(
                  "agency {} is not in the archive but resembles {} (a typo?); --new-agency adds it as a new agency",
                  doc.info.agency, names);
            } else {
              decided->second.agency = res.name;
              agencies->insert(res.name);
              // Most often another place (渝中区, 渝北区): counted in the summary, not refused.
              if (!res.other_places.empty()) ++new_near_places;
            }
            break;
        }
      }
      if (!decided->second.refusal.empty()) throw Error(job.path.string() + ": " + decided->second.refusal);
      // The same text under another agency or year is added (an agency may republish a peer's
      // report) but said: more often it is a file filed under the wrong name.
      doc.info.agency = decided->second.agency;
      const std::vector<std::int64_t> same_text =
          r.prepared ? a.ids_with_content_hash(r.prepared->content_hash) : a.ids_with_content(doc.text);
      if (a.uncommitted() == 0) group_started = std::chrono::steady_clock::now();
      AddOutcome outcome;
      if (r.prepared) {
        r.prepared->info.agency = doc.info.agency;
        outcome = a.add(*r.prepared);
      } else {
        outcome = a.add(doc);
      }
      // Names as a person should see them: any control characters escaped (text.h).
      const std::string file = escape_controls(doc.info.file);
      if (!note.empty()) held.push_back(fmt::format("note       {}: {}\n", file, escape_controls(note)));
      if (outcome.added) {
        std::string others;
        std::size_t elsewhere = 0;
        for (const std::int64_t id : same_text) {
          const DocumentInfo other = a.info(id);
          if (other.agency == doc.info.agency && other.year == doc.info.year) continue;
          if (++elsewhere <= 3) others += fmt::format("{}#{} ({}, {})", others.empty() ? "" : ", ", id, other.agency, other.year);
        }
        if (elsewhere > 3) others += fmt::format(" and {} more", elsewhere - 3);
        if (elsewhere)
          warnings.add(doc.info.file,
                       fmt::format("the same text is archived as {}; added as {}, {} as well", others,
                                   doc.info.agency, doc.info.year),
                       progress, "the same text is archived under another agency or year; added as well");
        ++held_added;
        chrome_lines += read.chrome_lines;
        held.push_back(fmt::format("added      {} ({}, {}, {}) as #{}\n", file, escape_controls(doc.info.agency),
                                   doc.info.year, kind_name(job.kind), outcome.id));
      } else {
        ++present;
        held.push_back(fmt::format("unchanged  {} (already in the archive as #{})\n", file, outcome.id));
      }
      if (o.batch == 0 && a.uncommitted() > 0 && std::chrono::steady_clock::now() - group_started >= kAutoGroupTime)
        a.flush();
      if (a.uncommitted() == 0) release_held();
    } catch (const ArchiveWriteError& e) {
      // This file is not in the archive. The documents of the open group before it are, if the
      // group is still open (the failure was this document's alone) and can be committed.
      if (archive && archive->uncommitted() > 0) {
        try {
          archive->flush();
          release_held();
        } catch (const ArchiveWriteError&) {
        }
      }
      status = stop(e);
      return false;
    } catch (const Error& e) {
      refusals.add(job.path.string(), e.what(), progress);
    }
    return true;
  };
  // A window item counts what it holds once read (compressed text, fingerprints, names; a zip
  // member's bytes): those bound the window's memory.
  ordered_parallel_map<ReadJob>(
      total, [&](std::size_t i) { return feed.cost_if_made(i); },
      [&](std::size_t i) { return read_job(feed.at(i), sketch_hint ? &*sketch_hint : nullptr); }, consume, window,
      [&](std::size_t, const ReadJob& r) { return held_bytes(r); });
  if (status >= 0) return status;
  try {
    if (feed.grew())
      refusals.add(source,
                   "changed while it was added: the files past those it held when the run started were not added; "
                   "run the same add again to add them",
                   progress);
  } catch (const Error& e) {
    refusals.add(source, fmt::format("could not be read again to the end ({})", e.what()), progress);
  }
  try {
    if (archive) archive->flush();
    release_held();
  } catch (const ArchiveWriteError& e) {
    return stop(e);
  }
  progress.clear();
  // A bulk load's groups leave posting runs (format 4): merged now, so that look-ups read one blob
  // per bucket. Everything added is committed already; a failed merge costs only speed.
  try {
    if (archive) archive->merge_index_runs();
  } catch (const Error& e) {
    fmt::print(stderr,
               "leitong add: warning: every file added is in the archive; {}. Checks read the runs as they "
               "are (more slowly) and the next add merges them\n",
               e.what());
  }
  refusals.print_summary();
  warnings.print_summary();
  if (!o.refusals_csv.empty()) {
    std::string csv = "\xEF\xBB\xBF" "file,reason\n";
    refusals.write_csv(csv);
    try {
      write_output(o.refusals_csv, csv);
    } catch (const Error& e) {
      print_error(e.what());
    }
  }
  if (!o.quiet) {
    if (skipped_files)
      fmt::print("{} file{} of other types in the folders skipped\n", skipped_files,
                 skipped_files == 1 ? "" : "s");
    if (chrome_lines)
      fmt::print("{} line{} of page chrome left out of the added files (`leitong extract --format json FILE` "
                 "lists them; --keep-chrome keeps them)\n",
                 chrome_lines, chrome_lines == 1 ? "" : "s");
    if (new_near_places)
      fmt::print("{} new agenc{} one character from a known one in the place's name (渝中区, 渝北区: most often "
                 "another place; `leitong agencies list` shows the register)\n",
                 new_near_places, new_near_places == 1 ? "y is" : "ies are");
    if (warnings.count())
      fmt::print("{} file{} added with a text the archive holds under another agency or year (see the warnings)\n",
                 warnings.count(), warnings.count() == 1 ? "" : "s");
    const std::string holds =
        archive ? fmt::format("archive {} holds {} documents", o.archive, archive->document_count())
                : fmt::format("archive {} not opened", o.archive);
    fmt::print("{} added, {} already present, {} refused{}; {}\n", added, present, refusals.count(),
               refusals.count() && !o.refusals_csv.empty() ? fmt::format(" (listed in {})", o.refusals_csv) : "",
               holds);
  }
  return refusals.count() ? kExitRefused : kExitOk;
}

}  // namespace

Runner register_add(CLI::App& app) {
  auto o = std::make_shared<AddOptions>();
  app.footer(
      "Add reports or template pages to the archive. A FILE that is a folder adds its documents (.txt\n"
      ".md .html .htm .docx .pdf .doc, files without extension, and the documents in .zip files),\n"
      "recursively. Each file's agency and year: --agency and --year, else what --name-pattern reads\n"
      "from its path (\"{agency}_{year}*\", \"{year}/{agency}.*\"), else what the file names itself (a\n"
      "portal header such as 名称/发布机构, its title, or its signature), said in a `note` line. A file\n"
      "that cannot be added is refused with its reason and the rest are added (exit status 1); the\n"
      "first three refusals of each reason are printed, the rest summed up per reason, every one in\n"
      "--refusals FILE.csv. A text the archive already holds for that agency and year is left\n"
      "unchanged, so re-running an interrupted add adds what is missing; the same text under another\n"
      "agency or year is added with a warning. Files are committed in groups (1,000 files or 2\n"
      "seconds, whichever comes first; --batch N: exactly N, e.g. 20000 for a million reports; up to\n"
      "about 35 KB of memory per file of the group: its index, and the files read ahead meanwhile).\n"
      "A file is reported added only once its group is committed; an interruption loses the open\n"
      "group, which re-running the same add restores.");
  add_archive_option(app, o->archive);
  app.add_option("--agency", o->agency,
                 "Agency that published the files (default: what each file names)");
  app.add_option("--year", o->year,
                 "Year the report is about (default: the year in each file's title)")
      ->check(CLI::Range(1900, 2200));
  app.add_option("--kind", o->kind, "report; template for a 范文 page or model text; form for mandated text (规定格式: matching it is boilerplate)")
      ->capture_default_str()
      ->check(CLI::IsMember({"report", "template", "form"}));
  app.add_option("--manifest", o->manifest,
                 "CSV with header path,agency,year[,kind]; paths relative to the CSV")
      ->check(CLI::ExistingFile);
  app.add_option("--shingle", o->shingle,
                 "Shingle size for a new archive (an existing one must match)")
      ->check(CLI::Range(2, 32));
  add_max_file_option(app, o->extract);
  add_max_seconds_option(app, o->extract);
  add_keep_chrome_option(app, o->extract);
  app.add_flag("-q,--quiet", o->quiet, "Print only refusals");
  app.add_flag("--progress", o->progress,
               "Show progress on standard error (default: on a terminal, 10+ files)");
  app.add_option("--batch", o->batch,
                 "Files per transaction (default: 1,000 or 2 seconds' worth; e.g. 20000 for a bulk load)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--name-pattern", o->name_pattern,
                 "Agency and year from each file's path below the folder given: {agency}, {year}, *, **");
  app.add_option("--refusals", o->refusals_csv, "Write every refused file and its reason to this CSV");
  app.add_flag("--new-agency", o->new_agency,
               "Add an agency whose name resembles a known one's (one character off) as a new agency");
  app.add_option("FILE", o->files, "Files or folders to add");
  return [o] { return run_add(*o); };
}

}  // namespace leitong::cli
