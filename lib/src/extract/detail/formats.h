// The format extractors behind extract.h (internal). Each returns the document's text as lines
// joined by '\n' — before page chrome is removed — and what the file says about itself; each
// refusal is an Error("FILE: reason").
#pragma once

#include <leitong/extract/chrome.h>
#include <leitong/extract/extract.h>

#include <string>
#include <string_view>

namespace leitong::detail {

struct RawText {
  std::u32string text;
  std::string format;  // see ExtractedText::format
  DocumentMetadata metadata;
  int pages = 0;
  std::vector<std::u32string> removed;  // lines the extractor itself left out (PDF headers, …)
};

RawText extract_html(std::string_view bytes, const std::string& file, const ExtractParams& params);
RawText extract_docx(std::string_view bytes, const std::string& file, const ExtractParams& params);
RawText extract_pdf(std::string_view bytes, const std::string& file, const ExtractParams& params);

// The charset a web page declares in its first bytes (<meta charset=…>, <meta http-equiv=
// "Content-Type" content="…; charset=…">, <?xml encoding=…?>), lower case; "" if none.
std::string declared_charset(std::string_view bytes);

// Adds `field` to `metadata.fields` unless the same key and value are already there.
void add_field(DocumentMetadata& metadata, std::string key, std::string value);

}  // namespace leitong::detail
