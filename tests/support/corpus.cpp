#include "corpus.h"

#include <leitong/core/error.h>
#include <leitong/extract/extract.h>
#include <leitong/extract/manifest.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <random>

namespace leitong::testing {

std::filesystem::path source_dir() { return LEITONG_SOURCE_DIR; }
std::filesystem::path corpora_dir() { return source_dir() / "corpora"; }

std::u32string read_corpus_text(const std::string& relative) {
  return extract_file(corpora_dir() / relative).text;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("leitong-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw Error("cannot write " + path.string());
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

const std::vector<Seed>& seeds() {
  static const std::vector<Seed> all = [] {
    std::vector<Seed> out;
    const auto manifest = corpora_dir() / "manifest.csv";
    for (const ManifestRow& row : read_manifest(manifest))
      out.push_back({row.path.lexically_relative(corpora_dir()).string(), row.agency, row.year, row.kind});
    return out;
  }();
  return all;
}

void add_manifest(Archive& archive, const std::filesystem::path& manifest) {
  for (const ManifestRow& row : read_manifest(manifest)) {
    ASSERT_TRUE(row.error.empty()) << row.error;
    Document doc;
    doc.info.file = row.path.string();
    doc.info.agency = row.agency;
    doc.info.year = row.year;
    doc.info.kind = row.kind;
    doc.text = extract_file(row.path).text;
    archive.add(doc);
  }
}

const Seed& seed(const std::string& stem) {
  for (const Seed& s : seeds())
    if (std::filesystem::path(s.file).stem() == stem) return s;
  throw Error("no seed named " + stem);
}

Document seed_document(const Seed& s) {
  Document doc;
  doc.info.file = s.file;
  doc.info.agency = s.agency;
  doc.info.year = s.year;
  doc.info.kind = s.kind;
  doc.text = read_corpus_text(s.file);
  return doc;
}

void add_seeds(Archive& archive, const std::vector<Seed>& which) {
  for (const Seed& s : which) archive.add(seed_document(s));
}

void sqlite_exec(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* connection = nullptr;
  if (sqlite3_open(db.c_str(), &connection) != SQLITE_OK) {
    ADD_FAILURE() << db << ": cannot open";
  } else {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(connection, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  sqlite3_close(connection);
}

std::int64_t sqlite_scalar(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* connection = nullptr;
  std::int64_t value = -1;
  if (sqlite3_open_v2(db.c_str(), &connection, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << db << ": cannot open";
  } else {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(connection, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK)
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(connection);
    else if (sqlite3_step(statement) != SQLITE_ROW)
      ADD_FAILURE() << sql << ": no row";
    else
      value = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
  }
  sqlite3_close(connection);
  return value;
}

std::vector<std::string> sqlite_rows(const std::filesystem::path& db, const std::string& sql) {
  std::vector<std::string> rows;
  sqlite3* connection = nullptr;
  if (sqlite3_open_v2(db.c_str(), &connection, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << db << ": cannot open";
  } else {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(connection, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(connection);
    } else {
      int step;
      while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
        std::string row;
        for (int c = 0; c < sqlite3_column_count(statement); ++c) {
          if (c) row += '|';
          if (const unsigned char* text = sqlite3_column_text(statement, c))
            row += reinterpret_cast<const char*>(text);
        }
        rows.push_back(std::move(row));
      }
      if (step != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(connection);
    }
    sqlite3_finalize(statement);
  }
  sqlite3_close(connection);
  return rows;
}

}  // namespace leitong::testing
