// Tests for adding prepared documents (archive.h: prepare_document, Archive::add): the work done
// outside the write transaction gives the same archive as add(Document), a document prepared with
// other parameters is refused, and the "built with other parameters" refusal is one message.
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>

#include <future>
#include <optional>
#include <string>
#include <vector>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return {};
}

std::vector<Document> reports() {
  std::vector<Document> out;
  out.push_back({{0, "luohu-2024.txt", "深圳市罗湖区民政局", 2024, DocumentKind::kReport},
                 read_corpus_text("reports/luohu-minzheng-2024.txt")});
  out.push_back({{0, "shapingba-2024.txt", "重庆市沙坪坝区民政局", 2024, DocumentKind::kReport},
                 read_corpus_text("reports/shapingba-minzheng-2024.txt")});
  out.push_back({{0, "luohu-2025.txt", "深圳市罗湖区民政局", 2025, DocumentKind::kReport},
                 read_corpus_text("cases/luohu-minzheng-2025.txt")});
  return out;
}

// Prepared on other threads and added afterwards: every table holds the same rows as adding the
// documents directly.
TEST(PrepareDocument, PreparedElsewhereGivesTheSameArchive) {
  TempDir dir;
  const std::vector<Document> docs = reports();
  {
    Archive direct = Archive::open(dir / "direct.db", Archive::Mode::kReadWrite);
    for (const Document& d : docs) EXPECT_TRUE(direct.add(d).added);
  }
  {
    Archive prepared = Archive::open(dir / "prepared.db", Archive::Mode::kReadWrite);
    std::vector<std::future<PreparedDocument>> jobs;
    for (const Document& d : docs)
      jobs.push_back(std::async(std::launch::async, [&d, sketch = prepared.params().sketch] {
        return prepare_document(d, sketch);
      }));
    for (auto& job : jobs) EXPECT_TRUE(prepared.add(job.get()).added);
    EXPECT_TRUE(prepared.verify().ok());
  }
  for (const char* sql :
       {"SELECT id, agency_id, year, kind, file, content_hash, chars FROM documents ORDER BY id",
        "SELECT doc_id, hex(utf8_zstd) FROM texts ORDER BY doc_id",
        "SELECT doc_id, hex(minhash), simhash, fingerprints FROM sketches ORDER BY doc_id",
        "SELECT key, hex(doc_ids) FROM lsh_buckets ORDER BY key",
        "SELECT bucket, hex(entries) FROM postings ORDER BY bucket"})
    EXPECT_EQ(sqlite_rows(dir / "direct.db", sql), sqlite_rows(dir / "prepared.db", sql)) << sql;
}

TEST(PrepareDocument, SketchedWithOtherParametersIsRefused) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  SketchParams other = archive.params().sketch;
  other.shingle.n = 6;
  const PreparedDocument prepared = prepare_document(reports()[0], other);
  const std::string message = error_of([&] { archive.add(prepared); });
  EXPECT_NE(message.find("luohu-2024.txt"), std::string::npos) << message;
  EXPECT_NE(message.find("shingle size 5 vs 6"), std::string::npos) << message;
  EXPECT_EQ(archive.document_count(), 0);
}

TEST(PrepareDocument, RefusalsNameTheFile) {
  Document empty_agency = reports()[0];
  empty_agency.info.agency = "  ";
  EXPECT_EQ(error_of([&] { prepare_document(empty_agency, {}); }),
            "luohu-2024.txt: agency name is empty");
  const Document too_short{{0, "short.txt", "深圳市罗湖区民政局", 2024, DocumentKind::kReport},
                           U"报告"};
  EXPECT_EQ(error_of([&] { prepare_document(too_short, {}); }),
            "short.txt: too short to compare (fewer than 5 characters after normalization)");
}

// prepare_for_bulk_add makes its sketches in buffers its thread keeps: document after document —
// longer, shorter, one refused in between — it holds what prepare_document and shrink_to_index
// make, nothing left of the one before.
TEST(PrepareDocument, ForABulkLoadItIsThePreparedFormShrunkWhateverCameBefore) {
  std::vector<Document> docs = reports();
  docs.push_back({{0, "short.txt", "深圳市罗湖区民政局", 2024, DocumentKind::kReport}, U"报告"});
  Document shorter = docs[1];
  shorter.info.file = "shorter.txt";
  shorter.text.resize(shorter.text.size() / 7);
  docs.push_back(shorter);
  docs.push_back(docs[0]);
  ASSERT_GT(docs[0].text.size(), docs[4].text.size());
  for (Document d : docs) {
    SCOPED_TRACE(d.info.file);
    const Document whole = d;
    std::optional<PreparedDocument> bulk = prepare_for_bulk_add(d, {});
    if (whole.info.file == "short.txt") {
      EXPECT_FALSE(bulk);
      EXPECT_EQ(d.text, whole.text);  // left whole: add() says why
      continue;
    }
    ASSERT_TRUE(bulk);
    EXPECT_TRUE(d.text.empty());
    PreparedDocument expected = prepare_document(whole, {});
    shrink_to_index(expected);
    EXPECT_EQ(bulk->info.file, expected.info.file);
    EXPECT_EQ(bulk->content_hash, expected.content_hash);
    EXPECT_EQ(bulk->chars, expected.chars);
    EXPECT_EQ(bulk->text_zstd, expected.text_zstd);
    EXPECT_EQ(bulk->sketch.params, expected.sketch.params);
    EXPECT_EQ(bulk->sketch.normalized.chars, expected.sketch.normalized.chars);
    EXPECT_EQ(bulk->sketch.shingles, expected.sketch.shingles);
    EXPECT_EQ(bulk->sketch.minhash, expected.sketch.minhash);
    EXPECT_EQ(bulk->sketch.simhash, expected.sketch.simhash);
    EXPECT_EQ(bulk->sketch.fingerprints, expected.sketch.fingerprints);
  }
}

// A sketch made into one reused again and again is the sketch made anew.
TEST(PrepareDocument, SketchMadeIntoAReusedOneIsTheSameAsANewOne) {
  Sketch reused;
  std::vector<Document> docs = reports();
  docs.push_back(docs[0]);
  for (const Document& d : docs) {
    make_sketch_into(d.text, {}, reused);
    const Sketch fresh = make_sketch(d.text, {});
    EXPECT_EQ(reused.normalized.chars, fresh.normalized.chars);
    EXPECT_EQ(reused.normalized.begin, fresh.normalized.begin);
    EXPECT_EQ(reused.normalized.end, fresh.normalized.end);
    EXPECT_EQ(reused.shingles, fresh.shingles);
    EXPECT_EQ(reused.minhash, fresh.minhash);
    EXPECT_EQ(reused.simhash, fresh.simhash);
    EXPECT_EQ(reused.fingerprints, fresh.fingerprints);
  }
}

TEST(PrepareDocument, ThePreparedFormIsWhatTheArchiveStores) {
  const Document d = reports()[0];
  const PreparedDocument p = prepare_document(d, {});
  EXPECT_EQ(p.content_hash, content_hash(d.text));
  EXPECT_EQ(p.chars, d.text.size());
  EXPECT_EQ(p.sketch.params, SketchParams{});
  EXPECT_FALSE(p.sketch.fingerprints.empty());
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  const std::int64_t id = archive.add(p).id;
  EXPECT_EQ(archive.text(id), d.text);
  EXPECT_EQ(archive.info(id).file, "luohu-2024.txt");
}

TEST(RequireParams, OneMessageForEveryDifference) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  EXPECT_NO_THROW(archive.require_params(ArchiveParams{}));
  ArchiveParams requested;
  requested.sketch.shingle.n = 8;
  EXPECT_EQ(error_of([&] { archive.require_params(requested); }),
            (dir / "a.db").string() +
                ": archive was built with other parameters (shingle size 5 vs 8, archive vs "
                "requested); use a "
                "new archive for these parameters");
  // The posting cap is the archive's storage policy, not a parameter a caller can ask for.
  requested = {};
  requested.posting_cap = 7;
  EXPECT_NO_THROW(archive.require_params(requested));
  requested.lsh = {16, 8};
  EXPECT_NE(error_of([&] { archive.require_params(requested); }).find("LSH 32x4 vs 16x8"),
            std::string::npos);
}

}  // namespace
}  // namespace leitong::testing
