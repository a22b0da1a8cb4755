#include <leitong/core/error.h>
#include <leitong/extract/manifest.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace leitong {

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file_name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<CsvRecord> records;
  CsvRecord record{1, {}};
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t line = 1, quote_line = 0;
  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    const bool blank = record.fields.size() == 1 && record.fields[0].empty();
    if (!blank) records.push_back(std::move(record));
    record = CsvRecord{line + 1, {}};
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
      quote_line = line;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_record();
      ++line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) throw_error("{}: line {}: unterminated quoted field", file_name, quote_line);
  if (field_started || !record.fields.empty() || !field.empty()) end_record();
  return records;
}

bool parse_year(std::string_view text, int& year) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 1900 || value > 2200) return false;
  year = value;
  return true;
}

std::vector<ManifestRow> read_manifest(const std::filesystem::path& csv) {
  const std::string name = csv.string();
  std::ifstream in(csv, std::ios::binary);
  if (!in) throw_error("{}: cannot open manifest", name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const auto records = parse_csv(buffer.str(), name);
  if (records.empty()) throw_error("{}: empty manifest (expected a header path,agency,year[,kind])", name);
  int col_path = -1, col_agency = -1, col_year = -1, col_kind = -1;
  for (std::size_t i = 0; i < records[0].fields.size(); ++i) {
    std::string h = records[0].fields[i];
    while (!h.empty() && h.back() == ' ') h.pop_back();
    while (!h.empty() && h.front() == ' ') h.erase(h.begin());
    const int c = static_cast<int>(i);
    if (h == "path") col_path = c;
    else if (h == "agency") col_agency = c;
    else if (h == "year") col_year = c;
    else if (h == "kind") col_kind = c;
  }
  if (col_path < 0 || col_agency < 0 || col_year < 0)
    throw_error("{}: the header must name the columns path, agency and year (and optionally kind)", name);
  const std::filesystem::path base = csv.parent_path();
  std::vector<ManifestRow> rows;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& f = records[r].fields;
    ManifestRow row;
    row.line = records[r].line;
    auto field = [&](int c) -> std::string { return c >= 0 && std::size_t(c) < f.size() ? f[std::size_t(c)] : ""; };
    const std::string path = field(col_path);
    row.agency = field(col_agency);
    if (path.empty()) {
      row.error = "no path";
    } else {
      const std::filesystem::path p(path);
      row.path = p.is_absolute() ? p : (base / p).lexically_normal();
    }
    if (row.error.empty() && row.agency.find_first_not_of(" \t") == std::string::npos) row.error = "no agency";
    if (row.error.empty() && !parse_year(field(col_year), row.year))
      row.error = "year must be a number between 1900 and 2200, not '" + field(col_year) + "'";
    if (row.error.empty() && col_kind >= 0 && !field(col_kind).empty()) {
      const auto kind = parse_kind(field(col_kind));
      if (!kind) row.error = "kind must be report or template, not '" + field(col_kind) + "'";
      else row.kind = *kind;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace leitong
