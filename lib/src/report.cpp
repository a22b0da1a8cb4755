#include <leitong/report.h>
#include <leitong/text.h>

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

// First and last `keep` characters of a UTF-8 passage, joined by "…".
std::string excerpt(const std::string& utf8, int keep) {
  std::u32string text;
  for (char32_t c : decode_utf8(utf8, "passage"))
    if (!is_whitespace(c)) text.push_back(c);
  const auto k = static_cast<std::size_t>(keep);
  if (text.size() <= 2 * k + 1) return encode_utf8(text);
  return encode_utf8(text.substr(0, k)) + " … " + encode_utf8(text.substr(text.size() - k));
}

std::string percent(double ratio) { return fmt::format("{:.1f}%", 100.0 * ratio); }

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
              {"passages", passages}};
}

std::string render_json(const Findings& findings) {
  return findings_to_json(findings).dump(2, ' ', false, json::error_handler_t::strict) + "\n";
}

std::string render_text(const Findings& f, const TextRenderOptions& options) {
  std::string out;
  auto line = [&]<typename... Args>(fmt::format_string<Args...> format, Args&&... args) {
    out += fmt::format(format, std::forward<Args>(args)...);
    out += '\n';
  };
  line("{}  ({}, {}; {} characters)", f.document.file, f.document.agency.empty() ? "-" : f.document.agency,
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
           percent(s.copy_ratio), percent(s.copy_ratio_excluding_boilerplate), s.passages, s.document.agency,
           s.document.year, s.document.file);
    }
    if (f.sources.size() > shown) line("  … and {} more", f.sources.size() - shown);
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
                {"normalization_version", kNormalizationVersion}}}};
}

std::string render_stats_text(const ArchiveStats& s) {
  std::string out;
  auto row = [&](std::string_view label, const std::string& value) {
    out += fmt::format("  {:<26} {}\n", label, value);
  };
  out += "Archive\n";
  row("documents", fmt::format("{} ({} reports, {} templates)", s.documents, s.reports, s.templates));
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

}  // namespace leitong
