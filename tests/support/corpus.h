// Test support: the bundled corpora, temporary folders and archives built from them.
#pragma once

#include <leitong/archive/archive.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace leitong::testing {

std::filesystem::path source_dir();   // the repository root
std::filesystem::path corpora_dir();  // <root>/corpora
std::u32string read_corpus_text(const std::string& relative);  // decoded file under corpora/

// A fresh folder under the system temp dir, removed when the object goes.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Writes UTF-8 text (or raw bytes) to a file.
void write_file(const std::filesystem::path& path, std::string_view bytes);
// A file's bytes ("" if it cannot be read).
std::string read_bytes(const std::filesystem::path& path);

// The first column of the first row of `sql` on the SQLite database `db`, opened read-only
// (records a test failure, and gives -1, when the query fails or has no row).
std::int64_t sqlite_scalar(const std::filesystem::path& db, const std::string& sql);
// Runs `sql` on the database through a connection of its own (fault injection: a trigger that
// makes SQLite refuse a write the way a full disk would); records a test failure when it fails.
void sqlite_exec(const std::filesystem::path& db, const std::string& sql);
// Every row of `sql`, its columns as SQLite's text of them joined by '|' (blobs: use hex() in
// the query); records a test failure when the query fails.
std::vector<std::string> sqlite_rows(const std::filesystem::path& db, const std::string& sql);

// The seed reports of corpora/manifest.csv.
struct Seed {
  std::string file;    // relative to corpora/
  std::string agency;
  int year;
  DocumentKind kind;
};
const std::vector<Seed>& seeds();  // every row of corpora/manifest.csv
const Seed& seed(const std::string& file_stem);  // by file name without folder and extension

// The seed as a document: its corpus text, agency, year and kind, file as listed.
Document seed_document(const Seed& s);

// Adds the given seeds to `archive` (through the library, not the CLI).
void add_seeds(Archive& archive, const std::vector<Seed>& which);

// Adds every row of a manifest (a synthetic archive's manifest.csv) to `archive`, each file
// extracted as `add` reads it; a row the manifest refuses is a test failure.
void add_manifest(Archive& archive, const std::filesystem::path& manifest);

}  // namespace leitong::testing
