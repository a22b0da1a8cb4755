// The bulk add pipeline: documents are read and prepared on worker threads in a bounded window
// (core/ordered_pipeline.h) and written in input order. The ordered map hands results over in
// order, keeps its window within its caps and passes failures on in their turn; `leitong add`
// built that way gives the archive one file at a time gives — the same documents, ids, postings
// and signatures — and prints its lines, refusals included, in input order.
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/ordered_pipeline.h>
#include <leitong/extract/extract.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "support/cli.h"
#include "support/corpus.h"

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;

// A little work of uneven length, so that later items often finish before earlier ones.
void jitter(std::size_t i) {
  std::this_thread::sleep_for(std::chrono::microseconds((i * 7919) % 13 * 50));
}

TEST(OrderedPipeline, ConsumesEveryResultInInputOrder) {
  for (const int threads : {0, 1, 2, 4}) {
    std::vector<std::size_t> seen;
    PipelineLimits limits;
    limits.threads = threads;
    limits.max_items = 5;
    const PipelineStats stats = ordered_parallel_map<std::size_t>(
        200, [](std::size_t) { return std::size_t(1); },
        [](std::size_t i) {
          jitter(i);
          return i * i;
        },
        [&](std::size_t i, std::size_t&& r) {
          EXPECT_EQ(r, i * i);
          seen.push_back(i);
          return true;
        },
        limits);
    ASSERT_EQ(seen.size(), 200u) << threads << " threads";
    for (std::size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);
    EXPECT_EQ(stats.consumed, 200u);
    EXPECT_LE(stats.peak_items, 5u);
  }
}

// With a byte cap smaller than any item the window holds one item at a time; with a cap of a few
// items, never more than the cap (items are let in only while they fit, the next one to consume
// always). Checked from the outside too: results made and not yet consumed.
TEST(OrderedPipeline, WindowStaysWithinItsByteAndItemCaps) {
  struct Case {
    std::size_t max_bytes, max_items, expect_peak_bytes;
  };
  const std::vector<std::size_t> costs = [] {
    std::vector<std::size_t> c;
    std::mt19937 rng(7);
    for (int i = 0; i < 300; ++i) c.push_back(10 + rng() % 90);
    return c;
  }();
  std::size_t largest = 0;
  for (const std::size_t c : costs) largest = std::max(largest, c);
  for (const Case& k :
       {Case{1, 100, largest}, Case{250, 100, 250}, Case{1000000, 3, 3 * largest}}) {
    std::atomic<std::size_t> made{0}, consumed{0}, max_unconsumed_bytes{0};
    std::mutex mutex;
    std::size_t unconsumed_bytes = 0;
    PipelineLimits limits;
    limits.threads = 3;
    limits.max_bytes = k.max_bytes;
    limits.max_items = k.max_items;
    const PipelineStats stats = ordered_parallel_map<std::vector<char>>(
        costs.size(), [&](std::size_t i) { return costs[i]; },
        [&](std::size_t i) {
          jitter(i);
          std::lock_guard lock(mutex);
          unconsumed_bytes += costs[i];
          max_unconsumed_bytes = std::max<std::size_t>(max_unconsumed_bytes, unconsumed_bytes);
          ++made;
          return std::vector<char>(costs[i]);
        },
        [&](std::size_t i, std::vector<char>&& r) {
          EXPECT_EQ(r.size(), costs[i]);
          std::lock_guard lock(mutex);
          unconsumed_bytes -= costs[i];
          ++consumed;
          return true;
        },
        limits);
    EXPECT_EQ(made.load(), costs.size());
    EXPECT_EQ(consumed.load(), costs.size());
    EXPECT_LE(stats.peak_bytes, k.expect_peak_bytes) << "cap " << k.max_bytes;
    EXPECT_LE(max_unconsumed_bytes.load(), stats.peak_bytes);
    EXPECT_LE(stats.peak_items, k.max_items);
    if (k.max_bytes == 1) {
      EXPECT_EQ(stats.peak_items, 1u);  // one at a time
    }
    if (k.max_items == 3) {
      EXPECT_GE(stats.peak_items, 2u);  // the workers did run ahead
    }
  }
}

// Costs settled once each item is worked (what its result holds), each estimated at 1 before: the
// window still stays within its byte cap, give or take what the items being worked hold, one per
// thread (the caller's included). The consumer is slow, so that the workers would fill 100 items
// counted by their estimates alone (about 5,500 bytes).
TEST(OrderedPipeline, CostsSettledAfterTheWorkKeepTheWindowWithinItsByteCap) {
  std::vector<std::size_t> sizes;
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) sizes.push_back(10 + rng() % 90);
  const std::size_t largest = *std::max_element(sizes.begin(), sizes.end());
  std::mutex mutex;
  std::size_t unconsumed_bytes = 0, max_unconsumed_bytes = 0, settled = 0;
  PipelineLimits limits;
  limits.threads = 3;
  limits.max_items = 100;
  limits.max_bytes = 250;
  const PipelineStats stats = ordered_parallel_map<std::vector<char>>(
      sizes.size(), [](std::size_t) { return std::size_t(1); },
      [&](std::size_t i) {
        jitter(i);
        std::lock_guard lock(mutex);
        unconsumed_bytes += sizes[i];
        max_unconsumed_bytes = std::max(max_unconsumed_bytes, unconsumed_bytes);
        return std::vector<char>(sizes[i]);
      },
      [&](std::size_t i, std::vector<char>&& r) {
        EXPECT_EQ(r.size(), sizes[i]);
        std::this_thread::sleep_for(std::chrono::microseconds(300));
        std::lock_guard lock(mutex);
        unconsumed_bytes -= sizes[i];
        return true;
      },
      limits,
      [&](std::size_t i, const std::vector<char>& r) {
        EXPECT_EQ(r.size(), sizes[i]);
        std::lock_guard lock(mutex);
        ++settled;
        return r.size();
      });
  EXPECT_EQ(stats.consumed, sizes.size());
  EXPECT_EQ(settled, sizes.size());
  const std::size_t bound = limits.max_bytes + (limits.threads + 1) * largest;
  EXPECT_LE(max_unconsumed_bytes, bound);
  EXPECT_LE(stats.peak_bytes, bound);
  EXPECT_GE(stats.peak_items, 2u);  // the workers did run ahead
}

TEST(OrderedPipeline, AFailedItemIsRethrownInItsTurnAndAStopStopsEarly) {
  std::vector<std::size_t> seen;
  PipelineLimits limits;
  limits.threads = 2;
  limits.max_items = 8;
  EXPECT_THROW(ordered_parallel_map<int>(
                   100, [](std::size_t) { return std::size_t(1); },
                   [](std::size_t i) {
                     jitter(i);
                     if (i == 37) throw std::runtime_error("item 37");
                     return int(i);
                   },
                   [&](std::size_t i, int&&) {
                     seen.push_back(i);
                     return true;
                   },
                   limits),
               std::runtime_error);
  ASSERT_EQ(seen.size(), 37u);  // 0..36, then the failure
  EXPECT_EQ(seen.back(), 36u);

  seen.clear();
  const PipelineStats stats = ordered_parallel_map<int>(
      100, [](std::size_t) { return std::size_t(1); }, [](std::size_t i) { return int(i); },
      [&](std::size_t i, int&&) {
        seen.push_back(i);
        return i < 10;
      },
      limits);
  EXPECT_EQ(seen.size(), 11u);
  EXPECT_EQ(stats.consumed, 11u);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Every table the archive holds, as rows of text (the time of each add aside).
const char* const kTables[] = {
    "SELECT id, name FROM agencies ORDER BY id",
    "SELECT id, agency_id, year, kind, file, content_hash, chars FROM documents ORDER BY id",
    "SELECT doc_id, hex(utf8_zstd) FROM texts ORDER BY doc_id",
    "SELECT doc_id, hex(minhash), simhash, fingerprints FROM sketches ORDER BY doc_id",
    "SELECT key, typeof(doc_ids), hex(doc_ids) FROM lsh_buckets ORDER BY key",
    "SELECT bucket, typeof(entries), hex(entries) FROM postings ORDER BY bucket",
};

// A small synthetic corpus (leitong synth) with a manifest, and in its middle a file too short to
// compare and one that is not text.
struct Corpus {
  TempDir dir;
  std::vector<std::string> paths;  // as the manifest names them, in its order
  fs::path manifest;
};

std::unique_ptr<Corpus> make_corpus() {
  auto c = std::make_unique<Corpus>();
  const CliResult synth =
      run_cli({"synth", "--agencies", "12", "--years", "3", "--seed", "5", "--corpora",
               corpora_dir().string(), "--out", (c->dir / "s").string(), "-q"},
              c->dir.path());
  EXPECT_EQ(synth.status, 0) << synth.err;
  write_file(c->dir / "s" / "short.txt", "报告。");
  write_file(c->dir / "s" / "binary.txt", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
  std::vector<std::string> rows = lines_of(read_bytes(c->dir / "s" / "manifest.csv"));
  const std::string header = rows.front();
  rows.erase(rows.begin());
  const std::string agency_year = rows[rows.size() / 2].substr(rows[rows.size() / 2].find(','));
  rows.insert(rows.begin() + std::ptrdiff_t(rows.size() / 2), "short.txt" + agency_year);
  rows.insert(rows.begin() + std::ptrdiff_t(rows.size() / 3), "binary.txt" + agency_year);
  std::string csv = header + "\n";
  for (const std::string& row : rows) {
    csv += row + "\n";
    c->paths.push_back(row.substr(0, row.find(',')));
  }
  c->manifest = c->dir / "s" / "manifest-with-refusals.csv";
  write_file(c->manifest, csv);
  return c;
}

// The same manifest added by the pipeline (`leitong add`, in groups and one per transaction) and
// by the library one file at a time (read_document, then Archive::add, one transaction each): the
// same rows in every table, `verify` passes, and `add` prints its lines in manifest order with the
// ids in that order, the two refusals among them.
TEST(BulkAdd, PipelineGivesTheArchiveOfOneFileAtATime) {
  const std::unique_ptr<Corpus> c = make_corpus();
  const fs::path s = c->dir / "s";
  {
    Archive sequential = Archive::open(c->dir / "sequential.db", Archive::Mode::kReadWrite);
    for (const std::string& line : lines_of(read_bytes(c->manifest))) {
      if (line.starts_with("path,")) continue;
      std::vector<std::string> f;
      std::istringstream in(line);
      for (std::string field; std::getline(in, field, ',');) f.push_back(field);
      try {
        const ReadDocument read = read_document(s / f[0], f[1], std::stoi(f[2]), *parse_kind(f[3]));
        sequential.add(read.document);
      } catch (const Error&) {  // the two refusals
      }
    }
  }
  for (const std::string batch : {"20000", "1", "7"}) {
    const std::string db = (c->dir / ("bulk-" + batch + ".db")).string();
    const CliResult r =
        run_cli({"add", "--archive", db, "--batch", batch, "--manifest", c->manifest.string()},
                c->dir.path());
    ASSERT_EQ(r.status, 1) << describe({"add"}, r);  // two refusals
    for (const char* sql : kTables)
      EXPECT_EQ(sqlite_rows(c->dir / "sequential.db", sql), sqlite_rows(db, sql))
          << "--batch " << batch << ": " << sql;
    const CliResult verify = run_cli({"verify", "--archive", db}, c->dir.path());
    EXPECT_EQ(verify.status, 0) << verify.out << verify.err;

    // stdout: one "added" line per document, in manifest order, ids 1, 2, 3, …; the refusals on
    // stderr name the two files.
    std::vector<std::string> added;
    for (const std::string& line : lines_of(r.out))
      if (line.starts_with("added ")) added.push_back(line);
    ASSERT_EQ(added.size(), c->paths.size() - 2);
    std::size_t k = 0;
    for (const std::string& path : c->paths) {
      if (path == "short.txt" || path == "binary.txt") continue;
      EXPECT_NE(added[k].find(path + " ("), std::string::npos) << added[k];
      EXPECT_TRUE(added[k].ends_with(" as #" + std::to_string(k + 1))) << added[k];
      ++k;
    }
    const std::vector<std::string> err = lines_of(r.err);
    ASSERT_EQ(err.size(), 2u) << r.err;
    EXPECT_NE(err[0].find("binary.txt: "), std::string::npos) << err[0];
    EXPECT_NE(err[1].find("short.txt: too short to compare"), std::string::npos) << err[1];

    // Re-run: nothing changes, every file is said unchanged, the same two refused.
    const CliResult again =
        run_cli({"add", "--archive", db, "--batch", batch, "--manifest", c->manifest.string()},
                c->dir.path());
    EXPECT_EQ(again.status, 1);
    EXPECT_NE(again.out.find(std::to_string(c->paths.size() - 2) + " already present, 2 refused"),
              std::string::npos)
        << again.out;
    for (const char* sql : kTables)
      EXPECT_EQ(sqlite_rows(c->dir / "sequential.db", sql), sqlite_rows(db, sql))
          << "re-run: " << sql;
  }
}

// Groups large enough for their postings to be ordered by counting, in an archive of few posting
// buckets and a small posting cap (so that fingerprints reach it within a group and across groups):
// the same rows as one document per transaction.
TEST(BulkAdd, LargeGroupsWriteTheIndexOfOneDocumentAtATime) {
  TempDir dir;
  std::vector<Document> docs;
  for (const char* folder : {"reports", "gov-work-reports"})
    for (const auto& entry : fs::directory_iterator(corpora_dir() / folder))
      if (entry.path().extension() == ".txt")
        docs.push_back(
            {{0, entry.path().filename().string(), "机构" + std::to_string(docs.size() % 5), 2024,
              DocumentKind::kReport},
             read_corpus_text(std::string(folder) + "/" + entry.path().filename().string())});
  std::sort(docs.begin(), docs.end(),
            [](const Document& a, const Document& b) { return a.info.file < b.info.file; });
  ASSERT_GE(docs.size(), 40u);
  ArchiveParams params;
  params.posting_bucket_bits = 8;
  params.posting_cap = 4;
  for (const int batch : {1, 25, 1000}) {
    Archive a = Archive::open(dir / ("b" + std::to_string(batch) + ".db"),
                              Archive::Mode::kReadWrite, params);
    a.set_batch_size(batch);
    for (const Document& d : docs) a.add(d);
    a.flush();
    EXPECT_TRUE(a.verify().ok());
    a.merge_index_runs();  // what `add` does when it ends: the posting runs merged, none left
    EXPECT_EQ(sqlite_scalar(dir / ("b" + std::to_string(batch) + ".db"), "SELECT count(*) FROM posting_runs"), 0);
  }
  for (const char* sql : kTables) {
    EXPECT_EQ(sqlite_rows(dir / "b1.db", sql), sqlite_rows(dir / "b25.db", sql)) << sql;
    EXPECT_EQ(sqlite_rows(dir / "b1.db", sql), sqlite_rows(dir / "b1000.db", sql)) << sql;
  }
  // The cap was reached: fewer postings (11 bytes each) than the documents' fingerprints.
  EXPECT_LT(sqlite_scalar(dir / "b1.db", "SELECT sum(length(entries)) / 11 FROM postings"),
            sqlite_scalar(dir / "b1.db", "SELECT sum(fingerprints) FROM sketches"));
}

// The checkpoint sequence number in the write-ahead log's header (big-endian, bytes 12–15):
// SQLite raises it each time the log starts over.
std::uint32_t log_generation(const fs::path& archive) {
  std::ifstream in(archive.string() + "-wal", std::ios::binary);
  unsigned char header[16] = {};
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return 0;
  return std::uint32_t(header[12]) << 24 | std::uint32_t(header[13]) << 16 | std::uint32_t(header[14]) << 8 |
         header[15];
}

// A grouped load copies the log on the side while the next group is written; that copy seldom
// finishes before the next group begins, and then the log cannot start over (it grew to 1.8 GB at
// 100,000 reports). A commit past log_restart_bytes waits for the copy and restarts the log: with
// the bound at 0, every group writes a new generation of the log instead of appending to it.
TEST(BulkAdd, ACommitPastTheLogBoundStartsTheLogOver) {
  TempDir dir;
  std::vector<Document> docs;
  for (const auto& entry : fs::directory_iterator(corpora_dir() / "gov-work-reports"))
    if (entry.path().extension() == ".txt")
      docs.push_back({{0, entry.path().filename().string(), "国务院", 2024, DocumentKind::kReport},
                      read_corpus_text("gov-work-reports/" + entry.path().filename().string())});
  std::sort(docs.begin(), docs.end(),
            [](const Document& a, const Document& b) { return a.info.file < b.info.file; });
  ASSERT_GE(docs.size(), 40u);
  docs.resize(40);
  constexpr int kBatch = 5;
  const fs::path db = dir / "a.db";
  Archive a = Archive::open(db, Archive::Mode::kReadWrite);
  a.set_batch_size(kBatch, 0);
  std::set<std::uint32_t> generations;
  for (const Document& d : docs) {
    a.add(d);
    generations.insert(log_generation(db));
  }
  a.flush();
  EXPECT_GE(generations.size(), docs.size() / kBatch);
  EXPECT_TRUE(a.verify().ok());
  EXPECT_EQ(a.documents().size(), docs.size());
  EXPECT_THROW(a.set_batch_size(kBatch, -1), Error);
}

// A document prepared and then compacted for the window writes the same rows as one that is not.
TEST(BulkAdd, ShrunkPreparedDocumentsWriteTheSameRows) {
  TempDir dir;
  const Document d{{0, "luohu-2024.txt", "深圳市罗湖区民政局", 2024, DocumentKind::kReport},
                   read_corpus_text("reports/luohu-minzheng-2024.txt")};
  {
    Archive whole = Archive::open(dir / "whole.db", Archive::Mode::kReadWrite);
    whole.add(prepare_document(d, whole.params().sketch));
    Archive shrunk = Archive::open(dir / "shrunk.db", Archive::Mode::kReadWrite);
    PreparedDocument p = prepare_document(d, shrunk.params().sketch);
    EXPECT_EQ(p.content_hash, content_hash(d.text));
    // What add() posts: each hash once, by hash.
    std::vector<Fingerprint> posted = p.sketch.fingerprints;
    const auto by_hash = [](const Fingerprint& a, const Fingerprint& b) { return a.hash < b.hash; };
    std::stable_sort(posted.begin(), posted.end(), by_hash);
    posted.erase(std::unique(posted.begin(), posted.end(),
                             [](const Fingerprint& a, const Fingerprint& b) { return a.hash == b.hash; }),
                 posted.end());
    ASSERT_LT(posted.size(), p.sketch.fingerprints.size());  // the report repeats some windows
    shrink_to_index(p);
    EXPECT_TRUE(p.sketch.normalized.chars.empty());
    EXPECT_EQ(p.sketch.shingles.size(), 1u);
    EXPECT_EQ(p.sketch.fingerprints.size(), posted.size());
    for (std::size_t i = 0; i < posted.size() && i < p.sketch.fingerprints.size(); ++i)
      EXPECT_EQ(p.sketch.fingerprints[i].hash, posted[i].hash) << i;
    EXPECT_EQ(shrunk.ids_with_content_hash(p.content_hash), std::vector<std::int64_t>{});
    const std::int64_t id = shrunk.add(p).id;
    EXPECT_EQ(shrunk.ids_with_content_hash(p.content_hash), std::vector<std::int64_t>{id});
    EXPECT_EQ(shrunk.ids_with_content(d.text), std::vector<std::int64_t>{id});
  }
  for (const char* sql : kTables)
    EXPECT_EQ(sqlite_rows(dir / "whole.db", sql), sqlite_rows(dir / "shrunk.db", sql)) << sql;
}

}  // namespace
}  // namespace leitong::testing
