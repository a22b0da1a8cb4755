// Renderers of Findings: text for a person at a terminal, JSON for scripts (schema
// "leitong.check/1", docs/json.md). Library code, so tests can call them directly; tools/ only
// chooses one and writes the result.
#pragma once

#include <leitong/analysis/boilerplate.h>
#include <leitong/analysis/clusters.h>
#include <leitong/analysis/findings.h>
#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>

#include <nlohmann/json.hpp>

#include <string>

namespace leitong {

// Any JSON value as every command writes it: indented by 2, ending with '\n'. Bytes of a string
// that are not UTF-8 (a file name from a file system that allows them) are written as U+FFFD
// rather than failing the whole output.
std::string json_text(const nlohmann::json& value);

nlohmann::json findings_to_json(const Findings& findings);
std::string render_json(const Findings& findings);  // pretty-printed, UTF-8, ends with '\n'

struct TextRenderOptions {
  int max_passages = 10;   // longest passages shown with excerpts
  int excerpt_chars = 40;  // characters of each passage shown at its start and end
};
std::string render_text(const Findings& findings, const TextRenderOptions& options = {});

nlohmann::json stats_to_json(const ArchiveStats& stats);
std::string render_stats_text(const ArchiveStats& stats);

// Year over year: JSON schema "leitong.yoy/1"; CSV with a header row, one row per YoyRow (RFC 4180
// quoting); text: a ranked table, flagged rows marked.
nlohmann::json yoy_to_json(const YoyResult& result);
std::string render_yoy_csv(const YoyResult& result);
std::string render_yoy_text(const YoyResult& result, std::size_t max_rows = 50);
// A row's sections of at least 100 characters copied from the prior year at the threshold or more,
// most first, whether the row is flagged or not: a 存在的不足 copied from last year shows in a report
// that is otherwise new. The JSON's copied_sections, the text and the HTML overview say these.
std::vector<const SectionFinding*> copied_sections(const YoyRow& row, double threshold);
// How a section of `row` is named in one line: its part ("shortcomings", or in Chinese 存在的不足和原因)
// when it is the row's only section of that mandated kind, else its title.
std::string section_reference(const YoyRow& row, const SectionFinding& section, bool chinese);
// The same as text: "shortcomings 96.0%, next_year 91.2%"; empty if none.
std::string copied_sections_text(const YoyRow& row, double threshold);

// Where a passage starting at code point `start` of `text` lies, as a reader finds it on paper:
// "「二、存在的不足和原因」第 3 段" (paragraphs are non-empty lines, counted within the section, its
// heading line not counted; "「…」标题" for a passage starting in the heading), "开头第 2 段" before
// the first heading, "第 5 段" in a text without sections. Evidence pages and the PDF say this;
// JSON keeps the offsets.
struct SectionSpan {
  std::uint32_t start = 0, end = 0;
  std::string title;
};
std::string passage_location(std::u32string_view text, const std::vector<SectionSpan>& sections, std::uint32_t start);

// Boilerplate: JSON schema "leitong.boilerplate/1".
nlohmann::json boilerplate_to_json(const BoilerplateResult& result);
std::string render_boilerplate_text(const BoilerplateResult& result);

// Clusters: JSON schema "leitong.clusters/1".
nlohmann::json clusters_to_json(const ClusterResult& result);
std::string render_clusters_text(const ClusterResult& result);

}  // namespace leitong
