// Documents: what the archive holds and what a check compares — the extracted text and the
// metadata (agency, year, kind) an inspector filed it under.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace leitong {

// A report; a template (范文: a source of copying); a form (规定格式: text agencies must reproduce,
// such as the mandated tables of the 政府信息公开工作年度报告; what matches it is boilerplate).
enum class DocumentKind { kReport, kTemplate, kForm };

std::string_view kind_name(DocumentKind kind);                  // "report" / "template" / "form"
std::optional<DocumentKind> parse_kind(std::string_view name);  // nullopt if none of them

struct DocumentInfo {
  std::int64_t id = 0;  // archive id; 0 for a document outside the archive
  std::string file;     // as given when added (a path, kept for display)
  std::string agency;
  int year = 0;
  DocumentKind kind = DocumentKind::kReport;
};

struct Document {
  DocumentInfo info;
  std::u32string text;  // extracted text; all offsets refer to it (text.h)
};

// Agency names are compared after trimming whitespace and NFKC-style width folding, so
// "罗湖区民政局" and " 罗湖区民政局 " are one agency.
std::string canonical_agency(std::string_view name);

// Content hash used for "the same text": XXH3-128 of the UTF-8 extracted text, as 32 hex digits.
std::string content_hash(std::u32string_view text);
// The same hash of a text already encoded as UTF-8.
std::string content_hash_of_utf8(std::string_view utf8);

}  // namespace leitong
