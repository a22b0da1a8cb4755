// Archive::verify against damage done behind the archive's back: each kind of index damage is
// named for the document it hits, and sound archives (with and without a posting cap, templates,
// several formats of ids) pass. verify reads the index in one pass and looks a document up blob by
// blob only when its sums differ; these tests hold both halves to the messages.
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/text.h>

#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

Document national(int year, const std::string& agency, DocumentKind kind = DocumentKind::kReport) {
  Document d;
  d.info.file = std::to_string(year) + ".txt";
  d.info.agency = agency;
  d.info.year = 2000 + year % 25;
  d.info.kind = kind;
  d.text = read_corpus_text("gov-work-reports/" + std::to_string(year) + ".txt");
  return d;
}

class Verify : public ::testing::Test {
 protected:
  void SetUp() override {
    ArchiveParams params;
    params.posting_cap = 4;  // some formulae of the national reports reach it
    Archive a = Archive::open(path(), Archive::Mode::kReadWrite, params);
    for (int year = 2010; year <= 2019; ++year) a.add(national(year, "国务院" + std::to_string(year % 3)));
    a.add(national(2020, "范文网", DocumentKind::kTemplate));
  }
  std::filesystem::path path() const { return dir_ / "a.db"; }

  // Runs SQL on the archive file directly, as damage would.
  void damage(const std::string& sql, int expected_changes = 1) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
    EXPECT_EQ(sqlite3_changes(db), expected_changes) << sql;
    sqlite3_close(db);
  }

  std::vector<std::string> problems() {
    const Archive a = Archive::open(path(), Archive::Mode::kReadOnly);
    return a.verify().problems;
  }

  static bool any_contains(const std::vector<std::string>& lines, const std::string& part) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
  }
  static std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
  }

  TempDir dir_;
};

TEST_F(Verify, ASoundArchiveWithCappedFingerprintsPasses) {
  const Archive a = Archive::open(path(), Archive::Mode::kReadOnly);
  const ArchiveCheck check = a.verify();
  EXPECT_TRUE(check.ok()) << joined(check.problems);
  EXPECT_EQ(check.documents, 11);
  EXPECT_EQ(check.postings, a.stats().postings);
  // The cap was reached: some fingerprints of this archive rightly lack postings.
  const auto shared = a.widely_shared_fingerprints(2, 64);
  EXPECT_TRUE(std::any_of(shared.begin(), shared.end(), [](const SharedFingerprint& fp) { return fp.documents >= 4; }));
}

TEST_F(Verify, AMissingPostingIsNamedWithItsDocument) {
  // The last record of the first blob holding document 3's postings.
  damage("UPDATE postings SET entries = substr(entries, 1, length(entries) - 11) WHERE bucket = "
         "(SELECT bucket FROM postings WHERE length(entries) = 11 * 1 AND "
         "substr(entries, 4, 4) = x'03000000' LIMIT 1)");
  const auto p = problems();
  ASSERT_FALSE(p.empty());
  EXPECT_TRUE(any_contains(p, "document 3:") && any_contains(p, "fingerprint postings missing")) << joined(p);
}

TEST_F(Verify, APostingMovedToAnotherFingerprintIsFound) {
  // Same document, same count, another tag: only the keys differ.
  damage("UPDATE postings SET entries = x'ABCDEF' || substr(entries, 4) WHERE bucket = "
         "(SELECT bucket FROM postings WHERE length(entries) = 11 AND substr(entries, 4, 4) = x'05000000' LIMIT 1)");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "document 5:")) << joined(p);
  EXPECT_TRUE(any_contains(p, "under keys none of its fingerprints has")) << joined(p);
}

TEST_F(Verify, ADuplicatedPostingIsCountedAgainstTheSketch) {
  damage("UPDATE postings SET entries = entries || entries WHERE bucket = "
         "(SELECT bucket FROM postings WHERE length(entries) = 11 AND substr(entries, 4, 4) = x'02000000' LIMIT 1)");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "document 2:") && any_contains(p, "posting entries, its sketch has")) << joined(p);
}

TEST_F(Verify, APostingWithTheWrongAgencyIsNamed) {
  damage("UPDATE postings SET entries = substr(entries, 1, 7) || x'63000000' WHERE bucket = "
         "(SELECT bucket FROM postings WHERE length(entries) = 11 AND substr(entries, 4, 4) = x'01000000' LIMIT 1)");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "document 1 with agency 99, expected")) << joined(p);
}

TEST_F(Verify, APostingOfADocumentThatDoesNotExistIsNamed) {
  damage("UPDATE postings SET entries = substr(entries, 1, 3) || x'E8030000' || substr(entries, 8) WHERE bucket = "
         "(SELECT bucket FROM postings WHERE length(entries) = 11 LIMIT 1)");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "names document 1000, which does not exist")) << joined(p);
}

TEST_F(Verify, ADocumentMissingFromAnLshBucketIsNamed) {
  damage("DELETE FROM lsh_buckets WHERE key = (SELECT key FROM lsh_buckets WHERE doc_ids = x'07000000' LIMIT 1)");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "document 7: missing from 1 of its")) << joined(p);
}

TEST_F(Verify, AnLshEntryRepeatedIsCountedAgainstTheBandKeys) {
  damage("UPDATE lsh_buckets SET doc_ids = doc_ids || x'04000000' WHERE key = "
         "(SELECT key FROM lsh_buckets WHERE doc_ids = x'04000000' LIMIT 1)");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "document 4: in") && any_contains(p, "LSH bucket entries, its sketch has")) << joined(p);
}

TEST_F(Verify, AChangedSketchRowIsNamed) {
  damage("UPDATE sketches SET simhash = simhash + 1 WHERE doc_id = 6");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "document 6: stored SimHash differs from its text's")) << joined(p);
}

TEST_F(Verify, TheTemplateIsHeldToItsOwnEntriesToo) {
  damage("DELETE FROM lsh_buckets WHERE key = (SELECT key FROM lsh_buckets WHERE doc_ids = x'0B000000' LIMIT 1)");
  const auto p = problems();
  EXPECT_TRUE(any_contains(p, "document 11: missing from 1 of its")) << joined(p);
}

}  // namespace
}  // namespace leitong::testing
