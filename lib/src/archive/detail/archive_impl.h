// The archive's internals shared by its sources (format.cpp, writer.cpp, postings.cpp, reads.cpp,
// verify.cpp, agencies.cpp):
// the blob layouts of each format version, the connection state (Archive::Impl); the scratch
// arrays of fingerprint look-ups are in hit_scratch.h. docs/format.md describes the format itself.
#pragma once

#include <leitong/archive/archive.h>
#include <leitong/core/detail/mix.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "../../detail/sqlite.h"
#include "hit_scratch.h"

namespace leitong::detail {

// The current time as 2026-12-02T22:38:06Z, for the meta and documents rows.
std::string now_iso8601();

template <typename T>
void append_le(std::vector<std::uint8_t>& out, T value) {
  const auto at = out.size();
  out.resize(at + sizeof(T));
  std::memcpy(out.data() + at, &value, sizeof(T));
}

template <typename T>
T read_le(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// What a document posts: each distinct fingerprint hash once, ordered by hash. add() writes these
// and verify() expects exactly these, so both use this one definition.
// A bulk load's prepared documents hold them so already (shrink_to_index, on its workers).
inline std::vector<Fingerprint> posted_fingerprints(std::vector<Fingerprint> fps) {
  const auto not_before = [](const Fingerprint& a, const Fingerprint& b) { return a.hash >= b.hash; };
  if (std::adjacent_find(fps.begin(), fps.end(), not_before) == fps.end()) return fps;
  std::sort(fps.begin(), fps.end(), [](const Fingerprint& a, const Fingerprint& b) { return a.hash < b.hash; });
  fps.erase(std::unique(fps.begin(), fps.end(),
                        [](const Fingerprint& a, const Fingerprint& b) { return a.hash == b.hash; }),
            fps.end());
  return fps;
}
inline std::vector<Fingerprint> posted_fingerprints(const Sketch& sketch) { return posted_fingerprints(sketch.fingerprints); }

// The LSH buckets a document is filed under: each distinct band key once, sorted.
inline std::vector<std::uint64_t> filed_band_keys(const Sketch& sketch, const LshParams& lsh) {
  std::vector<std::uint64_t> keys = lsh_band_keys(sketch.minhash, lsh);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// How a format version lays out its blobs (docs/format.md). A posting is the fingerprint's tag
// (its bits after the bucket prefix), the document and the agency of a report (0 for templates,
// which boilerplate does not count); a signature keeps the low bits of each MinHash value.
struct BlobLayout {
  std::size_t tag_bytes;  // version 1: 4, versions 2 and 3: 3
  int signature_bits;     // version 1: 32, versions 2 and 3: 8 (b-bit minwise hashing)
  bool mixed_keys;        // version 3: postings filed under the mixed fingerprint hash

  static BlobLayout of_version(std::int64_t version) {
    return version == 1 ? BlobLayout{4, 32, false} : BlobLayout{3, 8, version >= 3};
  }
  std::size_t posting_bytes() const { return tag_bytes + 8; }
  std::size_t signature_value_bytes() const { return signature_bits == 32 ? 4 : 1; }

  std::uint32_t read_tag(const std::uint8_t* at) const {
    return tag_bytes == 4
               ? read_le<std::uint32_t>(at)
               : std::uint32_t(at[0]) | std::uint32_t(at[1]) << 8 | std::uint32_t(at[2]) << 16;
  }
  std::uint32_t read_doc(const std::uint8_t* posting) const {
    return read_le<std::uint32_t>(posting + tag_bytes);
  }
  std::uint32_t read_agency(const std::uint8_t* posting) const {
    return read_le<std::uint32_t>(posting + tag_bytes + 4);
  }
  void append_posting(std::vector<std::uint8_t>& blob, std::uint32_t tag, std::uint32_t doc,
                      std::uint32_t agency) const {
    for (std::size_t i = 0; i < tag_bytes; ++i)
      blob.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
    append_le<std::uint32_t>(blob, doc);
    append_le<std::uint32_t>(blob, agency);
  }

  std::vector<std::uint8_t> encode_signature(const MinHashSignature& signature) const {
    std::vector<std::uint8_t> out;
    out.reserve(signature.size() * signature_value_bytes());
    for (std::uint32_t v : signature) {
      if (signature_bits == 32)
        append_le<std::uint32_t>(out, v);
      else
        out.push_back(static_cast<std::uint8_t>(v));
    }
    return out;
  }
  // The stored values, widened back to 32 bits (their low signature_bits bits).
  MinHashSignature decode_signature(std::span<const std::uint8_t> blob) const {
    MinHashSignature out(blob.size() / signature_value_bytes());
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = signature_bits == 32 ? read_le<std::uint32_t>(blob.data() + 4 * i) : blob[i];
    return out;
  }
};

// What a check needs of a fingerprint that holds posting_cap postings (see fingerprint_hits).
struct SaturatedFingerprint {
  static constexpr std::size_t kHolders = 64;  // first holders kept, one per agency
  // Memory a connection gives its summaries (cleared when over): a summary takes up to about 4.6 KB
  // (posting_cap 1024), so about 3,500 of them.
  static constexpr std::size_t kBudgetBytes = std::size_t(16) << 20;
  std::vector<std::uint32_t> agencies;  // distinct agencies of reports holding it, sorted
  std::vector<std::pair<std::uint32_t, std::uint32_t>>
      holders;  // (document, agency), posting order
  std::size_t bytes() const {
    return sizeof(*this) + 64 /* map node */ + agencies.capacity() * sizeof(std::uint32_t) +
           holders.capacity() * sizeof(holders[0]);
  }
};
// Copies a writer's write-ahead log into the archive file (a passive checkpoint) on a thread and
// connection of its own, so that a bulk load's next group is prepared and written meanwhile instead
// of waiting for the copy: what SQLite does itself after a commit (wal_autocheckpoint) otherwise.
// The log is sound whatever happens to the copy (a crash during it, a failure): what is committed
// is in the log until copied, so durability is SQLite's as before.
class LogCopier {
 public:
  // Opens the second connection; throws Error if it cannot (the writer then lets SQLite copy).
  explicit LogCopier(const std::string& path);
  ~LogCopier();  // finishes a copy in progress, closes its connection
  LogCopier(const LogCopier&) = delete;
  LogCopier& operator=(const LogCopier&) = delete;
  void request();    // copy what is committed, soon (returns at once)
  void wait_idle();  // until no copy is in progress or requested

 private:
  void run();
  sqlite3* db_ = nullptr;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool requested_ = false, busy_ = false, stop_ = false;
  std::thread thread_;
};

// Every bucket holding postings, in bucket order, as readers see it: its blob in `postings`, then
// its blob in each posting run (format 4), past-the-cap postings of the runs left out.
class PostingScan {
 public:
  explicit PostingScan(const Archive::Impl& d);
  bool next();  // to the next bucket; false after the last
  std::int64_t bucket() const { return bucket_; }  // as stored (a damaged row may be out of range)
  std::span<const std::uint8_t> entries() const { return blob_; }
  // The bytes of the `postings` row, before the runs' (as stored: not always whole postings).
  std::size_t stored_bytes() const { return stored_bytes_; }
  bool has_stored_row() const { return has_stored_row_; }  // (a bucket may be in runs alone)

 private:
  struct Source {
    Statement rows;  // (key, entries) in key order: `postings` first, then each run
    bool live = false;
    std::int64_t bucket = 0;
  };
  void advance(std::size_t source);
  const Archive::Impl& d_;
  std::vector<Source> sources_;
  std::vector<std::uint8_t> blob_;
  std::int64_t bucket_ = 0;
  std::size_t stored_bytes_ = 0;
  bool has_stored_row_ = false;
};

// Reads rows ahead of a reader, on read-only connections of its own, each on a thread: a disk
// serves random reads side by side far faster than one after the other (4 KB at random, page
// cache dropped: 80 µs a read from one thread, 27 µs from eight). It only brings pages into the
// page cache; the reader still reads every row itself, in its own snapshot. Its connections see
// committed data only (not a writer's open group) and fail silently: it is an optimization,
// nothing else.
class ReadAhead {
 public:
  static constexpr std::size_t kMaxStatements = 2;
  struct Row {
    std::uint8_t statement;  // index into the statements
    std::int64_t key;        // bound to its one parameter
  };
  // `rows` in the order the reader reads them: each connection steps the next one not taken.
  ReadAhead(const Archive::Impl& d, std::vector<const char*> statements, std::vector<Row> rows, int connections);
  ~ReadAhead();  // joins (the rows not taken are dropped when an exception is on its way)
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

 private:
  void stop(bool early);  // joins, and adds the rows stepped to the archive's count
  void fetch(const std::string& target) noexcept;
  const std::vector<const char*> statements_;
  const std::vector<Row> rows_;
  std::int64_t& total_;
  const int uncaught_at_start_;
  std::atomic<std::size_t> next_{0};
  std::atomic<std::int64_t> stepped_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace leitong::detail

namespace leitong {

struct Archive::Impl {
  std::filesystem::path path;
  std::string name;  // path as text, for messages
  sqlite3* db = nullptr;
  ArchiveParams params;
  Mode mode = Mode::kReadOnly;
  bool immutable = false;  // read as immutable: the file or its folder cannot be written
  std::string target;      // what the connection was opened with (a URI when immutable)
  int read_ahead_connections = 0;  // Archive::set_read_ahead
  Archive::ReadAheadStart read_ahead_start = Archive::ReadAheadStart::kOnSlowReads;
  mutable std::int64_t rows_read_ahead = 0;  // Archive::rows_read_ahead
  std::int64_t version = kArchiveSchemaVersion;
  detail::BlobLayout layout = detail::BlobLayout::of_version(kArchiveSchemaVersion);
  // Fingerprint keys seen holding posting_cap postings: they never take more, so an add skips
  // reading their blobs (a cap once reached stays reached; only committed data is recorded).
  std::unordered_set<std::uint64_t> saturated;
  // Bulk loading (Archive::set_batch_size): adds grouped batch_size to a transaction.
  int batch_size = 1;
  int pending = 0;                               // documents added in the open group
  bool group_open = false;                       // a group transaction is open
  std::vector<std::uint64_t> pending_saturated;  // recorded in `saturated` when the group commits
  // Index entries of the documents added in the open transaction, in add order, written just
  // before it commits (write_pending_index): sorted by key there, each LSH bucket and posting
  // blob is read and rewritten once per group (format 4: or appended to as a run), in key order, instead of once per document at
  // random. Written blobs are byte for byte what one add at a time writes.
  struct PendingPosting {
    std::uint32_t bucket, tag, doc, agency;
  };
  std::vector<PendingPosting> pending_postings;
  std::vector<PendingPosting> pending_postings_sorted;  // sort_pending_postings' buffer, kept
  std::vector<std::pair<std::int64_t, std::uint32_t>> pending_lsh;  // (band key, document)
  std::vector<std::uint8_t> posting_blob_scratch;  // write_posting_bucket's
  // While adds are grouped: copies the log after each group commits (set_batch_size).
  std::unique_ptr<detail::LogCopier> log_copier;
  // With the copier: the log's frames after the last commit (sqlite3_wal_hook) and the page size;
  // a commit past log_restart_bytes waits for the copy, so that the next group starts the log over.
  std::int64_t log_restart_bytes = Archive::kDefaultLogRestartBytes;
  int log_frames = 0;
  std::int64_t page_bytes = 4096;

  // Statements run once per document looked up (info, text, signature): prepared once per
  // connection. Keyed by the SQL literal's address; finalized before the connection closes.
  mutable std::unordered_map<const char*, sqlite3_stmt*> statement_cache;
  detail::HitScratch hit_scratch;
  std::unordered_map<std::uint64_t, detail::SaturatedFingerprint>
      saturated_summaries;  // by fingerprint key
  std::size_t saturated_summary_bytes = 0;

  ~Impl();

  // Writing (writer.cpp). SQLite rolls a whole transaction back on its own after some errors
  // (disk full, I/O error, out of memory): throw_if_group_lost says so, naming how many documents
  // the group held, and resets it; `cause` is the error that ended it, if known.
  void throw_if_group_lost(const std::string& cause);
  // Commits the open group with its index entries; on failure rolls it back and throws Error.
  void commit_group();
  void merge_runs_if_many();  // after a commit; a failure is left for the next group
  void merge_runs_alone();    // every run, in a transaction of its own; throws ArchiveWriteError
  void clear_pending_index();
  // Writes the pending index entries into their blobs (inside the open transaction). A
  // fingerprint at posting_cap postings takes no more; its key is recorded as saturated when the
  // group commits. If that fails inside an open group (a read on the writer's connection asked
  // for it), the group is rolled back: its documents must not be committed with part of their
  // index.
  // A format-4 archive takes a large group's postings, or any while runs wait, as a new run
  // (unless it holds kMaxPostingRuns already); its fingerprints found at the cap are then known
  // only when the runs are merged.
  void write_pending_index();
  void write_pending_index_entries();
  void sort_pending_postings();  // by bucket, add order kept within one
  // Appends one bucket's new postings (in add order) to its blob in `postings`, up to the cap.
  void write_posting_bucket(std::uint32_t bucket, std::span<const PendingPosting> added);

  // Posting runs (postings.cpp; format 4): each run's postings are keyed (run << 32) | bucket in
  // the posting_runs table, so that a group appends them in key order instead of rewriting the
  // blob of nearly every bucket.
  static constexpr std::size_t kMaxPostingRuns = 8;  // then merged: a look-up reads at most 1 + 8
  // A group with at least 1/kRunGroupShare as many postings as there are buckets is written as a
  // run (2^20 buckets: 65,536 postings, about 420 reports); smaller ones rewrite what they touch.
  static constexpr std::size_t kRunGroupShare = 16;
  bool run_appended = false;  // by the transaction being committed
  static constexpr std::uint32_t kMaxPostingRunId = 0x7FFFFFFF;  // keys stay positive
  bool has_posting_runs() const { return version >= 4; }
  std::vector<std::uint32_t> posting_run_ids() const;  // in order; empty before format 4
  void append_posting_run(std::uint32_t run);           // the pending postings, sorted by bucket
  // Merges `runs` and then the pending postings into `postings`, and deletes the runs; a part of
  // the buckets at a time (1 / kMergeParts), each part's run rows deleted before the next.
  static constexpr std::uint64_t kMergeParts = 16;
  void merge_posting_runs(std::span<const std::uint32_t> runs);
  // Whether a call that has made `reads_done` reads since `began` starts reading ahead
  // (set_read_ahead): on slow reads, after a few that took longer than `cached_read` each, as
  // reads that wait for the disk do (a random read per page, 80 µs here).
  bool read_ahead_due(std::size_t reads_done, std::chrono::steady_clock::time_point began,
                      std::chrono::microseconds cached_read) const;
  // Starts reading ahead what fingerprint_hits reads of these buckets (postings and runs), and
  // what info() and text() read of these documents.
  void read_ahead_buckets(std::optional<detail::ReadAhead>& ahead, std::span<const std::uint32_t> buckets,
                          std::span<const std::uint32_t> runs) const;
  void read_ahead_documents(std::optional<detail::ReadAhead>& ahead, std::span<const std::int64_t> ids) const;
  // One bucket's postings as readers see them (PostingScan's, for one bucket).
  void read_posting_bucket(std::uint32_t bucket, std::span<const std::uint32_t> runs,
                           std::vector<std::uint8_t>& blob) const;
  // Leaves out the postings after `merged_bytes` whose fingerprint already holds posting_cap.
  void trim_past_cap(std::vector<std::uint8_t>& blob, std::size_t merged_bytes) const;

  detail::Statement prepare(std::string_view sql) const { return detail::Statement(db, sql, name); }
  // `sql` is a string literal (its address is the key; an array reference keeps c_str() out). Not
  // for statements that may be nested in themselves.
  template <std::size_t N>
  detail::Statement cached(const char (&sql)[N]) const {
    sqlite3_stmt*& stmt = statement_cache[sql];
    if (!stmt &&
        sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      stmt = nullptr;
      statement_cache.erase(sql);
      throw_error("{}: {}", name, detail::sqlite_error(db));
    }
    return detail::Statement::borrow(db, stmt, name);
  }
  void exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      sqlite3_free(err);
      throw_error("{}: {}", name, detail::sqlite_error(db));
    }
  }

  // The bits a fingerprint is filed under. A winnowed fingerprint is the minimum of `window`
  // hashes, so its top bits are mostly zero: versions 1 and 2 took bucket and tag from them as they
  // are, which left most buckets empty (1,025,000 synthetic documents: 288,304 of 2^20 buckets held
  // postings); version 3 mixes the hash first (a bijection), which spreads them (986,307).
  std::uint64_t posting_hash(std::uint64_t fp) const {
    return layout.mixed_keys ? detail::mix64(fp) : fp;
  }
  std::uint32_t bucket_of(std::uint64_t fp) const {
    return std::uint32_t(posting_hash(fp) >> (64 - params.posting_bucket_bits));
  }
  // The 8 · tag_bytes bits right after the bucket prefix.
  std::uint32_t tag_of(std::uint64_t fp) const {
    const auto tag_bits = static_cast<int>(8 * layout.tag_bytes);
    const std::uint64_t rest = posting_hash(fp) >> (64 - params.posting_bucket_bits - tag_bits);
    return static_cast<std::uint32_t>(tag_bits == 32 ? rest
                                                     : rest & ((std::uint64_t(1) << tag_bits) - 1));
  }
  // Postings of one fingerprint (its tag) in a bucket's blob.
  std::size_t count_tag(std::span<const std::uint8_t> blob, std::uint32_t tag) const {
    std::size_t n = 0;
    const std::size_t step = layout.posting_bytes();
    for (std::size_t at = 0; at + step <= blob.size(); at += step)
      n += layout.read_tag(blob.data() + at) == tag;
    return n;
  }
  std::uint64_t key_of(std::uint64_t fp) const {
    return (std::uint64_t(bucket_of(fp)) << 32) | tag_of(fp);
  }

  std::int64_t agency_id(const std::string& canonical, bool create) {
    detail::Statement find = cached("SELECT id FROM agencies WHERE name = ?");
    find.bind(1, canonical);
    if (find.step()) return find.column_int(0);
    if (!create) return 0;
    detail::Statement insert = cached("INSERT INTO agencies(name) VALUES (?)");  // a load may file 10^5 agencies
    insert.bind(1, canonical).run();
    return sqlite3_last_insert_rowid(db);
  }
};

}  // namespace leitong
