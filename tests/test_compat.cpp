// Backward compatibility: tests/data/archive-v1.db was written by format version 1 (two reports:
// 深圳市罗湖区民政局 2024 and 重庆市沙坪坝区民政局 2024, default parameters). Every build must still
// open it, read its texts back exactly and check against it. Never regenerate it: a format change
// that cannot read it needs a new version number and a migration.
#include "support/corpus.h"

#include <leitong/archive.h>
#include <leitong/extract.h>

#include <gtest/gtest.h>

namespace leitong::testing {
namespace {

class Compat : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy_file(source_dir() / "tests/data/archive-v1.db", dir_ / "v1.db");
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

TEST_F(Compat, CheckAgainstVersion1ArchiveFindsTheRecycledSource) {
  const Archive archive = Archive::open(dir_ / "v1.db", Archive::Mode::kReadOnly);
  Document report;
  report.info = {0, "luohu-minzheng-2025.txt", "深圳市罗湖区民政局", 2025, DocumentKind::kReport};
  report.text = read_corpus_text("cases/luohu-minzheng-2025.txt");
  const Findings f = check_against_archive(archive, report);
  ASSERT_FALSE(f.sources.empty());
  EXPECT_EQ(f.sources[0].document.agency, "深圳市罗湖区民政局");
  EXPECT_EQ(f.sources[0].relation, Relation::kSameAgency);
  EXPECT_GT(f.sources[0].copy_ratio, 0.6);
}

TEST_F(Compat, Version1ArchiveAcceptsNewDocuments) {
  Archive archive = Archive::open(dir_ / "v1.db", Archive::Mode::kReadWrite);
  Document doc;
  doc.info = {0, "anwen", "重庆市綦江区安稳镇人民政府", 2021, DocumentKind::kReport};
  doc.text = read_corpus_text("reports/anwen-zhen-2021.txt");
  EXPECT_TRUE(archive.add(doc).added);
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

}  // namespace
}  // namespace leitong::testing
