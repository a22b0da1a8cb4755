// Manifests: a CSV file listing documents to add, one row each.
//
// Header (first line, any column order): path,agency,year[,kind]. Fields follow RFC 4180 (quotes,
// doubled quotes, commas and line breaks inside quotes); a UTF-8 BOM and CRLF line ends are
// accepted. Paths are relative to the manifest's folder unless absolute.
#pragma once

#include <leitong/core/document.h>

#include <filesystem>
#include <string>
#include <vector>

namespace leitong {

struct ManifestRow {
  std::size_t line = 0;  // 1-based line of the row in the manifest
  std::filesystem::path path;
  std::string agency;
  int year = 0;
  DocumentKind kind = DocumentKind::kReport;
  std::string error;  // non-empty: this row is refused, for this reason (other rows still count)
};

// Throws Error for an unreadable manifest or a header without path, agency and year.
std::vector<ManifestRow> read_manifest(const std::filesystem::path& csv);

// RFC 4180 parsing of a whole CSV text into records of fields; each record remembers its line.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file_name);

// Parses a year in [1900, 2200]; false otherwise.
bool parse_year(std::string_view text, int& year);

}  // namespace leitong
