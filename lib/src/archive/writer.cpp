// Writing: adding documents one at a time or in groups, and the index entries a group writes
// when it commits.
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <zstd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <system_error>

#include "detail/archive_impl.h"

namespace leitong {

using detail::append_le;
using detail::BlobLayout;
using detail::now_iso8601;
using detail::read_le;
using detail::Statement;

namespace {

// The page cache of a connection that groups adds (set_batch_size > 1), in KiB; SQLite's default
// (2,000 KiB) otherwise.
constexpr long kGroupCacheKiB = 64 * 1024;

// One zstd frame (level 3) with the content size and a checksum of the content in its header and
// trailer, so that a damaged text is refused on reading instead of decoding to other text.
// The context is kept per thread: making one for every document (allocating and clearing its
// tables) cost about as much as compressing a report.
std::vector<std::uint8_t> compress_text(const std::string& utf8, const std::string& file_name) {
  thread_local std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(nullptr, ZSTD_freeCCtx);
  if (!cctx) {
    cctx.reset(ZSTD_createCCtx());
    if (!cctx) throw_error("{}: compression failed: out of memory", file_name);
  }
  // Parameters are set for every frame: a failed compression may leave the context mid-frame.
  ZSTD_CCtx_reset(cctx.get(), ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  // Compressed into a buffer kept per thread, then copied at its size: a vector sized for the
  // worst case and cut down keeps its whole capacity, about the text's size, for as long as the
  // document waits in a bulk load's window.
  thread_local std::vector<std::uint8_t> bound;
  bound.resize(std::max(bound.size(), ZSTD_compressBound(utf8.size())));
  const std::size_t csize = ZSTD_compress2(cctx.get(), bound.data(), bound.size(), utf8.data(), utf8.size());
  if (ZSTD_isError(csize))
    throw_error("{}: compression failed: {}", file_name, ZSTD_getErrorName(csize));
  std::vector<std::uint8_t> compressed(bound.begin(), bound.begin() + static_cast<std::ptrdiff_t>(csize));
  if (bound.capacity() > (std::size_t(1) << 20)) std::vector<std::uint8_t>().swap(bound);  // not kept for a long text
  return compressed;
}

// What the archive cannot hold: a document without an agency, or one too short to have a shingle.
void refuse_unarchivable(const DocumentInfo& info, const std::string& canonical_agency_name, const Sketch& sketch) {
  if (canonical_agency_name.empty()) throw_error("{}: agency name is empty", info.file);
  if (sketch.shingles.empty())
    throw_error("{}: too short to compare (fewer than {} characters after normalization)", info.file,
                sketch.params.shingle.n);
}

}  // namespace

namespace detail {

LogCopier::LogCopier(const std::string& path) {
  if (open_database(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX) != SQLITE_OK) {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close_v2(db_);
    throw_error("{}: cannot open a second connection: {}", path, reason);
  }
  sqlite3_busy_timeout(db_, 30000);
  try {
    thread_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    sqlite3_close_v2(db_);
    throw_error("{}: cannot start the thread that copies the log: {}", path, e.what());
  }
}

LogCopier::~LogCopier() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  sqlite3_close_v2(db_);
}

void LogCopier::request() {
  {
    std::lock_guard lock(mutex_);
    requested_ = true;
  }
  cv_.notify_all();
}

void LogCopier::wait_idle() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [this] { return (!requested_ && !busy_) || stop_; });
}

void LogCopier::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    cv_.wait(lock, [this] { return requested_ || stop_; });
    if (stop_) return;
    requested_ = false;
    busy_ = true;
    lock.unlock();
    // Passive: copies what no reader still needs, never waits, never blocks the writer. A failure
    // leaves the log as it was (the next copy, or the writer's own at close, tries again).
    sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

}  // namespace detail

Archive::Impl::~Impl() {
  if (db) {
    // Documents of an open group are complete (a failed add rolled back its own savepoint):
    // commit them with their index entries, or, if those cannot be written, none of them.
    // Best effort; flush() is where a failure can be reported.
    if (group_open) {
      bool written = true;
      try {
        write_pending_index();
      } catch (...) {
        written = false;
      }
      sqlite3_exec(db, written ? "COMMIT" : "ROLLBACK", nullptr, nullptr, nullptr);
    }
    log_copier.reset();  // the writer, the last connection, copies the rest as it closes
    for (auto& [sql, stmt] : statement_cache) sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
  }
}

// SQLite rolls a whole transaction back on its own after some errors (disk full, I/O error, out
// of memory): then the open group is gone. Says so, naming how many documents it held, and
// resets the group. `cause` is the error that ended it, if known.
void Archive::Impl::throw_if_group_lost(const std::string& cause) {
  if (!group_open || !sqlite3_get_autocommit(db)) return;
  const int documents = pending;
  group_open = false;
  pending = 0;
  pending_saturated.clear();
  clear_pending_index();
  throw ArchiveWriteError(fmt::format(
      "{}: the open group of {} document{} added before this one was rolled back by SQLite{}{}; "
      "the archive holds what it held before them; add them again",
      name, documents, documents == 1 ? "" : "s", cause.empty() ? "" : " after: ", cause));
}

void Archive::Impl::commit_group() {
  if (!group_open) return;
  const int documents = pending;
  group_open = false;
  pending = 0;
  std::string failure;
  try {
    write_pending_index();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  char* err = nullptr;
  if (!failure.empty() || sqlite3_exec(db, "COMMIT", nullptr, nullptr, &err) != SQLITE_OK) {
    std::string message = !failure.empty() ? failure : err ? err : "unknown error";
    sqlite3_free(err);
    clear_pending_index();
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    pending_saturated.clear();
    throw ArchiveWriteError(fmt::format(
        "{}: the last {} document{} added could not be committed ({}); the archive holds "
        "what it held before them; add them again",
        name, documents, documents == 1 ? "" : "s", message));
  }
  saturated.insert(pending_saturated.begin(), pending_saturated.end());
  pending_saturated.clear();
  merge_runs_if_many();
  if (log_copier) {
    // SQLite starts the log over only when a write begins after all of it was copied into the
    // archive, and the next group begins at once: a passive copy on the side never catches up and
    // the log would grow for the whole run. Past a bound the writer copies it itself and waits
    // for readers to leave the log, so that the next group starts it over.
    if (static_cast<std::int64_t>(log_frames) * page_bytes >= log_restart_bytes) {
      log_copier->wait_idle();
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
      log_frames = 0;
    } else {
      log_copier->request();
    }
  }
}

// After a commit that made the eighth run: the runs merged in a transaction of their own. A
// failure leaves them (reads merge them as they go); the next group then merges them in its own
// transaction.
void Archive::Impl::merge_runs_if_many() {
  if (!run_appended) return;
  run_appended = false;
  try {  // what was committed stays committed whatever happens here
    if (posting_run_ids().size() >= kMaxPostingRuns) merge_runs_alone();
  } catch (const std::exception&) {
  }
}

// Every run merged into `postings`, in a transaction of its own.
void Archive::Impl::merge_runs_alone() {
  try {
    exec("BEGIN IMMEDIATE");
  } catch (const Error& e) {
    throw ArchiveWriteError(e.what());
  }
  try {
    merge_posting_runs(posting_run_ids());
    exec("COMMIT");
  } catch (const std::exception& e) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    pending_saturated.clear();
    throw ArchiveWriteError(fmt::format("{}: the index's posting runs could not be merged ({}); the merge left the archive as it was", name, e.what()));
  }
  saturated.insert(pending_saturated.begin(), pending_saturated.end());
  pending_saturated.clear();
}

void Archive::Impl::clear_pending_index() {
  pending_postings.clear();
  pending_lsh.clear();
}

// Writes the pending index entries into their blobs (inside the open transaction). A fingerprint
// at posting_cap postings takes no more; its key is recorded as saturated when the group commits.
// If that fails inside an open group (a read on the writer's connection asked for it), the group
// is rolled back: its documents must not be committed with part of their index.
void Archive::Impl::write_pending_index() {
  if (pending_lsh.empty() && pending_postings.empty()) return;
  try {
    write_pending_index_entries();
  } catch (const std::exception& e) {
    clear_pending_index();
    if (!group_open) throw;  // the caller rolls back
    const int documents = pending;
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    group_open = false;
    pending = 0;
    pending_saturated.clear();
    throw ArchiveWriteError(fmt::format(
        "{}: the index entries of the open group of {} document{} could not be written ({}); "
        "the group was rolled back and the archive holds what it held before them; add them again",
        name, documents, documents == 1 ? "" : "s", e.what()));
  }
}

void Archive::Impl::write_pending_index_entries() {
  // SQLite may have rolled the transaction back on its own (I/O error, disk full): written now,
  // each blob would commit by itself, naming documents that no longer exist.
  if (sqlite3_get_autocommit(db))
    throw_error("{}: the transaction holding these documents was rolled back", name);
  std::vector<std::uint8_t> blob;
  // Stable sorts keep add order within a key: the order one add at a time appends in.
  std::stable_sort(pending_lsh.begin(), pending_lsh.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  {
    // A bucket's ids are appended to it by SQLite itself, one statement per bucket: most band keys
    // are new, and a look-up before each write was as costly as the write. The concatenation is
    // cast back to a blob (|| makes text of it; the bytes are unchanged in a UTF-8 database).
    Statement append = cached(
        "INSERT INTO lsh_buckets(key, doc_ids) VALUES (?1, ?2) "
        "ON CONFLICT(key) DO UPDATE SET doc_ids = CAST(doc_ids || ?2 AS BLOB)");
    for (std::size_t i = 0; i < pending_lsh.size();) {
      const std::int64_t key = pending_lsh[i].first;
      blob.clear();
      for (; i < pending_lsh.size() && pending_lsh[i].first == key; ++i)
        append_le<std::uint32_t>(blob, pending_lsh[i].second);
      append.bind(1, key).bind_blob(2, blob.data(), blob.size()).run();
    }
  }
  sort_pending_postings();
  // In a format-4 archive a large group (one that touches a good part of the buckets) appends its
  // postings as a run: a write in key order at the end of posting_runs. So does any group while
  // runs are waiting (their postings come before its own). Otherwise each touched bucket's blob is
  // read and rewritten once, as in earlier formats, and so are the runs' buckets when there are
  // already kMaxPostingRuns (their merge after the commit that made the last one failed).
  const std::vector<std::uint32_t> runs = posting_run_ids();
  const bool large = pending_postings.size() * kRunGroupShare >= (std::size_t(1) << params.posting_bucket_bits);
  if (!pending_postings.empty() && has_posting_runs() && (large || !runs.empty()) &&
      runs.size() < kMaxPostingRuns && (runs.empty() || runs.back() < kMaxPostingRunId)) {
    append_posting_run(runs.empty() ? 1 : runs.back() + 1);
    run_appended = true;
  } else {
    merge_posting_runs(runs);
  }
  clear_pending_index();
}

// A fingerprint at posting_cap postings takes no more: the k-th new posting of a fingerprint (in
// add order) finds the stored ones and the k - 1 before it, and is refused from the cap on, as
// adding one at a time would refuse it; its key is recorded as saturated when the group commits.
void Archive::Impl::write_posting_bucket(std::uint32_t bucket, std::span<const PendingPosting> added) {
  const auto cap = static_cast<std::size_t>(params.posting_cap);
  auto key_of_posting = [](const PendingPosting& p) { return (std::uint64_t(p.bucket) << 32) | p.tag; };
  if (cap && std::all_of(added.begin(), added.end(),
                         [&](const PendingPosting& p) { return saturated.count(key_of_posting(p)) > 0; }))
    return;  // nothing to add: the blob is not even read
  Statement read = cached("SELECT entries FROM postings WHERE bucket = ?");
  Statement write = cached("INSERT OR REPLACE INTO postings(bucket, entries) VALUES (?, ?)");
  std::vector<std::uint8_t>& blob = posting_blob_scratch;
  read.bind(1, static_cast<std::int64_t>(bucket));
  blob.clear();
  if (read.step()) {
    auto b = read.column_blob(0);
    blob.assign(b.begin(), b.end());
  }
  read.reset();
  const std::size_t stored = blob.size();
  std::vector<char> refused(added.size(), 0);  // per new posting: at the cap
  // No fingerprint can pass the cap when the whole bucket holds no more postings than the cap: the
  // usual case, where sorting the new postings by fingerprint cost a merge of runs a tenth of its CPU.
  if (cap && stored / layout.posting_bytes() + added.size() > cap) {
    std::vector<std::size_t> by_tag(added.size());  // tag, then add order
    for (std::size_t k = 0; k < by_tag.size(); ++k) by_tag[k] = k;
    std::stable_sort(by_tag.begin(), by_tag.end(),
                     [&](std::size_t a, std::size_t b) { return added[a].tag < added[b].tag; });
    for (std::size_t k = 0; k < by_tag.size();) {
      const PendingPosting& p = added[by_tag[k]];
      std::size_t held = count_tag(std::span(blob.data(), stored), p.tag);
      bool recorded = false;
      for (; k < by_tag.size() && added[by_tag[k]].tag == p.tag; ++k) {
        if (held < cap) {
          ++held;
          continue;
        }
        refused[by_tag[k]] = 1;
        if (!recorded) pending_saturated.push_back(key_of_posting(p));
        recorded = true;
      }
    }
  }
  for (std::size_t k = 0; k < added.size(); ++k)
    if (!refused[k]) layout.append_posting(blob, added[k].tag, added[k].doc, added[k].agency);
  if (blob.size() == stored) return;
  write.bind(1, static_cast<std::int64_t>(bucket)).bind_blob(2, blob.data(), blob.size()).run();
}

// Orders the pending postings by bucket, keeping add order within a bucket (a stable sort): by
// counting, one pass to count and one to place, where a comparison sort of a large group's
// millions of entries took seconds.
void Archive::Impl::sort_pending_postings() {
  const std::size_t buckets = std::size_t(1) << params.posting_bucket_bits;
  if (params.posting_bucket_bits > 24 || pending_postings.size() < buckets / 16) {
    std::stable_sort(pending_postings.begin(), pending_postings.end(),
                     [](const PendingPosting& a, const PendingPosting& b) { return a.bucket < b.bucket; });
    return;
  }
  std::vector<std::uint32_t> start(buckets + 1, 0);
  for (const PendingPosting& p : pending_postings) ++start[p.bucket + 1];
  for (std::size_t b = 1; b <= buckets; ++b) start[b] += start[b - 1];
  // Placed into the buffer the last group sorted from, and the two swapped: both keep their
  // capacity from group to group, where a new buffer each time (and the queue grown again from
  // the sorted one's size) cost a large group's writer about a tenth of its time in copies and
  // first touches of fresh pages.
  std::vector<PendingPosting>& sorted = pending_postings_sorted;
  sorted.resize(pending_postings.size());
  for (const PendingPosting& p : pending_postings) sorted[start[p.bucket]++] = p;
  pending_postings.swap(sorted);
  sorted.clear();
}

namespace {

// What a prepared document holds besides its sketch: the hash and the compressed copy of the text,
// both made from its UTF-8 form, made once.
void file_text(const Document& document, PreparedDocument& out) {
  out.info = document.info;
  const std::string utf8 = encode_utf8(document.text);
  out.content_hash = content_hash_of_utf8(utf8);
  out.chars = document.text.size();
  out.text_zstd = compress_text(utf8, document.info.file);
}

}  // namespace

PreparedDocument prepare_document(const Document& document, const SketchParams& params) {
  PreparedDocument out;
  out.sketch = make_sketch(document.text, params);
  refuse_unarchivable(document.info, canonical_agency(document.info.agency), out.sketch);
  file_text(document, out);
  return out;
}

namespace {

// What add() writes of a sketch, taken from `full`: its parameters, MinHash and SimHash, the
// fingerprints as add() posts them (sorted where the document is prepared rather than on the
// writer's thread, which a bulk load waits on) and the first shingle hash (so that the document
// still reads as long enough to compare). `full` keeps its normalized text and shingle hashes.
Sketch index_part(Sketch& full) {
  Sketch out;
  out.params = full.params;
  out.minhash = std::move(full.minhash);
  out.simhash = full.simhash;
  if (!full.shingles.empty()) out.shingles.assign(1, full.shingles.front());
  out.fingerprints = detail::posted_fingerprints(std::move(full.fingerprints));
  return out;
}

}  // namespace

void shrink_to_index(PreparedDocument& document) { document.sketch = index_part(document.sketch); }

std::optional<PreparedDocument> prepare_for_bulk_add(Document& document, const SketchParams& params) {
  // What prepare_document and shrink_to_index make, without their passing allocations: the
  // normalized text and the shingle hashes are made in buffers this thread keeps from one document
  // to the next (make_sketch_into), and only what the window holds is allocated. A buffer grown
  // past a long report's size is given back after use.
  constexpr std::size_t kKeptChars = std::size_t(1) << 18;
  thread_local Sketch scratch;
  std::optional<PreparedDocument> prepared;
  try {
    make_sketch_into(document.text, params, scratch);
    refuse_unarchivable(document.info, canonical_agency(document.info.agency), scratch);
    PreparedDocument out;
    out.sketch = index_part(scratch);
    file_text(document, out);
    prepared = std::move(out);
  } catch (const Error&) {
  }
  if (scratch.normalized.chars.capacity() > kKeptChars) scratch = Sketch{};
  if (!prepared) return std::nullopt;
  std::u32string().swap(document.text);
  return prepared;
}

std::vector<std::int64_t> Archive::ids_with_content_hash(const std::string& content_hash) const {
  Statement s = impl_->cached("SELECT id FROM documents WHERE content_hash = ?");
  s.bind(1, content_hash);
  std::vector<std::int64_t> ids;
  while (s.step()) ids.push_back(s.column_int(0));
  return ids;
}

namespace {

// Archives made before forms allow only 'report' and 'template' in documents.kind. The first form
// widens that CHECK constraint in place, by the procedure SQLite documents for a constraint change
// that leaves the stored rows valid (writable_schema, then a new schema_version so that every
// connection reads the schema again), and adds the index of forms. Runs inside the add's
// transaction: a rollback undoes it.
void allow_forms(const Archive::Impl& d) {
  Statement schema = d.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'documents'");
  if (!schema.step()) throw_error("{}: the documents table is missing", d.name);
  const std::string sql = schema.column_text(0);
  schema.reset();
  const std::string older = "CHECK (kind IN ('report', 'template'))";
  if (sql.find(older) != std::string::npos) {
    std::string widened = sql;
    widened.replace(widened.find(older), older.size(), "CHECK (kind IN ('report', 'template', 'form'))");
    Statement version = d.prepare("PRAGMA schema_version");
    version.step();
    const std::int64_t schema_version = version.column_int(0);
    version.reset();
    d.exec("PRAGMA writable_schema = ON");
    try {
      d.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'documents'").bind(1, widened).run();
      d.exec(fmt::format("PRAGMA schema_version = {}", schema_version + 1).c_str());
    } catch (...) {
      sqlite3_exec(d.db, "PRAGMA writable_schema = OFF", nullptr, nullptr, nullptr);
      throw;
    }
    d.exec("PRAGMA writable_schema = OFF");
  } else if (sql.find("'form'") == std::string::npos) {
    throw_error("{}: this archive's documents table does not allow forms", d.name);
  }
  d.exec("CREATE INDEX IF NOT EXISTS documents_forms ON documents(id) WHERE kind = 'form'");
}

}  // namespace

AddOutcome Archive::add(const Document& document) {
  if (impl_->mode != Mode::kReadWrite) throw_error("{}: archive opened read-only", impl_->name);
  return add(prepare_document(document, impl_->params.sketch));
}

AddOutcome Archive::add(const PreparedDocument& document) {
  Impl& d = *impl_;
  if (d.mode != Mode::kReadWrite) throw_error("{}: archive opened read-only", d.name);
  const std::string agency = canonical_agency(document.info.agency);
  const Sketch& sketch = document.sketch;
  if (const std::string difference = describe_difference(d.params.sketch, sketch.params);
      !difference.empty())
    throw_error("{}: sketched with other parameters than the archive {} ({}, archive vs document)",
                document.info.file, d.name, difference);
  // A PreparedDocument may be made by hand: the refusals of prepare_document hold here too.
  refuse_unarchivable(document.info, agency, sketch);
  const std::string& hash = document.content_hash;
  const std::vector<std::uint8_t>& compressed = document.text_zstd;

  // One transaction per document, or, when batching, a savepoint inside the group's transaction:
  // either way this document goes in whole or not at all.
  const bool grouped = d.batch_size > 1;
  std::optional<std::pair<std::size_t, std::size_t>>
      queued_from;  // pending sizes before this document queued
  try {
    if (grouped) {
      d.throw_if_group_lost("");
      if (!d.group_open) {
        d.exec("BEGIN IMMEDIATE");
        d.group_open = true;
      }
      d.exec("SAVEPOINT add_document");
    } else {
      d.exec("BEGIN IMMEDIATE");
    }
  } catch (const ArchiveWriteError&) {
    throw;
  } catch (const Error& e) {
    throw ArchiveWriteError(e.what());  // locked past the busy timeout, read-only, I/O
  }
  auto undo = [&] {
    if (grouped) {
      sqlite3_exec(d.db, "ROLLBACK TO add_document", nullptr, nullptr, nullptr);
      sqlite3_exec(d.db, "RELEASE add_document", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  };
  try {
    if (document.info.kind == DocumentKind::kForm) allow_forms(d);
    const std::int64_t agency_id = d.agency_id(agency, true);
    {
      Statement existing = d.cached(
          "SELECT id FROM documents WHERE agency_id = ? AND year = ? AND content_hash = ?");
      existing.bind(1, agency_id).bind(2, document.info.year).bind(3, hash);
      if (existing.step()) {
        const std::int64_t id = existing.column_int(0);
        existing.reset();
        undo();  // may have created nothing but the agency row, which a rollback drops
        return {false, id};
      }
    }
    Statement insert = d.cached(
        "INSERT INTO documents(agency_id, year, kind, file, content_hash, chars, added_at) VALUES "
        "(?,?,?,?,?,?,?)");
    insert.bind(1, agency_id)
        .bind(2, document.info.year)
        .bind(3, kind_name(document.info.kind))
        .bind(4, document.info.file)
        .bind(5, hash)
        .bind(6, static_cast<std::int64_t>(document.chars))
        .bind(7, now_iso8601())
        .run();
    const std::int64_t id = sqlite3_last_insert_rowid(d.db);
    if (id > std::int64_t(UINT32_MAX))
      throw_error("{}: archive is full (document ids exceed 32 bits)", d.name);
    d.cached("INSERT INTO texts(doc_id, utf8_zstd) VALUES (?, ?)")
        .bind(1, id)
        .bind_blob(2, compressed.data(), compressed.size())
        .run();

    const std::vector<Fingerprint> fps = detail::posted_fingerprints(sketch);
    const std::vector<std::uint8_t> signature = d.layout.encode_signature(sketch.minhash);
    d.cached("INSERT INTO sketches(doc_id, minhash, simhash, fingerprints) VALUES (?, ?, ?, ?)")
        .bind(1, id)
        .bind_blob(2, signature.data(), signature.size())
        .bind(3, static_cast<std::int64_t>(sketch.simhash))
        .bind(4, static_cast<std::int64_t>(fps.size()))
        .run();

    // Its index entries are queued and written, sorted by key, just before the transaction
    // commits (Impl::write_pending_index), so that a group writes each blob once.
    const std::uint32_t posting_agency =
        document.info.kind == DocumentKind::kReport ? static_cast<std::uint32_t>(agency_id) : 0;
    const auto queue_index = [&] {
      for (std::uint64_t key : detail::filed_band_keys(sketch, d.params.lsh))
        d.pending_lsh.emplace_back(static_cast<std::int64_t>(key), static_cast<std::uint32_t>(id));
      for (const Fingerprint& fp : fps)
        d.pending_postings.push_back({d.bucket_of(fp.hash), d.tag_of(fp.hash),
                                      static_cast<std::uint32_t>(id), posting_agency});
    };
    if (grouped) {
      queued_from = {d.pending_lsh.size(), d.pending_postings.size()};
      queue_index();  // a failure here or in the release takes the entries back out (catch below)
      d.exec("RELEASE add_document");
      queued_from.reset();
      if (++d.pending >= d.batch_size) d.commit_group();
    } else {
      queue_index();
      d.write_pending_index();
      d.exec("COMMIT");
      d.saturated.insert(d.pending_saturated.begin(), d.pending_saturated.end());
      d.pending_saturated.clear();
      d.merge_runs_if_many();
    }
    return {true, id};
  } catch (const std::exception& e) {
    if (queued_from) {  // this document's entries, queued before its savepoint was released
      d.pending_lsh.resize(std::min(d.pending_lsh.size(), queued_from->first));
      d.pending_postings.resize(std::min(d.pending_postings.size(), queued_from->second));
    }
    if (grouped) d.throw_if_group_lost(e.what());
    if (!grouped) {
      d.clear_pending_index();
      d.pending_saturated.clear();
    }
    if (d.group_open || !grouped) undo();
    // Nothing in the transaction depends on the document itself (prepare_document and the checks
    // above have refused what it could): a failure here is the archive's.
    if (dynamic_cast<const ArchiveWriteError*>(&e)) throw;
    throw ArchiveWriteError(e.what());
  }
}

std::size_t Archive::uncommitted() const {
  return impl_->group_open ? static_cast<std::size_t>(impl_->pending) : 0;
}

void Archive::set_batch_size(int documents, std::int64_t log_restart_bytes) {
  if (documents < 1) throw_error("batch size must be 1 or more, not {}", documents);
  if (log_restart_bytes < 0) throw_error("log restart size must be 0 or more, not {}", log_restart_bytes);
  impl_->log_restart_bytes = log_restart_bytes;
  if (documents == 1 || impl_->pending >= documents) impl_->commit_group();
  impl_->batch_size = documents;
  // A group rewrites most posting blobs in key order (format 4: when runs are merged) and looks
  // documents up by content hash at random: with SQLite's default cache (2 MB) its pages were read again and again from the log
  // and spilled into it before the commit. A larger page cache for grouped adds (memory, not
  // durability: what is committed and how is unchanged).
  // The log is copied into the archive file on another thread while the next group is written
  // (detail::LogCopier); SQLite's own copy after each commit when not grouped.
  if (impl_->mode == Mode::kReadWrite) {
    impl_->exec(fmt::format("PRAGMA cache_size = -{}", documents > 1 ? kGroupCacheKiB : 2000).c_str());
    // A grouped add is a savepoint: SQLite copies each page it first changes into a sub-journal,
    // kept in memory up to 64 KiB and otherwise in a temporary file, written a system call at a
    // time and kept until the group commits. In memory, each add's copies are dropped when it ends.
    impl_->exec(documents > 1 ? "PRAGMA temp_store = MEMORY" : "PRAGMA temp_store = DEFAULT");
    if (documents > 1 && !impl_->log_copier) {
      try {
        impl_->log_copier = std::make_unique<detail::LogCopier>(impl_->name);
        impl_->exec("PRAGMA wal_autocheckpoint = 0");
        // Frames in the log after each commit (the hook SQLite's own copying used, now free).
        sqlite3_wal_hook(
            impl_->db,
            [](void* impl, sqlite3*, const char*, int frames) {
              static_cast<Impl*>(impl)->log_frames = frames;
              return SQLITE_OK;
            },
            impl_.get());
        {
          detail::Statement page = impl_->prepare("PRAGMA page_size");
          impl_->page_bytes = page.step() ? page.column_int(0) : 4096;
        }
      } catch (const Error&) {
        impl_->log_copier.reset();
      }
    } else if (documents == 1 && impl_->log_copier) {
      impl_->log_copier.reset();
      impl_->exec("PRAGMA wal_autocheckpoint = 1000");  // SQLite's own hook again
      impl_->log_frames = 0;
    }
  }
}

void Archive::flush() { impl_->commit_group(); }

bool Archive::merge_index_runs() {
  if (impl_->mode != Mode::kReadWrite) throw_error("{}: opened read-only, cannot merge", impl_->name);
  impl_->commit_group();
  if (impl_->posting_run_ids().empty()) return false;
  impl_->merge_runs_alone();
  return true;
}

bool Archive::checkpoint() {
  if (impl_->mode != Mode::kReadWrite) throw_error("{}: opened read-only, cannot checkpoint", impl_->name);
  impl_->commit_group();
  if (impl_->log_copier) impl_->log_copier->wait_idle();
  const int rc = sqlite3_wal_checkpoint_v2(impl_->db, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return false;
  if (rc != SQLITE_OK) throw ArchiveWriteError(fmt::format("{}: {}", impl_->name, detail::sqlite_error(impl_->db)));
  return true;
}

std::int64_t Archive::log_bytes() const {
  std::error_code ec;
  auto wal = impl_->path;
  wal += "-wal";
  const auto size = std::filesystem::file_size(wal, ec);
  return ec ? 0 : static_cast<std::int64_t>(size);
}

}  // namespace leitong
