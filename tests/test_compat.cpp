// Backward compatibility: tests/data/archive-v1.db was written by format version 1,
// tests/data/archive-v2.db by format version 2 and tests/data/archive-v3.db by format version 3
// (each: two reports, 深圳市罗湖区民政局 2024 and 重庆市沙坪坝区民政局 2024, default parameters). Every build must still open them, read their texts
// back exactly, check against them and append to them in their own format. Never regenerate
// them: a format change that cannot read them needs a new version number and a migration.
#include "support/corpus.h"

#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/sketch.h>
#include <leitong/extract/extract.h>

#include <gtest/gtest.h>

namespace leitong::testing {
namespace {

class Compat : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy_file(source_dir() / "tests/data/archive-v1.db", dir_ / "v1.db");
    std::filesystem::copy_file(source_dir() / "tests/data/archive-v2.db", dir_ / "v2.db");
    std::filesystem::copy_file(source_dir() / "tests/data/archive-v3.db", dir_ / "v3.db");
  }
  TempDir dir_;
};

TEST_F(Compat, Version1ArchiveOpensWithItsParameters) {
  const Archive archive = Archive::open(dir_ / "v1.db", Archive::Mode::kReadOnly);
  // Written before the traditional/simplified and Chinese-numeral switches existed: they read as
  // off. Its MinHash is the re-mixing one-permutation variant, the default then, and it keeps it
  // (new archives get the direct variant). Every other parameter is the default.
  ArchiveParams expected;
  expected.sketch.normalize.traditional_to_simplified = false;
  expected.sketch.normalize.mask_chinese_numerals = false;
  expected.sketch.minhash.variant = MinHashVariant::kOnePermutation;
  expected.posting_cap = 0;  // made before the cap: postings unlimited, as written
  EXPECT_EQ(archive.params(), expected);
  const ArchiveStats stats = archive.stats();
  EXPECT_EQ(stats.documents, 2);
  EXPECT_EQ(stats.agencies, 2);
  EXPECT_EQ(stats.schema_version, 1);
}

TEST_F(Compat, Version1TextsReadBackExactly) {
  const Archive archive = Archive::open(dir_ / "v1.db", Archive::Mode::kReadOnly);
  const auto ids = archive.ids_of_agency("深圳市罗湖区民政局");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(archive.text(ids[0]), read_corpus_text("reports/luohu-minzheng-2024.txt"));
  EXPECT_EQ(archive.info(ids[0]).year, 2024);
}

// The 2025 report that recycles the archived 罗湖区民政局 2024 report.
Document recycled_luohu_report() {
  Document report;
  report.info = {0, "luohu-minzheng-2025.txt", "深圳市罗湖区民政局", 2025, DocumentKind::kReport};
  report.text = read_corpus_text("cases/luohu-minzheng-2025.txt");
  return report;
}

// A report none of the committed archives holds, to append to them.
Document anwen_report() {
  return {{0, "anwen", "重庆市綦江区安稳镇人民政府", 2021, DocumentKind::kReport},
          read_corpus_text("reports/anwen-zhen-2021.txt")};
}

// A check of it names that report as its top, same-agency source.
void expect_recycled_source_found(const Archive& archive) {
  const Findings f = check_against_archive(archive, recycled_luohu_report());
  ASSERT_FALSE(f.sources.empty());
  EXPECT_EQ(f.sources[0].document.agency, "深圳市罗湖区民政局");
  EXPECT_EQ(f.sources[0].relation, Relation::kSameAgency);
  EXPECT_GT(f.sources[0].copy_ratio, 0.6);
}

TEST_F(Compat, CheckAgainstVersion1ArchiveFindsTheRecycledSource) {
  expect_recycled_source_found(Archive::open(dir_ / "v1.db", Archive::Mode::kReadOnly));
}

TEST_F(Compat, Version1ArchiveAcceptsNewDocuments) {
  Archive archive = Archive::open(dir_ / "v1.db", Archive::Mode::kReadWrite);
  EXPECT_TRUE(archive.add(anwen_report()).added);
  EXPECT_EQ(archive.document_count(), 3);
  // Sketched with the archive's own (older) MinHash variant and written in its own format 1
  // (32-bit signature values, 12-byte postings): verify recomputes every sketch and reads every
  // blob with that layout.
  EXPECT_EQ(archive.params().sketch.minhash.variant, MinHashVariant::kOnePermutation);
  EXPECT_EQ(archive.stats().schema_version, 1);
  EXPECT_TRUE(archive.verify().ok());
  bool any_above_8_bits = false;
  for (std::uint32_t v : archive.signature(3)) any_above_8_bits = any_above_8_bits || v > 255;
  EXPECT_TRUE(any_above_8_bits);
  auto scalar = [&](const char* sql) { return sqlite_scalar(dir_ / "v1.db", sql); };
  EXPECT_EQ(scalar("PRAGMA user_version"), 1);
  EXPECT_EQ(scalar("SELECT length(minhash) FROM sketches WHERE doc_id = 3"), 512);
  EXPECT_EQ(scalar("SELECT count(*) FROM postings WHERE length(entries) % 12 != 0"), 0);
  EXPECT_EQ(scalar("SELECT sum(length(entries)) FROM postings"), archive.stats().postings * 12);
}

// Format 2 filed postings under the fingerprint hash's own top bits, which a winnowed minimum
// leaves mostly zero: its buckets stay below 2^19 (of 2^20). It is read and appended to with those
// keys, not format 3's mixed ones.
TEST_F(Compat, Version2ArchiveKeepsItsPostingKeys) {
  auto scalar = [&](const char* sql) { return sqlite_scalar(dir_ / "v2.db", sql); };
  EXPECT_EQ(scalar("PRAGMA user_version"), 2);
  EXPECT_EQ(scalar("SELECT count(*) FROM postings WHERE bucket >= 524288"), 0);
  {
    const Archive archive = Archive::open(dir_ / "v2.db", Archive::Mode::kReadOnly);
    EXPECT_EQ(archive.stats().schema_version, 2);
    EXPECT_EQ(archive.stats().documents, 2);
    const auto ids = archive.ids_of_agency("深圳市罗湖区民政局");
    ASSERT_EQ(ids.size(), 1u);
    EXPECT_EQ(archive.text(ids[0]), read_corpus_text("reports/luohu-minzheng-2024.txt"));
    expect_recycled_source_found(archive);
    const Document report = recycled_luohu_report();
    // The postings are looked up under the version's own keys: the recycled report's fingerprints
    // find its source (check above could reach it through the agency alone).
    FingerprintHits hits = archive.fingerprint_hits(make_sketch(report.text, archive.params().sketch).fingerprints);
    int shared = 0;
    hits.visit_documents_most_first([&](std::int64_t id, int n) {
      if (id == ids[0]) shared = n;
      return true;
    });
    EXPECT_GT(shared, 20);
  }
  Archive archive = Archive::open(dir_ / "v2.db", Archive::Mode::kReadWrite);
  EXPECT_TRUE(archive.add(anwen_report()).added);
  EXPECT_EQ(archive.stats().schema_version, 2);
  EXPECT_TRUE(archive.verify().ok());
  EXPECT_GT(scalar("SELECT count(*) FROM postings"), 684);  // the two reports' 684 blobs, and more
  EXPECT_EQ(scalar("SELECT count(*) FROM postings WHERE bucket >= 524288"), 0);
  EXPECT_EQ(scalar("SELECT count(*) FROM postings WHERE length(entries) % 11 != 0"), 0);
}

// Format 3 (format 4 without posting runs), with every parameter at its default.
TEST_F(Compat, Version3ArchiveOpensReadsAndChecks) {
  auto scalar = [&](const char* sql) { return sqlite_scalar(dir_ / "v3.db", sql); };
  EXPECT_EQ(scalar("PRAGMA user_version"), 3);
  // Postings filed under the mixed hash reach the upper half of the 2^20 buckets.
  EXPECT_GT(scalar("SELECT count(*) FROM postings WHERE bucket >= 524288"), 100);
  const Archive archive = Archive::open(dir_ / "v3.db", Archive::Mode::kReadOnly);
  EXPECT_EQ(archive.params(), ArchiveParams{});
  EXPECT_EQ(archive.stats().schema_version, 3);
  EXPECT_EQ(archive.stats().documents, 2);
  const auto ids = archive.ids_of_agency("深圳市罗湖区民政局");
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(archive.text(ids[0]), read_corpus_text("reports/luohu-minzheng-2024.txt"));
  expect_recycled_source_found(archive);
  EXPECT_TRUE(archive.verify().ok());
}

// The parameters a new archive stores are written from the parameter table (sketch.h): they must
// stay the bytes format 3 stored, or archives made before and after would differ for no reason.
TEST_F(Compat, NewArchiveStoresTheParametersAsVersion3Did) {
  {
    Archive created = Archive::open(dir_ / "new.db", Archive::Mode::kReadWrite);
    EXPECT_EQ(created.params(), ArchiveParams{});
  }
  auto params_json = [](const std::filesystem::path& db) {
    return sqlite_rows(db, "SELECT value FROM meta WHERE key = 'params'");
  };
  ASSERT_EQ(params_json(dir_ / "v3.db").size(), 1u);
  EXPECT_EQ(params_json(dir_ / "new.db"), params_json(dir_ / "v3.db"));
}

// New archives are written in 16 KB pages (format.cpp); an archive made with SQLite's 4 KB pages
// keeps them when a group is appended to it.
TEST_F(Compat, NewArchivesHave16KBPagesAndOlderOnesKeepTheirs) {
  {
    Archive created = Archive::open(dir_ / "new.db", Archive::Mode::kReadWrite);
    EXPECT_TRUE(created.add(anwen_report()).added);
  }
  EXPECT_EQ(sqlite_scalar(dir_ / "new.db", "PRAGMA page_size"), 16384);
  ASSERT_EQ(sqlite_scalar(dir_ / "v3.db", "PRAGMA page_size"), 4096);
  {
    Archive archive = Archive::open(dir_ / "v3.db", Archive::Mode::kReadWrite);
    archive.set_batch_size(4);
    EXPECT_TRUE(archive.add(anwen_report()).added);
    archive.flush();
    EXPECT_TRUE(archive.verify().ok());
  }
  EXPECT_EQ(sqlite_scalar(dir_ / "v3.db", "PRAGMA page_size"), 4096);
}

TEST_F(Compat, Version3ArchiveAcceptsNewDocuments) {
  Archive archive = Archive::open(dir_ / "v3.db", Archive::Mode::kReadWrite);
  archive.set_batch_size(4);  // a group: in format 3 too its postings go to the postings table
  EXPECT_TRUE(archive.add(anwen_report()).added);
  archive.flush();
  EXPECT_FALSE(archive.merge_index_runs());
  EXPECT_EQ(archive.stats().schema_version, 3);
  EXPECT_TRUE(archive.verify().ok());
  auto scalar = [&](const char* sql) { return sqlite_scalar(dir_ / "v3.db", sql); };
  EXPECT_EQ(scalar("SELECT length(minhash) FROM sketches WHERE doc_id = 3"), 128);
  EXPECT_EQ(scalar("SELECT count(*) FROM postings WHERE length(entries) % 11 != 0"), 0);
}

}  // namespace
}  // namespace leitong::testing
