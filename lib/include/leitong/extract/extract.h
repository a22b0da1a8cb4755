// Extraction: from a file on disk to the text leitong compares.
//
// Files are recognised by content, not by extension:
//  - plain text in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK (text.h),
//    whatever the extension (.txt, .md, none);
//  - HTML (parsed with gumbo): the charset comes from a BOM, <meta charset> or <meta
//    http-equiv=Content-Type>, else UTF-8 or GB18030 by content; the article body is kept and the
//    page around it (navigation, scripts, styles, share/print/download buttons, related-article
//    lists, headers and footers) left out;
//  - DOCX (libzip + expat, the XML streamed as it inflates): body paragraphs and table rows in
//    document order (a row's cells joined by tabs); page headers, footers, comments and deleted
//    text are not part of it;
//  - PDF (poppler): the text layer; page headers and footers repeated on most pages and page
//    numbers are removed and lines broken inside a sentence rejoined.
// In every format the extracted text is a sequence of lines joined by '\n', and page chrome is
// then left out of it (chrome.h). Passage offsets are code points into this result (text.h), so
// `leitong extract FILE` prints exactly what offsets point into.
//
// Every refusal is an Error("FILE: reason"): missing, unreadable or oversized files; empty files,
// whitespace or punctuation only, binary data, invalid encodings; legacy .doc/.xls, RTF, other
// zip files (xlsx, odt, plain zip); truncated or corrupt zip files, zip members that decompress
// past the cap (zip bombs); damaged, encrypted or scanned (text-less) PDFs, PDFs over the page
// cap; texts over the length cap; any file whose reading outlasts the time budget; and a file
// named .pdf/.docx whose content is not one.
#pragma once

#include <leitong/core/document.h>
#include <leitong/extract/chrome.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace leitong {

// Every input is read in time and memory bounded by these limits (docs/usage.md, "Limits"): what
// would exceed one is refused with the reason, never read for minutes or gigabytes.
struct ExtractParams {
  std::size_t max_file_bytes = 64u << 20;      // larger files are refused before being read
  std::size_t max_unpacked_bytes = 64u << 20;  // most bytes decompressed from a zip (docx) in all
  int max_pdf_pages = 5000;                    // PDFs with more pages are refused
  // Wall-clock budget for reading one file, in seconds, from its bytes in memory to the extracted
  // text (every format): the extractors look at the clock between bounded pieces of work (a PDF
  // page, 64 KiB of a .docx's XML, each pass over a web page) and refuse the file once it is spent
  // ("reading took longer than the limit of N s per file"). The other limits keep every
  // input far inside it (a 5,000-page PDF of 30 lines a page took 6 s, the largest .docx 1 s, on
  // 2 cores); it stops what they cannot foresee (poppler on a hostile page, a starved machine).
  // 0 refuses every file (tests).
  double max_seconds = 120;
  // Longest extracted text, in code points: a report has tens of thousands. A check holds about
  // 125 bytes per code point of the report (sketch, alignment and self-repetition tables): a text
  // at this limit took 10 s and 489 MB (one sentence repeated: the worst case for self-repetition).
  std::size_t max_text_chars = 4'000'000;
  // HTML: the parser's work grows with the nesting depth at every tag (a page of 200,000 nested
  // elements took minutes); a page whose tags, each weighted by the depth it opens or closes at,
  // sum past this is refused. Report pages stay under 10^7; the limit is a few tenths of a second.
  std::size_t max_html_nesting_work = 300'000'000;
  bool remove_chrome = true;                   // leave page chrome out (chrome.h)
};

struct ExtractedText {
  std::u32string text;  // the extracted text (text.h offset rule)
  // How it was read: "text/utf-8", "text/utf-8-bom", "text/utf-16le", "text/utf-16be",
  // "text/gb18030", "html/<charset>", "docx", "pdf".
  std::string format;
  DocumentMetadata metadata;            // title, agency, year, date the file names (chrome.h)
  std::vector<std::u32string> removed;  // chrome lines left out, in order
  int pages = 0;                        // PDF pages read (0 for other formats)
};

// Reads and extracts `path`. Throws Error("PATH: reason") for every refusal listed above.
ExtractedText extract_file(const std::filesystem::path& path, const ExtractParams& params = {});

// The same on bytes already in memory (at most params.max_file_bytes); `file_name` names the file
// in error messages, and its extension is checked against the content for .pdf and .docx.
ExtractedText extract_bytes(std::string_view bytes, const std::string& file_name,
                            const ExtractParams& params = {});

// A document read from a file, filed under the agency and year the caller gives or, where the
// caller gives none, under those the file names itself (metadata.h).
struct ReadDocument {
  Document document;        // the extracted text, the path as `file`, agency, year and kind
  std::string agency_from;  // where the agency was found ("title (名称 field)"); "" when given
  std::string year_from;    // likewise for the year
  std::size_t chrome_lines = 0;  // lines of page chrome left out of the text (chrome.h)
  // Neither given nor named by the file: `document` then lacks it (and `year_missing` is only
  // looked at when the agency was found).
  bool agency_missing = false;
  bool year_missing = false;
  bool complete() const { return !agency_missing && !year_missing; }
};

// Extracts `path` (extract_file) and fills in the agency and year: an agency that is empty or only
// spaces and tabs, and a year of 0, are taken from the file's metadata when it names them. Throws
// Error("PATH: reason") for every refusal of extract_file; a missing agency or year is not an
// error here (the caller decides), see ReadDocument.
ReadDocument read_document(const std::filesystem::path& path, const std::string& agency, int year,
                           DocumentKind kind, const ExtractParams& params = {});

// The same for a file already in memory (an upload), named `file_name` (extract_bytes).
ReadDocument read_document_bytes(std::string_view bytes, const std::string& file_name, const std::string& agency,
                                 int year, DocumentKind kind, const ExtractParams& params = {});

// The file extensions `leitong add DIR` picks up (lower case, with the dot): text, web pages,
// Word and PDF files, including legacy .doc (refused with a reason rather than skipped silently).
bool is_document_extension(std::string_view extension);

}  // namespace leitong
