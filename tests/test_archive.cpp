// The archive through the library API: persistence, idempotent and atomic adds, refusal of
// files that are not (usable) leitong archives, exact text round trips and the index queries
// (agency ids, LSH candidates, fingerprint postings) that `check` relies on.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;

Document make_document(const std::u32string& text, const std::string& agency, int year,
                       DocumentKind kind = DocumentKind::kReport,
                       const std::string& file = "doc.txt") {
  Document d;
  d.info.file = file;
  d.info.agency = agency;
  d.info.year = year;
  d.info.kind = kind;
  d.text = text;
  return d;
}

Document seed_document(const std::string& stem) { return leitong::testing::seed_document(seed(stem)); }

// Writes a 32-bit big-endian value at `offset` of the file (SQLite header fields).
void patch_be32(const fs::path& path, std::size_t offset, std::uint32_t value) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  ASSERT_TRUE(f) << path;
  f.seekp(static_cast<std::streamoff>(offset));
  const char bytes[4] = {char(value >> 24), char(value >> 16), char(value >> 8), char(value)};
  f.write(bytes, 4);
  ASSERT_TRUE(f.flush());
}

// Expects `fn` to throw leitong::Error whose message contains every part.
void expect_error(const std::function<void()>& fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "no leitong::Error thrown";
  } catch (const Error& e) {
    const std::string message = e.what();
    for (const auto& part : parts)
      EXPECT_NE(message.find(part), std::string::npos) << "\"" << part << "\" not in: " << message;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than leitong::Error: " << e.what();
  }
}

// Every stats field that describes contents (file_bytes aside, which a journal may change).
void expect_same_contents(const ArchiveStats& a, const ArchiveStats& b) {
  EXPECT_EQ(a.documents, b.documents);
  EXPECT_EQ(a.reports, b.reports);
  EXPECT_EQ(a.templates, b.templates);
  EXPECT_EQ(a.agencies, b.agencies);
  EXPECT_EQ(a.first_year, b.first_year);
  EXPECT_EQ(a.last_year, b.last_year);
  EXPECT_EQ(a.text_chars, b.text_chars);
  EXPECT_EQ(a.text_bytes, b.text_bytes);
  EXPECT_EQ(a.index_bytes, b.index_bytes);
  EXPECT_EQ(a.lsh_buckets, b.lsh_buckets);
  EXPECT_EQ(a.posting_blobs, b.posting_blobs);
  EXPECT_EQ(a.postings, b.postings);
  EXPECT_TRUE(a.params == b.params);
  EXPECT_EQ(a.schema_version, b.schema_version);
}

// A closed archive holding two seed reports (its journal checkpointed into the main file).
fs::path make_small_archive(const TempDir& dir, const std::string& name = "a.db") {
  const fs::path path = dir / name;
  Archive archive = Archive::open(path, Archive::Mode::kReadWrite);
  archive.add(seed_document("hechuan-sifa-2024"));
  archive.add(seed_document("luohu-minzheng-2024"));
  return path;
}

TEST(Archive, CreateAndReopenKeepsDocumentsAndParams) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  ArchiveParams custom;
  custom.sketch.shingle.n = 6;
  custom.lsh = {16, 8};
  std::vector<std::int64_t> ids;
  ArchiveStats before;
  {
    Archive archive = Archive::open(path, Archive::Mode::kReadWrite, custom);
    EXPECT_TRUE(archive.params() == custom);
    EXPECT_EQ(archive.path(), path);
    EXPECT_EQ(archive.document_count(), 0);
    for (const char* stem : {"hechuan-sifa-2024", "luohu-minzheng-2024", "fanwen-page-2023"}) {
      const AddOutcome out = archive.add(seed_document(stem));
      EXPECT_TRUE(out.added);
      EXPECT_GT(out.id, 0);
      ids.push_back(out.id);
    }
    before = archive.stats();
  }
  ASSERT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()).size(), 3u);
  for (Archive::Mode mode : {Archive::Mode::kReadOnly, Archive::Mode::kReadWrite}) {
    // The stored parameters win over params_for_new when the archive exists.
    Archive archive = Archive::open(path, mode);
    EXPECT_TRUE(archive.params() == custom);
    EXPECT_EQ(archive.document_count(), 3);
    expect_same_contents(archive.stats(), before);
    const DocumentInfo info = archive.info(ids[1]);
    EXPECT_EQ(info.id, ids[1]);
    EXPECT_EQ(info.file, seed("luohu-minzheng-2024").file);
    EXPECT_EQ(info.agency, canonical_agency(seed("luohu-minzheng-2024").agency));
    EXPECT_EQ(info.year, 2024);
    EXPECT_EQ(info.kind, DocumentKind::kReport);
    EXPECT_EQ(archive.info(ids[2]).kind, DocumentKind::kTemplate);
    EXPECT_EQ(archive.text(ids[0]), read_corpus_text(seed("hechuan-sifa-2024").file));
    // The same parameters, requested explicitly, are accepted.
    EXPECT_NO_THROW(Archive::open(path, Archive::Mode::kReadOnly, {}, &custom));
  }
  EXPECT_THROW(Archive::open(path, Archive::Mode::kReadOnly).info(9999), Error);
}

TEST(Archive, SameTextForSameAgencyAndYearIsAddedOnce) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  const Document doc = seed_document("luohu-minzheng-2024");
  const AddOutcome first = archive.add(doc);
  ASSERT_TRUE(first.added);
  const ArchiveStats after_first = archive.stats();

  const AddOutcome second = archive.add(doc);
  EXPECT_FALSE(second.added);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(archive.document_count(), 1);

  // Another file name and the agency written with extra spaces: still the same text, agency, year.
  Document renamed = doc;
  renamed.info.file = "elsewhere/copy.txt";
  renamed.info.agency = "  " + doc.info.agency + " ";
  const AddOutcome third = archive.add(renamed);
  EXPECT_FALSE(third.added);
  EXPECT_EQ(third.id, first.id);
  expect_same_contents(archive.stats(), after_first);
}

TEST(Archive, SameTextForAnotherYearOrAgencyIsAdded) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  const Document doc = seed_document("luohu-minzheng-2024");
  const AddOutcome a = archive.add(doc);
  Document next_year = doc;
  next_year.info.year = 2025;
  const AddOutcome b = archive.add(next_year);
  EXPECT_TRUE(b.added);
  EXPECT_NE(b.id, a.id);
  Document other_agency = doc;
  other_agency.info.agency = "深圳市福田区民政局";
  const AddOutcome c = archive.add(other_agency);
  EXPECT_TRUE(c.added);
  EXPECT_EQ(archive.document_count(), 3);

  std::vector<std::int64_t> same = archive.ids_with_content(doc.text);
  std::sort(same.begin(), same.end());
  std::vector<std::int64_t> expected = {a.id, b.id, c.id};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(same, expected);
  EXPECT_TRUE(archive.ids_with_content(doc.text + U"。补充").empty());
  EXPECT_EQ(content_hash(doc.text).size(), 32u);
  EXPECT_NE(content_hash(doc.text), content_hash(doc.text + U" "));
}

TEST(Archive, OtherParametersAreRefusedNamingTheDifference) {
  TempDir dir;
  const fs::path path = make_small_archive(dir);
  const ArchiveStats before = Archive::open(path, Archive::Mode::kReadOnly).stats();

  ArchiveParams shingle6;
  shingle6.sketch.shingle.n = 6;
  for (Archive::Mode mode : {Archive::Mode::kReadOnly, Archive::Mode::kReadWrite})
    expect_error([&] { Archive::open(path, mode, shingle6, &shingle6); },
                 {"a.db", "shingle", "5", "6"});

  ArchiveParams bands16;
  bands16.lsh = {16, 4};
  expect_error([&] { Archive::open(path, Archive::Mode::kReadWrite, bands16, &bands16); },
               {"LSH", "16"});

  ArchiveParams k64;
  k64.sketch.minhash.k = 64;
  k64.lsh = {16, 4};
  expect_error([&] { Archive::open(path, Archive::Mode::kReadWrite, k64, &k64); },
               {"MinHash", "64"});

  ArchiveParams no_digit_mask;
  no_digit_mask.sketch.normalize.mask_digits = false;
  expect_error(
      [&] { Archive::open(path, Archive::Mode::kReadWrite, no_digit_mask, &no_digit_mask); },
      {"digit"});

  const ArchiveParams defaults;
  Archive same = Archive::open(path, Archive::Mode::kReadWrite, defaults, &defaults);
  expect_same_contents(same.stats(), before);
}

TEST(Archive, InvalidParametersForNewArchiveAreRefused) {
  TempDir dir;
  ArchiveParams too_many_bands;
  too_many_bands.lsh = {64, 4};  // 256 values from a 128-value signature
  EXPECT_THROW(Archive::open(dir / "a.db", Archive::Mode::kReadWrite, too_many_bands), Error);
  ArchiveParams zero_shingle;
  zero_shingle.sketch.shingle.n = 0;
  EXPECT_THROW(Archive::open(dir / "b.db", Archive::Mode::kReadWrite, zero_shingle), Error);
}

TEST(Archive, FilesThatAreNotArchivesAreRefusedWithoutCrash) {
  TempDir dir;
  const std::string text = "这不是档案文件。This is a plain text file, not a database.\n";
  write_file(dir / "notes.txt", text);
  write_file(dir / "empty.db", "");
  std::string garbage(8192, '\0');
  for (std::size_t i = 0; i < garbage.size(); ++i) garbage[i] = char((i * 2654435761u) >> 13);
  write_file(dir / "garbage.db", garbage);
  fs::create_directories(dir / "folder.db");

  expect_error([&] { Archive::open(dir / "empty.db", Archive::Mode::kReadOnly); }, {"empty.db"});
  for (Archive::Mode mode : {Archive::Mode::kReadOnly, Archive::Mode::kReadWrite}) {
    expect_error([&] { Archive::open(dir / "notes.txt", mode); }, {"notes.txt"});
    expect_error([&] { Archive::open(dir / "garbage.db", mode); }, {"garbage.db"});
    expect_error([&] { Archive::open(dir / "folder.db", mode); }, {"folder.db"});
  }
  expect_error([&] { Archive::open(dir / "missing.db", Archive::Mode::kReadOnly); },
               {"missing.db"});
  EXPECT_FALSE(fs::exists(dir / "missing.db")) << "a read-only open must not create the archive";
  // Nothing was written to the refused files.
  EXPECT_EQ(read_bytes(dir / "notes.txt"), text);
  EXPECT_EQ(fs::file_size(dir / "empty.db"), 0u);
  EXPECT_EQ(read_bytes(dir / "garbage.db"), garbage);
}

// What a creation killed before its first commit leaves: an empty file. A writer makes the archive
// in it (re-running the interrupted add completes the archive); a reader still refuses it.
TEST(Archive, EmptyFileLeftByAKilledCreationBecomesTheArchive) {
  TempDir dir;
  write_file(dir / "a.db", "");
  expect_error([&] { Archive::open(dir / "a.db", Archive::Mode::kReadOnly); }, {"a.db", "empty file"});
  {
    Archive a = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
    EXPECT_EQ(a.document_count(), 0);
    a.add(seed_document("luohu-minzheng-2024"));
  }
  const Archive a = Archive::open(dir / "a.db", Archive::Mode::kReadOnly);
  EXPECT_EQ(a.document_count(), 1);
  EXPECT_TRUE(a.verify().ok());
}

// A creation killed while it wrote the new file's first pages in SQLite's rollback mode (switching
// to the write-ahead log happens there) leaves a hot journal, which a read-only connection may not
// roll back ("attempt to write a readonly database"). A reader rolls it back where the file may be
// written, and then says what is left: a database not made yet.
TEST(Archive, HotJournalLeftByAKilledCreationIsRolledBackByAReader) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  const pid_t pid = fork();
  if (pid == 0) {  // writes past its page cache, then dies without committing or rolling back
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) _exit(1);
    const int rc = sqlite3_exec(db,
                                "PRAGMA cache_size = 2; BEGIN; CREATE TABLE t(x); "
                                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                                "INSERT INTO t SELECT randomblob(2000) FROM n;",
                                nullptr, nullptr, nullptr);
    _exit(rc == SQLITE_OK ? 0 : 2);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  fs::path journal = path;
  journal += "-journal";
  ASSERT_TRUE(fs::exists(journal) && fs::file_size(path) > 0) << "no hot journal to test with";
  expect_error([&] { Archive::open(path, Archive::Mode::kReadOnly); }, {"a.db", "not a leitong archive yet"});
  EXPECT_EQ(fs::file_size(path), 0u) << "rolled back";
  Archive a = Archive::open(path, Archive::Mode::kReadWrite);  // and the next add makes the archive
  a.add(seed_document("luohu-minzheng-2024"));
  EXPECT_EQ(a.document_count(), 1);
}

TEST(Archive, NonArchiveTextFileIsCalledNotALeitongArchive) {
  TempDir dir;
  write_file(dir / "notes.txt", "这不是档案文件。This is a plain text file, not a database.\n");
  expect_error([&] { Archive::open(dir / "notes.txt", Archive::Mode::kReadOnly); },
               {"notes.txt", "not a leitong archive"});
}

TEST(Archive, TruncatedArchiveThrowsErrorNotCrash) {
  TempDir dir;
  const fs::path path = make_small_archive(dir);
  const std::string bytes = read_bytes(path);
  ASSERT_GT(bytes.size(), 8192u);
  write_file(dir / "cut.db", bytes.substr(0, 8192));
  try {
    Archive archive = Archive::open(dir / "cut.db", Archive::Mode::kReadOnly);
    const ArchiveStats s = archive.stats();
    for (std::int64_t id = 1; id <= 2; ++id) archive.text(id);
    ADD_FAILURE() << "a truncated archive read without error (" << s.documents << " documents)";
  } catch (const Error&) {
    SUCCEED();
  }
}

TEST(Archive, SqliteFileOfAnotherApplicationIsNotALeitongArchive) {
  TempDir dir;
  const fs::path path = make_small_archive(dir);
  fs::path wal = path;
  wal += "-wal";
  ASSERT_TRUE(!fs::exists(wal) || fs::file_size(wal) == 0) << "closing must checkpoint the journal";
  patch_be32(path, 68, 0x12345678);  // application_id
  for (Archive::Mode mode : {Archive::Mode::kReadOnly, Archive::Mode::kReadWrite})
    expect_error([&] { Archive::open(path, mode); }, {"a.db", "not a leitong archive"});
}

TEST(Archive, NewerFormatVersionIsRefused) {
  TempDir dir;
  const fs::path path = make_small_archive(dir);
  patch_be32(path, 60, 99);  // user_version
  for (Archive::Mode mode : {Archive::Mode::kReadOnly, Archive::Mode::kReadWrite})
    expect_error([&] { Archive::open(path, mode); }, {"a.db", "newer", "99"});
  patch_be32(path, 60, 0);
  expect_error([&] { Archive::open(path, Archive::Mode::kReadOnly); }, {"a.db", "version"});
  patch_be32(path, 60, kArchiveSchemaVersion);
  EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 2);
}

TEST(Archive, TextRoundTripsExactly) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  const std::u32string tricky =
      U"\U00020BB7野家的报告𠀀𪚥😀：全角ＡＢＣ１２３，半角abc123,\r\n"
      U"第二行\t制表符　全角空格\u200B零宽\U0010FFFF末尾。重复重复重复重复重复。\n\n";
  const AddOutcome a = archive.add(make_document(tricky, "测试单位", 2024));
  ASSERT_TRUE(a.added);
  EXPECT_EQ(archive.text(a.id), tricky);
  const std::u32string corpus_text = read_corpus_text(seed("luohu-minzheng-2024").file);
  const AddOutcome b = archive.add(make_document(corpus_text, "深圳市罗湖区民政局", 2024));
  EXPECT_EQ(archive.text(b.id), corpus_text);
  EXPECT_EQ(archive.ids_with_content(tricky), std::vector<std::int64_t>{a.id});
  EXPECT_EQ(archive.stats().text_chars, std::int64_t(tricky.size() + corpus_text.size()));
}

TEST(Archive, IdsOfAgencyAreItsReportsOldestFirst) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  std::map<int, std::int64_t> by_year;
  for (int year : {2021, 2017, 2019}) {
    const Document d = seed_document(std::to_string(year));
    by_year[year] = archive.add(d).id;
  }
  archive.add(seed_document("hechuan-sifa-2024"));
  // A template filed under the same agency is not one of its reports.
  archive.add(make_document(read_corpus_text(seed("fanwen-page-2023").file), "国务院", 2018,
                            DocumentKind::kTemplate));
  const std::vector<std::int64_t> expected = {by_year[2017], by_year[2019], by_year[2021]};
  EXPECT_EQ(archive.ids_of_agency("国务院"), expected);
  EXPECT_EQ(archive.ids_of_agency(" 国务院 "), expected);
  EXPECT_EQ(archive.ids_of_agency("重庆市合川区司法局").size(), 1u);
  EXPECT_TRUE(archive.ids_of_agency("不存在的单位").empty());
}

TEST(Archive, LshCandidatesFindAnIdenticalDocument) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  add_seeds(archive, seeds());
  const Document doc = seed_document("luohu-minzheng-2024");
  const std::int64_t id = archive.ids_with_content(doc.text).at(0);
  const Sketch sketch = make_sketch(doc.text, archive.params().sketch);
  const auto candidates = archive.lsh_candidates(sketch.minhash);
  ASSERT_FALSE(candidates.empty());
  EXPECT_EQ(candidates[0].first, id);
  EXPECT_DOUBLE_EQ(candidates[0].second, 1.0);
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    EXPECT_LE(candidates[i].second, candidates[i - 1].second);
    EXPECT_LT(candidates[i].second, 0.5) << "no other archived document is a near-duplicate";
  }
  // An unrelated text with no shared band finds nothing.
  const Sketch other = make_sketch(U"完全无关的一段文字，用于测试局部敏感哈希的候选结果为空。",
                                   archive.params().sketch);
  for (const auto& [cid, j] : archive.lsh_candidates(other.minhash)) EXPECT_LT(j, 0.5) << cid;
}

TEST(Archive, FingerprintHitsCountDocumentsAndAgencies) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  const std::u32string t = read_corpus_text(seed("hechuan-sifa-2024").file);
  const std::u32string u = read_corpus_text(seed("shapingba-minzheng-2024").file);
  const std::int64_t x = archive.add(make_document(t, "甲区司法局", 2024)).id;
  const std::int64_t y = archive.add(make_document(t, "乙区司法局", 2024)).id;
  const std::int64_t z =
      archive.add(make_document(t, "范文网站", 2024, DocumentKind::kTemplate)).id;
  const std::int64_t w = archive.add(make_document(u, "丙区民政局", 2024)).id;

  const SketchParams& sp = archive.params().sketch;
  const std::vector<Fingerprint> fps = make_sketch(t, sp).fingerprints;
  ASSERT_FALSE(fps.empty());
  std::unordered_set<std::uint64_t> t_hashes, u_hashes;
  for (const Fingerprint& f : fps) t_hashes.insert(f.hash);
  for (const Fingerprint& f : make_sketch(u, sp).fingerprints) u_hashes.insert(f.hash);
  int shared_with_u = 0;
  for (std::uint64_t h : t_hashes) shared_with_u += u_hashes.count(h) ? 1 : 0;
  ASSERT_LT(shared_with_u, int(t_hashes.size()) / 2);

  // Query with each fingerprint twice: repeats count once per document.
  std::vector<Fingerprint> query = fps;
  query.insert(query.end(), fps.begin(), fps.end());
  const FingerprintHits hits = archive.fingerprint_hits(query);
  std::map<std::int64_t, int> per_doc(hits.documents.begin(), hits.documents.end());
  EXPECT_EQ(per_doc[x], int(t_hashes.size()));
  EXPECT_EQ(per_doc[y], int(t_hashes.size()));
  EXPECT_EQ(per_doc[z], int(t_hashes.size())) << "templates are documents too";
  EXPECT_EQ(per_doc.count(w) ? per_doc[w] : 0, shared_with_u);
  FingerprintHits visited = hits;
  std::vector<std::pair<std::int64_t, int>> order;
  visited.visit_documents_most_first([&](std::int64_t id, int shared) {
    order.emplace_back(id, shared);
    return true;
  });
  ASSERT_EQ(order.size(), hits.documents.size());
  for (std::size_t i = 1; i < order.size(); ++i) {
    EXPECT_GE(order[i - 1].second, order[i].second) << "most shared first";
    if (order[i - 1].second == order[i].second) {
      EXPECT_LT(order[i - 1].first, order[i].first) << "then lower id";
    }
  }
  EXPECT_EQ(order.back().first, w) << "w shares least";
  int visits = 0;
  visited.visit_documents_most_first([&](std::int64_t, int) { return ++visits < 2; });
  EXPECT_EQ(visits, 2) << "the visit stops when asked";

  // Agencies of reports per fingerprint: x's and y's (templates do not count), plus w's if shared.
  ASSERT_EQ(hits.agencies_per_fingerprint.size(), query.size());
  for (std::size_t i = 0; i < query.size(); ++i) {
    const int expected = 2 + (u_hashes.count(query[i].hash) ? 1 : 0);
    EXPECT_EQ(hits.agencies_per_fingerprint[i], expected) << "fingerprint " << i;
  }
  // The report's own agency is left out of the counts (its name canonicalized).
  const FingerprintHits without_x = archive.fingerprint_hits(fps, " 甲区司法局 ");
  ASSERT_EQ(without_x.agencies_per_fingerprint.size(), fps.size());
  for (std::size_t i = 0; i < fps.size(); ++i)
    EXPECT_EQ(without_x.agencies_per_fingerprint[i], 1 + (u_hashes.count(fps[i].hash) ? 1 : 0));
  // An agency the archive does not know excludes nothing.
  const FingerprintHits unknown = archive.fingerprint_hits(fps, "不存在的单位");
  for (std::size_t i = 0; i < fps.size(); ++i)
    EXPECT_EQ(unknown.agencies_per_fingerprint[i], hits.agencies_per_fingerprint[i]);
  // No fingerprints, no hits.
  const FingerprintHits none = archive.fingerprint_hits({});
  EXPECT_TRUE(none.documents.empty());
  EXPECT_TRUE(none.agencies_per_fingerprint.empty());
}

// Thousands of documents counted in one call, and calls after one another on one connection: each
// document's count is the number of the query's distinct fingerprints it holds, whatever the
// earlier calls counted (the counters are reused, not cleared).
TEST(Archive, FingerprintHitsCountThousandsOfDocumentsAcrossCalls) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  archive.set_batch_size(500);
  std::u32string text;
  for (const char* name : {"hechuan-sifa-2024", "shapingba-minzheng-2024", "luohu-minzheng-2024"})
    text += read_corpus_text(seed(name).file);
  const SketchParams& sp = archive.params().sketch;
  const auto distinct = [&](std::u32string_view t) {
    std::unordered_set<std::uint64_t> hashes;
    for (const Fingerprint& f : make_sketch(std::u32string(t), sp).fingerprints) hashes.insert(f.hash);
    return hashes;
  };
  // Slices of 300 characters every 5: each fingerprint is held by a few dozen documents, and a
  // call counts more documents than the counters hold before they first grow.
  std::map<std::int64_t, std::unordered_set<std::uint64_t>> held;
  for (std::size_t at = 0, i = 0; at + 300 <= text.size() && i < 2500; at += 5, ++i) {
    const std::u32string slice = text.substr(at, 300);
    const AddOutcome added = archive.add(make_document(slice, "单位" + std::to_string(i), 2024));
    if (added.added) held[added.id] = distinct(slice);
  }
  archive.flush();
  ASSERT_GT(held.size(), 2000u);

  const auto expect_counts = [&](std::u32string_view query_text, const char* what) {
    const std::vector<Fingerprint> query = make_sketch(std::u32string(query_text), sp).fingerprints;
    std::unordered_set<std::uint64_t> wanted;
    for (const Fingerprint& f : query) wanted.insert(f.hash);
    std::map<std::int64_t, int> expected;
    for (const auto& [id, hashes] : held) {
      int n = 0;
      for (std::uint64_t h : hashes) n += wanted.count(h) ? 1 : 0;
      if (n) expected[id] = n;
    }
    const FingerprintHits hits = archive.fingerprint_hits(query);
    const std::map<std::int64_t, int> got(hits.documents.begin(), hits.documents.end());
    EXPECT_EQ(got.size(), hits.documents.size()) << what << ": a document listed twice";
    EXPECT_EQ(got, expected) << what;
    return expected.size();
  };
  const std::u32string_view all = text;
  EXPECT_GT(expect_counts(all, "the whole text"), 2000u);
  expect_counts(all.substr(0, all.size() / 3), "its first third");
  expect_counts(all.substr(all.size() / 2, 2000), "2,000 characters from its middle");
  expect_counts(all, "the whole text again");
}

TEST(Archive, FailedAddLeavesTheArchiveUnchanged) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  Archive archive = Archive::open(path, Archive::Mode::kReadWrite);
  archive.add(seed_document("hechuan-sifa-2024"));
  const ArchiveStats before = archive.stats();
  const std::int64_t count = archive.document_count();

  expect_error(
      [&] {
        archive.add(make_document(U"短文", "某单位", 2024, DocumentKind::kReport, "short.txt"));
      },
      {"short.txt"});
  expect_error(
      [&] {
        archive.add(make_document(U"，。！？  \n", "某单位", 2024, DocumentKind::kReport, "p.txt"));
      },
      {"p.txt"});
  Document no_agency = seed_document("luohu-minzheng-2024");
  no_agency.info.agency = "  ";
  no_agency.info.file = "no-agency.txt";
  expect_error([&] { archive.add(no_agency); }, {"no-agency.txt", "agency"});
  EXPECT_EQ(archive.document_count(), count);
  expect_same_contents(archive.stats(), before);

  // A read-only archive refuses to add, unchanged too.
  {
    Archive read_only = Archive::open(path, Archive::Mode::kReadOnly);
    expect_error([&] { read_only.add(seed_document("luohu-minzheng-2024")); }, {"read-only"});
    expect_same_contents(read_only.stats(), before);
  }
  // The archive is still usable: a valid add afterwards succeeds.
  EXPECT_TRUE(archive.add(seed_document("luohu-minzheng-2024")).added);
  EXPECT_EQ(archive.document_count(), count + 1);
  EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), count + 1);
}

TEST(Archive, StatsAreConsistent) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  const ArchiveStats empty = archive.stats();
  EXPECT_EQ(empty.documents, 0);
  EXPECT_EQ(empty.text_chars, 0);
  EXPECT_EQ(empty.index_bytes, 0);
  EXPECT_EQ(empty.postings, 0);
  EXPECT_GT(empty.file_bytes, 0);
  EXPECT_EQ(empty.schema_version, kArchiveSchemaVersion);

  add_seeds(archive, seeds());
  const ArchiveStats s = archive.stats();
  std::int64_t chars = 0, templates = 0;
  int first = 9999, last = 0;
  std::set<std::string> agencies;
  for (const Seed& seed : seeds()) {
    chars += std::int64_t(read_corpus_text(seed.file).size());
    templates += seed.kind == DocumentKind::kTemplate;
    agencies.insert(canonical_agency(seed.agency));
    first = std::min(first, seed.year);
    last = std::max(last, seed.year);
  }
  EXPECT_EQ(s.documents, std::int64_t(seeds().size()));
  EXPECT_EQ(s.documents, archive.document_count());
  EXPECT_EQ(s.templates, templates);
  EXPECT_EQ(s.reports + s.templates, s.documents);
  EXPECT_EQ(s.agencies, std::int64_t(agencies.size()));
  EXPECT_EQ(s.first_year, first);
  EXPECT_EQ(s.last_year, last);
  EXPECT_EQ(s.text_chars, chars);
  EXPECT_GT(s.text_bytes, 0);
  EXPECT_LT(s.text_bytes, chars * 3) << "texts are stored compressed";
  EXPECT_GT(s.index_bytes, 0);
  EXPECT_GT(s.lsh_buckets, 0);
  EXPECT_LE(s.lsh_buckets, s.documents * s.params.lsh.bands);
  EXPECT_GT(s.postings, 0);
  EXPECT_GT(s.posting_blobs, 0);
  EXPECT_LE(s.posting_blobs, s.postings);
  EXPECT_GE(s.index_bytes, s.postings * 8)
      << "each posting stores at least a hash tag and a document";
  EXPECT_GT(s.file_bytes, empty.file_bytes);
  EXPECT_GE(s.file_bytes, s.text_bytes + s.index_bytes);
  EXPECT_TRUE(s.params == archive.params());
  EXPECT_EQ(s.schema_version, kArchiveSchemaVersion);
}

}  // namespace
}  // namespace leitong::testing

namespace leitong::testing {
namespace {

// Reports of `count` agencies that all open with the same formula paragraph, then text of their own.
std::vector<Document> formula_reports(int count) {
  const std::u32string formula =
      U"坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的二十大精神，深入学习贯彻习近平法治思想，"
      U"认真落实党中央、国务院关于法治政府建设的决策部署。";
  const std::u32string own = read_corpus_text(seed("luohu-minzheng-2024").file);
  std::vector<Document> docs;
  for (int k = 0; k < count; ++k) {
    // A different stretch of a real report for each, so that only the formula is shared.
    const std::u32string body = own.substr(std::size_t(k) * 150, 150);
    docs.push_back(make_document(formula + body, "第" + std::to_string(k) + "区民政局", 2024,
                                 DocumentKind::kReport, "r" + std::to_string(k) + ".txt"));
  }
  return docs;
}

// A text's fingerprints, each once (as a document counts them in the postings).
std::vector<Fingerprint> distinct_fingerprints(const std::u32string& text, const SketchParams& params) {
  std::vector<Fingerprint> fps = make_sketch(text, params).fingerprints;
  std::sort(fps.begin(), fps.end(), [](const Fingerprint& x, const Fingerprint& y) { return x.hash < y.hash; });
  fps.erase(std::unique(fps.begin(), fps.end(),
                        [](const Fingerprint& x, const Fingerprint& y) { return x.hash == y.hash; }),
            fps.end());
  return fps;
}

TEST(ArchivePostingCap, WidelySharedFingerprintsStopGrowingAtTheCapAndVerifyStaysSound) {
  TempDir dir;
  ArchiveParams capped;
  capped.posting_cap = 3;
  std::int64_t postings_after_cap = -1;
  {
    Archive a = Archive::open(dir / "capped.db", Archive::Mode::kReadWrite, capped);
    const auto docs = formula_reports(8);
    for (std::size_t k = 0; k < docs.size(); ++k) {
      a.add(docs[k]);
      if (k == 2) postings_after_cap = a.stats().postings;
    }
    const auto shared = a.widely_shared_fingerprints(3, 16);
    ASSERT_FALSE(shared.empty()) << "the formula's fingerprints are shared";
    for (const SharedFingerprint& fp : shared) EXPECT_LE(fp.documents, 3) << "capped at 3 holders";
    const ArchiveCheck check = a.verify();
    EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  }
  // The same reports without a cap: every report posts the formula.
  ArchiveParams unlimited;
  unlimited.posting_cap = 0;
  Archive b = Archive::open(dir / "unlimited.db", Archive::Mode::kReadWrite, unlimited);
  for (const Document& d : formula_reports(8)) b.add(d);
  int most = 0;
  for (const SharedFingerprint& fp : b.widely_shared_fingerprints(3, 16)) most = std::max(most, fp.documents);
  EXPECT_EQ(most, 8);
  EXPECT_TRUE(b.verify().ok());
  // Capped: the 5 reports after the cap posted only their own fingerprints.
  const Archive a = Archive::open(dir / "capped.db", Archive::Mode::kReadOnly);
  EXPECT_EQ(a.params().posting_cap, 3);
  EXPECT_LT(a.stats().postings, b.stats().postings);
  EXPECT_GT(a.stats().postings, postings_after_cap);
}

// A fingerprint at the cap (a formula every report holds) counts for boilerplate (agencies,
// holders) but not for the documents a check ranks as candidates; the connection's summary of it
// gives what reading its postings gives.
TEST(ArchivePostingCap, SaturatedFingerprintsCountForBoilerplateNotForCandidates) {
  TempDir dir;
  ArchiveParams capped, unlimited;
  capped.posting_cap = 3;
  unlimited.posting_cap = 0;
  Archive a = Archive::open(dir / "capped.db", Archive::Mode::kReadWrite, capped);
  Archive b = Archive::open(dir / "unlimited.db", Archive::Mode::kReadWrite, unlimited);
  const auto docs = formula_reports(6);
  for (const Document& d : docs) {
    a.add(d);
    b.add(d);
  }
  const std::vector<Fingerprint> query = distinct_fingerprints(docs[0].text, a.params().sketch);
  // One document per agency: 10 holders per fingerprint lists them all.
  const FingerprintHits all = b.fingerprint_hits(query, "", 10);
  std::map<std::int64_t, int> expected(all.documents.begin(), all.documents.end());
  std::size_t saturated = 0;
  for (std::size_t i = 0; i < query.size(); ++i) {
    if (all.holders[i].size() < 3) continue;
    ++saturated;
    for (std::int64_t holder : all.holders[i]) --expected[holder];
  }
  ASSERT_GE(saturated, 2u) << "the formula's fingerprints reach the cap";
  std::erase_if(expected, [](const auto& e) { return e.second == 0; });

  auto check = [&](const FingerprintHits& hits, const std::string& how) {
    std::map<std::int64_t, int> got(hits.documents.begin(), hits.documents.end());
    EXPECT_EQ(got, expected) << how;
    for (std::size_t i = 0; i < query.size(); ++i) {
      if (all.holders[i].size() < 3) continue;
      EXPECT_EQ(hits.agencies_per_fingerprint[i], 3) << how << ": the first 3 holders are kept";
      EXPECT_EQ(hits.holders[i], std::vector<std::int64_t>(all.holders[i].begin(), all.holders[i].begin() + 3)) << how;
    }
  };
  check(a.fingerprint_hits(query, "", 10), "postings read");
  check(a.fingerprint_hits(query, "", 10), "summaries kept by the connection");
  check(a.fingerprint_hits(query, "", 100), "more holders than a summary keeps");
  check(Archive::open(dir / "capped.db", Archive::Mode::kReadOnly).fingerprint_hits(query, "", 10), "new connection");
  // The report's own agency leaves the counts and the holders, in either path.
  for (int pass = 0; pass < 2; ++pass) {
    const FingerprintHits own = a.fingerprint_hits(query, "第0区民政局", pass ? 100 : 10);
    for (std::size_t i = 0; i < query.size(); ++i) {
      if (all.holders[i].size() < 3) continue;
      EXPECT_EQ(own.agencies_per_fingerprint[i], 2) << pass;
      EXPECT_EQ(own.holders[i], std::vector<std::int64_t>(all.holders[i].begin() + 1, all.holders[i].begin() + 3)) << pass;
    }
  }
}

// A fingerprint held by more documents than `ranking_holders` ranks no documents but still counts
// its agencies and holders (boilerplate); the archive's postings are unchanged (no cap here), so
// the next call without the limit counts it again.
TEST(ArchivePostingCap, FingerprintsHeldByManyDocumentsDoNotRankCandidates) {
  TempDir dir;
  ArchiveParams unlimited;
  unlimited.posting_cap = 0;
  Archive a = Archive::open(dir / "a.db", Archive::Mode::kReadWrite, unlimited);
  const auto docs = formula_reports(6);
  for (const Document& d : docs) a.add(d);
  const std::vector<Fingerprint> query = distinct_fingerprints(docs[0].text, a.params().sketch);
  const FingerprintHits all = a.fingerprint_hits(query, "", 10);
  const FingerprintHits limited = a.fingerprint_hits(query, "", 10, 4);
  std::size_t widely_held = 0;
  for (std::size_t i = 0; i < query.size(); ++i) {
    EXPECT_EQ(limited.agencies_per_fingerprint[i], all.agencies_per_fingerprint[i]) << i;
    EXPECT_EQ(limited.holders[i], all.holders[i]) << i;
    widely_held += all.holders[i].size() > 4;
  }
  ASSERT_GE(widely_held, 2u) << "the formula's fingerprints are held by all six reports";
  // Documents 2-6 share only the formula with the query: they drop out; the query's own document
  // keeps its count of the fingerprints that only it holds.
  std::map<std::int64_t, int> got(limited.documents.begin(), limited.documents.end());
  std::map<std::int64_t, int> without(all.documents.begin(), all.documents.end());
  EXPECT_EQ(without.size(), 6u);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got.begin()->first, 1);
  EXPECT_EQ(got[1], without[1] - static_cast<int>(widely_held));
  const FingerprintHits again = a.fingerprint_hits(query, "", 10);
  const std::map<std::int64_t, int> counted_again(again.documents.begin(), again.documents.end());
  EXPECT_EQ(counted_again, without);
}

TEST(ArchivePostingCap, AMissingPostingBelowTheCapIsStillDamage) {
  TempDir dir;
  ArchiveParams capped;
  capped.posting_cap = 3;
  const fs::path path = dir / "a.db";
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite, capped);
    for (const Document& d : formula_reports(2)) a.add(d);  // below the cap
  }
  // Remove the last posting record of one blob (11 bytes in format 2) behind the archive's back.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE postings SET entries = substr(entries, 1, length(entries) - 11) "
                           "WHERE bucket = (SELECT bucket FROM postings WHERE length(entries) >= 22 LIMIT 1)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    ASSERT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
  const Archive a = Archive::open(path, Archive::Mode::kReadOnly);
  EXPECT_FALSE(a.verify().ok());
}

TEST(ArchivePostingCap, ArchivesMadeBeforeTheCapKeepAddingWithoutOne) {
  TempDir dir;
  fs::copy_file(source_dir() / "tests/data/archive-v1.db", dir / "v1.db");
  // Opened with its own sketch parameters and today's default cap (1024) requested: no refusal,
  // the archive keeps its own policy.
  ArchiveParams requested;
  requested.sketch.normalize.traditional_to_simplified = false;
  requested.sketch.normalize.mask_chinese_numerals = false;
  requested.sketch.minhash.variant = MinHashVariant::kOnePermutation;
  ASSERT_EQ(requested.posting_cap, 1024);
  Archive a = Archive::open(dir / "v1.db", Archive::Mode::kReadWrite, requested, &requested);
  EXPECT_EQ(a.params().posting_cap, 0);
}

// New archives record the MinHash variant they were made with; an archive naming a variant this
// build does not know (a newer leitong's) is refused with the file named, never read as another.
TEST(ArchiveParamsVariant, RecordedAndUnknownOnesRefused) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite);
    for (const Document& d : formula_reports(3)) a.add(d);
    EXPECT_EQ(a.params().sketch.minhash.variant, MinHashVariant::kOnePermutationDirect);
    EXPECT_TRUE(a.verify().ok());
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "UPDATE meta SET value = replace(value, '\"one_permutation_direct\"', "
                           "'\"one_permutation_sparse\"') WHERE key = 'params'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  try {
    (void)Archive::open(path, Archive::Mode::kReadOnly);
    FAIL() << "an unknown MinHash variant was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("one_permutation_sparse"), std::string::npos) << e.what();
  }
}

// Format 2's blobs, kept by format 3: 8-bit MinHash values (128 bytes for k = 128) and 11-byte
// postings, which is what brings the index under 2 KB per report (bench/README.md, "Index size").
TEST(ArchiveFormat2, StoresEightBitSignaturesAndElevenBytePostings) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite);
    for (const Document& d : formula_reports(4)) a.add(d);
    const ArchiveStats st = a.stats();
    EXPECT_EQ(st.schema_version, kArchiveSchemaVersion);
    EXPECT_GT(st.postings, 0);
    EXPECT_TRUE(a.verify().ok());
    for (std::int64_t id = 1; id <= 4; ++id)
      for (std::uint32_t v : a.signature(id)) ASSERT_LT(v, 256u);
  }
  auto scalar = [&](const char* sql) { return sqlite_scalar(path, sql); };
  EXPECT_EQ(scalar("PRAGMA user_version"), kArchiveSchemaVersion);
  EXPECT_EQ(scalar("SELECT min(length(minhash)) FROM sketches"), 128);
  EXPECT_EQ(scalar("SELECT max(length(minhash)) FROM sketches"), 128);
  EXPECT_EQ(scalar("SELECT count(*) FROM postings WHERE length(entries) % 11 != 0"), 0);
  const std::int64_t posting_bytes = scalar("SELECT sum(length(entries)) FROM postings");
  const Archive a = Archive::open(path, Archive::Mode::kReadOnly);
  EXPECT_EQ(a.stats().postings * 11, posting_bytes);
  // A document's own stored signature estimates 1 against its full one.
  const Sketch sketch = make_sketch(formula_reports(4)[2].text, a.params().sketch);
  EXPECT_DOUBLE_EQ(a.estimate_jaccard(sketch.minhash, a.signature(3)), 1.0);
}

// Format 3 files postings under the mixed fingerprint hash: buckets are used evenly. A winnowed
// fingerprint is a minimum, so its own top bits are mostly zero and format 2, which took the
// bucket from them, left the upper buckets empty (tests/data/archive-v2.db, test_compat.cpp).
TEST(ArchiveFormat3, PostingsSpreadOverAllBuckets) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite);
    add_seeds(a, seeds());
    EXPECT_TRUE(a.verify().ok());
  }
  const double blobs = double(sqlite_scalar(path, "SELECT count(*) FROM postings"));
  ASSERT_GT(blobs, 500);
  const double upper_half = double(sqlite_scalar(path, "SELECT count(*) FROM postings WHERE bucket >= 524288"));
  EXPECT_GT(upper_half / blobs, 0.4);
  EXPECT_LT(upper_half / blobs, 0.6);
  const double top_eighth = double(sqlite_scalar(path, "SELECT count(*) FROM postings WHERE bucket >= 917504"));
  EXPECT_GT(top_eighth / blobs, 0.08);
  // The archive still finds what a report shares with it.
  const Archive a = Archive::open(path, Archive::Mode::kReadOnly);
  const Document first = seed_document(seeds()[0]);
  const Sketch sketch = make_sketch(first.text, a.params().sketch);
  FingerprintHits hits = a.fingerprint_hits(sketch.fingerprints, "", 1);
  int shared_with_itself = 0;
  hits.visit_documents_most_first([&](std::int64_t id, int shared) {
    if (id == 1) shared_with_itself = shared;
    return true;
  });
  EXPECT_GT(shared_with_itself, 0);
}

// Every index row of an archive (and the documents' keys), for byte-for-byte comparisons.
std::vector<std::string> index_rows(const fs::path& path) {
  std::vector<std::string> rows;
  for (const char* sql : {"SELECT key, hex(doc_ids) FROM lsh_buckets ORDER BY key",
                          "SELECT bucket, hex(entries) FROM postings ORDER BY bucket",
                          "SELECT key, hex(entries) FROM posting_runs ORDER BY key",
                          "SELECT doc_id, hex(minhash), simhash, fingerprints FROM sketches ORDER BY doc_id",
                          "SELECT id, agency_id, year, kind, content_hash FROM documents ORDER BY id"})
    for (std::string& row : sqlite_rows(path, sql)) rows.push_back(std::move(row));
  return rows;
}

// Bulk loading: grouped adds give the same archive as one transaction per document, byte for
// byte in every index blob (postings kept and refused at the cap, bucket lists in add order), with
// a repeated document inside a group and a sound verify. A document refused inside its savepoint
// (after its rows were written) leaves no trace: the group equals a build without it.
TEST(ArchiveBatch, GroupedAddsBuildTheSameArchive) {
  TempDir dir;
  ArchiveParams capped;
  capped.posting_cap = 3;
  const auto docs = formula_reports(10);
  auto build = [&](const char* name, int batch, const std::string& refuse_file = {}) {
    Archive a = Archive::open(dir / name, Archive::Mode::kReadWrite, capped);
    if (!refuse_file.empty())
      sqlite_exec(dir / name, "CREATE TRIGGER refuse BEFORE INSERT ON texts WHEN "
                              "(SELECT file FROM documents WHERE id = NEW.doc_id) = '" + refuse_file +
                              "' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    a.set_batch_size(batch);
    for (std::size_t k = 0; k < docs.size(); ++k) {
      if (!refuse_file.empty() && docs[k].info.file == refuse_file) {
        EXPECT_THROW(a.add(docs[k]), Error);
        continue;
      }
      EXPECT_TRUE(a.add(docs[k]).added);
      if (k == 4) {
        EXPECT_THROW(a.add(make_document(U"短", "某局", 2024)), Error);
        EXPECT_FALSE(a.add(docs[2]).added);
      }
    }
    a.flush();
    return a.stats();
  };
  const ArchiveStats one = build("one.db", 1);
  const auto expected = index_rows(dir / "one.db");
  // The cap was reached: some fingerprint was refused a posting.
  EXPECT_LT(one.postings, sqlite_scalar(dir / "one.db", "SELECT sum(fingerprints) FROM sketches"));
  for (const auto& [name, batch] : {std::pair{"four.db", 4}, std::pair{"all.db", 100}}) {
    const ArchiveStats grouped = build(name, batch);
    EXPECT_EQ(grouped.documents, 10) << name;
    EXPECT_EQ(grouped.postings, one.postings) << name;
    EXPECT_EQ(grouped.index_bytes, one.index_bytes) << name;
    EXPECT_EQ(index_rows(dir / name), expected) << name;
    EXPECT_TRUE(Archive::open(dir / name, Archive::Mode::kReadOnly).verify().ok()) << name;
  }
  const std::string refused = docs[6].info.file;
  build("refused-one.db", 1, refused);
  const ArchiveStats grouped = build("refused-grouped.db", 4, refused);
  EXPECT_EQ(grouped.documents, 9);
  EXPECT_EQ(index_rows(dir / "refused-grouped.db"), index_rows(dir / "refused-one.db"));
  EXPECT_NE(index_rows(dir / "refused-grouped.db"), expected);
  EXPECT_TRUE(Archive::open(dir / "refused-grouped.db", Archive::Mode::kReadOnly).verify().ok());
}

// A group whose index entries cannot be written is rolled back whole, whether that happens at its
// commit (flush), on an index read by the writer (stats) or when the Archive is destroyed: the
// archive holds what it held before the group, and verifies.
TEST(ArchiveBatch, AGroupWhoseIndexCannotBeWrittenIsRolledBack) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  const auto docs = formula_reports(8);
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite);
    a.add(docs[0]);
    a.add(docs[1]);
  }
  for (const char* table : {"postings", "posting_runs"})  // a group's postings go to either
    sqlite_exec(path, fmt::format("CREATE TRIGGER full_{0} BEFORE INSERT ON {0} WHEN (SELECT count(*) FROM documents) > 2 "
                                  "BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END",
                                  table));
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite);
    a.set_batch_size(10);
    a.add(docs[2]);
    a.add(docs[3]);
    try {
      a.flush();
      ADD_FAILURE() << "the commit should have failed";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("could not be committed"), std::string::npos) << e.what();
    }
    EXPECT_EQ(a.document_count(), 2);
    a.add(docs[4]);
    try {
      (void)a.stats();
      ADD_FAILURE() << "the read should have failed";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("rolled back"), std::string::npos) << e.what();
    }
    EXPECT_EQ(a.document_count(), 2);
    a.add(docs[5]);
  }  // destroyed with an open group that cannot be written
  EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 2);
  sqlite_exec(path, "DROP TRIGGER full_postings");
  sqlite_exec(path, "DROP TRIGGER full_posting_runs");
  const Archive reader = Archive::open(path, Archive::Mode::kReadOnly);
  EXPECT_TRUE(reader.verify().ok());
}

// A writer's index reads see the documents of its own open group (their index entries are
// written only when the group commits); other connections do not see them until then.
TEST(ArchiveBatch, AWriterSeesItsOpenGroupInTheIndex) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  const auto docs = formula_reports(3);
  Archive writer = Archive::open(path, Archive::Mode::kReadWrite);
  writer.set_batch_size(10);
  const std::int64_t first = writer.add(docs[0]).id;
  writer.add(docs[1]);
  const Sketch sketch = make_sketch(docs[0].text, writer.params().sketch);
  const auto near = writer.lsh_candidates(sketch.minhash);
  EXPECT_TRUE(std::any_of(near.begin(), near.end(), [&](const auto& c) { return c.first == first; }));
  FingerprintHits hits = writer.fingerprint_hits(sketch.fingerprints, "", 1);
  bool found = false;
  hits.visit_documents_most_first([&](std::int64_t id, int) { return !(found = id == first); });
  EXPECT_TRUE(found);
  EXPECT_GT(writer.stats().postings, 0);
  writer.add(docs[2]);  // queued after the reads above wrote the earlier ones
  {
    const Archive reader = Archive::open(path, Archive::Mode::kReadOnly);
    EXPECT_TRUE(reader.lsh_candidates(sketch.minhash).empty());
  }
  writer.flush();
  const Archive reader = Archive::open(path, Archive::Mode::kReadOnly);
  EXPECT_EQ(reader.document_count(), 3);
  EXPECT_TRUE(reader.verify().ok());
  // Written in two parts (at the reads, then at the flush), the same bytes as one add at a time.
  {
    Archive one = Archive::open(dir / "one.db", Archive::Mode::kReadWrite);
    for (const Document& d : docs) one.add(d);
  }
  EXPECT_EQ(index_rows(path), index_rows(dir / "one.db"));
}

// Readers see a group when it commits; a document already present inside a group rolls back only
// its own savepoint; destroying the archive commits the open group.
TEST(ArchiveBatch, GroupsCommitWholeAndDuplicatesKeepTheGroup) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  const auto docs = formula_reports(7);
  {
    Archive writer = Archive::open(path, Archive::Mode::kReadWrite);
    writer.set_batch_size(3);
    for (int k = 0; k < 2; ++k) writer.add(docs[k]);
    EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 0);  // group open
    EXPECT_FALSE(writer.add(docs[0]).added);  // already in the open group: unchanged
    EXPECT_EQ(writer.document_count(), 2);    // the writer sees its own group
    writer.add(docs[2]);                      // third document: the group commits
    EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 3);
    for (int k = 3; k < 7; ++k) writer.add(docs[k]);  // a group of 3 commits, 1 stays open
    EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 6);
    EXPECT_THROW(writer.set_batch_size(0), Error);
  }  // destroyed: the open group (document 7) commits
  EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 7);
  {
    // verify() on a writer with an open group commits the group first (it reads one snapshot).
    Archive writer = Archive::open(path, Archive::Mode::kReadWrite);
    writer.set_batch_size(5);
    writer.add(make_document(docs[0].text + U"另加一段不同的文字，使内容有别。", "第九区民政局", 2024));
    EXPECT_TRUE(writer.verify().ok());
    EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 8);
  }
  const Archive reader = Archive::open(path, Archive::Mode::kReadOnly);
  EXPECT_EQ(reader.document_count(), 8);
  EXPECT_TRUE(reader.verify().ok());
}

// A refused document leaves the open group's other documents in place, and going back to one
// transaction per document commits the group.
TEST(ArchiveBatch, ARefusedDocumentLeavesTheGroup) {
  TempDir dir;
  const fs::path path = dir / "a.db";
  const auto docs = formula_reports(3);
  Archive writer = Archive::open(path, Archive::Mode::kReadWrite);
  writer.set_batch_size(10);
  writer.add(docs[0]);
  EXPECT_THROW(writer.add(make_document(U"短", "某局", 2024)), Error);
  writer.add(docs[1]);
  writer.set_batch_size(1);  // back to one transaction per document: commits the open group
  EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 2);
  writer.add(docs[2]);
  EXPECT_EQ(Archive::open(path, Archive::Mode::kReadOnly).document_count(), 3);
  EXPECT_TRUE(writer.verify().ok());
}


// What fingerprint_hits says of each document's fingerprints, in a form to compare.
std::vector<std::string> hits_of(const Archive& archive, const std::vector<Document>& docs) {
  std::vector<std::string> out;
  for (const Document& doc : docs) {
    FingerprintHits hits =
        archive.fingerprint_hits(make_sketch(doc.text, archive.params().sketch).fingerprints, doc.info.agency, 4);
    std::sort(hits.documents.begin(), hits.documents.end());
    std::string line;
    for (const auto& [id, shared] : hits.documents) line += fmt::format("{}:{} ", id, shared);
    for (std::size_t i = 0; i < hits.holders.size(); ++i) {
      line += fmt::format("| {}", hits.agencies_per_fingerprint[i]);
      for (const std::int64_t id : hits.holders[i]) line += fmt::format(" {}", id);
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::vector<std::string> shared_of(const Archive& archive) {
  std::vector<std::string> out;
  for (const SharedFingerprint& fp : archive.widely_shared_fingerprints(2, 16))
    out.push_back(fmt::format("{} {} {} {} {}", fp.key, fp.agencies, fp.documents, fp.years, fmt::join(fp.holders, ",")));
  return out;
}

// Posting runs (format 4): a bulk load's groups append their postings as runs. Before they are
// merged every read (fingerprint look-ups with the cap applied, widely shared fingerprints,
// verify) sees what an archive built one document at a time holds; merge_index_runs() merges them
// into the same bytes; and the commit that makes the eighth run merges them.
// 128 buckets: even one of these short reports is a large group, written as a run.
ArchiveParams run_params() {
  ArchiveParams p;
  p.posting_cap = 3;  // the formula passes the cap inside the runs
  p.posting_bucket_bits = 7;
  return p;
}

// What adding `docs` one at a time builds, the runs merged as `add` leaves an archive.
void build_one_at_a_time(const fs::path& path, const ArchiveParams& params, const std::vector<Document>& docs) {
  Archive one = Archive::open(path, Archive::Mode::kReadWrite, params);
  for (const Document& d : docs) one.add(d);
  one.merge_index_runs();
}

// From now on, writing a merged posting blob fails as on a full disk (until DROP TRIGGER full).
void fail_merged_posting_writes(const fs::path& path) {
  sqlite_exec(path, "CREATE TRIGGER full BEFORE INSERT ON postings "
                    "BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END");
}

TEST(ArchivePostingRuns, ReadsSeeTheRunsAsIfMergedAndAMergeWritesTheSameBytes) {
  TempDir dir;
  const ArchiveParams capped = run_params();
  const auto docs = formula_reports(12);
  build_one_at_a_time(dir / "one.db", capped, docs);
  {
    Archive runs = Archive::open(dir / "runs.db", Archive::Mode::kReadWrite, capped);
    runs.set_batch_size(2);
    for (const Document& d : docs) runs.add(d);
  }  // six full groups, six runs, never merged
  const fs::path runs_path = dir / "runs.db";
  EXPECT_EQ(sqlite_scalar(runs_path, "SELECT count(DISTINCT key >> 32) FROM posting_runs"), 6);
  EXPECT_EQ(sqlite_scalar(runs_path, "SELECT count(*) FROM postings"), 0);
  const Archive one = Archive::open(dir / "one.db", Archive::Mode::kReadOnly);
  {
    const Archive runs = Archive::open(runs_path, Archive::Mode::kReadOnly);
    EXPECT_EQ(hits_of(runs, docs), hits_of(one, docs));
    EXPECT_EQ(shared_of(runs), shared_of(one));
    ASSERT_FALSE(shared_of(one).empty());
    // Stored, the runs hold postings past the cap too (until a merge drops them).
    EXPECT_GT(runs.stats().postings, one.stats().postings);
    const ArchiveCheck check = runs.verify();
    EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  }
  {
    Archive runs = Archive::open(runs_path, Archive::Mode::kReadWrite);
    runs.flush();  // no group open: nothing to commit, and the runs stay
    EXPECT_EQ(sqlite_scalar(runs_path, "SELECT count(DISTINCT key >> 32) FROM posting_runs"), 6);
    EXPECT_TRUE(runs.merge_index_runs());
    EXPECT_FALSE(runs.merge_index_runs());
  }
  EXPECT_EQ(sqlite_scalar(runs_path, "SELECT count(*) FROM posting_runs"), 0);
  EXPECT_EQ(index_rows(runs_path), index_rows(dir / "one.db"));
  EXPECT_EQ(Archive::open(runs_path, Archive::Mode::kReadOnly).stats().postings, one.stats().postings);

  // Twelve groups of two: the eighth group's commit merges the eight runs.
  {
    Archive many = Archive::open(dir / "many.db", Archive::Mode::kReadWrite, capped);
    many.set_batch_size(2);
    std::int64_t most = 0;
    for (const Document& d : formula_reports(24)) {
      many.add(d);
      most = std::max(most, sqlite_scalar(dir / "many.db", "SELECT count(DISTINCT key >> 32) FROM posting_runs"));
    }
    EXPECT_EQ(most, 7);
    EXPECT_EQ(sqlite_scalar(dir / "many.db", "SELECT count(DISTINCT key >> 32) FROM posting_runs"), 4);
    EXPECT_GT(sqlite_scalar(dir / "many.db", "SELECT count(*) FROM postings"), 0);
    EXPECT_TRUE(many.merge_index_runs());
  }
  {
    Archive all = Archive::open(dir / "all.db", Archive::Mode::kReadWrite, capped);
    for (const Document& d : formula_reports(24)) all.add(d);
    all.merge_index_runs();
  }
  EXPECT_EQ(index_rows(dir / "many.db"), index_rows(dir / "all.db"));
}

// A run is checked like the postings: an entry naming a document that does not exist, or a blob
// that is no list of postings, is damage that verify reports; merging agencies merges the runs
// first, so that their postings carry the new agency too.
TEST(ArchivePostingRuns, VerifyReportsDamagedRunsAndAgencyMergesReachThem) {
  TempDir dir;
  const auto docs = formula_reports(6);
  const fs::path path = dir / "a.db";
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite, run_params());
    a.set_batch_size(2);
    for (const Document& d : docs) a.add(d);
  }
  ASSERT_GT(sqlite_scalar(path, "SELECT count(*) FROM posting_runs"), 0);
  EXPECT_TRUE(Archive::open(path, Archive::Mode::kReadOnly).verify().ok());
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite);
    a.merge_agencies("第1区民政局", "第0区民政局");
    EXPECT_EQ(sqlite_scalar(path, "SELECT count(*) FROM posting_runs"), 0);
    const ArchiveCheck check = a.verify();
    EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
  }
  // A run naming document 99 (an 11-byte posting: tag 1, document 99, agency 0), a run blob of 5
  // bytes and a bucket past the 128.
  sqlite_exec(path, "INSERT INTO posting_runs(key, entries) VALUES ((9 << 32) | 7, x'0100006300000000000000')");
  sqlite_exec(path, "INSERT INTO posting_runs(key, entries) VALUES ((9 << 32) | 8, x'0102030405')");
  sqlite_exec(path, "INSERT INTO posting_runs(key, entries) VALUES ((9 << 32) | 128, x'0100000100000000000000')");
  const ArchiveCheck check = Archive::open(path, Archive::Mode::kReadOnly).verify();
  std::string problems;
  for (const std::string& p : check.problems) problems += p + "\n";
  EXPECT_NE(problems.find("names document 99, which does not exist"), std::string::npos) << problems;
  EXPECT_NE(problems.find("posting run 9 bucket 8: blob of 5 bytes"), std::string::npos) << problems;
  EXPECT_NE(problems.find("posting run 9 bucket 128: out of range"), std::string::npos) << problems;
}

// A merge that cannot be written (a full disk) leaves the runs, and the archive reads as before;
// later adds, one at a time or grouped, become runs of their own after them, and the archive still
// reads as one built a document at a time.
TEST(ArchivePostingRuns, AFailedMergeKeepsTheRunsAndLaterAddsQueueBehindThem) {
  TempDir dir;
  const ArchiveParams params = run_params();
  const auto docs = formula_reports(9);
  const fs::path path = dir / "a.db";
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite, params);
    a.set_batch_size(2);
    for (std::size_t k = 0; k < 6; ++k) a.add(docs[k]);
  }
  build_one_at_a_time(dir / "one.db", params, docs);
  const std::string runs_before = fmt::format("{}", fmt::join(sqlite_rows(path, "SELECT key, hex(entries) FROM posting_runs ORDER BY key"), "\n"));
  fail_merged_posting_writes(path);
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite);
    EXPECT_THROW(a.merge_index_runs(), ArchiveWriteError);
    a.add(docs[6]);  // one transaction: a fourth run
    a.set_batch_size(2);
    a.add(docs[7]);
    a.add(docs[8]);  // a group of two: a fifth
  }
  EXPECT_EQ(fmt::format("{}", fmt::join(sqlite_rows(path, "SELECT key, hex(entries) FROM posting_runs WHERE key < (4 << 32) ORDER BY key"), "\n")), runs_before);
  EXPECT_EQ(sqlite_scalar(path, "SELECT count(DISTINCT key >> 32) FROM posting_runs"), 5);
  EXPECT_EQ(sqlite_scalar(path, "SELECT count(*) FROM postings"), 0);
  {
    const Archive a = Archive::open(path, Archive::Mode::kReadOnly);
    const Archive one = Archive::open(dir / "one.db", Archive::Mode::kReadOnly);
    EXPECT_EQ(hits_of(a, docs), hits_of(one, docs));
    EXPECT_TRUE(a.verify().ok());
  }
  sqlite_exec(path, "DROP TRIGGER full");
  EXPECT_TRUE(Archive::open(path, Archive::Mode::kReadWrite).merge_index_runs());
  EXPECT_EQ(index_rows(path), index_rows(dir / "one.db"));
}


// When the merge after the eighth run fails, the eight runs stay; the next group merges them with
// its own postings inside its own transaction, and the archive is the one a document at a time
// builds.
TEST(ArchivePostingRuns, AGroupThatFindsEightRunsMergesThemInItsOwnTransaction) {
  TempDir dir;
  const ArchiveParams params = run_params();
  const auto docs = formula_reports(18);
  const fs::path path = dir / "a.db";
  {
    Archive a = Archive::open(path, Archive::Mode::kReadWrite, params);
    fail_merged_posting_writes(path);
    a.set_batch_size(2);
    for (std::size_t k = 0; k < 16; ++k) a.add(docs[k]);  // eight groups; the merge after the eighth fails
    EXPECT_EQ(a.document_count(), 16);
    EXPECT_EQ(sqlite_scalar(path, "SELECT count(DISTINCT key >> 32) FROM posting_runs"), 8);
    sqlite_exec(path, "DROP TRIGGER full");
    a.add(docs[16]);
    a.add(docs[17]);  // the ninth group: the eight runs and its own postings, merged
    EXPECT_EQ(sqlite_scalar(path, "SELECT count(*) FROM posting_runs"), 0);
  }
  build_one_at_a_time(dir / "one.db", params, docs);
  EXPECT_EQ(index_rows(path), index_rows(dir / "one.db"));
  EXPECT_TRUE(Archive::open(path, Archive::Mode::kReadOnly).verify().ok());
}

// Reading ahead (set_read_ahead) only brings pages into memory: fingerprint look-ups and texts
// read with it are those read without, in a format-4 archive with posting runs and without and in
// a format-3 one, while its connections do fetch rows; a call that fails on a missing document
// fails as it does without (its read-ahead threads joined, not left behind).
TEST(ArchiveReadAhead, LookUpsAndTextsAreThoseReadWithout) {
  TempDir dir;
  const auto docs = formula_reports(12);
  build_one_at_a_time(dir / "one.db", run_params(), docs);
  {
    Archive runs = Archive::open(dir / "runs.db", Archive::Mode::kReadWrite, run_params());
    runs.set_batch_size(2);
    for (const Document& d : docs) runs.add(d);
  }  // six runs, never merged
  ASSERT_EQ(sqlite_scalar(dir / "runs.db", "SELECT count(DISTINCT key >> 32) FROM posting_runs"), 6);
  fs::copy_file(source_dir() / "tests/data/archive-v3.db", dir / "v3.db");
  for (const char* name : {"one.db", "runs.db", "v3.db"}) {
    const Archive plain = Archive::open(dir / name, Archive::Mode::kReadOnly);
    Archive ahead = Archive::open(dir / name, Archive::Mode::kReadOnly);
    ahead.set_read_ahead(4, Archive::ReadAheadStart::kAtFirstRead);

    std::vector<std::int64_t> ids;
    for (const DocumentInfo& info : plain.documents()) ids.push_back(info.id);
    ASSERT_GE(ids.size(), 2u) << name;
    std::vector<Document> stored;  // the archive's own documents as queries
    for (const std::int64_t id : ids) stored.push_back({plain.info(id), plain.text(id)});
    EXPECT_EQ(hits_of(ahead, stored), hits_of(plain, stored)) << name;
    const std::int64_t after_hits = ahead.rows_read_ahead();
    EXPECT_GT(after_hits, 0) << name;

    std::reverse(ids.begin(), ids.end());
    ids.push_back(ids.back());  // the same document twice
    const std::vector<StoredDocument> read = ahead.infos_and_texts(ids);
    ASSERT_EQ(read.size(), ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const DocumentInfo info = plain.info(ids[i]);
      EXPECT_EQ(read[i].info.id, ids[i]);
      EXPECT_EQ(read[i].info.file, info.file);
      EXPECT_EQ(read[i].info.agency, info.agency);
      EXPECT_EQ(read[i].info.year, info.year);
      EXPECT_EQ(read[i].text, plain.text(ids[i]));
    }
    // Started at the first read, the connections fetched every document's row and text.
    EXPECT_EQ(ahead.rows_read_ahead(), after_hits + 2 * static_cast<std::int64_t>(ids.size())) << name;
    EXPECT_EQ(plain.rows_read_ahead(), 0) << name;

    ids.insert(ids.begin() + 3, 1000000);
    EXPECT_THROW(ahead.infos_and_texts(ids), Error) << name;
  }
  Archive archive = Archive::open(dir / "one.db", Archive::Mode::kReadOnly);
  EXPECT_THROW(archive.set_read_ahead(-1), Error);
  EXPECT_THROW(archive.set_read_ahead(Archive::kMaxReadAheadConnections + 1), Error);
}

}  // namespace
}  // namespace leitong::testing
