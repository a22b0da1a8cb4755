#include <leitong/analysis/agencies.h>
#include <leitong/analysis/boilerplate.h>
#include <leitong/analysis/clusters.h>
#include <leitong/archive/archive.h>
#include <leitong/core/document.h>
#include <leitong/core/ordered_pipeline.h>
#include <leitong/core/text.h>
#include <leitong/render/html_report.h>
#include <leitong/render/pdf_report.h>
#include <leitong/render/report.h>
#include <leitong/service/service.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace leitong {

namespace {

using Clock = std::chrono::steady_clock;

// A long upload empties the archive's write-ahead log when it passes this size (see
// Archive::checkpoint): checks reading all the while would otherwise keep it growing.
constexpr std::int64_t kLogBytesBeforeCheckpoint = std::int64_t(64) << 20;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string lower_extension(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  std::string ext = dot == std::string::npos ? "" : name.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

void require_inspector(const Session& who) {
  if (who.user.role != Role::kInspector) throw ServiceError(403, "仅限检查人员 (inspectors only)");
}

// Read-only archive connections, one per concurrent reader, opened on demand and kept.
class ArchivePool {
 public:
  explicit ArchivePool(std::filesystem::path path) : path_(std::move(path)) {}

  class Lease {
   public:
    Lease(ArchivePool& pool, std::unique_ptr<Archive> archive) : pool_(pool), archive_(std::move(archive)) {}
    Lease(const Lease&) = delete;
    ~Lease() {
      std::lock_guard lock(pool_.mutex_);
      pool_.idle_.push_back(std::move(archive_));
    }
    const Archive& operator*() const { return *archive_; }
    const Archive* operator->() const { return archive_.get(); }

   private:
    ArchivePool& pool_;
    std::unique_ptr<Archive> archive_;
  };

  Lease borrow() {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        std::unique_ptr<Archive> archive = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(archive));
      }
    }
    return Lease(*this, std::make_unique<Archive>(Archive::open(path_, Archive::Mode::kReadOnly)));
  }

 private:
  std::filesystem::path path_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Archive>> idle_;
};

// Failed logins per key (a name, an address) in a sliding window.
class LoginThrottle {
 public:
  LoginThrottle(int limit, std::chrono::seconds window) : limit_(limit), window_(window) {}

  // Seconds until `key` may try again; 0 when it may now.
  int wait_for(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto it = failures_.find(key);
    if (it == failures_.end()) return 0;
    prune(it->second);
    if (static_cast<int>(it->second.size()) < limit_) return 0;
    const auto wait = window_ - (Clock::now() - it->second.front());
    return std::max(1, static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(wait).count()) + 1);
  }
  void failed(const std::string& key) {
    std::lock_guard lock(mutex_);
    if (failures_.size() > 100000) failures_.clear();  // bounded memory against floods of names
    auto& times = failures_[key];
    prune(times);
    times.push_back(Clock::now());
  }
  void forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    failures_.erase(key);
  }

 private:
  void prune(std::deque<Clock::time_point>& times) const {
    while (!times.empty() && Clock::now() - times.front() >= window_) times.pop_front();
  }
  int limit_;
  std::chrono::seconds window_;
  std::mutex mutex_;
  std::map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace

nlohmann::json job_to_json(const JobProgress& job) {
  nlohmann::json refused = nlohmann::json::array();
  for (const JobRefusal& r : job.refused) refused.push_back({{"file", r.file}, {"reason", r.reason}});
  nlohmann::json out = {{"job", job.id},         {"user", job.user},   {"state", job.state},
                        {"total", job.total},    {"done", job.done},   {"added", job.added},
                        {"already_present", job.already_present},      {"refused", refused},
                        {"created", job.created}};
  if (!job.error.empty()) out["error"] = job.error;
  if (!job.warnings.empty()) out["warnings"] = job.warnings;
  return out;
}

struct Service::Impl {
  ServiceParams params;
  ServiceStore store;
  ArchivePool readers;
  AgencyResolver agencies;  // the names inspectors type, resolved without reading the register each time
  LoginThrottle names, addresses;

  // Jobs: the queue, their progress, the writer thread.
  struct Job {
    JobProgress progress;
    std::vector<UploadedFile> files;
    std::string agency;
    int year = 0;
    DocumentKind kind = DocumentKind::kReport;
  };
  std::mutex jobs_mutex;
  std::condition_variable jobs_changed;
  std::map<std::string, std::shared_ptr<Job>> jobs;
  std::deque<std::shared_ptr<Job>> queue;
  bool stopping = false;
  std::thread writer;
  // Copies the store's write-ahead log into its file every few seconds, on its own connection:
  // done by SQLite when a check is saved, it made that check (and every check waiting on the
  // store meanwhile) wait for the disk, up to a second on a busy one.
  std::condition_variable housekeeping_wake;
  std::thread housekeeper;
  void run_housekeeper() {
    std::unique_lock lock(jobs_mutex);
    while (!stopping) {
      housekeeping_wake.wait_for(lock, std::chrono::seconds(2), [&] { return stopping; });
      if (stopping) break;
      lock.unlock();
      try {
        store.checkpoint();
        prune_checks();
      } catch (const Error&) {
        // Tried again in two seconds; the log is still sound meanwhile.
      }
      lock.lock();
    }
  }

  // The archive's scope for reports, kept until the archive changes: until this service commits
  // a group, or, for adds by others (the CLI), for up to 10 s between counts of the documents
  // (a count is a millisecond at 100,000 documents: not for every check).
  std::mutex scope_mutex;
  std::uint64_t scope_generation = 0;
  std::int64_t scope_documents = -1;
  Clock::time_point scope_counted;
  std::string scope;
  std::string scope_of(const Archive& archive) {
    std::uint64_t now;
    {
      std::lock_guard lock(views_mutex);
      now = generation;
    }
    std::lock_guard lock(scope_mutex);
    if (scope_documents >= 0 && scope_generation == now && Clock::now() - scope_counted < std::chrono::seconds(10))
      return scope;
    const std::int64_t documents = archive.document_count();
    scope_counted = Clock::now();
    if (scope_documents != documents || scope_generation != now) {
      scope = scope_text(archive.scope());
      scope_documents = documents;
      scope_generation = now;
    }
    return scope;
  }

  // Forgets checks past params.keep_checks, at most once an hour.
  std::atomic<std::int64_t> next_prune{0};
  void prune_checks() {
    if (params.keep_checks.count() <= 0) return;
    const std::int64_t now = unix_now();
    std::int64_t due = next_prune.load();
    if (now < due || !next_prune.compare_exchange_strong(due, now + 3600)) return;
    store.remove_checks_before(now - std::chrono::duration_cast<std::chrono::seconds>(params.keep_checks).count());
  }

  // Views kept until the archive changes: `generation` counts committed groups of this service,
  // and the archive's document count catches adds made by others (the CLI) meanwhile.
  std::mutex views_mutex;
  std::uint64_t generation = 0;
  struct YoyView {
    std::uint64_t generation = 0;
    std::int64_t documents = -1;
    std::shared_ptr<const YoyResult> result;
  };
  std::map<int, YoyView> yoy_views;

  explicit Impl(ServiceParams p)
      : params(std::move(p)),
        store(ServiceStore::open(params.store.empty() ? ServiceStore::path_for(params.archive) : params.store,
                                 params.store_params)),
        readers(params.archive),
        names(params.login_failures, params.login_window),
        addresses(params.login_failures_per_address, params.login_window) {}

  void run_writer();
  void run_job(Job& job);
};

Service::Service(ServiceParams params) : impl_(std::make_unique<Impl>(std::move(params))) {
  { auto probe = impl_->readers.borrow(); }  // the archive must open before the service starts
  impl_->prune_checks();
  impl_->writer = std::thread([this] { impl_->run_writer(); });
  impl_->housekeeper = std::thread([this] { impl_->run_housekeeper(); });
}

Service::~Service() { stop_jobs(); }

ServiceStore& Service::store() { return impl_->store; }
const ServiceParams& Service::params() const { return impl_->params; }

LoginOutcome Service::log_in(const std::string& name, const std::string& password, const std::string& address) {
  LoginOutcome out;
  const std::string name_key = "n:" + name, address_key = "a:" + address;
  out.retry_after_seconds = std::max(impl_->names.wait_for(name_key), impl_->addresses.wait_for(address_key));
  if (out.retry_after_seconds > 0) return out;
  if (name.size() > 256 || password.size() > 1024) {
    impl_->addresses.failed(address_key);
    return out;
  }
  const std::optional<User> user = impl_->store.authenticate(name, password);
  if (!user) {
    impl_->names.failed(name_key);
    impl_->addresses.failed(address_key);
    return out;
  }
  impl_->names.forget(name_key);
  out.session = impl_->store.start_session(*user);
  return out;
}

std::optional<Session> Service::session(const std::string& token) { return impl_->store.find_session(token); }
void Service::log_out(const std::string& token) { impl_->store.end_session(token); }

CheckRecord Service::check_draft(const Session& who, const UploadedFile& file, int year, const std::string& agency) {
  std::string filed_agency = agency;
  if (who.user.role == Role::kAgency) {
    // An agency checks its own drafts only: a name it gives must be its own.
    if (!agency.empty() && canonical_agency(agency) != who.user.agency)
      throw ServiceError(403, "只能检测本单位的报告 (an agency checks only its own reports)");
    filed_agency = who.user.agency;
  }
  if (file.name.empty()) throw ServiceError(400, "上传的文件没有文件名 (the uploaded file has no name)");
  // An inspector may write the short form of an agency's name: checked under the archive's name.
  if (!filed_agency.empty() && who.user.role == Role::kInspector) {
    auto archive = impl_->readers.borrow();
    const AgencyResolution r = impl_->agencies.resolve(filed_agency, *archive);
    if (r.how == AgencyResolution::How::kAmbiguous) {
      std::string names;
      for (const std::string& n : r.candidates) names += (names.empty() ? "" : "、") + n;
      throw ServiceError(422, fmt::format("单位名称不唯一，可能是：{} (give the agency's full name)", names));
    }
    filed_agency = r.name;
  }
  ReadDocument read;
  try {
    read = read_document_bytes(file.bytes, file.name, filed_agency, year, DocumentKind::kReport, impl_->params.extract);
  } catch (const Error& e) {
    throw ServiceError(415, fmt::format("无法读取该文件 (cannot read the file): {}", e.what()));
  }
  if (read.agency_missing)
    throw ServiceError(422, fmt::format("请填写单位 (give the agency: {} names none)", file.name));
  if (read.year_missing)
    throw ServiceError(422, fmt::format("请填写年度 (give the year: {} names none in its title)", file.name));
  Findings findings;
  std::string scope;
  {
    auto archive = impl_->readers.borrow();
    findings = check_against_archive(*archive, read.document, impl_->params.check);
    scope = impl_->scope_of(*archive);
  }
  // Where the archive's files lay on the inspector's machine is no business of an agency: sources
  // are named by agency, year and file name.
  for (SourceFinding& source : findings.sources)
    source.document.file = std::filesystem::path(source.document.file).filename().string();
  CheckRecord record;
  record.agency = canonical_agency(read.document.info.agency);
  record.user = who.user.name;
  record.file = file.name;
  record.year = read.document.info.year;
  record.created = unix_now();
  record.copy_ratio = findings.copy_ratio;
  record.copy_ratio_excluding_boilerplate = findings.copy_ratio_excluding_boilerplate;
  record.json = render_json(findings);
  record.evidence_html = render_check_html(findings);
  record.text = findings.text;
  record.scope = std::move(scope);
  record.id = impl_->store.save_check(record);
  return record;
}

std::string Service::report_pdf(const Session& who, const std::string& id) {
  const std::optional<CheckRecord> record = find_check(who, id);
  if (!record) throw ServiceError(404, "没有这次检测 (no such check)");
  if (record->text.empty())
    throw ServiceError(410, "这次检测早于 PDF 报告，请重新检测 (this check was kept without its text: check the draft again)");
  const PdfReportInfo info = pdf_report_info(record->created, record->id, record->scope);
  return render_check_pdf(nlohmann::json::parse(record->json), record->text, info);
}

std::vector<CheckRecord> Service::checks(const Session& who) {
  return impl_->store.list_checks(who.user.role == Role::kInspector ? std::string() : who.user.agency);
}

std::optional<CheckRecord> Service::find_check(const Session& who, const std::string& id) {
  std::optional<CheckRecord> record = impl_->store.find_check(id);
  if (record && who.user.role != Role::kInspector && record->agency != who.user.agency) return std::nullopt;
  return record;
}

std::string Service::start_add(const Session& who, std::vector<UploadedFile> files, const std::string& agency,
                               int year, const std::string& kind) {
  require_inspector(who);
  const std::optional<DocumentKind> parsed = parse_kind(kind.empty() ? "report" : kind);
  if (!parsed) throw ServiceError(400, "未知的文档类型 (unknown kind: report, template or form)");
  if (files.empty()) throw ServiceError(400, "没有上传文件 (no files were uploaded)");
  // Filed under the register's entry (an alias or a short or long form of a known name); a name
  // several entries fit, or one character from a known one outside the place's name, is refused.
  std::string filed_agency = agency;
  if (!agency.empty()) {
    auto archive = impl_->readers.borrow();
    const AgencyResolution r = impl_->agencies.resolve(agency, *archive);
    std::string names;
    for (const std::string& n : r.candidates) names += (names.empty() ? "" : "、") + n;
    if (r.how == AgencyResolution::How::kAmbiguous)
      throw ServiceError(422, fmt::format("单位名称不唯一，可能是：{} (give the agency's full name)", names));
    if (r.how == AgencyResolution::How::kUnknown && !r.candidates.empty())
      throw ServiceError(422, fmt::format("档案中没有该单位，相近的名称：{} (a typo? give the archive's name)", names));
    filed_agency = r.name;
  }
  auto job = std::make_shared<Impl::Job>();
  job->progress.id = random_hex(16);
  job->progress.user = who.user.name;
  job->progress.state = "queued";
  job->progress.created = unix_now();
  job->files = std::move(files);
  job->agency = filed_agency;
  job->year = year;
  job->kind = *parsed;
  std::lock_guard lock(impl_->jobs_mutex);
  if (impl_->stopping) throw ServiceError(503, "服务正在停止 (the service is stopping)");
  // Finished jobs are kept for reading their refusals; past 200, the oldest finished ones go.
  while (impl_->jobs.size() >= 200) {
    auto oldest = impl_->jobs.end();
    for (auto it = impl_->jobs.begin(); it != impl_->jobs.end(); ++it) {
      const std::string& state = it->second->progress.state;
      if (state != "queued" && state != "running" &&
          (oldest == impl_->jobs.end() || it->second->progress.created < oldest->second->progress.created))
        oldest = it;
    }
    if (oldest == impl_->jobs.end()) throw ServiceError(503, "上传任务过多，请稍后再试 (too many uploads queued; retry later)");
    impl_->jobs.erase(oldest);
  }
  impl_->jobs[job->progress.id] = job;
  impl_->queue.push_back(job);
  impl_->jobs_changed.notify_all();
  return job->progress.id;
}

std::optional<JobProgress> Service::job(const Session& who, const std::string& id) {
  require_inspector(who);
  std::lock_guard lock(impl_->jobs_mutex);
  auto it = impl_->jobs.find(id);
  if (it == impl_->jobs.end()) return std::nullopt;
  return it->second->progress;
}

std::vector<JobProgress> Service::jobs(const Session& who) {
  require_inspector(who);
  std::lock_guard lock(impl_->jobs_mutex);
  std::vector<JobProgress> out;
  for (const auto& [id, job] : impl_->jobs) out.push_back(job->progress);
  std::sort(out.begin(), out.end(), [](const JobProgress& a, const JobProgress& b) { return a.created > b.created; });
  return out;
}

void Service::stop_jobs() {
  {
    std::lock_guard lock(impl_->jobs_mutex);
    impl_->stopping = true;
    impl_->jobs_changed.notify_all();
    impl_->housekeeping_wake.notify_all();
  }
  if (impl_->writer.joinable()) impl_->writer.join();
  if (impl_->housekeeper.joinable()) impl_->housekeeper.join();
}

void Service::Impl::run_writer() {
  for (;;) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(jobs_mutex);
      jobs_changed.wait(lock, [&] { return stopping || !queue.empty(); });
      if (stopping) {
        for (auto& waiting : queue) waiting->progress.state = "interrupted";
        queue.clear();
        return;
      }
      job = queue.front();
      queue.pop_front();
      job->progress.state = "running";
    }
    run_job(*job);
  }
}

void Service::Impl::run_job(Job& job) {
  // Every document to read, zips unpacked first so that the total is known.
  std::vector<UploadedFile> documents;
  std::vector<JobRefusal> refused;
  for (UploadedFile& file : job.files) {
    if (lower_extension(file.name) != ".zip") {
      documents.push_back(std::move(file));
      continue;
    }
    try {
      UnpackedZip unpacked = unpack_zip(file.bytes, file.name, params.zip);
      for (ZipRefusal& r : unpacked.refused) refused.push_back({std::move(r.name), std::move(r.reason)});
      for (ZipMember& m : unpacked.members) documents.push_back({file.name + "/" + m.name, std::move(m.bytes)});
    } catch (const Error& e) {
      refused.push_back({file.name, e.what()});
    }
  }
  job.files.clear();
  {
    std::lock_guard lock(jobs_mutex);
    job.progress.total = documents.size() + refused.size();
    job.progress.done = refused.size();
    job.progress.refused = refused;
  }
  std::size_t pending_added = 0, pending_present = 0;
  // Set when committing the open group failed (here, or inside an add that filled it): the
  // archive's error then says how many documents were not committed, and the job's need not.
  bool group_commit_failed = false;
  auto commit = [&](Archive& archive) {
    try {
      archive.flush();
    } catch (const ArchiveWriteError&) {
      group_commit_failed = true;
      throw;
    }
    std::lock_guard lock(jobs_mutex);
    job.progress.added += pending_added;
    job.progress.already_present += pending_present;
    pending_added = pending_present = 0;
    std::lock_guard views(views_mutex);
    ++generation;
  };
  try {
    Archive archive = Archive::open(params.archive, Archive::Mode::kReadWrite);
    archive.set_batch_size(std::max(1, params.add_group));
    std::vector<std::size_t> input_bytes;  // what a file holds in the window, about its size
    for (const UploadedFile& file : documents) input_bytes.push_back(4096 + file.bytes.size());
    // Each file's agency as the register knows it, decided once per name (as `add` does): the
    // upload's agency was resolved when it was started, a file's own may be a short form or a typo.
    AgencyIndex register_names(archive);
    std::map<std::string, std::pair<std::string, std::string>> decided;  // name → (entry, refusal)
    auto file_under = [&](const std::string& name) -> const std::pair<std::string, std::string>& {
      auto [it, first] = decided.try_emplace(name);
      if (!first) return it->second;
      const AgencyResolution r = register_names.resolve(name);
      std::string near;
      for (const std::string& n : r.candidates) near += (near.empty() ? "" : "、") + n;
      if (r.how == AgencyResolution::How::kAmbiguous) {
        it->second.second = fmt::format("agency {} could be any of {}: give the full name (单位名称不唯一)", name, near);
      } else if (r.how == AgencyResolution::How::kUnknown && !r.candidates.empty()) {
        it->second.second = fmt::format("agency {} is not in the archive but resembles {} (a typo? 单位名称疑似有误)", name, near);
      } else {
        it->second.first = r.name;
        if (r.how == AgencyResolution::How::kUnknown) register_names.insert(r.name);
      }
      return it->second;
    };
    // Reading, extraction and prepare_document (normalize, sketch, hash, compress) run on a worker
    // ahead of the writer, in a bounded window, as in `leitong add`; agency decisions and adds
    // happen here in upload order. One worker: the service's checks have the other cores.
    struct ReadFile {
      std::string error;  // why the file is refused before its agency is decided
      ReadDocument read;  // the text is dropped once prepared
      std::optional<PreparedDocument> prepared;
    };
    const SketchParams sketch = archive.params().sketch;
    PipelineLimits window;
    window.threads = 1;
    auto read_file = [&](std::size_t i) {
      ReadFile r;
      {
        std::lock_guard lock(jobs_mutex);
        if (stopping) return r;  // not read: the writer stops before this file's turn
      }
      UploadedFile& file = documents[i];  // this item's own: no other thread touches it
      try {
        r.read = read_document_bytes(file.bytes, file.name, job.agency, job.year, job.kind, params.extract);
        if (r.read.complete()) {
          r.prepared = prepare_for_bulk_add(r.read.document, sketch);  // refused: add() says why below
        } else {
          std::u32string().swap(r.read.document.text);  // refused for what it lacks: only that is kept
        }
      } catch (const Error& e) {
        r.error = e.what();
      } catch (const std::exception& e) {  // out of memory and the like: this file, not the service
        r.error = fmt::format("{}: could not be read ({})", file.name, e.what());
      }
      std::string().swap(file.bytes);
      return r;
    };
    auto add_file = [&](std::size_t i, ReadFile&& r) {
      {
        std::lock_guard lock(jobs_mutex);
        if (stopping) return false;
      }
      const UploadedFile& file = documents[i];
      std::optional<JobRefusal> refusal;
      try {
        if (!r.error.empty()) throw Error(r.error);
        ReadDocument& read = r.read;
        if (read.agency_missing) {
          refusal = JobRefusal{file.name, "names no agency: give the agency for the upload (该文件未写明单位)"};
        } else if (read.year_missing) {
          refusal = JobRefusal{file.name, "names no year in its title: give the year for the upload (该文件未写明年度)"};
        } else if (const auto& [entry, why] = file_under(read.document.info.agency); !why.empty()) {
          refusal = JobRefusal{file.name, why};
        } else {
          read.document.info.agency = entry;
          AddOutcome outcome;
          if (r.prepared) {
            r.prepared->info.agency = entry;
            outcome = archive.add(*r.prepared);
          } else {
            outcome = archive.add(read.document);
          }
          (outcome.added ? pending_added : pending_present) += 1;
        }
      } catch (const ArchiveWriteError&) {
        // This add failed alone: the documents before it in the open group are committed first
        // (as `add` does), so that what the job says it added is what the archive holds.
        if (archive.uncommitted()) {
          try {
            commit(archive);
          } catch (const ArchiveWriteError&) {  // the job's error then counts them as not added
            group_commit_failed = false;
          }
        } else {
          // No group left open: the add committed the full group itself and that failed, or the
          // group was lost; either way the archive's error counts its documents.
          group_commit_failed = true;
        }
        throw;
      } catch (const Error& e) {
        refusal = JobRefusal{file.name, e.what()};
      }
      if (archive.uncommitted() == 0 && (pending_added || pending_present)) {
        commit(archive);
        if (archive.log_bytes() > kLogBytesBeforeCheckpoint) archive.checkpoint();
      }
      std::lock_guard lock(jobs_mutex);
      ++job.progress.done;
      if (refusal) job.progress.refused.push_back(std::move(*refusal));
      return true;
    };
    ordered_parallel_map<ReadFile>(
        documents.size(), [&](std::size_t i) { return input_bytes[i]; }, read_file, add_file, window);
    commit(archive);
    bool interrupted = false;
    {
      std::lock_guard lock(jobs_mutex);
      interrupted = stopping && job.progress.done < job.progress.total;
    }
    // What the job added is committed whether or not this finishes: the posting runs a large job
    // leaves (format 4) are merged, so that checks read one blob per bucket, and the log is emptied
    // so that it does not grow from job to job while checks keep reading. Either failing costs only
    // speed, and the job says so. It ends only then, with its warnings: a client that stops
    // watching when the job ends sees them.
    std::vector<std::string> warnings;
    try {
      archive.merge_index_runs();
    } catch (const Error& e) {
      warnings.push_back(fmt::format(
          "已加入的文件均已保存，但索引未能合并，检测会变慢，下次上传时再合并 (every file this job added is "
          "committed; {}. Checks read the index's runs as they are, more slowly, and the next upload merges them)",
          e.what()));
    }
    try {
      archive.checkpoint();
    } catch (const Error& e) {
      warnings.push_back(fmt::format(
          "已加入的文件均已保存，但预写日志未能写回档案库文件 (every file this job added is committed; its "
          "write-ahead log could not be copied into the archive file, which the next upload tries again: {})",
          e.what()));
    }
    std::lock_guard lock(jobs_mutex);
    job.progress.warnings = std::move(warnings);
    job.progress.state = interrupted ? "interrupted" : "done";
  } catch (const Error& e) {
    std::lock_guard lock(jobs_mutex);
    job.progress.state = "failed";
    job.progress.error = pending_added + pending_present && !group_commit_failed
                             ? fmt::format("{} ({} documents of the open group were not added)", e.what(),
                                           pending_added + pending_present)
                             : e.what();
  }
}

nlohmann::json Service::stats(const Session& who) {
  require_inspector(who);
  auto archive = impl_->readers.borrow();
  return stats_to_json(archive->stats());
}

std::vector<int> Service::years(const Session& who) {
  require_inspector(who);
  auto archive = impl_->readers.borrow();
  const ArchiveStats s = archive->stats();
  std::vector<int> out;
  for (int y = s.last_year; y >= s.first_year && y > 0; --y) out.push_back(y);
  return out;
}

std::shared_ptr<const YoyResult> Service::yoy(const Session& who, int year) {
  require_inspector(who);
  auto archive = impl_->readers.borrow();
  const std::int64_t documents = archive->stats().documents;
  std::uint64_t generation;
  {
    std::lock_guard lock(impl_->views_mutex);
    generation = impl_->generation;
    auto it = impl_->yoy_views.find(year);
    if (it != impl_->yoy_views.end() && it->second.generation == generation && it->second.documents == documents)
      return it->second.result;
  }
  YoyParams params = impl_->params.yoy;
  params.year = year;
  params.keep_findings = false;  // a row's evidence is checked again when asked for (yoy_evidence)
  params.threads = 1;  // the service's own pool gives the parallelism across requests
  auto result = std::make_shared<const YoyResult>(year_over_year(*archive, params));
  std::lock_guard lock(impl_->views_mutex);
  impl_->yoy_views[year] = {generation, documents, result};
  return result;
}

Findings Service::yoy_evidence(const Session& who, const YoyRow& row) {
  require_inspector(who);
  auto archive = impl_->readers.borrow();
  const Document report{row.report, archive->text(row.report.id)};
  return check_against_archive(*archive, report, impl_->params.yoy.check);
}

nlohmann::json Service::boilerplate(const Session& who) {
  require_inspector(who);
  auto archive = impl_->readers.borrow();
  return boilerplate_to_json(mine_boilerplate(*archive));
}

nlohmann::json Service::clusters(const Session& who) {
  require_inspector(who);
  auto archive = impl_->readers.borrow();
  return clusters_to_json(find_clusters(*archive));
}

std::vector<User> Service::users(const Session& who) {
  require_inspector(who);
  return impl_->store.users();
}

void Service::add_user(const Session& who, const std::string& name, Role role, const std::string& agency,
                       const std::string& password) {
  require_inspector(who);
  try {
    impl_->store.add_user(name, role, agency, password);
  } catch (const Error& e) {
    throw ServiceError(422, e.what());
  }
}

void Service::remove_user(const Session& who, const std::string& name) {
  require_inspector(who);
  if (name == who.user.name) throw ServiceError(422, "不能删除自己的账户 (you cannot remove your own account)");
  try {
    impl_->store.remove_user(name);
  } catch (const Error& e) {
    throw ServiceError(404, e.what());
  }
}

void Service::set_password(const Session& who, const std::string& name, const std::string& password) {
  require_inspector(who);
  if (!impl_->store.find_user(name)) throw ServiceError(404, "没有这个用户 (no such user)");
  try {
    impl_->store.set_password(name, password);
  } catch (const Error& e) {
    throw ServiceError(422, e.what());
  }
}

}  // namespace leitong
