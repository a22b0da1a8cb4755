// Manifests: a CSV file listing documents to add, one row each.
//
// Header (first line, any column order): path,agency,year[,kind]. Fields follow RFC 4180 (quotes,
// doubled quotes, commas and line breaks inside quotes); a UTF-8 BOM and CRLF line ends are
// accepted. Paths are relative to the manifest's folder unless absolute.
#pragma once

#include <leitong/core/document.h>

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <optional>
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

// RFC 4180 records of fields; each record remembers its line.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};

// Reads CSV records one at a time from a stream (a UTF-8 BOM at its start skipped; blank lines
// skipped). Throws Error naming `file_name` at an unterminated quoted field or when the stream
// cannot be read.
class CsvReader {
 public:
  CsvReader(std::istream& in, std::string file_name);
  std::optional<CsvRecord> next();  // nothing at the end of the stream

 private:
  int get();
  int peek();
  std::optional<CsvRecord> read_record();
  std::streambuf* in_;
  std::string file_name_;
  std::string ahead_;  // the stream's first bytes, read to look for a byte order mark
  std::size_t line_ = 1;
};

// A whole CSV text's records.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file_name);

// A manifest read row by row, one row in memory at a time (a manifest of a million rows is read in
// the memory of one). The header is read when it is opened. Throws Error naming the file for a
// manifest that cannot be opened or read, a header without path, agency and year, or an
// unterminated quoted field.
class ManifestReader {
 public:
  explicit ManifestReader(const std::filesystem::path& csv);
  ~ManifestReader();
  ManifestReader(ManifestReader&&) noexcept;
  std::optional<ManifestRow> next();  // nothing after the last row

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Every row at once (ManifestReader's rows). Throws as ManifestReader does.
std::vector<ManifestRow> read_manifest(const std::filesystem::path& csv);

// Parses a year in [1900, 2200]; false otherwise.
bool parse_year(std::string_view text, int& year);

}  // namespace leitong
