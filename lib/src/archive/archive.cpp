#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <map>
#include <memory>
#include <span>
#include <nlohmann/json.hpp>
#include <thread>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <leitong/core/detail/mix.h>
#include "detail/sqlite.h"

namespace leitong {

using detail::Statement;
using nlohmann::json;

namespace {

constexpr std::int64_t kApplicationId = 0x4C54474E;  // "LTGN"

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE agencies(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE documents(
  id INTEGER PRIMARY KEY,
  agency_id INTEGER NOT NULL REFERENCES agencies(id),
  year INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('report', 'template')),
  file TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  chars INTEGER NOT NULL,
  added_at TEXT NOT NULL,
  UNIQUE (agency_id, year, content_hash));
CREATE INDEX documents_by_hash ON documents(content_hash);
CREATE TABLE texts(doc_id INTEGER PRIMARY KEY REFERENCES documents(id), utf8_zstd BLOB NOT NULL);
CREATE TABLE sketches(doc_id INTEGER PRIMARY KEY REFERENCES documents(id),
  minhash BLOB NOT NULL, simhash INTEGER NOT NULL, fingerprints INTEGER NOT NULL);
CREATE TABLE lsh_buckets(key INTEGER PRIMARY KEY, doc_ids BLOB NOT NULL);
CREATE TABLE postings(bucket INTEGER PRIMARY KEY, entries BLOB NOT NULL);
)sql";

json params_to_json(const ArchiveParams& p) {
  const auto& n = p.sketch.normalize;
  return json{
      {"normalization_version", kNormalizationVersion},
      {"normalize",
       {{"nfkc", n.nfkc},
        {"fold_case", n.fold_case},
        {"canonical_punctuation", n.canonical_punctuation},
        {"drop_whitespace", n.drop_whitespace},
        {"mask_digits", n.mask_digits},
        {"traditional_to_simplified", n.traditional_to_simplified},
        {"mask_chinese_numerals", n.mask_chinese_numerals}}},
      {"shingle", {{"n", p.sketch.shingle.n}, {"seed", p.sketch.shingle.seed}}},
      {"minhash",
       {{"k", p.sketch.minhash.k},
        {"seed", p.sketch.minhash.seed},
        {"variant", minhash_variant_name(p.sketch.minhash.variant)}}},
      {"fingerprint", {{"window", p.sketch.fingerprint.window}}},
      {"lsh", {{"bands", p.lsh.bands}, {"rows", p.lsh.rows}}},
      {"posting_bucket_bits", p.posting_bucket_bits},
      {"posting_cap", p.posting_cap}};
}

ArchiveParams params_from_json(const json& j) {
  ArchiveParams p;
  const auto& n = j.at("normalize");
  p.sketch.normalize.nfkc = n.at("nfkc");
  p.sketch.normalize.fold_case = n.at("fold_case");
  p.sketch.normalize.canonical_punctuation = n.at("canonical_punctuation");
  p.sketch.normalize.drop_whitespace = n.at("drop_whitespace");
  p.sketch.normalize.mask_digits = n.at("mask_digits");
  // Switches added after the first archives: absent means the archive was built without them.
  p.sketch.normalize.traditional_to_simplified = n.value("traditional_to_simplified", false);
  p.sketch.normalize.mask_chinese_numerals = n.value("mask_chinese_numerals", false);
  p.sketch.shingle = {j.at("shingle").at("n"), j.at("shingle").at("seed")};
  p.sketch.minhash.k = j.at("minhash").at("k");
  p.sketch.minhash.seed = j.at("minhash").at("seed");
  const std::string variant = j.at("minhash").at("variant");
  const auto parsed_variant = parse_minhash_variant(variant);
  if (!parsed_variant) throw_error("unknown MinHash variant \"{}\" (made by a newer leitong?)", variant);
  p.sketch.minhash.variant = *parsed_variant;
  p.sketch.fingerprint.window = j.at("fingerprint").at("window");
  p.lsh = {j.at("lsh").at("bands"), j.at("lsh").at("rows")};
  p.posting_bucket_bits = j.at("posting_bucket_bits");
  p.posting_cap = j.value("posting_cap", 0);  // absent: made before the cap, unlimited
  return p;
}

std::string describe_archive_difference(const ArchiveParams& a, const ArchiveParams& b) {
  if (auto d = describe_difference(a.sketch, b.sketch); !d.empty()) return d;
  if (a.lsh != b.lsh)
    return fmt::format("LSH {}x{} vs {}x{}", a.lsh.bands, a.lsh.rows, b.lsh.bands, b.lsh.rows);
  if (a.posting_bucket_bits != b.posting_bucket_bits)
    return fmt::format("posting bucket bits {} vs {}", a.posting_bucket_bits,
                       b.posting_bucket_bits);
  return {};
}

void validate(const ArchiveParams& p) {
  if (p.sketch.shingle.n < 1 || p.sketch.shingle.n > 64)
    throw_error("shingle size must be in [1, 64], not {}", p.sketch.shingle.n);
  if (p.lsh.bands < 1 || p.lsh.rows < 1 || p.lsh.bands * p.lsh.rows > p.sketch.minhash.k)
    throw_error("LSH {}x{} needs at most k = {} MinHash values", p.lsh.bands, p.lsh.rows,
                p.sketch.minhash.k);
  if (p.posting_bucket_bits < 1 || p.posting_bucket_bits > 32)
    throw_error("posting bucket bits must be in [1, 32], not {}", p.posting_bucket_bits);
  if (p.posting_cap < 0) throw_error("posting cap must be 0 (none) or more, not {}", p.posting_cap);
}

std::string now_iso8601() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

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
std::vector<Fingerprint> posted_fingerprints(const Sketch& sketch) {
  std::vector<Fingerprint> fps = sketch.fingerprints;
  std::sort(fps.begin(), fps.end(), [](const Fingerprint& a, const Fingerprint& b) { return a.hash < b.hash; });
  fps.erase(std::unique(fps.begin(), fps.end(),
                        [](const Fingerprint& a, const Fingerprint& b) { return a.hash == b.hash; }),
            fps.end());
  return fps;
}

// The LSH buckets a document is filed under: each distinct band key once, sorted.
std::vector<std::uint64_t> filed_band_keys(const Sketch& sketch, const LshParams& lsh) {
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
    return tag_bytes == 4 ? read_le<std::uint32_t>(at)
                          : std::uint32_t(at[0]) | std::uint32_t(at[1]) << 8 | std::uint32_t(at[2]) << 16;
  }
  std::uint32_t read_doc(const std::uint8_t* posting) const { return read_le<std::uint32_t>(posting + tag_bytes); }
  std::uint32_t read_agency(const std::uint8_t* posting) const {
    return read_le<std::uint32_t>(posting + tag_bytes + 4);
  }
  void append_posting(std::vector<std::uint8_t>& blob, std::uint32_t tag, std::uint32_t doc, std::uint32_t agency) const {
    for (std::size_t i = 0; i < tag_bytes; ++i) blob.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
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

// One zstd frame (level 3) with the content size and a checksum of the content in its header and
// trailer, so that a damaged text is refused on reading instead of decoding to other text.
std::vector<std::uint8_t> compress_text(const std::string& utf8, const std::string& archive_name) {
  std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!cctx) throw_error("{}: compression failed: out of memory", archive_name);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  std::vector<std::uint8_t> compressed(ZSTD_compressBound(utf8.size()));
  const std::size_t csize =
      ZSTD_compress2(cctx.get(), compressed.data(), compressed.size(), utf8.data(), utf8.size());
  if (ZSTD_isError(csize))
    throw_error("{}: compression failed: {}", archive_name, ZSTD_getErrorName(csize));
  compressed.resize(csize);
  return compressed;
}

}  // namespace


// Dense per-document and per-agency counters for fingerprint_hits, kept by a connection across
// calls. Stamps replace clearing: an entry is current when its stamp is this call's or this
// fingerprint's.
struct HitScratch {
  struct Document {
    std::uint32_t fingerprint = 0, call = 0, count = 0;  // one cache line holds all three
  };
  // Zeroed arrays from calloc: for a large array the kernel's zero pages, so a check touches only
  // the pages of the documents it counts (a million documents: 12 MB, of which a check touches a
  // few hundred KB), where a vector would write every page first.
  template <class T>
  struct ZeroedArray {
    std::unique_ptr<T[], decltype(&std::free)> data{nullptr, &std::free};
    std::size_t size = 0;
    void grow(std::size_t at_least) {
      if (size >= at_least) return;
      const std::size_t n = at_least + at_least / 4;  // room to grow
      T* p = static_cast<T*>(std::calloc(n, sizeof(T)));
      if (!p) throw std::bad_alloc();
      if (size) std::memcpy(static_cast<void*>(p), data.get(), size * sizeof(T));
      data.reset(p);
      size = n;
    }
    T& operator[](std::size_t i) { return data[i]; }
    void clear() { std::memset(static_cast<void*>(data.get()), 0, size * sizeof(T)); }
  };
  static_assert(std::is_trivially_copyable_v<Document>);
  ZeroedArray<Document> documents;
  ZeroedArray<std::uint32_t> agency_fingerprint;
  std::uint32_t call = 0, fingerprint = 0;

  void prepare(std::uint32_t max_doc, std::uint32_t max_agency) {
    documents.grow(std::size_t(max_doc) + 1);
    agency_fingerprint.grow(std::size_t(max_agency) + 1);
  }
  std::uint32_t next_call() {
    if (++call == 0) {  // wrapped: stale stamps could look current
      for (std::size_t i = 0; i < documents.size; ++i) documents[i].call = 0;
      call = 1;
    }
    return call;
  }
  std::uint32_t next_fingerprint() {
    if (++fingerprint == 0) {
      for (std::size_t i = 0; i < documents.size; ++i) documents[i].fingerprint = 0;
      agency_fingerprint.clear();
      fingerprint = 1;
    }
    return fingerprint;
  }
};

// What a check needs of a fingerprint that holds posting_cap postings (see fingerprint_hits).
struct SaturatedFingerprint {
  static constexpr std::size_t kHolders = 64;  // first holders kept, one per agency
  // Memory a connection gives its summaries (cleared when over): a summary takes up to about 4.6 KB
  // (posting_cap 1024), so about 3,500 of them.
  static constexpr std::size_t kBudgetBytes = std::size_t(16) << 20;
  std::vector<std::uint32_t> agencies;  // distinct agencies of reports holding it, sorted
  std::vector<std::pair<std::uint32_t, std::uint32_t>> holders;  // (document, agency), posting order
  std::size_t bytes() const {
    return sizeof(*this) + 64 /* map node */ + agencies.capacity() * sizeof(std::uint32_t) +
           holders.capacity() * sizeof(holders[0]);
  }
};

struct Archive::Impl {
  std::filesystem::path path;
  std::string name;  // path as text, for messages
  sqlite3* db = nullptr;
  ArchiveParams params;
  Mode mode = Mode::kReadOnly;
  std::int64_t version = kArchiveSchemaVersion;
  BlobLayout layout = BlobLayout::of_version(kArchiveSchemaVersion);
  // Fingerprint keys seen holding posting_cap postings: they never take more, so an add skips
  // reading their blobs (a cap once reached stays reached; only committed data is recorded).
  std::unordered_set<std::uint64_t> saturated;
  // Bulk loading (Archive::set_batch_size): adds grouped batch_size to a transaction.
  int batch_size = 1;
  int pending = 0;              // documents added in the open group
  bool group_open = false;      // a group transaction is open
  std::vector<std::uint64_t> pending_saturated;  // recorded in `saturated` when the group commits
  // Index entries of the documents added in the open transaction, in add order, written just
  // before it commits (write_pending_index): sorted by key there, each LSH bucket and posting
  // blob is read and rewritten once per group, in key order, instead of once per document at
  // random. Written blobs are byte for byte what one add at a time writes.
  struct PendingPosting {
    std::uint32_t bucket, tag, doc, agency;
  };
  std::vector<PendingPosting> pending_postings;
  std::vector<std::pair<std::int64_t, std::uint32_t>> pending_lsh;  // (band key, document)

  // Statements run once per document looked up (info, text, signature): prepared once per
  // connection. Keyed by the SQL literal's address; finalized before the connection closes.
  mutable std::unordered_map<const char*, sqlite3_stmt*> statement_cache;
  HitScratch hit_scratch;
  std::unordered_map<std::uint64_t, SaturatedFingerprint> saturated_summaries;  // by fingerprint key
  std::size_t saturated_summary_bytes = 0;

  ~Impl() {
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
      for (auto& [sql, stmt] : statement_cache) sqlite3_finalize(stmt);
      sqlite3_close_v2(db);
    }
  }

  // SQLite rolls a whole transaction back on its own after some errors (disk full, I/O error, out
  // of memory): then the open group is gone. Says so, naming how many documents it held, and
  // resets the group. `cause` is the error that ended it, if known.
  void throw_if_group_lost(const std::string& cause) {
    if (!group_open || !sqlite3_get_autocommit(db)) return;
    const int documents = pending;
    group_open = false;
    pending = 0;
    pending_saturated.clear();
    clear_pending_index();
    throw_error("{}: the open group of {} document{} added before this one was rolled back by SQLite{}{}; "
                "the archive holds what it held before them; add them again",
                name, documents, documents == 1 ? "" : "s", cause.empty() ? "" : " after: ", cause);
  }

  void commit_group() {
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
      throw_error("{}: the last {} document{} added could not be committed ({}); the archive holds "
                  "what it held before them; add them again",
                  name, documents, documents == 1 ? "" : "s", message);
    }
    saturated.insert(pending_saturated.begin(), pending_saturated.end());
    pending_saturated.clear();
  }

  void clear_pending_index() {
    pending_postings.clear();
    pending_lsh.clear();
  }

  // Writes the pending index entries into their blobs (inside the open transaction). A fingerprint
  // at posting_cap postings takes no more; its key is recorded as saturated when the group commits.
  // If that fails inside an open group (a read on the writer's connection asked for it), the group
  // is rolled back: its documents must not be committed with part of their index.
  void write_pending_index() {
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
      throw_error("{}: the index entries of the open group of {} document{} could not be written ({}); "
                  "the group was rolled back and the archive holds what it held before them; add them again",
                  name, documents, documents == 1 ? "" : "s", e.what());
    }
  }

  void write_pending_index_entries() {
    // SQLite may have rolled the transaction back on its own (I/O error, disk full): written now,
    // each blob would commit by itself, naming documents that no longer exist.
    if (sqlite3_get_autocommit(db)) throw_error("{}: the transaction holding these documents was rolled back", name);
    std::vector<std::uint8_t> blob;
    // Stable sorts keep add order within a key: the order one add at a time appends in.
    std::stable_sort(pending_lsh.begin(), pending_lsh.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    {
      Statement read = cached("SELECT doc_ids FROM lsh_buckets WHERE key = ?");
      Statement write = cached("INSERT OR REPLACE INTO lsh_buckets(key, doc_ids) VALUES (?, ?)");
      for (std::size_t i = 0; i < pending_lsh.size();) {
        const std::int64_t key = pending_lsh[i].first;
        read.bind(1, key);
        blob.clear();
        if (read.step()) {
          auto b = read.column_blob(0);
          blob.assign(b.begin(), b.end());
        }
        read.reset();
        for (; i < pending_lsh.size() && pending_lsh[i].first == key; ++i)
          append_le<std::uint32_t>(blob, pending_lsh[i].second);
        write.bind(1, key).bind_blob(2, blob.data(), blob.size()).run();
      }
    }
    std::stable_sort(pending_postings.begin(), pending_postings.end(),
                     [](const PendingPosting& a, const PendingPosting& b) { return a.bucket < b.bucket; });
    const auto cap = static_cast<std::size_t>(params.posting_cap);
    auto key_of_posting = [](const PendingPosting& p) { return (std::uint64_t(p.bucket) << 32) | p.tag; };
    Statement read = cached("SELECT entries FROM postings WHERE bucket = ?");
    Statement write = cached("INSERT OR REPLACE INTO postings(bucket, entries) VALUES (?, ?)");
    std::vector<std::size_t> by_tag;  // a bucket's pending entries, by tag then add order
    std::vector<char> refused;        // per pending entry of the bucket: at the cap
    for (std::size_t i = 0; i < pending_postings.size();) {
      const std::uint32_t bucket = pending_postings[i].bucket;
      std::size_t end = i;
      bool all_saturated = true;
      for (; end < pending_postings.size() && pending_postings[end].bucket == bucket; ++end)
        all_saturated = all_saturated && cap && saturated.count(key_of_posting(pending_postings[end]));
      if (all_saturated) {  // nothing to add: the blob is not even read
        i = end;
        continue;
      }
      read.bind(1, static_cast<std::int64_t>(bucket));
      blob.clear();
      if (read.step()) {
        auto b = read.column_blob(0);
        blob.assign(b.begin(), b.end());
      }
      read.reset();
      const std::size_t stored = blob.size();
      // The k-th pending posting of a fingerprint (in add order) finds the stored ones and the k - 1
      // before it: refused from the cap on, as adding one at a time would refuse it.
      const std::size_t first = i;
      refused.assign(end - first, 0);
      if (cap) {
        by_tag.resize(end - first);
        for (std::size_t k = 0; k < by_tag.size(); ++k) by_tag[k] = first + k;
        std::stable_sort(by_tag.begin(), by_tag.end(), [&](std::size_t a, std::size_t b) {
          return pending_postings[a].tag < pending_postings[b].tag;
        });
        for (std::size_t k = 0; k < by_tag.size();) {
          const PendingPosting& p = pending_postings[by_tag[k]];
          std::size_t held = count_tag(std::span(blob.data(), stored), p.tag);
          bool recorded = false;
          for (; k < by_tag.size() && pending_postings[by_tag[k]].tag == p.tag; ++k) {
            if (held < cap) {
              ++held;
              continue;
            }
            refused[by_tag[k] - first] = 1;
            if (!recorded) pending_saturated.push_back(key_of_posting(p));
            recorded = true;
          }
        }
      }
      for (; i < end; ++i) {
        const PendingPosting& p = pending_postings[i];
        if (!refused[i - first]) layout.append_posting(blob, p.tag, p.doc, p.agency);
      }
      if (blob.size() == stored) continue;
      write.bind(1, static_cast<std::int64_t>(bucket)).bind_blob(2, blob.data(), blob.size()).run();
    }
    clear_pending_index();
  }

  Statement prepare(std::string_view sql) const { return Statement(db, sql, name); }
  // `sql` is a string literal (its address is the key; an array reference keeps c_str() out). Not
  // for statements that may be nested in themselves.
  template <std::size_t N>
  Statement cached(const char (&sql)[N]) const {
    sqlite3_stmt*& stmt = statement_cache[sql];
    if (!stmt && sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      stmt = nullptr;
      statement_cache.erase(sql);
      throw_error("{}: {}", name, sqlite3_errmsg(db));
    }
    return Statement::borrow(db, stmt, name);
  }
  void exec(const char* sql) const {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = err ? err : "unknown error";
      sqlite3_free(err);
      throw_error("{}: {}", name, message);
    }
  }

  // The bits a fingerprint is filed under. A winnowed fingerprint is the minimum of `window` hashes,
  // so its top bits are mostly zero: versions 1 and 2 took bucket and tag from them as they are,
  // which left most buckets empty (1,025,000 synthetic documents: 288,304 of 2^20 buckets held
  // postings); version 3 mixes the hash first (a bijection), which spreads them (986,307).
  std::uint64_t posting_hash(std::uint64_t fp) const { return layout.mixed_keys ? detail::mix64(fp) : fp; }
  std::uint32_t bucket_of(std::uint64_t fp) const {
    return std::uint32_t(posting_hash(fp) >> (64 - params.posting_bucket_bits));
  }
  // The 8 · tag_bytes bits right after the bucket prefix.
  std::uint32_t tag_of(std::uint64_t fp) const {
    const auto tag_bits = static_cast<int>(8 * layout.tag_bytes);
    const std::uint64_t rest = posting_hash(fp) >> (64 - params.posting_bucket_bits - tag_bits);
    return static_cast<std::uint32_t>(tag_bits == 32 ? rest : rest & ((std::uint64_t(1) << tag_bits) - 1));
  }
  // Postings of one fingerprint (its tag) in a bucket's blob.
  std::size_t count_tag(std::span<const std::uint8_t> blob, std::uint32_t tag) const {
    std::size_t n = 0;
    const std::size_t step = layout.posting_bytes();
    for (std::size_t at = 0; at + step <= blob.size(); at += step) n += layout.read_tag(blob.data() + at) == tag;
    return n;
  }
  std::uint64_t key_of(std::uint64_t fp) const { return (std::uint64_t(bucket_of(fp)) << 32) | tag_of(fp); }

  std::int64_t agency_id(const std::string& canonical, bool create) {
    Statement find = cached("SELECT id FROM agencies WHERE name = ?");
    find.bind(1, canonical);
    if (find.step()) return find.column_int(0);
    if (!create) return 0;
    Statement insert = prepare("INSERT INTO agencies(name) VALUES (?)");
    insert.bind(1, canonical).run();
    return sqlite3_last_insert_rowid(db);
  }
};

Archive::Archive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Archive::Archive(Archive&&) noexcept = default;
Archive& Archive::operator=(Archive&&) noexcept = default;
Archive::~Archive() = default;

const ArchiveParams& Archive::params() const { return impl_->params; }
const std::filesystem::path& Archive::path() const { return impl_->path; }

namespace {

// Writes the schema and parameters into a new, empty database. Returns false if another process
// created the archive first (the caller then reads it like any existing archive).
bool create_schema(Archive::Impl& impl, const ArchiveParams& params) {
  impl.exec("PRAGMA journal_mode = WAL");
  impl.exec("BEGIN IMMEDIATE");
  try {
    Statement app = impl.prepare("PRAGMA application_id");
    if (app.step() && app.column_int(0) == kApplicationId) {
      app.reset();
      impl.exec("ROLLBACK");
      return false;
    }
    app.reset();
    impl.exec(fmt::format("PRAGMA application_id = {}", kApplicationId).c_str());
    impl.exec(fmt::format("PRAGMA user_version = {}", kArchiveSchemaVersion).c_str());
    impl.exec(kSchema);
    Statement meta = impl.prepare("INSERT INTO meta(key, value) VALUES (?, ?)");
    meta.bind(1, "params").bind(2, params_to_json(params).dump()).run();
    meta.bind(1, "created_by").bind(2, "leitong " LEITONG_VERSION).run();
    meta.bind(1, "created_at").bind(2, now_iso8601()).run();
    impl.exec("COMMIT");
    return true;
  } catch (...) {
    sqlite3_exec(impl.db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// Reads and checks the header fields and the stored parameters of an existing archive, and sets
// the blob layout of its format version.
ArchiveParams read_params(Archive::Impl& impl) {
  std::int64_t app_id = 0, version = 0;
  try {
    Statement s = impl.prepare("PRAGMA application_id");
    if (s.step()) app_id = s.column_int(0);
  } catch (const Error&) {
    // SQLite says "file is not a database" (or similar) for anything that is not SQLite.
    throw_error("{}: not a leitong archive ({})", impl.name, sqlite3_errmsg(impl.db));
  }
  if (app_id == 0) {
    Statement tables = impl.prepare("SELECT count(*) FROM sqlite_master");
    if (tables.step() && tables.column_int(0) == 0)
      throw_error(
          "{}: not a leitong archive yet (an empty database: a first `leitong add` that was "
          "interrupted, or is still creating it, leaves one; running the add again completes it)",
          impl.name);
  }
  if (app_id != kApplicationId) throw_error("{}: not a leitong archive", impl.name);
  {
    Statement s = impl.prepare("PRAGMA user_version");
    if (s.step()) version = s.column_int(0);
  }
  if (version > kArchiveSchemaVersion)
    throw_error(
        "{}: archive format version {} is newer than this leitong supports ({}); upgrade leitong",
        impl.name, version, kArchiveSchemaVersion);
  if (version < kOldestReadableSchemaVersion)
    throw_error("{}: archive format version {} is not supported (this leitong reads versions {} to {})",
                impl.name, version, kOldestReadableSchemaVersion, kArchiveSchemaVersion);
  impl.version = version;
  impl.layout = BlobLayout::of_version(version);
  std::string stored_text;
  {
    Statement s = impl.prepare("SELECT value FROM meta WHERE key = 'params'");
    if (!s.step()) throw_error("{}: damaged archive: parameters missing", impl.name);
    stored_text = s.column_text(0);
  }  // finalized here: an open statement would hold a read transaction
  int normalization_version = 0;
  ArchiveParams params;
  try {
    const json stored = json::parse(stored_text);
    normalization_version = stored.at("normalization_version").get<int>();
    params = params_from_json(stored);
  } catch (const json::exception& e) {
    throw_error("{}: damaged archive: unreadable parameters ({})", impl.name, e.what());
  } catch (const Error& e) {
    throw_error("{}: {}", impl.name, e.what());
  }
  if (normalization_version != kNormalizationVersion)
    throw_error(
        "{}: archive was built with normalization version {}; this leitong uses version {}. "
        "Rebuild the archive from its files.",
        impl.name, normalization_version, kNormalizationVersion);
  return params;
}

}  // namespace

Archive Archive::open(const std::filesystem::path& path, Mode mode,
                      const ArchiveParams& params_for_new, const ArchiveParams* requested) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->name = path.string();
  impl->mode = mode;
  std::error_code ec;
  const bool exists = std::filesystem::exists(path, ec);
  if (!exists && mode == Mode::kReadOnly)
    throw_error("{}: no such archive (create one with `leitong add`)", impl->name);
  if (exists && std::filesystem::is_directory(path, ec))
    throw_error("{}: is a directory, not an archive", impl->name);
  // An empty file is what a creation leaves when it is killed before its first commit (SQLite
  // creates the file empty, then writes its header), or another process creating the archive right
  // now. A writer creates the archive in it (joined below; SQLite's write lock orders two
  // creators): re-running an interrupted add completes the archive, and an empty file holds
  // nothing to lose. A reader refuses it.
  const bool empty = exists && std::filesystem::file_size(path, ec) == 0 && !ec;
  if (empty && mode == Mode::kReadOnly) throw_error("{}: empty file, not a leitong archive", impl->name);
  const bool create = !exists;
  if (create) validate(params_for_new);

  const int flags =
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(impl->name.c_str(), &impl->db, flags | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK)
    throw_error("{}: cannot open archive: {}", impl->name,
                impl->db ? sqlite3_errmsg(impl->db) : "out of memory");
  sqlite3_busy_timeout(impl->db, 30000);

  // A writer that finds an SQLite database with no tables and no application id (another process
  // has begun creating the archive and not committed yet) joins the creation too.
  bool join = false;
  if (!create && mode == Mode::kReadWrite) {
    try {
      Statement tables = impl->prepare(
          "SELECT (SELECT count(*) FROM sqlite_master), (SELECT application_id FROM "
          "pragma_application_id)");
      join = tables.step() && tables.column_int(0) == 0 && tables.column_int(1) == 0;
    } catch (const Error&) {
      // not an SQLite database: read_params below says so
    }
  }
  if (join) validate(params_for_new);
  // SQLite answers "locked" without calling the busy handler in some of the steps of two processes
  // creating one archive (journal mode change, WAL recovery): retry those for up to a few seconds.
  auto retrying = [&](auto&& step) {
    for (int attempt = 0;; ++attempt) {
      try {
        return step();
      } catch (const Error&) {
        const int code = sqlite3_errcode(impl->db) & 0xff;
        if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || attempt >= 200) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
  };
  if (create || join) {
    try {
      retrying([&] { return create_schema(*impl, params_for_new); });
    } catch (...) {
      sqlite3_close_v2(impl->db);
      impl->db = nullptr;
      // Remove only a file left empty: a failed creation can leave a database with no tables,
      // which the next writer completes (above); another process may be using anything else.
      if (!exists && std::filesystem::file_size(impl->name, ec) == 0 && !ec)
        std::filesystem::remove(impl->name, ec);
      throw;
    }
  }
  impl->params = read_params(*impl);
  if (mode == Mode::kReadWrite) {
    retrying([&] { impl->exec("PRAGMA journal_mode = WAL"); });
    // In WAL mode NORMAL never corrupts; a power cut may roll back the last adds, which re-running
    // the same add restores. FULL would fsync every document (10x slower bulk loads).
    impl->exec("PRAGMA synchronous = NORMAL");
  }
  if (requested && !describe_archive_difference(impl->params, *requested).empty())
    throw_error(
        "{}: archive was built with other parameters ({}, archive vs requested); "
        "use a new archive for these parameters",
        impl->name, describe_archive_difference(impl->params, *requested));
  return Archive(std::move(impl));
}

AddOutcome Archive::add(const Document& document) {
  Impl& d = *impl_;
  if (d.mode != Mode::kReadWrite) throw_error("{}: archive opened read-only", d.name);
  const std::string agency = canonical_agency(document.info.agency);
  if (agency.empty()) throw_error("{}: agency name is empty", document.info.file);
  const Sketch sketch = make_sketch(document.text, d.params.sketch);
  if (sketch.shingles.empty())
    throw_error("{}: too short to compare (fewer than {} characters after normalization)",
                document.info.file, d.params.sketch.shingle.n);
  const std::string hash = content_hash(document.text);
  const std::string utf8 = encode_utf8(document.text);
  const std::vector<std::uint8_t> compressed = compress_text(utf8, d.name);

  // One transaction per document, or, when batching, a savepoint inside the group's transaction:
  // either way this document goes in whole or not at all.
  const bool grouped = d.batch_size > 1;
  std::optional<std::pair<std::size_t, std::size_t>> queued_from;  // pending sizes before this document queued
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
  auto undo = [&] {
    if (grouped) {
      sqlite3_exec(d.db, "ROLLBACK TO add_document", nullptr, nullptr, nullptr);
      sqlite3_exec(d.db, "RELEASE add_document", nullptr, nullptr, nullptr);
    } else {
      sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
  };
  try {
    const std::int64_t agency_id = d.agency_id(agency, true);
    {
      Statement existing = d.prepare(
          "SELECT id FROM documents WHERE agency_id = ? AND year = ? AND content_hash = ?");
      existing.bind(1, agency_id).bind(2, document.info.year).bind(3, hash);
      if (existing.step()) {
        const std::int64_t id = existing.column_int(0);
        existing.reset();
        undo();  // may have created nothing but the agency row, which a rollback drops
        return {false, id};
      }
    }
    Statement insert = d.prepare(
        "INSERT INTO documents(agency_id, year, kind, file, content_hash, chars, added_at) VALUES "
        "(?,?,?,?,?,?,?)");
    insert.bind(1, agency_id)
        .bind(2, document.info.year)
        .bind(3, kind_name(document.info.kind))
        .bind(4, document.info.file)
        .bind(5, hash)
        .bind(6, static_cast<std::int64_t>(document.text.size()))
        .bind(7, now_iso8601())
        .run();
    const std::int64_t id = sqlite3_last_insert_rowid(d.db);
    if (id > std::int64_t(UINT32_MAX))
      throw_error("{}: archive is full (document ids exceed 32 bits)", d.name);
    d.prepare("INSERT INTO texts(doc_id, utf8_zstd) VALUES (?, ?)")
        .bind(1, id)
        .bind_blob(2, compressed.data(), compressed.size())
        .run();

    const std::vector<Fingerprint> fps = posted_fingerprints(sketch);
    const std::vector<std::uint8_t> signature = d.layout.encode_signature(sketch.minhash);
    d.prepare("INSERT INTO sketches(doc_id, minhash, simhash, fingerprints) VALUES (?, ?, ?, ?)")
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
      for (std::uint64_t key : filed_band_keys(sketch, d.params.lsh))
        d.pending_lsh.emplace_back(static_cast<std::int64_t>(key), static_cast<std::uint32_t>(id));
      for (const Fingerprint& fp : fps)
        d.pending_postings.push_back(
            {d.bucket_of(fp.hash), d.tag_of(fp.hash), static_cast<std::uint32_t>(id), posting_agency});
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
    throw;
  }
}

Archive::ReadSnapshot::ReadSnapshot(const Archive& archive) : archive_(archive) {
  Impl& d = *archive.impl_;
  if (d.group_open || !sqlite3_get_autocommit(d.db)) return;  // already in a transaction
  d.exec("BEGIN");
  began_ = true;
  // BEGIN is deferred: the snapshot starts at the first read, which is made here.
  Statement first = d.cached("SELECT count(*) FROM meta");
  first.step();
}

Archive::ReadSnapshot::~ReadSnapshot() {
  if (began_) sqlite3_exec(archive_.impl_->db, "COMMIT", nullptr, nullptr, nullptr);
}

void Archive::set_batch_size(int documents) {
  if (documents < 1) throw_error("batch size must be 1 or more, not {}", documents);
  if (documents == 1 || impl_->pending >= documents) impl_->commit_group();
  impl_->batch_size = documents;
}

void Archive::flush() { impl_->commit_group(); }

std::int64_t Archive::document_count() const {
  Statement s = impl_->prepare("SELECT count(*) FROM documents");
  s.step();
  return s.column_int(0);
}

ArchiveStats Archive::stats() const {
  impl_->write_pending_index();  // a writer's open group counts its own documents
  ArchiveStats st;
  st.params = impl_->params;
  {
    Statement s = impl_->prepare(
        "SELECT count(*), coalesce(sum(kind = 'report'), 0), coalesce(sum(kind = 'template'), 0), "
        "count(DISTINCT agency_id), coalesce(min(year), 0), coalesce(max(year), 0), "
        "coalesce(sum(chars), 0) "
        "FROM documents");
    s.step();
    st.documents = s.column_int(0);
    st.reports = s.column_int(1);
    st.templates = s.column_int(2);
    st.agencies = s.column_int(3);
    st.first_year = static_cast<int>(s.column_int(4));
    st.last_year = static_cast<int>(s.column_int(5));
    st.text_chars = s.column_int(6);
  }
  auto scalar = [&](const char* sql) {
    Statement s = impl_->prepare(sql);
    s.step();
    return s.column_int(0);
  };
  st.text_bytes = scalar("SELECT coalesce(sum(length(utf8_zstd)), 0) FROM texts");
  st.lsh_buckets = scalar("SELECT count(*) FROM lsh_buckets");
  st.posting_blobs = scalar("SELECT count(*) FROM postings");
  const std::int64_t posting_bytes =
      scalar("SELECT coalesce(sum(length(entries)), 0) FROM postings");
  st.postings = posting_bytes / static_cast<std::int64_t>(impl_->layout.posting_bytes());
  st.schema_version = static_cast<int>(impl_->version);
  st.index_bytes = posting_bytes +
                   scalar("SELECT coalesce(sum(length(doc_ids)), 0) FROM lsh_buckets") +
                   scalar("SELECT coalesce(sum(length(minhash) + 8), 0) FROM sketches");
  std::error_code ec;
  st.file_bytes = static_cast<std::int64_t>(std::filesystem::file_size(impl_->path, ec));
  auto wal = impl_->path;
  wal += "-wal";
  if (std::filesystem::exists(wal, ec))
    st.file_bytes += static_cast<std::int64_t>(std::filesystem::file_size(wal, ec));
  return st;
}

ArchiveCheck Archive::verify() const {
  impl_->commit_group();  // a writer's open batch group (set_batch_size) is committed first
  const Impl& d = *impl_;
  ArchiveCheck out;
  auto problem = [&](std::string message) { out.problems.push_back(std::move(message)); };
  // Runs one phase; a SQLite or decoding error is a problem of that phase, not an exception.
  auto phase = [&](const char* what, auto&& body) {
    try {
      body();
    } catch (const Error& e) {
      problem(fmt::format("{}: {}", what, e.what()));
    }
  };
  // One read snapshot for every phase (a concurrent add commits as a whole); none of its own when
  // the caller holds one.
  const ReadSnapshot snapshot(*this);

  phase("integrity_check", [&] {
    Statement s = d.prepare("PRAGMA integrity_check(50)");
    while (s.step())
      if (const std::string row = s.column_text(0); row != "ok") problem("integrity_check: " + row);
  });
  phase("foreign_key_check", [&] {
    Statement s = d.prepare("PRAGMA foreign_key_check");
    while (s.step())
      problem(fmt::format("foreign_key_check: {} row {} names a missing {} row", s.column_text(0),
                          s.column_int(1), s.column_text(2)));
  });
  if (!out.ok())
    return out;  // the b-trees are damaged: what the scans below would read is unreliable

  struct Expected {
    std::uint32_t posting_agency = 0;
    std::int64_t lsh = 0, postings = 0;  // entries the document's sketch accounts for
    std::int64_t lsh_seen = 0, postings_seen = 0;
  };
  std::unordered_map<std::int64_t, Expected> expected;
  phase("documents", [&] {
    Statement docs = d.prepare(
        "SELECT d.id, d.agency_id, d.kind, d.content_hash, d.chars, a.name FROM documents d "
        "LEFT JOIN agencies a ON a.id = d.agency_id ORDER BY d.id");
    Statement sketch_row =
        d.prepare("SELECT minhash, simhash, fingerprints FROM sketches WHERE doc_id = ?");
    Statement bucket = d.prepare("SELECT doc_ids FROM lsh_buckets WHERE key = ?");
    Statement posting = d.prepare("SELECT entries FROM postings WHERE bucket = ?");
    while (docs.step()) {
      const std::int64_t id = docs.column_int(0);
      ++out.documents;
      const std::string kind = docs.column_text(2);
      if (docs.column_is_null(5))
        problem(fmt::format("document {}: agency {} missing", id, docs.column_int(1)));
      if (kind != "report" && kind != "template")
        problem(fmt::format("document {}: unknown kind '{}'", id, kind));
      if (id < 1 || id > std::int64_t(UINT32_MAX))
        problem(fmt::format("document {}: id out of range", id));
      Expected& e = expected[id];
      e.posting_agency = kind == "report" ? static_cast<std::uint32_t>(docs.column_int(1)) : 0;
      std::u32string text;
      try {
        text = this->text(id);
      } catch (const Error& err) {
        problem(fmt::format("document {}: {}", id, err.what()));
        continue;
      }
      if (content_hash(text) != docs.column_text(3))
        problem(fmt::format("document {}: text does not match its content hash", id));
      if (std::int64_t(text.size()) != docs.column_int(4))
        problem(fmt::format("document {}: text has {} characters, the row says {}", id, text.size(),
                            docs.column_int(4)));
      const Sketch sketch = make_sketch(text, d.params.sketch);
      std::vector<Fingerprint> fps = posted_fingerprints(sketch);
      // In filing order: the fingerprints of one bucket are adjacent.
      std::sort(fps.begin(), fps.end(), [&](const Fingerprint& a, const Fingerprint& b) {
        return d.posting_hash(a.hash) < d.posting_hash(b.hash);
      });
      const std::vector<std::uint64_t> keys = filed_band_keys(sketch, d.params.lsh);
      e.lsh = static_cast<std::int64_t>(keys.size());
      e.postings = static_cast<std::int64_t>(fps.size());

      sketch_row.bind(1, id);
      if (!sketch_row.step()) {
        problem(fmt::format("document {}: sketch row missing", id));
      } else {
        const auto blob = sketch_row.column_blob(0);
        const std::vector<std::uint8_t> expected_signature = d.layout.encode_signature(sketch.minhash);
        if (blob.size() != expected_signature.size() ||
            std::memcmp(blob.data(), expected_signature.data(), blob.size()) != 0)
          problem(fmt::format("document {}: stored MinHash differs from its text's", id));
        if (static_cast<std::uint64_t>(sketch_row.column_int(1)) != sketch.simhash)
          problem(fmt::format("document {}: stored SimHash differs from its text's", id));
        if (sketch_row.column_int(2) != e.postings)
          problem(fmt::format("document {}: sketch row says {} fingerprints, its text has {}", id,
                              sketch_row.column_int(2), e.postings));
      }
      sketch_row.reset();

      int missing_keys = 0;
      for (std::uint64_t key : keys) {
        bool found = false;
        bucket.bind(1, static_cast<std::int64_t>(key));
        if (bucket.step()) {
          const auto blob = bucket.column_blob(0);
          for (std::size_t at = 0; at + 4 <= blob.size() && !found; at += 4)
            found = read_le<std::uint32_t>(blob.data() + at) == static_cast<std::uint32_t>(id);
        }
        bucket.reset();
        if (!found) ++missing_keys;
      }
      if (missing_keys)
        problem(fmt::format("document {}: missing from {} of its {} LSH buckets", id, missing_keys,
                            keys.size()));

      std::size_t missing_postings = 0;
      std::unordered_set<std::uint32_t> tags;
      std::unordered_map<std::uint32_t, std::size_t> holders;  // postings per tag in the bucket
      for (std::size_t i = 0; i < fps.size();) {
        const std::uint32_t b = d.bucket_of(fps[i].hash);
        tags.clear();
        holders.clear();
        posting.bind(1, static_cast<std::int64_t>(b));
        if (posting.step()) {
          const auto blob = posting.column_blob(0);
          const std::size_t step = d.layout.posting_bytes();
          for (std::size_t at = 0; at + step <= blob.size(); at += step) {
            const std::uint32_t tag = d.layout.read_tag(blob.data() + at);
            ++holders[tag];
            if (d.layout.read_doc(blob.data() + at) == static_cast<std::uint32_t>(id)) tags.insert(tag);
          }
        }
        posting.reset();
        // Not posted is right only when the fingerprint had reached the cap.
        const auto cap = static_cast<std::size_t>(d.params.posting_cap);
        for (; i < fps.size() && d.bucket_of(fps[i].hash) == b; ++i) {
          const std::uint32_t tag = d.tag_of(fps[i].hash);
          if (tags.count(tag)) continue;
          if (cap && holders[tag] >= cap) {
            --e.postings;  // expected entries: this one is rightly absent
            continue;
          }
          ++missing_postings;
        }
      }
      if (missing_postings)
        problem(fmt::format("document {}: {} of its {} fingerprint postings missing", id,
                            missing_postings, fps.size()));
    }
  });

  phase("lsh_buckets", [&] {
    Statement s = d.prepare("SELECT key, doc_ids FROM lsh_buckets");
    while (s.step()) {
      const auto blob = s.column_blob(1);
      if (blob.size() % 4 != 0 || blob.empty())
        problem(fmt::format("LSH bucket {}: blob of {} bytes is not a list of ids", s.column_int(0),
                            blob.size()));
      for (std::size_t at = 0; at + 4 <= blob.size(); at += 4) {
        ++out.lsh_entries;
        const std::int64_t id = read_le<std::uint32_t>(blob.data() + at);
        auto it = expected.find(id);
        if (it == expected.end())
          problem(fmt::format("LSH bucket {}: names document {}, which does not exist",
                              s.column_int(0), id));
        else
          ++it->second.lsh_seen;
      }
    }
  });
  phase("postings", [&] {
    Statement s = d.prepare("SELECT bucket, entries FROM postings");
    while (s.step()) {
      const std::int64_t b = s.column_int(0);
      const auto blob = s.column_blob(1);
      const std::size_t step = d.layout.posting_bytes();
      if (blob.size() % step != 0 || blob.empty())
        problem(fmt::format("posting bucket {}: blob of {} bytes is not a list of postings", b,
                            blob.size()));
      if (b < 0 || b >= (std::int64_t(1) << d.params.posting_bucket_bits))
        problem(fmt::format("posting bucket {}: out of range", b));
      for (std::size_t at = 0; at + step <= blob.size(); at += step) {
        ++out.postings;
        const std::int64_t id = d.layout.read_doc(blob.data() + at);
        const std::uint32_t agency = d.layout.read_agency(blob.data() + at);
        auto it = expected.find(id);
        if (it == expected.end()) {
          problem(fmt::format("posting bucket {}: names document {}, which does not exist", b, id));
          continue;
        }
        ++it->second.postings_seen;
        if (agency != it->second.posting_agency)
          problem(fmt::format("posting bucket {}: document {} with agency {}, expected {}", b, id,
                              agency, it->second.posting_agency));
      }
    }
  });
  std::vector<std::int64_t> ids;
  for (const auto& [id, e] : expected) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (std::int64_t id : ids) {
    const Expected& e = expected[id];
    if (e.lsh_seen > e.lsh && e.lsh)
      problem(fmt::format("document {}: in {} LSH bucket entries, its sketch has {} band keys", id,
                          e.lsh_seen, e.lsh));
    if (e.postings_seen > e.postings && e.postings)
      problem(fmt::format("document {}: {} posting entries, its sketch has {} fingerprints", id,
                          e.postings_seen, e.postings));
  }
  phase("texts and sketches", [&] {
    Statement s = d.prepare(
        "SELECT 'texts', doc_id FROM texts WHERE doc_id NOT IN (SELECT id FROM documents) "
        "UNION ALL SELECT 'sketches', doc_id FROM sketches WHERE doc_id NOT IN (SELECT id FROM "
        "documents)");
    while (s.step())
      problem(fmt::format("{}: row for document {}, which does not exist", s.column_text(0),
                          s.column_int(1)));
  });
  return out;
}

DocumentInfo Archive::info(std::int64_t id) const {
  Statement s = impl_->cached(
      "SELECT d.file, a.name, d.year, d.kind FROM documents d JOIN agencies a ON a.id = "
      "d.agency_id WHERE d.id = ?");
  s.bind(1, id);
  if (!s.step()) throw_error("{}: no document with id {}", impl_->name, id);
  DocumentInfo info;
  info.id = id;
  info.file = s.column_text(0);
  info.agency = s.column_text(1);
  info.year = static_cast<int>(s.column_int(2));
  info.kind = parse_kind(s.column_text(3)).value_or(DocumentKind::kReport);
  return info;
}

std::u32string Archive::text(std::int64_t id) const {
  Statement s = impl_->cached("SELECT utf8_zstd FROM texts WHERE doc_id = ?");
  s.bind(1, id);
  if (!s.step()) throw_error("{}: damaged archive: text of document {} missing", impl_->name, id);
  const auto blob = s.column_blob(0);
  const unsigned long long size = ZSTD_getFrameContentSize(blob.data(), blob.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 32))
    throw_error("{}: damaged archive: text of document {} is unreadable", impl_->name, id);
  std::string utf8(static_cast<std::size_t>(size), '\0');
  const std::size_t got = ZSTD_decompress(utf8.data(), utf8.size(), blob.data(), blob.size());
  if (ZSTD_isError(got) || got != size)
    throw_error("{}: damaged archive: text of document {} is unreadable", impl_->name, id);
  return decode_utf8(utf8, impl_->name + ": document " + std::to_string(id));
}

std::vector<std::int64_t> Archive::ids_with_content(std::u32string_view text) const {
  Statement s = impl_->cached("SELECT id FROM documents WHERE content_hash = ?");
  s.bind(1, content_hash(text));
  std::vector<std::int64_t> ids;
  while (s.step()) ids.push_back(s.column_int(0));
  return ids;
}

std::vector<std::int64_t> Archive::ids_of_agency(const std::string& agency) const {
  Statement s = impl_->cached(
      "SELECT d.id FROM documents d JOIN agencies a ON a.id = d.agency_id "
      "WHERE a.name = ? AND d.kind = 'report' ORDER BY d.year, d.id");
  s.bind(1, canonical_agency(agency));
  std::vector<std::int64_t> ids;
  while (s.step()) ids.push_back(s.column_int(0));
  return ids;
}

std::vector<std::pair<std::int64_t, double>> Archive::lsh_candidates(
    const MinHashSignature& signature) const {
  impl_->write_pending_index();  // a writer's open group sees its own documents
  Statement bucket = impl_->cached("SELECT doc_ids FROM lsh_buckets WHERE key = ?");
  std::unordered_set<std::int64_t> ids;
  for (std::uint64_t key : lsh_band_keys(signature, impl_->params.lsh)) {
    bucket.bind(1, static_cast<std::int64_t>(key));
    if (bucket.step()) {
      const auto blob = bucket.column_blob(0);
      for (std::size_t at = 0; at + 4 <= blob.size(); at += 4)
        ids.insert(read_le<std::uint32_t>(blob.data() + at));
    }
    bucket.reset();
  }
  Statement sig = impl_->cached("SELECT minhash FROM sketches WHERE doc_id = ?");
  std::vector<std::pair<std::int64_t, double>> out;
  for (std::int64_t id : ids) {
    sig.bind(1, id);
    if (sig.step())
      out.emplace_back(id, this->estimate_jaccard(signature, impl_->layout.decode_signature(sig.column_blob(0))));
    sig.reset();
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  return out;
}

FingerprintHits Archive::fingerprint_hits(const std::vector<Fingerprint>& fingerprints,
                                          const std::string& exclude_agency,
                                          std::size_t holders_per_fingerprint,
                                          std::size_t ranking_holders) const {
  Impl& d = *impl_;
  const auto excluded_agency =
      exclude_agency.empty()
          ? 0
          : static_cast<std::uint32_t>(d.agency_id(canonical_agency(exclude_agency), false));
  FingerprintHits hits;
  hits.agencies_per_fingerprint.assign(fingerprints.size(), 0);
  hits.holders.assign(fingerprints.size(), {});
  std::vector<std::size_t> order(fingerprints.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // In filing order, so that the fingerprints of one bucket are adjacent (and repeats too).
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return d.posting_hash(fingerprints[a].hash) < d.posting_hash(fingerprints[b].hash);
  });
  // Documents and agencies are counted in dense arrays indexed by id (ids are dense from 1),
  // stamped rather than cleared. Ids above the largest at the start of the call were added since
  // (or are damage, which verify reports): they are left out.
  HitScratch& scratch = d.hit_scratch;
  const auto max_id = [&](const auto& sql) {
    Statement s = d.cached(sql);
    return s.step() ? static_cast<std::uint32_t>(std::clamp<std::int64_t>(s.column_int(0), 0, UINT32_MAX - 1)) : 0u;
  };
  const std::uint32_t doc_bound = max_id("SELECT max(id) FROM documents");
  const std::uint32_t agency_bound = max_id("SELECT max(id) FROM agencies");
  scratch.prepare(doc_bound, agency_bound);
  const std::uint32_t call = scratch.next_call();
  std::vector<std::uint32_t> touched;  // documents counted in this call, first-seen order

  // A fingerprint with posting_cap postings (a formula) keeps only its first holders, and every
  // report has it: it says nothing about who copied from whom, so it does not count for the
  // documents, only for boilerplate (agencies, holders). Its postings never change (the archive
  // only grows and the cap is reached for good), so the connection keeps its summary.
  const auto cap = static_cast<std::size_t>(d.params.posting_cap);
  // Not on a writer with an open group: its postings may be rolled back.
  const bool use_summaries = cap && holders_per_fingerprint < SaturatedFingerprint::kHolders && !d.group_open;
  const auto summarize = [&](const SaturatedFingerprint& sat, std::size_t i) {
    const bool own_among =
        excluded_agency && std::binary_search(sat.agencies.begin(), sat.agencies.end(), excluded_agency);
    hits.agencies_per_fingerprint[i] =
        static_cast<std::uint16_t>(std::min<std::size_t>(sat.agencies.size() - own_among, 65535));
    for (const auto& [doc, agency] : sat.holders) {
      if (hits.holders[i].size() >= holders_per_fingerprint) break;
      if (agency != excluded_agency) hits.holders[i].push_back(doc);
    }
  };

  d.write_pending_index();  // a writer's open group sees its own documents
  Statement read = d.cached("SELECT entries FROM postings WHERE bucket = ?");
  std::vector<std::uint8_t> blob;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> postings;  // (document, agency) of one fingerprint
  const BlobLayout& layout = d.layout;
  const std::size_t step = layout.posting_bytes();
  for (std::size_t k = 0; k < order.size();) {
    const std::uint32_t bucket = d.bucket_of(fingerprints[order[k]].hash);
    std::size_t end = k;
    bool all_summarized = use_summaries;
    for (; end < order.size() && d.bucket_of(fingerprints[order[end]].hash) == bucket; ++end)
      all_summarized = all_summarized && d.saturated_summaries.count(d.key_of(fingerprints[order[end]].hash));
    blob.clear();
    if (!all_summarized) {
      read.bind(1, static_cast<std::int64_t>(bucket));
      if (read.step()) {
        const auto b = read.column_blob(0);
        blob.assign(b.begin(), b.end());
      }
      read.reset();
    }
    for (; k < end; ++k) {
      const std::size_t i = order[k];
      if (k > 0 && fingerprints[order[k - 1]].hash == fingerprints[i].hash) {
        hits.agencies_per_fingerprint[i] = hits.agencies_per_fingerprint[order[k - 1]];
        hits.holders[i] = hits.holders[order[k - 1]];
        continue;  // a repeated fingerprint counts once per document
      }
      const std::uint64_t key = d.key_of(fingerprints[i].hash);
      if (use_summaries)
        if (auto it = d.saturated_summaries.find(key); it != d.saturated_summaries.end()) {
          summarize(it->second, i);
          continue;
        }
      const std::uint32_t tag = d.tag_of(fingerprints[i].hash);
      postings.clear();
      for (std::size_t at = 0; at + step <= blob.size(); at += step) {
        const std::uint8_t* entry = blob.data() + at;
        if (layout.read_tag(entry) != tag) continue;
        const std::uint32_t doc = layout.read_doc(entry);
        const std::uint32_t agency = layout.read_agency(entry);
        if (doc <= doc_bound && agency <= agency_bound) postings.emplace_back(doc, agency);
      }
      const std::uint32_t fp_stamp = scratch.next_fingerprint();
      const bool saturated = cap && postings.size() >= cap;
      const bool ranks = !saturated && (!ranking_holders || postings.size() <= ranking_holders);
      if (saturated && use_summaries) {
        SaturatedFingerprint sat;
        for (const auto& [doc, agency] : postings) {
          if (!agency || scratch.agency_fingerprint[agency] == fp_stamp) continue;
          scratch.agency_fingerprint[agency] = fp_stamp;
          sat.agencies.push_back(agency);
          if (sat.holders.size() < SaturatedFingerprint::kHolders) sat.holders.emplace_back(doc, agency);
        }
        std::sort(sat.agencies.begin(), sat.agencies.end());
        sat.agencies.shrink_to_fit();
        if (d.saturated_summary_bytes + sat.bytes() > SaturatedFingerprint::kBudgetBytes) {
          d.saturated_summaries.clear();  // they are only a saving: start again
          d.saturated_summary_bytes = 0;
        }
        d.saturated_summary_bytes += sat.bytes();
        summarize(d.saturated_summaries.emplace(key, std::move(sat)).first->second, i);
        continue;
      }
      // (More holders asked for than a summary keeps: counted from the postings, the documents of
      // a saturated fingerprint still left out.)
      std::size_t agencies = 0;
      for (const auto& [doc, agency] : postings) {
        HitScratch::Document& counted = scratch.documents[doc];
        if (ranks && counted.fingerprint != fp_stamp) {
          counted.fingerprint = fp_stamp;
          if (counted.call != call) {
            counted.call = call;
            counted.count = 0;
            touched.push_back(doc);
          }
          ++counted.count;
        }
        if (agency && agency != excluded_agency && scratch.agency_fingerprint[agency] != fp_stamp) {
          scratch.agency_fingerprint[agency] = fp_stamp;
          ++agencies;
          if (hits.holders[i].size() < holders_per_fingerprint) hits.holders[i].push_back(doc);
        }
      }
      hits.agencies_per_fingerprint[i] = static_cast<std::uint16_t>(std::min<std::size_t>(agencies, 65535));
    }
  }
  hits.documents.reserve(touched.size());
  for (const std::uint32_t doc : touched) hits.documents.emplace_back(doc, scratch.documents[doc].count);
  return hits;
}

void FingerprintHits::visit_documents_most_first(
    const std::function<bool(std::int64_t id, int shared)>& visit) {
  // A check looks at a few dozen of what can be tens of thousands (every document sharing one
  // sentence with the report is here): sorted a chunk at a time, each chunk by partial_sort of
  // what is left, which keeps the order exact.
  const auto most_first = [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  };
  std::size_t chunk = 64;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (i == sorted_) {
      const std::size_t end = std::min(documents.size(), sorted_ + chunk);
      std::partial_sort(documents.begin() + static_cast<std::ptrdiff_t>(sorted_),
                        documents.begin() + static_cast<std::ptrdiff_t>(end), documents.end(), most_first);
      sorted_ = end;
      chunk *= 2;
    }
    if (!visit(documents[i].first, documents[i].second)) return;
  }
}

std::vector<DocumentInfo> Archive::documents() const {
  Statement s = impl_->prepare(
      "SELECT d.id, d.file, a.name, d.year, d.kind FROM documents d JOIN agencies a ON a.id = "
      "d.agency_id "
      "ORDER BY d.id");
  std::vector<DocumentInfo> out;
  while (s.step()) {
    DocumentInfo info;
    info.id = s.column_int(0);
    info.file = s.column_text(1);
    info.agency = s.column_text(2);
    info.year = static_cast<int>(s.column_int(3));
    info.kind = parse_kind(s.column_text(4)).value_or(DocumentKind::kReport);
    out.push_back(std::move(info));
  }
  return out;
}

MinHashSignature Archive::signature(std::int64_t id) const {
  Statement s = impl_->cached("SELECT minhash FROM sketches WHERE doc_id = ?");
  s.bind(1, id);
  if (!s.step())
    throw_error("{}: damaged archive: signature of document {} missing", impl_->name, id);
  return impl_->layout.decode_signature(s.column_blob(0));
}

double Archive::estimate_jaccard(const MinHashSignature& a, const MinHashSignature& b) const {
  return estimate_jaccard_truncated(a, b, impl_->layout.signature_bits);
}

std::vector<std::vector<std::int64_t>> Archive::lsh_groups() const {
  impl_->write_pending_index();
  Statement s = impl_->prepare("SELECT doc_ids FROM lsh_buckets WHERE length(doc_ids) >= 8");
  std::vector<std::vector<std::int64_t>> out;
  while (s.step()) {
    const auto blob = s.column_blob(0);
    std::vector<std::int64_t> ids;
    for (std::size_t at = 0; at + 4 <= blob.size(); at += 4)
      ids.push_back(read_le<std::uint32_t>(blob.data() + at));
    out.push_back(std::move(ids));
  }
  return out;
}

std::uint64_t Archive::fingerprint_key(std::uint64_t hash) const {
  return impl_->key_of(hash);
}

std::vector<SharedFingerprint> Archive::widely_shared_fingerprints(int min_agencies,
                                                                   std::size_t holder_cap) const {
  impl_->write_pending_index();
  std::unordered_map<std::int64_t, int> year_of;
  {
    Statement s = impl_->prepare("SELECT id, year FROM documents");
    while (s.step()) year_of[s.column_int(0)] = static_cast<int>(s.column_int(1));
  }
  Statement s = impl_->prepare("SELECT bucket, entries FROM postings");
  std::vector<SharedFingerprint> out;
  struct Entry {
    std::uint32_t tag, doc, agency;
  };
  std::vector<Entry> entries;
  while (s.step()) {
    const auto bucket = static_cast<std::uint64_t>(s.column_int(0));
    const auto blob = s.column_blob(1);
    const BlobLayout& layout = impl_->layout;
    const std::size_t step = layout.posting_bytes();
    if (blob.size() < std::size_t(min_agencies) * step) continue;
    entries.clear();
    for (std::size_t at = 0; at + step <= blob.size(); at += step)
      entries.push_back(
          {layout.read_tag(blob.data() + at), layout.read_doc(blob.data() + at), layout.read_agency(blob.data() + at)});
    std::stable_sort(entries.begin(), entries.end(),
                     [](const Entry& a, const Entry& b) { return a.tag < b.tag; });
    for (std::size_t i = 0; i < entries.size();) {
      std::size_t j = i;
      while (j < entries.size() && entries[j].tag == entries[i].tag) ++j;
      if (j - i >= std::size_t(min_agencies)) {
        std::unordered_set<std::uint32_t> agencies;
        std::unordered_set<int> years;
        SharedFingerprint fp;
        fp.key = (bucket << 32) | entries[i].tag;
        for (std::size_t k = i; k < j; ++k) {
          ++fp.documents;
          if (auto y = year_of.find(entries[k].doc); y != year_of.end()) years.insert(y->second);
          if (entries[k].agency && agencies.insert(entries[k].agency).second &&
              fp.holders.size() < holder_cap)
            fp.holders.push_back(entries[k].doc);
        }
        fp.agencies = static_cast<int>(agencies.size());
        fp.years = static_cast<int>(years.size());
        if (fp.agencies >= min_agencies) out.push_back(std::move(fp));
      }
      i = j;
    }
  }
  std::sort(out.begin(), out.end(), [](const SharedFingerprint& a, const SharedFingerprint& b) {
    return a.agencies != b.agencies ? a.agencies > b.agencies : a.key < b.key;
  });
  return out;
}

}  // namespace leitong
