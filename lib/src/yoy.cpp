#include <leitong/yoy.h>

#include <algorithm>
#include <map>

namespace leitong {

YoyResult year_over_year(const Archive& archive, const YoyParams& params,
                         const std::function<void(std::size_t, std::size_t)>& progress) {
  YoyResult result;
  result.threshold = params.threshold;

  // Reports by canonical agency, oldest first.
  std::map<std::string, std::vector<DocumentInfo>> by_agency;
  for (DocumentInfo& info : archive.documents())
    if (info.kind == DocumentKind::kReport) by_agency[canonical_agency(info.agency)].push_back(std::move(info));

  struct Job {
    DocumentInfo report;
    std::vector<DocumentInfo> priors;  // nearest earlier year first
  };
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

  for (std::size_t j = 0; j < jobs.size(); ++j) {
    const Job& job = jobs[j];
    Document report{job.report, archive.text(job.report.id)};
    Findings findings = check_against_archive(archive, report, params.check);
    const int nearest_year = job.priors.front().year;
    // For each prior year: the best-covering document of that year.
    std::map<int, YoyRow, std::greater<>> per_year;
    for (const DocumentInfo& prior : job.priors) {
      YoyRow row;
      row.report = job.report;
      row.prior = prior;
      row.nearest = prior.year == nearest_year;
      for (const SourceFinding& s : findings.sources) {
        if (s.document.id != prior.id) continue;
        row.copy_ratio = s.copy_ratio;
        row.copy_ratio_excluding_boilerplate = s.copy_ratio_excluding_boilerplate;
      }
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
    for (auto& [year, row] : per_year) {
      row.max_source = max_source;
      row.flagged = row.copy_ratio_excluding_boilerplate >= params.threshold;
      if (params.keep_findings) row.findings = findings;
      result.rows.push_back(std::move(row));
    }
    if (progress) progress(j + 1, jobs.size());
  }
  std::stable_sort(result.rows.begin(), result.rows.end(), [](const YoyRow& a, const YoyRow& b) {
    if (a.copy_ratio_excluding_boilerplate != b.copy_ratio_excluding_boilerplate)
      return a.copy_ratio_excluding_boilerplate > b.copy_ratio_excluding_boilerplate;
    if (a.report.agency != b.report.agency) return a.report.agency < b.report.agency;
    return a.report.year > b.report.year;
  });
  return result;
}

}  // namespace leitong
