// The format extractors behind extract.h (internal). Each returns the document's text as lines
// joined by '\n' — before page chrome is removed — and what the file says about itself; each
// refusal is an Error("FILE: reason").
#pragma once

#include <leitong/extract/chrome.h>
#include <leitong/extract/extract.h>

#include <chrono>
#include <string>
#include <string_view>

namespace leitong::detail {

// The per-file time budget (ExtractParams::max_seconds), started when the file's bytes are in
// memory. Extractors call check() between bounded pieces of work (a page, a chunk of inflated
// XML, a pass over the tree); a budget of 0 refuses at the first check, whatever the input.
class Deadline {
 public:
  Deadline(const std::string& file, double seconds)
      : file_(file), seconds_(seconds), start_(std::chrono::steady_clock::now()) {}
  // Throws Error("FILE: reading took longer than the limit of N s per file (WHERE)") once the
  // budget is spent; `where` says how far the reading got ("page 12 of 5000").
  void check(std::string_view where) const;
  double elapsed() const;

 private:
  const std::string& file_;
  double seconds_;
  std::chrono::steady_clock::time_point start_;
};

// Refuses a text longer than params.max_text_chars ("text too long to check"). `at_least`: the
// extractor stopped counting there (the text holds more).
[[noreturn]] void refuse_long_text(const std::string& file, std::size_t chars, const ExtractParams& params,
                                   bool at_least);

struct RawText {
  std::u32string text;
  std::string format;  // see ExtractedText::format
  DocumentMetadata metadata;
  int pages = 0;
  std::vector<std::u32string> removed;  // lines the extractor itself left out (PDF headers, …)
};

RawText extract_html(std::string_view bytes, const std::string& file, const ExtractParams& params,
                     const Deadline& deadline);
RawText extract_docx(std::string_view bytes, const std::string& file, const ExtractParams& params,
                     const Deadline& deadline);
RawText extract_pdf(std::string_view bytes, const std::string& file, const ExtractParams& params,
                    const Deadline& deadline);

// The charset a web page declares in its first bytes (<meta charset=…>, <meta http-equiv=
// "Content-Type" content="…; charset=…">, <?xml encoding=…?>), lower case; "" if none.
std::string declared_charset(std::string_view bytes);

// Adds `field` to `metadata.fields` unless the same key and value are already there.
void add_field(DocumentMetadata& metadata, std::string key, std::string value);

}  // namespace leitong::detail
