#include <leitong/analysis/yoy.h>

#include "detail/reference_cache.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace leitong {

namespace {

struct Job {
  DocumentInfo report;
  std::vector<DocumentInfo> priors;  // nearest earlier year first
};

// The rows of one report: its check, read off for each prior year.
std::vector<YoyRow> check_job(const Archive& archive, const Job& job, const YoyParams& params,
                              detail::ReferenceCache* cache) {
  const Document report{job.report, archive.text(job.report.id)};
  Findings findings = detail::check_against_archive(archive, report, params.check, {}, cache);
  const std::vector<Section> sections = split_sections(report.text);
  const int nearest_year = job.priors.front().year;
  // For each prior year: the best-covering document of that year.
  std::map<int, YoyRow, std::greater<>> per_year;
  for (const DocumentInfo& prior : job.priors) {
    YoyRow row;
    row.report = job.report;
    row.prior = prior;
    row.nearest = prior.year == nearest_year;
    std::optional<std::size_t> prior_source;
    for (std::size_t i = 0; i < findings.sources.size(); ++i) {
      const SourceFinding& s = findings.sources[i];
      if (s.document.id != prior.id) continue;
      row.copy_ratio = s.copy_ratio;
      row.copy_ratio_excluding_boilerplate = s.copy_ratio_excluding_boilerplate;
      prior_source = i;
    }
    if (prior_source) {
      row.sections = section_findings(report.text, sections, findings, prior_source);
    } else {
      row.sections = section_findings(report.text, sections, Findings{}, std::nullopt);
    }
    row.missing_parts = findings.missing_parts;
    auto [it, inserted] = per_year.try_emplace(prior.year, row);
    if (!inserted && row.copy_ratio_excluding_boilerplate > it->second.copy_ratio_excluding_boilerplate)
      it->second = row;
  }
  // The document it copies most from: sources are ranked by copy_ratio; a later year's report
  // cannot be a source of copying.
  std::optional<SourceFinding> max_source;
  for (const SourceFinding& s : findings.sources)
    if (s.document.year <= job.report.year) {
      max_source = s;
      break;
    }
  std::vector<YoyRow> rows;
  for (auto& [year, row] : per_year) {
    row.max_source = max_source;
    row.flagged = row.copy_ratio_excluding_boilerplate >= params.threshold;
    if (params.keep_findings) row.findings = findings;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

YoyResult year_over_year(const Archive& archive, const YoyParams& params,
                         const std::function<void(std::size_t, std::size_t)>& progress) {
  YoyResult result;
  result.threshold = params.threshold;

  // Reports by canonical agency, oldest first.
  std::map<std::string, std::vector<DocumentInfo>> by_agency;
  for (DocumentInfo& info : archive.documents())
    if (info.kind == DocumentKind::kReport) by_agency[canonical_agency(info.agency)].push_back(std::move(info));

  std::vector<Job> jobs;
  for (auto& [agency, reports] : by_agency) {
    std::stable_sort(reports.begin(), reports.end(),
                     [](const DocumentInfo& a, const DocumentInfo& b) { return a.year < b.year; });
    for (const DocumentInfo& r : reports) {
      if (params.year && r.year != *params.year) continue;
      Job job{r, {}};
      for (auto it = reports.rbegin(); it != reports.rend(); ++it)
        if (it->year < r.year) job.priors.push_back(*it);
      if (job.priors.empty()) continue;
      if (!params.all_prior) {
        // Every document of the nearest earlier year (an agency may file several).
        const int nearest = job.priors.front().year;
        std::erase_if(job.priors, [&](const DocumentInfo& d) { return d.year != nearest; });
      }
      jobs.push_back(std::move(job));
    }
  }

  // Jobs are independent: each thread takes the next one and fills that job's slot, so the result
  // does not depend on the number of threads.
  std::vector<std::vector<YoyRow>> rows_of(jobs.size());
  std::optional<detail::ReferenceCache> cache;
  if (params.reference_cache_bytes) cache.emplace(params.reference_cache_bytes);
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex mutex;  // progress and failure
  std::exception_ptr failure;
  auto work = [&](const Archive& db) {
    try {
      // This thread's checks all see the archive as it was here (threads start a moment apart).
      const Archive::ReadSnapshot snapshot(db);
      for (std::size_t j = next++; j < jobs.size(); j = next++) {
        rows_of[j] = check_job(db, jobs[j], params, cache ? &*cache : nullptr);
        std::lock_guard lock(mutex);
        ++done;
        if (progress) progress(done, jobs.size());
      }
    } catch (...) {
      std::lock_guard lock(mutex);
      if (!failure) failure = std::current_exception();
      next = jobs.size();  // the other threads stop too
    }
  };
  std::size_t threads = params.threads > 0 ? static_cast<std::size_t>(params.threads)
                                           : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, std::max<std::size_t>(1, jobs.size()));
  // One SQLite connection per thread; the caller's serves the calling thread.
  std::vector<Archive> connections;
  connections.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t)
    connections.push_back(Archive::open(archive.path(), Archive::Mode::kReadOnly));
  {
    std::vector<std::jthread> pool;
    for (const Archive& db : connections) pool.emplace_back(work, std::cref(db));
    work(archive);
  }
  if (failure) std::rethrow_exception(failure);
  if (cache) {
    result.references_prepared = cache->misses();
    result.references_reused = cache->hits();
  }
  for (auto& rows : rows_of)
    for (YoyRow& row : rows) result.rows.push_back(std::move(row));

  std::stable_sort(result.rows.begin(), result.rows.end(), [](const YoyRow& a, const YoyRow& b) {
    if (a.copy_ratio_excluding_boilerplate != b.copy_ratio_excluding_boilerplate)
      return a.copy_ratio_excluding_boilerplate > b.copy_ratio_excluding_boilerplate;
    if (a.report.agency != b.report.agency) return a.report.agency < b.report.agency;
    return a.report.year > b.report.year;
  });
  return result;
}

}  // namespace leitong
