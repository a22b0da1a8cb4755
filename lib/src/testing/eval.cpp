#include <leitong/core/error.h>
#include <leitong/testing/eval.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

namespace leitong {
namespace {

using Interval = std::pair<std::uint32_t, std::uint32_t>;

std::size_t union_length(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::size_t total = 0;
  std::uint32_t cur_start = 0, cur_end = 0;
  bool open = false;
  for (const auto& [s, e] : v) {
    if (e <= s) continue;
    if (open && s <= cur_end) {
      cur_end = std::max(cur_end, e);
      continue;
    }
    if (open) total += cur_end - cur_start;
    cur_start = s, cur_end = e, open = true;
  }
  if (open) total += cur_end - cur_start;
  return total;
}

bool detects(const PanSpan& s, const PanSpan& r) {
  return s.document == r.document && s.source == r.source &&
         std::max(s.start, r.start) < std::min(s.end, r.end);
}

// |∪_{o ∈ others} (x ⊓ o)| over the suspicious and source spans of x.
std::size_t covered(const PanSpan& x, const std::vector<const PanSpan*>& others) {
  std::vector<Interval> here, there;
  for (const PanSpan* o : others) {
    here.emplace_back(std::max(x.start, o->start), std::min(x.end, o->end));
    there.emplace_back(std::max(x.source_start, o->source_start),
                       std::min(x.source_end, o->source_end));
  }
  return union_length(std::move(here)) + union_length(std::move(there));
}

std::size_t length(const PanSpan& x) {
  return std::size_t(x.end > x.start ? x.end - x.start : 0) +
         std::size_t(x.source_end > x.source_start ? x.source_end - x.source_start : 0);
}

bool ends_with_path(const std::string& archived, const std::string& rel) {
  if (archived == rel) return true;
  return archived.size() > rel.size() &&
         archived.compare(archived.size() - rel.size(), rel.size(), rel) == 0 &&
         (archived[archived.size() - rel.size() - 1] == '/' ||
          archived[archived.size() - rel.size() - 1] == '\\');
}

// Re-points a detection at `source`, its source offsets shifted by `delta` (clamped at 0).
void move_source(PanSpan& d, const std::string& source, std::int64_t delta) {
  d.source = source;
  d.source_start = std::uint32_t(std::max<std::int64_t>(0, std::int64_t(d.source_start) + delta));
  d.source_end = std::uint32_t(std::max<std::int64_t>(0, std::int64_t(d.source_end) + delta));
}

nlohmann::json scores_json(const PanScores& s) {
  return {{"plagdet", s.plagdet},
          {"precision", s.precision},
          {"recall", s.recall},
          {"granularity", s.granularity},
          {"cases", s.cases},
          {"detections", s.detections},
          {"detected_cases", s.detected_cases},
          {"true_detections", s.true_detections}};
}

}  // namespace

PanScores pan_scores(const std::vector<PanSpan>& cases, const std::vector<PanSpan>& detections) {
  PanScores out;
  out.cases = cases.size();
  out.detections = detections.size();
  std::unordered_map<std::string, std::vector<const PanSpan*>> by_doc;
  for (const PanSpan& r : detections) by_doc[r.document].push_back(&r);
  std::unordered_map<const PanSpan*, std::vector<const PanSpan*>> cases_of;  // detection → cases
  double recall_sum = 0;
  std::size_t granularity_sum = 0;
  for (const PanSpan& s : cases) {
    std::vector<const PanSpan*> hits;
    if (auto it = by_doc.find(s.document); it != by_doc.end())
      for (const PanSpan* r : it->second)
        if (detects(s, *r)) {
          hits.push_back(r);
          cases_of[r].push_back(&s);
        }
    if (!hits.empty()) {
      ++out.detected_cases;
      granularity_sum += hits.size();
    }
    const std::size_t len = length(s);
    recall_sum += len ? double(covered(s, hits)) / double(len) : (hits.empty() ? 0.0 : 1.0);
  }
  double precision_sum = 0;
  for (const PanSpan& r : detections) {
    auto it = cases_of.find(&r);
    if (it == cases_of.end()) continue;
    ++out.true_detections;
    const std::size_t len = length(r);
    precision_sum += len ? double(covered(r, it->second)) / double(len) : 1.0;
  }
  if (!cases.empty()) out.recall = recall_sum / double(cases.size());
  if (!detections.empty()) out.precision = precision_sum / double(detections.size());
  if (out.detected_cases) out.granularity = double(granularity_sum) / double(out.detected_cases);
  const double p = out.precision, r = out.recall;
  const double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  out.plagdet = f1 / std::log2(1 + out.granularity);
  return out;
}

EvalResult evaluate(const Archive& archive, const std::filesystem::path& truth,
                    const EvalParams& params,
                    const std::function<void(std::size_t, std::size_t)>& progress) {
  std::ifstream in(truth, std::ios::binary);
  if (!in) throw_error("{}: cannot read the truth file", truth.string());
  struct Report {
    std::string file, agency;
    int year;
    std::vector<PanSpan> plants;
    std::vector<std::string> types;
    // Per plant: earlier documents holding the same text (the source's own sources).
    std::vector<std::vector<PanSpan>> also;
  };
  std::vector<Report> reports;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      Report r{j.at("file").get<std::string>(),
               j.at("agency").get<std::string>(),
               j.at("year").get<int>(),
               {},
               {},
               {}};
      for (const auto& p : j.at("plants")) {
        r.plants.push_back(
            {r.file, p.at("start").get<std::uint32_t>(), p.at("end").get<std::uint32_t>(),
             p.at("source_file").get<std::string>(), p.at("source_start").get<std::uint32_t>(),
             p.at("source_end").get<std::uint32_t>()});
        r.types.push_back(p.at("type").get<std::string>());
        std::vector<PanSpan> also;
        if (auto a = p.find("also"); a != p.end())
          for (const auto& o : *a)
            also.push_back({r.file, 0, 0, o.at("source_file").get<std::string>(),
                            o.at("source_start").get<std::uint32_t>(),
                            o.at("source_end").get<std::uint32_t>()});
        r.also.push_back(std::move(also));
      }
      reports.push_back(std::move(r));
    } catch (const nlohmann::json::exception& e) {
      throw_error("{}: line {}: not a truth record ({})", truth.string(), line_no, e.what());
    }
  }

  // (agency, year) → archived reports; file names are matched by path suffix.
  std::map<std::pair<std::string, int>, std::vector<DocumentInfo>> archived;
  for (DocumentInfo& info : archive.documents())
    if (info.kind == DocumentKind::kReport)
      archived[{canonical_agency(info.agency), info.year}].push_back(std::move(info));

  // Replay: each report is checked as it would have been when it was filed — only the templates
  // and the reports listed before it in the truth file may be its sources. Against every document,
  // a report would also match the later reports that copy *it*, which the truth (rightly) does not
  // count as copying. Later reports still count as other agencies sharing text, as they do in a
  // real archive, so boilerplate is measured against the whole archive.
  std::unordered_set<std::int64_t> filed;
  for (const DocumentInfo& info : archive.documents())
    if (info.kind == DocumentKind::kTemplate) filed.insert(info.id);
  const auto may_be_source = [&](std::int64_t id) { return filed.count(id) > 0; };

  EvalResult result;
  result.flag_threshold = params.flag_threshold;
  std::vector<PanSpan> cases, detections;
  std::map<std::string, std::vector<PanSpan>> cases_by_type;
  // A 范文 paragraph filled in by several agencies is the same text in each: a detection pointing
  // to another report that holds the case's 范文 paragraph (a template plant of that report with
  // the same source span) counts as pointing to the 范文, its source offsets moved there.
  std::unordered_map<std::string, std::size_t> report_of;
  for (std::size_t k = 0; k < reports.size(); ++k) report_of[reports[k].file] = k;
  auto map_to_template = [&](PanSpan& d, const std::vector<PanSpan>& plants,
                             const std::vector<std::string>& types,
                             const std::string& archived_source) {
    const Report* other = nullptr;
    for (const auto& [file, k] : report_of)
      if (ends_with_path(archived_source, file)) other = &reports[k];
    if (!other) return;
    for (std::size_t c = 0; c < plants.size(); ++c) {
      if (types[c] != "template" ||
          std::max(plants[c].start, d.start) >= std::min(plants[c].end, d.end))
        continue;
      for (std::size_t q = 0; q < other->plants.size(); ++q) {
        const PanSpan& alt = other->plants[q];
        if (other->types[q] != "template" || alt.source != plants[c].source ||
            alt.source_start != plants[c].source_start ||
            std::max(alt.start, d.source_start) >= std::min(alt.end, d.source_end))
          continue;
        move_source(d, plants[c].source, std::int64_t(alt.source_start) - std::int64_t(alt.start));
        return;
      }
    }
  };
  // A detection naming a document the case's source copied the text from (`also` in the truth)
  // found the same text: it counts for the case, its source offsets moved to the case's source.
  auto map_to_earlier = [&](PanSpan& d, const Report& r, const std::string& archived_source) {
    for (const PanSpan& plant : r.plants)
      if (plant.source == d.source && std::max(plant.start, d.start) < std::min(plant.end, d.end))
        return;  // it names a case's own source
    for (std::size_t c = 0; c < r.plants.size(); ++c) {
      const PanSpan& plant = r.plants[c];
      if (plant.source == d.source || std::max(plant.start, d.start) >= std::min(plant.end, d.end))
        continue;
      for (const PanSpan& alt : r.also[c]) {
        if (!ends_with_path(archived_source, alt.source) ||
            std::max(alt.source_start, d.source_start) >= std::min(alt.source_end, d.source_end))
          continue;
        move_source(d, plant.source, std::int64_t(plant.source_start) - std::int64_t(alt.source_start));
        return;
      }
    }
  };
  const auto started = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < reports.size(); ++i) {
    const Report& r = reports[i];
    const DocumentInfo* found = nullptr;
    if (auto it = archived.find({canonical_agency(r.agency), r.year}); it != archived.end()) {
      for (const DocumentInfo& info : it->second)
        if (ends_with_path(info.file, r.file)) found = &info;
      if (!found && it->second.size() == 1) found = &it->second.front();
    }
    if (!found) {
      ++result.documents.missing;
      if (progress) progress(i + 1, reports.size());
      continue;
    }
    ++result.documents.reports;
    Document doc;
    doc.info = *found;
    doc.text = archive.text(found->id);
    const Findings f = check_against_archive(archive, doc, params.check, may_be_source);
    filed.insert(found->id);

    bool has_self = false, recycled = false;
    std::string recycled_from;
    for (std::size_t k = 0; k < r.plants.size(); ++k) {
      cases.push_back(r.plants[k]);
      cases_by_type[r.types[k]].push_back(r.plants[k]);
      has_self = has_self || r.types[k] == "self";
      if (r.types[k] == "recycled") recycled = true, recycled_from = r.plants[k].source;
    }
    for (const PassageFinding& p : f.passages) {
      if (p.boilerplate) continue;
      if (!p.source && !has_self) continue;
      const std::string source = p.source ? f.sources[*p.source].document.file : r.file;
      // Name the source as the truth does when it is the same file.
      std::string name = source;
      if (!p.source) name = r.file;
      for (const PanSpan& c : r.plants)
        if (ends_with_path(source, c.source)) name = c.source;
      PanSpan d{r.file, p.start, p.end, name, p.source_start, p.source_end};
      if (p.source) map_to_template(d, r.plants, r.types, source);
      if (p.source) map_to_earlier(d, r, source);
      detections.push_back(std::move(d));
    }
    if (recycled) {
      ++result.documents.recycled;
      if (!f.sources.empty() && ends_with_path(f.sources[0].document.file, recycled_from))
        ++result.documents.recycled_found;
    }
    if (r.plants.empty()) {
      ++result.documents.clean;
      if (f.copy_ratio_excluding_boilerplate >= params.flag_threshold)
        ++result.documents.clean_flagged;
    }
    if (progress) progress(i + 1, reports.size());
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.overall = pan_scores(cases, detections);
  for (const auto& [type, type_cases] : cases_by_type) {
    PanScores s = pan_scores(type_cases, detections);
    s.detections = 0;  // precision and plagdet of a type are not meaningful against all detections
    result.by_type[type] = s;
  }
  return result;
}

std::string eval_json(const EvalResult& r) {
  nlohmann::json j = scores_json(r.overall);
  nlohmann::json out = {{"schema", "leitong.eval/1"}};
  out.update(j);
  nlohmann::json types = nlohmann::json::object();
  for (const auto& [type, s] : r.by_type)
    types[type] = {{"cases", s.cases},
                   {"detected_cases", s.detected_cases},
                   {"recall", s.recall},
                   {"granularity", s.granularity}};
  out["by_type"] = types;
  const EvalDocuments& d = r.documents;
  out["documents"] = {{"reports", d.reports},
                      {"missing", d.missing},
                      {"recycled", d.recycled},
                      {"recycled_found", d.recycled_found},
                      {"clean", d.clean},
                      {"clean_flagged", d.clean_flagged},
                      {"flag_threshold", r.flag_threshold}};
  out["seconds"] = r.seconds;
  return out.dump(2) + "\n";
}

std::string eval_text(const EvalResult& r) {
  const PanScores& s = r.overall;
  std::string out = fmt::format(
      "  plagdet      {:.3f}\n  precision    {:.3f}\n  recall       {:.3f}\n  granularity  {:.3f}\n"
      "  cases        {} ({} detected)\n  detections   {} ({} detect a case)\n",
      s.plagdet, s.precision, s.recall, s.granularity, s.cases, s.detected_cases, s.detections,
      s.true_detections);
  for (const auto& [type, t] : r.by_type)
    out += fmt::format("  {:<10} {:>5} cases, recall {:.3f}, granularity {:.3f}\n", type, t.cases,
                       t.recall, t.granularity);
  const EvalDocuments& d = r.documents;
  out += fmt::format(
      "  reports      {} checked{}\n  recycled     {} of {} found (top source is the prior "
      "report)\n"
      "  clean        {} of {} flagged (excluding boilerplate ≥ {:.2f})\n  time         {:.1f} s\n",
      d.reports, d.missing ? fmt::format(", {} not in the archive", d.missing) : std::string(),
      d.recycled_found, d.recycled, d.clean_flagged, d.clean, r.flag_threshold, r.seconds);
  return out;
}

}  // namespace leitong
