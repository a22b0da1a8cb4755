// Format and schema: the tables, the stored parameters, opening and creating an archive
// (docs/format.md describes what is written here).
#include <leitong/core/error.h>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "detail/archive_impl.h"

namespace leitong {

using detail::BlobLayout;
using detail::now_iso8601;
using detail::Statement;
using nlohmann::json;

std::string detail::now_iso8601() {
  const auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

constexpr std::int64_t kApplicationId = 0x4C54474E;  // "LTGN"

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE agencies(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE documents(
  id INTEGER PRIMARY KEY,
  agency_id INTEGER NOT NULL REFERENCES agencies(id),
  year INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('report', 'template', 'form')),
  file TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  chars INTEGER NOT NULL,
  added_at TEXT NOT NULL,
  UNIQUE (agency_id, year, content_hash));
CREATE INDEX documents_by_hash ON documents(content_hash);
CREATE INDEX documents_forms ON documents(id) WHERE kind = 'form';
CREATE TABLE texts(doc_id INTEGER PRIMARY KEY REFERENCES documents(id), utf8_zstd BLOB NOT NULL);
CREATE TABLE sketches(doc_id INTEGER PRIMARY KEY REFERENCES documents(id),
  minhash BLOB NOT NULL, simhash INTEGER NOT NULL, fingerprints INTEGER NOT NULL);
CREATE TABLE lsh_buckets(key INTEGER PRIMARY KEY, doc_ids BLOB NOT NULL);
CREATE TABLE postings(bucket INTEGER PRIMARY KEY, entries BLOB NOT NULL);
CREATE TABLE posting_runs(key INTEGER PRIMARY KEY, entries BLOB NOT NULL);
)sql";

// The stored parameters: the sketch's as sketch_param_fields() describes them, then the index's.
json params_to_json(const ArchiveParams& p) {
  json j{{"normalization_version", kNormalizationVersion},
         {"lsh", {{"bands", p.lsh.bands}, {"rows", p.lsh.rows}}},
         {"posting_bucket_bits", p.posting_bucket_bits},
         {"posting_cap", p.posting_cap}};
  for (const SketchParamField& field : sketch_param_fields()) {
    const std::uint64_t value = field.get(p.sketch);
    json& member = j[std::string(field.group)][std::string(field.key)];
    switch (field.kind) {
      case SketchParamField::Kind::kSwitch:
        member = value != 0;
        break;
      case SketchParamField::Kind::kMinHashVariant:
        member = minhash_variant_name(static_cast<MinHashVariant>(value));
        break;
      case SketchParamField::Kind::kNumber:
        member = value;
        break;
    }
  }
  return j;
}

ArchiveParams params_from_json(const json& j) {
  ArchiveParams p;
  for (const SketchParamField& field : sketch_param_fields()) {
    const json& group = j.at(std::string(field.group));
    const std::string key(field.key);
    if (!group.contains(key) && field.when_absent) {
      field.set(p.sketch, *field.when_absent);
      continue;
    }
    const json& member = group.at(key);
    switch (field.kind) {
      case SketchParamField::Kind::kSwitch:
        field.set(p.sketch, member.get<bool>() ? 1 : 0);
        break;
      case SketchParamField::Kind::kMinHashVariant: {
        const std::string name = member.get<std::string>();
        const auto variant = parse_minhash_variant(name);
        if (!variant)
          throw_error("unknown MinHash variant \"{}\" (made by a newer leitong?)", name);
        field.set(p.sketch, static_cast<std::uint64_t>(*variant));
        break;
      }
      case SketchParamField::Kind::kNumber:
        field.set(p.sketch, member.get<std::uint64_t>());
        break;
    }
  }
  p.lsh = {j.at("lsh").at("bands"), j.at("lsh").at("rows")};
  p.posting_bucket_bits = j.at("posting_bucket_bits");
  p.posting_cap = j.value("posting_cap", 0);  // absent: made before the cap, unlimited
  return p;
}

void validate(const ArchiveParams& p) {
  validate(p.sketch);
  if (p.lsh.bands < 1 || p.lsh.rows < 1 || p.lsh.bands * p.lsh.rows > p.sketch.minhash.k)
    throw_error("LSH {}x{} needs at most k = {} MinHash values", p.lsh.bands, p.lsh.rows,
                p.sketch.minhash.k);
  if (p.posting_bucket_bits < 1 || p.posting_bucket_bits > 32)
    throw_error("posting bucket bits must be in [1, 32], not {}", p.posting_bucket_bits);
  if (p.posting_cap < 0) throw_error("posting cap must be 0 (none) or more, not {}", p.posting_cap);
}

// Why the archive (or, for a new one, its folder) cannot be written, or "" if it can. access()
// also answers for a read-only file system, whoever asks.
std::string unwritable_reason(const std::filesystem::path& path, bool exists) {
  const std::filesystem::path folder = path.has_parent_path() ? path.parent_path() : ".";
  if (exists && ::access(path.c_str(), W_OK) != 0) return fmt::format("the file: {}", std::strerror(errno));
  if (::access(folder.c_str(), W_OK) != 0)
    return fmt::format("its folder {}: {}", folder.string(), std::strerror(errno));
  return {};
}

// A write-ahead log with frames in it: committed changes that are not yet in the main file, which
// only SQLite's own recovery may apply.
bool has_pending_wal(const std::filesystem::path& path) {
  std::error_code ec;
  auto wal = path;
  wal += "-wal";
  const auto size = std::filesystem::file_size(wal, ec);
  return !ec && size > 0;
}

// An SQLite file states its page size and page count in its header (when "version-valid-for"
// matches the change counter); a file shorter than that lost pages, which SQLite would only notice
// on reading them: a check could answer from what is left, and an add would write into it.
// Only called without a pending write-ahead log, when the main file alone is the archive.
void check_not_truncated(const std::string& name) {
  std::ifstream in(name, std::ios::binary);
  unsigned char header[100];
  if (!in.read(reinterpret_cast<char*>(header), sizeof header)) return;  // SQLite says what it is
  if (std::memcmp(header, "SQLite format 3", 16) != 0) return;
  auto be32 = [&](int at) {
    return std::uint32_t(header[at]) << 24 | std::uint32_t(header[at + 1]) << 16 |
           std::uint32_t(header[at + 2]) << 8 | std::uint32_t(header[at + 3]);
  };
  const std::uint32_t raw_page_size = std::uint32_t(header[16]) << 8 | header[17];
  const std::uint64_t page_size = raw_page_size == 1 ? 65536 : raw_page_size;
  if (page_size < 512 || (page_size & (page_size - 1))) return;
  const std::uint32_t pages = be32(28);
  if (pages == 0 || be32(92) != be32(24)) return;  // the header's count is not maintained
  std::error_code ec;
  const auto size = std::filesystem::file_size(name, ec);
  if (ec) return;
  if (size < pages * page_size || size % page_size != 0)
    throw_error(
        "{}: damaged archive: the file is truncated ({} bytes, where its header counts {} pages of {} "
        "bytes); restore it from a copy",
        name, size, pages, page_size);
}

// Opens the archive read-write once and reads its header, which makes SQLite recover what a
// killed writer left (a write-ahead log, or a hot rollback journal); then closes.
void recover_interrupted_write(const std::string& name) {
  sqlite3* db = nullptr;
  if (detail::open_database(name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 30000);
    sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  }
  sqlite3_close_v2(db);
}

// SQLite's URI for reading `path` as immutable (no locks, no shared memory).
std::string immutable_uri(const std::filesystem::path& path) {
  std::string uri = "file:";
  for (const unsigned char c : std::filesystem::absolute(path).string()) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~' || c >= 0x80)
      uri.push_back(static_cast<char>(c));
    else
      uri += fmt::format("%{:02X}", c);
  }
  return uri + "?immutable=1";
}

}  // namespace

std::string describe_difference(const ArchiveParams& a, const ArchiveParams& b) {
  if (auto d = describe_difference(a.sketch, b.sketch); !d.empty()) return d;
  if (a.lsh != b.lsh)
    return fmt::format("LSH {}x{} vs {}x{}", a.lsh.bands, a.lsh.rows, b.lsh.bands, b.lsh.rows);
  if (a.posting_bucket_bits != b.posting_bucket_bits)
    return fmt::format("posting bucket bits {} vs {}", a.posting_bucket_bits,
                       b.posting_bucket_bits);
  return {};
}

void Archive::require_params(const ArchiveParams& requested) const {
  if (const std::string difference = describe_difference(impl_->params, requested);
      !difference.empty())
    throw_error(
        "{}: archive was built with other parameters ({}, archive vs requested); "
        "use a new archive for these parameters",
        impl_->name, difference);
}

Archive::Archive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Archive::Archive(Archive&&) noexcept = default;
Archive& Archive::operator=(Archive&&) noexcept = default;
Archive::~Archive() = default;

const ArchiveParams& Archive::params() const { return impl_->params; }
const std::filesystem::path& Archive::path() const { return impl_->path; }
bool Archive::read_only_place() const { return impl_->immutable; }

namespace {

constexpr int kNewArchivePageBytes = 16384;

// Writes the schema and parameters into a new, empty database. Returns false if another process
// created the archive first (the caller then reads it like any existing archive).
bool create_schema(Archive::Impl& impl, const ArchiveParams& params) {
  // Set before anything is written (an archive keeps its page size; another process's archive is
  // left as it is). 16 KB rather than SQLite's 4 KB: a bulk load writes every page twice (the log,
  // then the archive), a system call a page; a million reports load in 0.79 of the time, checks,
  // yoy and verify no slower (bench/README.md "Page size").
  impl.exec(fmt::format("PRAGMA page_size = {}", kNewArchivePageBytes).c_str());
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
    if ((sqlite3_errcode(impl.db) & 0xff) == SQLITE_CORRUPT)
      throw_error("{}: {}", impl.name, detail::sqlite_error(impl.db));
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
    throw_error(
        "{}: archive format version {} is not supported (this leitong reads versions {} to {})",
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
  if (empty && mode == Mode::kReadOnly)
    throw_error("{}: empty file, not a leitong archive", impl->name);
  const bool create = !exists;
  if (create) validate(params_for_new);

  // A folder or file system that cannot be written: a writer is refused at once; a reader opens
  // the file as immutable, since SQLite cannot create the shared-memory index a write-ahead-log
  // archive is otherwise read through (and no writer can be at work there).
  const std::string unwritable = unwritable_reason(path, exists);
  if (mode == Mode::kReadWrite && !unwritable.empty())
    throw_error("{}: read-only ({}): cannot add to it", impl->name, unwritable);
  const bool wal_pending = has_pending_wal(path);
  if (!empty && !wal_pending) check_not_truncated(impl->name);
  impl->immutable = mode == Mode::kReadOnly && !unwritable.empty() && !wal_pending;

  const int flags =
      mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  impl->target = impl->immutable ? immutable_uri(path) : impl->name;
  const std::string& target = impl->target;
  auto connect = [&] {
    if (detail::open_database(target.c_str(), &impl->db, flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI) != SQLITE_OK)
      throw_error("{}: cannot open archive: {}", impl->name,
                  impl->db ? sqlite3_errmsg(impl->db) : "out of memory");
    sqlite3_busy_timeout(impl->db, 30000);
  };
  connect();

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
  try {
    impl->params = read_params(*impl);
  } catch (const Error&) {
    // A writer killed while writing its write-ahead log leaves it to be recovered, and a creation
    // killed before the archive switched to the log leaves a hot rollback journal: a read-only
    // connection may do neither ("attempt to write a readonly database"). Where the archive can be
    // written, a read-write connection recovers it (what SQLite does for any next writer), and the
    // reader reads on.
    const int code = sqlite3_extended_errcode(impl->db);
    if (mode != Mode::kReadOnly || impl->immutable ||
        (code != SQLITE_READONLY_RECOVERY && code != SQLITE_READONLY_CANTINIT && code != SQLITE_READONLY &&
         code != SQLITE_READONLY_ROLLBACK))
      throw;
    recover_interrupted_write(impl->name);
    sqlite3_close_v2(impl->db);
    impl->db = nullptr;
    connect();
    impl->params = read_params(*impl);
  }
  if (mode == Mode::kReadWrite) {
    retrying([&] { impl->exec("PRAGMA journal_mode = WAL"); });
    // In WAL mode NORMAL never corrupts; a power cut may roll back the last adds, which re-running
    // the same add restores. FULL would fsync every document (10x slower bulk loads).
    impl->exec("PRAGMA synchronous = NORMAL");
  }
  Archive archive(std::move(impl));
  if (requested) archive.require_params(*requested);
  return archive;
}

bool configure_sqlite_for_this_program() {
  return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
}

}  // namespace leitong
