// Renderers of Findings: text for a person at a terminal, JSON for scripts (schema
// "leitong.check/1", docs/json.md). Library code, so tests can call them directly; tools/ only
// chooses one and writes the result.
#pragma once

#include <leitong/archive.h>
#include <leitong/findings.h>

#include <nlohmann/json.hpp>

#include <string>

namespace leitong {

nlohmann::json findings_to_json(const Findings& findings);
std::string render_json(const Findings& findings);  // pretty-printed, UTF-8, ends with '\n'

struct TextRenderOptions {
  int max_passages = 10;   // longest passages shown with excerpts
  int excerpt_chars = 40;  // characters of each passage shown at its start and end
};
std::string render_text(const Findings& findings, const TextRenderOptions& options = {});

nlohmann::json stats_to_json(const ArchiveStats& stats);
std::string render_stats_text(const ArchiveStats& stats);

}  // namespace leitong
