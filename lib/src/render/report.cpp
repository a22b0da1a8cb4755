#include <leitong/core/text.h>
#include <leitong/render/report.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace leitong {

using nlohmann::json;

namespace {

double round4(double v) { return std::round(v * 10000.0) / 10000.0; }

json document_json(const DocumentInfo& d) {
  json j{{"file", d.file}, {"agency", d.agency}, {"year", d.year}};
  return j;
}

// A name or text as the text renderers show it: one line, control characters escaped (text.h).
std::string for_terminal(std::string_view utf8) { return escape_controls(utf8); }

// First and last `keep` characters of a UTF-8 passage, joined by "…", whitespace left out.
std::string excerpt(const std::string& utf8, int keep) {
  std::u32string text;
  for (char32_t c : decode_utf8(utf8, "passage"))
    if (!is_whitespace(c)) text.push_back(c);
  const auto k = static_cast<std::size_t>(keep);
  if (text.size() <= 2 * k + 1) return for_terminal(encode_utf8(text));
  return for_terminal(encode_utf8(text.substr(0, k))) + " … " + for_terminal(encode_utf8(text.substr(text.size() - k)));
}

std::string percent(double ratio) { return fmt::format("{:.1f}%", 100.0 * ratio); }

// A section's place and ratios (check adds its largest source).
json section_json(const SectionFinding& s) {
  return {{"title", s.title},
          {"kind", section_kind_name(s.kind)},
          {"start", s.start},
          {"end", s.end},
          {"chars", s.chars},
          {"copy_ratio", round4(s.copy_ratio)},
          {"copy_ratio_excluding_boilerplate", round4(s.copy_ratio_excluding_boilerplate)}};
}

}  // namespace

json findings_to_json(const Findings& f) {
  json document = document_json(f.document);
  document["chars"] = f.chars;
  json settings{{"shingle", f.settings.shingle},
                {"min_passage", f.settings.min_passage},
                {"max_gap", f.settings.max_gap},
                {"boilerplate_agencies", f.settings.boilerplate_agencies},
                {"minhash_k", f.settings.minhash_k},
                {"fingerprint_window", f.settings.fingerprint_window},
                {"max_candidates", f.settings.max_candidates},
                {"ranking_holders", f.settings.ranking_holders},
                {"normalization", f.settings.normalization}};
  json sources = json::array();
  for (const SourceFinding& s : f.sources) {
    sources.push_back({{"id", s.document.id},
                       {"file", s.document.file},
                       {"agency", s.document.agency},
                       {"year", s.document.year},
                       {"kind", kind_name(s.document.kind)},
                       {"relation", relation_name(s.relation)},
                       {"copy_ratio", round4(s.copy_ratio)},
                       {"copy_ratio_excluding_boilerplate", round4(s.copy_ratio_excluding_boilerplate)},
                       {"jaccard", round4(s.jaccard)},
                       {"simhash_distance", s.simhash_distance},
                       {"passages", s.passages}});
  }
  json passages = json::array();
  for (const PassageFinding& p : f.passages) {
    passages.push_back({{"start", p.start},
                        {"end", p.end},
                        {"text", p.text},
                        {"source", p.source ? json(*p.source) : json(nullptr)},
                        {"source_start", p.source_start},
                        {"source_end", p.source_end},
                        {"source_text", p.source_text},
                        {"relation", p.source ? relation_name(f.sources[*p.source].relation) : "self"},
                        {"boilerplate", p.boilerplate},
                        {"similarity", round4(p.similarity)},
                        {"chars", p.chars}});
  }
  json sections = json::array();
  for (const SectionFinding& s : f.sections) {
    json j = section_json(s);
    j["max_source"] = s.max_source ? json(*s.max_source) : json(nullptr);
    j["max_source_ratio"] = round4(s.max_source_ratio);
    sections.push_back(std::move(j));
  }
  json missing = json::array();
  for (const SectionKind k : f.missing_parts) missing.push_back(section_kind_name(k));
  return json{{"schema", "leitong.check/1"},
              {"document", document},
              {"settings", settings},
              {"copy_ratio", round4(f.copy_ratio)},
              {"copy_ratio_excluding_boilerplate", round4(f.copy_ratio_excluding_boilerplate)},
              {"boilerplate_ratio", round4(f.boilerplate_ratio)},
              {"self_duplication_ratio", round4(f.self_duplication_ratio)},
              {"max_source_ratio", round4(f.max_source_ratio)},
              {"candidates_compared", f.candidates_compared},
              {"sources", sources},
              {"passages", passages},
              {"sections", sections},
              {"missing_parts", missing}};
}

std::string json_text(const nlohmann::json& value) {
  return value.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string render_json(const Findings& findings) { return json_text(findings_to_json(findings)); }

std::string render_text(const Findings& f, const TextRenderOptions& options) {
  std::string out;
  auto line = [&]<typename... Args>(fmt::format_string<Args...> format, Args&&... args) {
    out += fmt::format(format, std::forward<Args>(args)...);
    out += '\n';
  };
  line("{}  ({}, {}; {} characters)", for_terminal(f.document.file), f.document.agency.empty() ? "-" : for_terminal(f.document.agency),
       f.document.year ? std::to_string(f.document.year) : "-", f.chars);
  line("");
  line("  copied (总复制比)                  {:>7}", percent(f.copy_ratio));
  line("  copied, boilerplate excluded      {:>7}", percent(f.copy_ratio_excluding_boilerplate));
  line("  boilerplate (样板)                {:>7}", percent(f.boilerplate_ratio));
  line("  largest single source (单篇最大)  {:>7}", percent(f.max_source_ratio));
  line("  repeats itself (自我重复)         {:>7}", percent(f.self_duplication_ratio));
  line("");
  if (f.sources.empty()) {
    line("No archived document shares a passage of {} or more characters ({} compared).",
         f.settings.min_passage, f.candidates_compared);
  } else {
    line("Sources ({} of {} compared documents share passages):", f.sources.size(), f.candidates_compared);
    line("  {:>3}  {:<11} {:>7} {:>9} {:>8}  {}", "#", "relation", "copied", "excl.boil", "passages",
         "document");
    const std::size_t shown = std::min<std::size_t>(f.sources.size(), 15);
    for (std::size_t i = 0; i < shown; ++i) {
      const SourceFinding& s = f.sources[i];
      line("  {:>3}  {:<11} {:>7} {:>9} {:>8}  {} {} ({})", i + 1, relation_name(s.relation),
           percent(s.copy_ratio), percent(s.copy_ratio_excluding_boilerplate), s.passages, for_terminal(s.document.agency),
           s.document.year, for_terminal(s.document.file));
    }
    if (f.sources.size() > shown) line("  … and {} more", f.sources.size() - shown);
  }
  if (f.sections.size() > 1 || !f.missing_parts.empty()) {
    line("");
    line("Sections (分节):");
    line("  {:<13} {:>7} {:>9}  {}", "part", "copied", "excl.boil", "heading (largest source)");
    for (const SectionFinding& s : f.sections) {
      std::string source;
      if (s.max_source)
        source = fmt::format(" ({} {}, {})", for_terminal(f.sources[*s.max_source].document.agency),
                             f.sources[*s.max_source].document.year, percent(s.max_source_ratio));
      line("  {:<13} {:>7} {:>9}  {}{}", section_kind_name(s.kind), percent(s.copy_ratio),
           percent(s.copy_ratio_excluding_boilerplate), for_terminal(s.title), source);
    }
    if (!f.missing_parts.empty()) {
      std::string parts;
      for (const SectionKind k : f.missing_parts)
        parts += (parts.empty() ? "" : ", ") + std::string(section_kind_name(k)) + " (" +
                 std::string(section_kind_label(k)) + ")";
      line("  missing parts: {}", parts);
    }
  }
  std::vector<const PassageFinding*> longest;
  for (const PassageFinding& p : f.passages)
    if (p.source && !p.boilerplate) longest.push_back(&p);
  std::sort(longest.begin(), longest.end(),
            [](const PassageFinding* a, const PassageFinding* b) { return a->chars > b->chars; });
  if (!longest.empty()) {
    line("");
    const std::size_t shown = std::min<std::size_t>(longest.size(), static_cast<std::size_t>(options.max_passages));
    line("Longest copied passages ({} of {}, boilerplate not shown):", shown, longest.size());
    for (std::size_t i = 0; i < shown; ++i) {
      const PassageFinding& p = *longest[i];
      line("  [{}, {}) {} chars from source #{} [{}, {}), similarity {:.2f}", p.start, p.end, p.chars,
           *p.source + 1, p.source_start, p.source_end, p.similarity);
      line("      {}", excerpt(p.text, options.excerpt_chars));
    }
  }
  std::size_t self_count = 0;
  for (const PassageFinding& p : f.passages) self_count += !p.source;
  if (self_count) {
    line("");
    line("Self-repetition: {} passage(s) repeat earlier text of the report, for example:", self_count);
    for (const PassageFinding& p : f.passages) {
      if (p.source) continue;
      line("  [{}, {}) repeats [{}, {}): {}", p.start, p.end, p.source_start, p.source_end,
           excerpt(p.text, options.excerpt_chars / 2));
      break;
    }
  }
  return out;
}

json stats_to_json(const ArchiveStats& s) {
  const double per_doc = s.documents ? double(s.index_bytes) / double(s.documents) : 0.0;
  return json{{"schema", "leitong.stats/1"},
              {"documents", s.documents},
              {"reports", s.reports},
              {"templates", s.templates},
              {"forms", s.forms},
              {"agencies", s.agencies},
              {"first_year", s.first_year},
              {"last_year", s.last_year},
              {"text_chars", s.text_chars},
              {"file_bytes", s.file_bytes},
              {"text_bytes", s.text_bytes},
              {"index_bytes", s.index_bytes},
              {"index_bytes_per_document", std::round(per_doc)},
              {"lsh_buckets", s.lsh_buckets},
              {"posting_blobs", s.posting_blobs},
              {"postings", s.postings},
              {"format_version", s.schema_version},
              {"params",
               {{"shingle", s.params.sketch.shingle.n},
                {"minhash_k", s.params.sketch.minhash.k},
                {"lsh_bands", s.params.lsh.bands},
                {"lsh_rows", s.params.lsh.rows},
                {"fingerprint_window", s.params.sketch.fingerprint.window},
                {"posting_cap", s.params.posting_cap},
                {"normalization_version", kNormalizationVersion}}}};
}

std::string render_stats_text(const ArchiveStats& s) {
  std::string out;
  auto row = [&](std::string_view label, const std::string& value) {
    out += fmt::format("  {:<26} {}\n", label, value);
  };
  out += "Archive\n";
  row("documents", s.forms ? fmt::format("{} ({} reports, {} templates, {} forms)", s.documents, s.reports,
                                         s.templates, s.forms)
                           : fmt::format("{} ({} reports, {} templates)", s.documents, s.reports, s.templates));
  row("agencies", std::to_string(s.agencies));
  row("years", s.documents ? fmt::format("{}–{}", s.first_year, s.last_year) : "-");
  row("text", fmt::format("{} characters, {} bytes compressed", s.text_chars, s.text_bytes));
  row("index", fmt::format("{} bytes ({} per document)", s.index_bytes,
                           s.documents ? s.index_bytes / s.documents : 0));
  row("file", fmt::format("{} bytes", s.file_bytes));
  row("LSH buckets / postings", fmt::format("{} / {} in {} blobs", s.lsh_buckets, s.postings, s.posting_blobs));
  row("parameters", fmt::format("shingle {}, MinHash k={}, LSH {}x{}, winnowing window {}, normalization v{}",
                                s.params.sketch.shingle.n, s.params.sketch.minhash.k, s.params.lsh.bands,
                                s.params.lsh.rows, s.params.sketch.fingerprint.window, kNormalizationVersion));
  return out;
}

namespace {

json document_ref(const DocumentInfo& d) {
  return json{{"id", d.id}, {"file", d.file}, {"agency", d.agency}, {"year", d.year}, {"kind", kind_name(d.kind)}};
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<const SectionFinding*> copied_sections(const YoyRow& row, double threshold) {
  std::vector<const SectionFinding*> out;
  for (const SectionFinding& s : row.sections)
    if (s.chars >= 100 && s.copy_ratio_excluding_boilerplate >= threshold) out.push_back(&s);
  std::stable_sort(out.begin(), out.end(), [](const SectionFinding* a, const SectionFinding* b) {
    return a->copy_ratio_excluding_boilerplate > b->copy_ratio_excluding_boilerplate;
  });
  return out;
}

std::string passage_location(std::u32string_view text, const std::vector<SectionSpan>& sections, std::uint32_t start) {
  start = std::min<std::uint32_t>(start, static_cast<std::uint32_t>(text.size()));
  const SectionSpan* in = nullptr;
  for (const SectionSpan& s : sections)
    if (s.start <= start && start < std::max(s.end, s.start + 1)) in = &s;
  const bool before_headings = in && in->title.starts_with("（开头）");
  std::uint32_t from = in ? in->start : 0;
  // The heading's own line is not a paragraph (a heading run into its paragraph is one).
  bool heading_line = in && !before_headings && sections.size() > 1;
  if (heading_line) {
    const std::size_t line_end = std::min(text.find(U'\n', from), text.size());
    const std::u32string title = decode_utf8(in->title, "section title");
    std::u32string_view line = text.substr(from, line_end - from);
    while (!line.empty() && is_whitespace(line.back())) line.remove_suffix(1);
    heading_line = line.size() <= title.size() + 2;
    if (heading_line && start < line_end) return fmt::format("「{}」标题", in->title);
    if (heading_line) from = static_cast<std::uint32_t>(line_end);
  }
  int paragraph = 0;
  bool line_has_text = false;
  for (std::uint32_t i = from; i <= start && i < text.size(); ++i) {
    if (text[i] == U'\n') {
      line_has_text = false;
      continue;
    }
    if (!line_has_text && !is_whitespace(text[i])) {
      line_has_text = true;
      ++paragraph;
    }
  }
  paragraph = std::max(paragraph, 1);
  if (!in || sections.size() <= 1) return fmt::format("第 {} 段", paragraph);
  if (before_headings) return fmt::format("开头第 {} 段", paragraph);
  return fmt::format("「{}」第 {} 段", in->title, paragraph);
}

std::string section_reference(const YoyRow& row, const SectionFinding& section, bool chinese) {
  const auto same_kind = std::count_if(row.sections.begin(), row.sections.end(),
                                       [&](const SectionFinding& s) { return s.kind == section.kind; });
  if (section.kind == SectionKind::kOther || same_kind > 1) return section.title;
  return std::string(chinese ? section_kind_label(section.kind) : section_kind_name(section.kind));
}

std::string copied_sections_text(const YoyRow& row, double threshold) {
  std::string out;
  for (const SectionFinding* s : copied_sections(row, threshold))
    out += fmt::format("{}{} {:.1f}%", out.empty() ? "" : ", ",
                       for_terminal(section_reference(row, *s, false)),
                       100 * s->copy_ratio_excluding_boilerplate);
  return out;
}

json yoy_to_json(const YoyResult& r) {
  json rows = json::array();
  for (const YoyRow& row : r.rows) {
    json j{{"agency", row.report.agency},
           {"year", row.report.year},
           {"file", row.report.file},
           {"prior_year", row.prior.year},
           {"prior_file", row.prior.file},
           {"copy_ratio", round4(row.copy_ratio)},
           {"copy_ratio_excluding_boilerplate", round4(row.copy_ratio_excluding_boilerplate)},
           {"flagged", row.flagged},
           {"nearest_prior", row.nearest}};
    if (row.max_source)
      j["max_source"] = {{"id", row.max_source->document.id},
                         {"file", row.max_source->document.file},
                         {"agency", row.max_source->document.agency},
                         {"year", row.max_source->document.year},
                         {"relation", relation_name(row.max_source->relation)},
                         {"copy_ratio", round4(row.max_source->copy_ratio)}};
    else
      j["max_source"] = nullptr;
    // Each section read off against the prior year (DESIGN.md "Agencies and sections").
    json sections = json::array(), copied = json::array(), missing = json::array();
    for (const SectionFinding& s : row.sections) sections.push_back(section_json(s));
    for (const SectionFinding* s : copied_sections(row, r.threshold))
      copied.push_back({{"title", s->title},
                            {"kind", section_kind_name(s->kind)},
                            {"copy_ratio_excluding_boilerplate", round4(s->copy_ratio_excluding_boilerplate)}});
    for (const SectionKind k : row.missing_parts) missing.push_back(section_kind_name(k));
    j["sections"] = std::move(sections);
    j["copied_sections"] = std::move(copied);
    j["missing_parts"] = std::move(missing);
    rows.push_back(std::move(j));
  }
  return json{{"schema", "leitong.yoy/1"}, {"threshold", r.threshold}, {"rows", rows}};
}

std::string render_yoy_csv(const YoyResult& r) {
  std::string out =
      "agency,year,file,prior_year,prior_file,copy_ratio,copy_ratio_excluding_boilerplate,flagged,"
      "max_source_file,max_source_agency,max_source_year,max_source_relation,max_source_copy_ratio,"
      "copied_sections,missing_parts\n";
  for (const YoyRow& row : r.rows) {
    out += fmt::format("{},{},{},{},{},{:.4f},{:.4f},{}", csv_field(row.report.agency), row.report.year,
                       csv_field(row.report.file), row.prior.year, csv_field(row.prior.file), row.copy_ratio,
                       row.copy_ratio_excluding_boilerplate, row.flagged ? "true" : "false");
    if (row.max_source)
      out += fmt::format(",{},{},{},{},{:.4f}", csv_field(row.max_source->document.file),
                         csv_field(row.max_source->document.agency), row.max_source->document.year,
                         relation_name(row.max_source->relation), row.max_source->copy_ratio);
    else
      out += ",,,,,";
    // "shortcomings=0.9600;next_year=0.9120": a mandated part by its kind, any other by its title.
    std::string copied, missing;
    for (const SectionFinding* s : copied_sections(row, r.threshold))
      copied += fmt::format("{}{}={:.4f}", copied.empty() ? "" : ";",
                            section_reference(row, *s, false),
                            s->copy_ratio_excluding_boilerplate);
    for (const SectionKind k : row.missing_parts) missing += (missing.empty() ? "" : ";") + std::string(section_kind_name(k));
    out += fmt::format(",{},{}\n", csv_field(copied), csv_field(missing));
  }
  return out;
}

std::string render_yoy_text(const YoyResult& r, std::size_t max_rows) {
  std::size_t flagged = 0;
  for (const YoyRow& row : r.rows) flagged += row.flagged;
  std::string out = fmt::format("Year over year: {} reports compared with an earlier report of their agency; "
                                "{} flagged (boilerplate excluded ≥ {:.0f}%)\n\n",
                                r.rows.size(), flagged, 100 * r.threshold);
  if (r.rows.empty()) return out;
  out += fmt::format("  {:<4} {:>7} {:>9}  {:<5} {:<5}  {:<28}  {}\n", "flag", "copied", "excl.boil", "year",
                     "prior", "agency", "copies most from");
  const std::size_t shown = std::min(max_rows, r.rows.size());
  for (std::size_t i = 0; i < shown; ++i) {
    const YoyRow& row = r.rows[i];
    std::string most = "-";
    if (row.max_source)
      most = fmt::format("{} {} ({}, {})", for_terminal(row.max_source->document.agency), row.max_source->document.year,
                         relation_name(row.max_source->relation), percent(row.max_source->copy_ratio));
    out += fmt::format("  {:<4} {:>7} {:>9}  {:<5} {:<5}  {:<28}  {}\n", row.flagged ? "!!" : "",
                       percent(row.copy_ratio), percent(row.copy_ratio_excluding_boilerplate), row.report.year,
                       row.prior.year, for_terminal(row.report.agency), most);
    const std::string by = copied_sections_text(row, r.threshold);
    if (!by.empty()) out += fmt::format("       sections from {}: {}\n", row.prior.year, by);
  }
  if (r.rows.size() > shown) out += fmt::format("  … {} more rows (use --format csv or json)\n", r.rows.size() - shown);
  return out;
}

json boilerplate_to_json(const BoilerplateResult& r) {
  json passages = json::array();
  for (const BoilerplatePassage& p : r.passages)
    passages.push_back({{"text", p.text},
                        {"agencies", p.agencies},
                        {"documents", p.documents},
                        {"years", p.years},
                        {"example", document_ref(p.example)},
                        {"start", p.start},
                        {"end", p.end}});
  return json{{"schema", "leitong.boilerplate/1"}, {"min_agencies", r.min_agencies}, {"passages", passages}};
}

std::string render_boilerplate_text(const BoilerplateResult& r) {
  std::string out = fmt::format(
      "Boilerplate: {} passages shared by the reports of at least {} agencies (excluded from "
      "copy_ratio_excluding_boilerplate)\n\n",
      r.passages.size(), r.min_agencies);
  out += fmt::format("  {:>8} {:>9} {:>5}  {}\n", "agencies", "documents", "years", "passage");
  for (const BoilerplatePassage& p : r.passages)
    out += fmt::format("  {:>8} {:>9} {:>5}  {}\n", p.agencies, p.documents, p.years, excerpt(p.text, 40));
  return out;
}

json clusters_to_json(const ClusterResult& r) {
  json clusters = json::array();
  for (const Cluster& c : r.clusters) {
    json members = json::array();
    for (const DocumentInfo& m : c.members) members.push_back(document_ref(m));
    clusters.push_back({{"year", c.year ? json(c.year) : json(nullptr)},
                        {"size", c.members.size()},
                        {"agencies", c.agencies},
                        {"mean_copy_ratio", round4(c.mean_copy_ratio)},
                        {"confirmed_pairs", c.confirmed_pairs},
                        {"members", members}});
  }
  return json{{"schema", "leitong.clusters/1"},
              {"candidate_pairs", r.candidate_pairs},
              {"aligned_pairs", r.aligned_pairs},
              {"confirmed_pairs", r.confirmed_pairs},
              {"clusters", clusters}};
}

std::string render_clusters_text(const ClusterResult& r) {
  std::string out = fmt::format("{} clusters of near-duplicate reports ({} candidate pairs from LSH, {} aligned, "
                                "{} confirmed)\n",
                                r.clusters.size(), r.candidate_pairs, r.aligned_pairs, r.confirmed_pairs);
  for (std::size_t i = 0; i < r.clusters.size(); ++i) {
    const Cluster& c = r.clusters[i];
    out += fmt::format("\n  #{}  {} reports, {} agencies, {}, mean shared {}\n", i + 1, c.members.size(), c.agencies,
                       c.year ? std::to_string(c.year) : std::string("several years"), percent(c.mean_copy_ratio));
    for (const DocumentInfo& m : c.members)
      out += fmt::format("      {} {}  {}\n", for_terminal(m.agency), m.year, for_terminal(m.file));
  }
  return out;
}

}  // namespace leitong
