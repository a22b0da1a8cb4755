// The web service's work, apart from HTTP (tools/leitong/serve/ speaks HTTP and calls this):
// who may do what, checks of uploaded drafts, background adds with progress, and the archive-wide
// views an inspector reads. Every call that touches another agency's data takes the caller's
// Session and answers as if the data did not exist when the caller may not see it.
//
// Threads: any method may be called from any thread. Checks and views read the archive through a
// pool of read-only connections (one per concurrent call); adds run one job at a time on the
// service's own writer thread, each document reported added only once its group is committed.
#pragma once

#include <leitong/analysis/check.h>
#include <leitong/analysis/yoy.h>
#include <leitong/extract/extract.h>
#include <leitong/service/store.h>
#include <leitong/service/upload.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace leitong {

// A refusal the client is told about, with the HTTP status that says what kind it is.
class ServiceError : public Error {
 public:
  ServiceError(int status, std::string message) : Error(std::move(message)), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

struct ServiceParams {
  std::filesystem::path archive;
  std::filesystem::path store;  // "" : ServiceStore::path_for(archive)
  StoreParams store_params;
  ExtractParams extract;
  CheckParams check;
  YoyParams yoy;
  ZipLimits zip;
  int add_group = 50;  // documents per committed group in an add job
  // Failed logins allowed per name, and per client address, within the window; past either, login
  // is refused (429) until the window has moved on. An address gets more: the staff of a whole
  // office may reach the service from one address.
  int login_failures = 5;
  int login_failures_per_address = 50;
  std::chrono::seconds login_window{15 * 60};
  // Checks older than this are forgotten (looked for when the service starts and after a check, at
  // most hourly); 0: kept until removed by hand.
  std::chrono::days keep_checks{0};
};

struct UploadedFile {
  std::string name;   // client_file_name of what the client sent
  std::string bytes;
};

struct LoginOutcome {
  std::optional<NewSession> session;  // set when the name and password match
  int retry_after_seconds = 0;        // > 0: throttled (too many failures), not even tried
};

struct JobRefusal {
  std::string file;
  std::string reason;
};

struct JobProgress {
  std::string id;
  std::string user;       // the inspector who started it
  std::string state;      // "queued", "running", "done", "failed", "interrupted"
  std::size_t total = 0;  // files to read
  std::size_t done = 0;   // files read (added, already present or refused)
  std::size_t added = 0;  // committed to the archive
  std::size_t already_present = 0;
  std::vector<JobRefusal> refused;
  std::string error;  // why the job stopped ("failed"): the archive could not be written
  // What failed once what the job added was committed (the index's posting runs not merged, the
  // log not copied into the archive file): nothing is lost; the next upload does it again.
  std::vector<std::string> warnings;
  std::int64_t created = 0;
};

nlohmann::json job_to_json(const JobProgress& job);

class Service {
 public:
  // Opens the store (creating it), checks that the archive opens for reading, starts the writer
  // thread. Throws Error naming what could not be opened.
  explicit Service(ServiceParams params);
  ~Service();  // finishes the running job's current group, stops the writer, closes everything
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  ServiceStore& store();
  const ServiceParams& params() const;

  // Sessions. `address` is the client's address, for throttling.
  LoginOutcome log_in(const std::string& name, const std::string& password, const std::string& address);
  std::optional<Session> session(const std::string& token);
  void log_out(const std::string& token);

  // Checks a draft: never added to the archive. An agency user checks as its own agency; an
  // inspector names the agency. `year` 0: from the file's title. Throws ServiceError 415 for a
  // file leitong cannot read (the CLI's reason), 422 for a missing agency or year, 400 otherwise.
  CheckRecord check_draft(const Session& who, const UploadedFile& file, int year, const std::string& agency);
  std::vector<CheckRecord> checks(const Session& who);
  // nullopt for an id that does not exist and for another agency's check alike.
  std::optional<CheckRecord> find_check(const Session& who, const std::string& id);
  // The A4 检测报告 of a check, as a PDF (render_check_pdf). ServiceError 404 as find_check, 410 for
  // a check kept before checks kept their text.
  std::string report_pdf(const Session& who, const std::string& id);

  // Inspectors: adds files (each a document, or a zip of documents) under `agency` and `year`
  // (either may be empty/0: then the file must name it); returns the job id. ServiceError 403 for
  // agency users, 400 for an unknown kind or no files.
  std::string start_add(const Session& who, std::vector<UploadedFile> files, const std::string& agency, int year,
                        const std::string& kind);
  std::optional<JobProgress> job(const Session& who, const std::string& id);
  std::vector<JobProgress> jobs(const Session& who);
  // Stops taking jobs: the running job ends after its current group; queued jobs are marked
  // interrupted. Returns when the writer has stopped.
  void stop_jobs();

  // Inspectors' views (ServiceError 403 for agency users). The year-over-year result is kept until
  // the archive changes.
  nlohmann::json stats(const Session& who);
  std::shared_ptr<const YoyResult> yoy(const Session& who, int year);
  // A row's whole check, for its evidence page: the check yoy ran for the row's report (the same
  // function and settings), run again rather than kept for every row.
  Findings yoy_evidence(const Session& who, const YoyRow& row);
  nlohmann::json boilerplate(const Session& who);
  nlohmann::json clusters(const Session& who);
  std::vector<int> years(const Session& who);  // years holding reports, newest first

  std::vector<User> users(const Session& who);
  void add_user(const Session& who, const std::string& name, Role role, const std::string& agency,
                const std::string& password);
  void remove_user(const Session& who, const std::string& name);
  void set_password(const Session& who, const std::string& name, const std::string& password);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leitong
