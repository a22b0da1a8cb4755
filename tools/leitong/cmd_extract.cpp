// leitong extract: prints the text leitong compares for a file (what passage offsets point into).
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/render/report.h>

#include <memory>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "options.h"

namespace leitong::cli {

namespace {

struct ExtractOptions {
  std::string format = "text";
  std::string output;
  std::string file;
  ExtractParams extract;
};

nlohmann::json metadata_json(const DocumentMetadata& md) {
  nlohmann::json j = {{"title", md.title},   {"title_from", md.title_from},
                      {"agency", md.agency}, {"agency_from", md.agency_from},
                      {"year", md.year},     {"year_from", md.year_from},
                      {"date", md.date}};
  j["fields"] = nlohmann::json::array();
  for (const MetadataField& f : md.fields)
    j["fields"].push_back({{"key", f.key}, {"value", f.value}});
  return j;
}

int run_extract(const ExtractOptions& o) {
  const std::optional<ExtractedText> read = extract_or_refuse(o.file, o.extract);
  if (!read) return kExitRefused;
  const ExtractedText& extracted = *read;
  std::string text = encode_utf8(extracted.text);
  if (o.format == "json") {
    nlohmann::json j = {{"schema", "leitong.extract/1"},
                        {"file", o.file},
                        {"format", extracted.format},
                        {"pages", extracted.pages},
                        {"code_points", extracted.text.size()},
                        {"chars", count_non_whitespace(extracted.text)},
                        {"metadata", metadata_json(extracted.metadata)}};
    j["removed"] = nlohmann::json::array();
    for (const std::u32string& line : extracted.removed) j["removed"].push_back(encode_utf8(line));
    j["text"] = text;
    write_output(o.output, json_text(j));
    return kExitOk;
  }
  // Exactly the extracted text; a final line break is added only after its end, where no offset
  // points.
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  // On a terminal, control characters other than line breaks and tabs are shown escaped; a file
  // or a pipe gets the text exactly.
  const bool terminal = (o.output.empty() || o.output == "-") && isatty(STDOUT_FILENO);
  write_output(o.output, terminal ? escape_controls(text, U"\n\t") : text);
  return kExitOk;
}

}  // namespace

Runner register_extract(CLI::App& app) {
  auto o = std::make_shared<ExtractOptions>();
  app.footer(
      "Print the text leitong compares for FILE: decoded (UTF-8, GB18030, UTF-16), taken out of\n"
      "HTML, DOCX or PDF, with page chrome (portal headers, navigation, share/print buttons,\n"
      "footers) left out. Passage offsets of `check` are code points into exactly this text.\n"
      "--format json adds how it was read, the agency/title/year/date the file names, and the\n"
      "chrome lines left out.");
  app.add_option("--format", o->format, "Output format")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option("-o,--output", o->output, "Write to this file instead of standard output");
  add_max_file_option(app, o->extract);
  add_max_seconds_option(app, o->extract);
  add_keep_chrome_option(app, o->extract);
  app.add_option("FILE", o->file, "The file to extract")->required();
  return [o] { return run_extract(*o); };
}

}  // namespace leitong::cli
