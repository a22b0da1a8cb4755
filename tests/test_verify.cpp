// Archive::verify against damage done behind the archive's back: each kind of index damage is
// named for the document it hits, and sound archives (with and without a posting cap, templates,
// several formats of ids) pass. verify reads the index in one pass and looks a document up blob by
// blob only when its sums differ; these tests hold both halves to the messages.
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/text.h>

#include <leitong/core/detail/mix.h>
#include <leitong/core/sketch.h>

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
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

struct Db {
  sqlite3* db = nullptr;
  explicit Db(const std::filesystem::path& p) { sqlite3_open(p.c_str(), &db); }
  ~Db() { sqlite3_close(db); }
  std::map<std::int64_t, std::vector<std::uint8_t>> postings() {
    std::map<std::int64_t, std::vector<std::uint8_t>> out;
    sqlite3_stmt* s;
    sqlite3_prepare_v2(db, "SELECT bucket, entries FROM postings", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, 1));
      out[sqlite3_column_int64(s, 0)].assign(p, p + sqlite3_column_bytes(s, 1));
    }
    sqlite3_finalize(s);
    return out;
  }
  void put(std::int64_t b, const std::vector<std::uint8_t>& e) {
    sqlite3_stmt* s;
    sqlite3_prepare_v2(db, "UPDATE postings SET entries = ? WHERE bucket = ?", -1, &s, nullptr);
    sqlite3_bind_blob(s, 1, e.data(), (int)e.size(), SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, b);
    ASSERT_EQ(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
  }
};

std::uint32_t tag_at(const std::vector<std::uint8_t>& e, std::size_t at) {
  return e[at] | e[at + 1] << 8 | e[at + 2] << 16;
}

// Postings of one blob per fingerprint tag (11-byte entries).
std::map<std::uint32_t, int> postings_per_tag(const std::vector<std::uint8_t>& e) {
  std::map<std::uint32_t, int> per_tag;
  for (std::size_t at = 0; at + 11 <= e.size(); at += 11) ++per_tag[tag_at(e, at)];
  return per_tag;
}
std::uint32_t u32(const std::vector<std::uint8_t>& e, std::size_t at) {
  std::uint32_t v; std::memcpy(&v, e.data() + at, 4); return v;
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

TEST_F(Verify, EveryDuplicatedPostingUnderAFingerprintAtTheCapIsFound) {
  Db db(path());
  const auto blobs = db.postings();
  int tried = 0, missed = 0;
  for (const auto& [b, e] : blobs) {
    std::map<std::uint32_t, int> per_tag = postings_per_tag(e);
    for (std::size_t at = 0; at + 11 <= e.size(); at += 11) {
      if (per_tag[tag_at(e, at)] < 4) continue;
      auto damaged = e;
      damaged.insert(damaged.end(), e.begin() + at, e.begin() + at + 11);
      db.put(b, damaged);
      ++tried;
      const auto p = problems();
      if (p.empty()) {
        ++missed;
        if (missed <= 3) std::printf("missed: bucket %lld duplicated entry of doc %u\n", (long long)b, u32(e, at + 3));
      }
      db.put(b, e);
      if (tried >= 12) break;
    }
    if (tried >= 12) break;
  }
  std::printf("duplicated capped entries: %d tried, %d missed\n", tried, missed);
  EXPECT_EQ(missed, 0);
}

TEST_F(Verify, APostingAtTheCapMovedToAnotherReportOfTheAgencyIsFound) {
  std::map<std::uint32_t, std::set<std::uint64_t>> keys_of;  // doc -> keys of its fingerprints
  std::map<std::uint32_t, std::uint32_t> agency_of;
  {
    const Archive a = Archive::open(path(), Archive::Mode::kReadOnly);
    Db db(path());
    sqlite3_stmt* s;
    sqlite3_prepare_v2(db.db, "SELECT id, agency_id, kind FROM documents", -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) {
      const auto id = (std::uint32_t)sqlite3_column_int64(s, 0);
      agency_of[id] = std::string((const char*)sqlite3_column_text(s, 2)) == "report" ? (std::uint32_t)sqlite3_column_int64(s, 1) : 0;
      const Sketch sk = make_sketch(a.text(id), SketchParams{});
      for (const Fingerprint& f : sk.fingerprints) {
        const std::uint64_t h = detail::mix64(f.hash);
        keys_of[id].insert(((h >> 44) << 32) | ((h >> 20) & 0xFFFFFF));
      }
    }
    sqlite3_finalize(s);
  }
  Db db(path());
  const auto blobs = db.postings();
  int tried = 0, missed = 0;
  for (const auto& [b, e] : blobs) {
    std::map<std::uint32_t, int> per_tag = postings_per_tag(e);
    for (std::size_t at = 0; at + 11 <= e.size() && tried < 12; at += 11) {
      const std::uint32_t tag = tag_at(e, at);
      if (per_tag[tag] < 4) continue;
      const std::uint64_t key = (std::uint64_t(b) << 32) | tag;
      const std::uint32_t A = u32(e, at + 3);
      for (const auto& [C, agency] : agency_of) {
        if (C == A || agency != agency_of[A] || keys_of[C].count(key)) continue;
        auto damaged = e;
        std::memcpy(damaged.data() + at + 3, &C, 4);
        db.put(b, damaged);
        ++tried;
        if (problems().empty()) {
          ++missed;
          if (missed <= 3) std::printf("missed: bucket %lld entry of doc %u relabelled to doc %u\n", (long long)b, A, C);
        }
        db.put(b, e);
        break;
      }
    }
    if (tried >= 12) break;
  }
  std::printf("relabelled capped entries: %d tried, %d missed\n", tried, missed);
  EXPECT_EQ(missed, 0);
}


TEST_F(Verify, AMissingIndexTableIsAProblemNotAnException) {
  damage("DROP TABLE lsh_buckets", 0);
  std::vector<std::string> p;
  EXPECT_NO_THROW(p = problems());
  EXPECT_TRUE(any_contains(p, "lsh_buckets")) << joined(p);
}

// Distinct fingerprints of one document that share bucket and tag (buckets of 1 or 2 bits, so it
// happens for most of them), with and without a cap: sound, and verify says so.
TEST(VerifyCollisions, FingerprintsSharingBucketAndTagPass) {
  for (const auto& [cap, bits] : std::vector<std::pair<int, int>>{{0, 1}, {4, 1}, {1, 2}}) {
    TempDir dir;
    ArchiveParams params;
    params.posting_cap = cap;
    params.posting_bucket_bits = bits;
    {
      Archive a = Archive::open(dir / "a.db", Archive::Mode::kReadWrite, params);
      for (int year = 2010; year <= 2014; ++year) a.add(national(year, "国务院" + std::to_string(year % 2)));
    }
    const ArchiveCheck check = Archive::open(dir / "a.db", Archive::Mode::kReadOnly).verify();
    std::string all;
    for (const std::string& l : check.problems) all += l + "\n";
    EXPECT_TRUE(check.ok()) << "cap " << cap << ", bucket bits " << bits << ": " << all;
  }
}

}  // namespace
}  // namespace leitong::testing
