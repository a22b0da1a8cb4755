#include <leitong/core/error.h>
#include <leitong/extract/manifest.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

namespace leitong {

CsvReader::CsvReader(std::istream& in, std::string file_name)
    : in_(in.rdbuf()), file_name_(std::move(file_name)) {
  // A UTF-8 byte order mark is skipped when all three bytes are there; else the bytes read are the
  // text's first (kept here: a stream need not take bytes back).
  constexpr int kEnd = std::char_traits<char>::eof();
  try {
    for (int k = 0; k < 3 && in_; ++k) {
      const int c = in_->sbumpc();
      if (c == kEnd) break;
      ahead_.push_back(static_cast<char>(c));
      if (static_cast<unsigned char>(ahead_.back()) != static_cast<unsigned char>("\xEF\xBB\xBF"[k])) break;
    }
  } catch (const std::exception& e) {
    throw_error("{}: cannot be read ({})", file_name_, e.what());
  }
  if (ahead_ == "\xEF\xBB\xBF") ahead_.clear();
  std::reverse(ahead_.begin(), ahead_.end());  // taken from the back
}

int CsvReader::get() {
  if (ahead_.empty()) return in_ ? in_->sbumpc() : std::char_traits<char>::eof();
  const int c = static_cast<unsigned char>(ahead_.back());
  ahead_.pop_back();
  return c;
}

int CsvReader::peek() {
  if (ahead_.empty()) return in_ ? in_->sgetc() : std::char_traits<char>::eof();
  return static_cast<unsigned char>(ahead_.back());
}

std::optional<CsvRecord> CsvReader::next() {
  // A file stream's buffer throws when reading fails (a folder given as the file, an I/O error).
  try {
    return read_record();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw_error("{}: cannot be read ({})", file_name_, e.what());
  }
}

std::optional<CsvRecord> CsvReader::read_record() {
  constexpr int kEnd = std::char_traits<char>::eof();
  CsvRecord record{line_, {}};
  std::string field;
  bool quoted = false, field_started = false;
  std::size_t quote_line = 0;
  auto end_field = [&] {
    record.fields.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  for (;;) {
    const int c = get();
    if (c == kEnd) {
      if (quoted) throw_error("{}: line {}: unterminated quoted field", file_name_, quote_line);
      if (!field_started && record.fields.empty() && field.empty()) return std::nullopt;
      end_field();
      if (record.fields.size() == 1 && record.fields[0].empty()) return std::nullopt;
      return record;
    }
    if (quoted) {
      if (c == '"') {
        if (peek() == '"') {
          field.push_back('"');
          get();
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
      quote_line = line_;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && peek() == '\n') {
      continue;
    } else if (c == '\n') {
      end_field();
      ++line_;
      if (record.fields.size() == 1 && record.fields[0].empty()) {  // a blank line
        record = CsvRecord{line_, {}};
        continue;
      }
      return record;
    } else {
      field.push_back(static_cast<char>(c));
      field_started = true;
    }
  }
}

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file_name) {
  std::istringstream in{std::string(text)};
  CsvReader reader(in, file_name);
  std::vector<CsvRecord> records;
  while (std::optional<CsvRecord> r = reader.next()) records.push_back(std::move(*r));
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

struct ManifestReader::State {
  std::string name;
  std::ifstream in;
  std::optional<CsvReader> csv;
  std::filesystem::path base;
  int col_path = -1, col_agency = -1, col_year = -1, col_kind = -1;
};

ManifestReader::ManifestReader(const std::filesystem::path& csv) : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.name = csv.string();
  s.in.open(csv, std::ios::binary);
  if (!s.in) throw_error("{}: cannot open manifest", s.name);
  s.csv.emplace(s.in, s.name);
  const std::optional<CsvRecord> header = s.csv->next();
  if (!header) throw_error("{}: empty manifest (expected a header path,agency,year[,kind])", s.name);
  for (std::size_t i = 0; i < header->fields.size(); ++i) {
    std::string h = header->fields[i];
    while (!h.empty() && h.back() == ' ') h.pop_back();
    while (!h.empty() && h.front() == ' ') h.erase(h.begin());
    const int c = static_cast<int>(i);
    if (h == "path") s.col_path = c;
    else if (h == "agency") s.col_agency = c;
    else if (h == "year") s.col_year = c;
    else if (h == "kind") s.col_kind = c;
  }
  if (s.col_path < 0 || s.col_agency < 0 || s.col_year < 0)
    throw_error("{}: the header must name the columns path, agency and year (and optionally kind)", s.name);
  s.base = csv.parent_path();
}

ManifestReader::~ManifestReader() = default;
ManifestReader::ManifestReader(ManifestReader&&) noexcept = default;

std::optional<ManifestRow> ManifestReader::next() {
  State& s = *state_;
  std::optional<CsvRecord> record = s.csv->next();
  if (!record) return std::nullopt;
  const auto& f = record->fields;
  ManifestRow row;
  row.line = record->line;
  auto field = [&](int c) -> std::string { return c >= 0 && std::size_t(c) < f.size() ? f[std::size_t(c)] : ""; };
  const std::string path = field(s.col_path);
  row.agency = field(s.col_agency);
  if (path.empty()) {
    row.error = "no path";
  } else {
    const std::filesystem::path p(path);
    row.path = p.is_absolute() ? p : (s.base / p).lexically_normal();
  }
  if (row.error.empty() && row.agency.find_first_not_of(" \t") == std::string::npos) row.error = "no agency";
  if (row.error.empty() && !parse_year(field(s.col_year), row.year))
    row.error = "year must be a number between 1900 and 2200, not '" + field(s.col_year) + "'";
  if (row.error.empty() && s.col_kind >= 0 && !field(s.col_kind).empty()) {
    const auto kind = parse_kind(field(s.col_kind));
    if (!kind) row.error = "kind must be report or template, not '" + field(s.col_kind) + "'";
    else row.kind = *kind;
  }
  return row;
}

std::vector<ManifestRow> read_manifest(const std::filesystem::path& csv) {
  ManifestReader reader(csv);
  std::vector<ManifestRow> rows;
  while (std::optional<ManifestRow> row = reader.next()) rows.push_back(std::move(*row));
  return rows;
}

}  // namespace leitong
