#include <leitong/core/document.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/service/store.h>
#include <sodium.h>
#include <sqlite3.h>
#include <zstd.h>

#include <mutex>

#include "../detail/sqlite.h"

namespace leitong {

using detail::Statement;

std::string_view role_name(Role role) { return role == Role::kInspector ? "inspector" : "agency"; }

std::optional<Role> parse_role(std::string_view name) {
  if (name == "inspector") return Role::kInspector;
  if (name == "agency") return Role::kAgency;
  return std::nullopt;
}

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS service_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY, role TEXT NOT NULL, agency TEXT NOT NULL, password_hash TEXT NOT NULL,
  created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY, name TEXT NOT NULL, csrf TEXT NOT NULL, created INTEGER NOT NULL,
  last_used INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_by_name ON sessions (name);
CREATE TABLE IF NOT EXISTS checks (
  id TEXT PRIMARY KEY, agency TEXT NOT NULL, user TEXT NOT NULL, file TEXT NOT NULL,
  year INTEGER NOT NULL, created INTEGER NOT NULL, copy_ratio REAL NOT NULL,
  copy_ratio_excluding_boilerplate REAL NOT NULL, json TEXT NOT NULL, evidence_html TEXT NOT NULL,
  text BLOB NOT NULL DEFAULT '', scope TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS checks_by_agency ON checks (agency, created);
INSERT OR IGNORE INTO service_meta VALUES ('format', 'leitong.service/1');
)sql";

// A check's JSON and evidence page are kept as zstd frames, about a quarter of their size (the
// recycled case's evidence page: 53,781 bytes -> 12,337). Rows written as text by earlier
// versions are read as they are.
std::string compress_field(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t size = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  if (ZSTD_isError(size)) throw_error("cannot compress a check: {}", ZSTD_getErrorName(size));
  out.resize(size);
  return out;
}

std::string stored_field(const Statement& row, int column, const std::string& where) {
  if (sqlite3_column_type(row.raw(), column) != SQLITE_BLOB) return row.column_text(column);
  const auto blob = row.column_blob(column);
  const unsigned long long size = ZSTD_getFrameContentSize(blob.data(), blob.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ull << 31))
    throw_error("{}: a stored check is damaged", where);
  std::string text(static_cast<std::size_t>(size), '\0');
  const std::size_t got = ZSTD_decompress(text.data(), text.size(), blob.data(), blob.size());
  if (ZSTD_isError(got) || got != size) throw_error("{}: a stored check is damaged", where);
  return text;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes, n);
  hex.pop_back();
  return hex;
}

std::string token_hash(const std::string& token) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()), token.size(),
                     nullptr, 0);
  return to_hex(digest, sizeof digest);
}

void require_user_name(const std::string& name) {
  const std::u32string chars = decode_utf8(name, "user name");
  if (chars.empty() || chars.size() > 64) throw_error("user name must have 1 to 64 characters");
  if (is_whitespace(chars.front()) || is_whitespace(chars.back()))
    throw_error("user name must not begin or end with a space");
  for (char32_t c : chars)
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) throw_error("user name must not hold control characters");
}

void require_password(const std::string& password) {
  const std::u32string chars = decode_utf8(password, "password");
  if (chars.size() < 10) throw_error("password must have at least 10 characters");
  if (password.size() > 1024) throw_error("password must have at most 1024 bytes");
}

}  // namespace

struct ServiceStore::Impl {
  std::filesystem::path path;
  StoreParams params;
  sqlite3* db = nullptr;
  mutable std::mutex mutex;
  std::string dummy_hash;  // verified for unknown names, so they take as long as known ones

  sqlite3* checkpointer = nullptr;  // a second connection: checkpoints never hold up `db`

  ~Impl() {
    if (checkpointer) sqlite3_close_v2(checkpointer);
    if (db) sqlite3_close_v2(db);
  }
  std::string where() const { return path.string(); }
  Statement statement(std::string_view sql) const { return Statement(db, sql, where()); }
  void exec(const char* sql) const {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string reason = message ? message : detail::sqlite_error(db);
      sqlite3_free(message);
      throw_error("{}: {}", where(), reason);
    }
  }
  std::string hash_password(const std::string& password) const {
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_argon2id_str(hash, password.data(), password.size(), params.pwhash_ops,
                                   params.pwhash_memory) != 0)
      throw_error("not enough memory to hash a password");
    return hash;
  }
  void end_sessions_of(const std::string& name) const {
    statement("DELETE FROM sessions WHERE name = ?").bind(1, name).run();
  }
};

std::filesystem::path ServiceStore::path_for(const std::filesystem::path& archive) {
  std::filesystem::path p = archive;
  p += ".service";
  return p;
}

ServiceStore ServiceStore::open(const std::filesystem::path& path, const StoreParams& params) {
  if (sodium_init() < 0) throw_error("libsodium could not be initialised");
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->params = params;
  if (detail::open_database(path.c_str(), &impl->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX) != SQLITE_OK)
    throw_error("{}: cannot open the service file: {}", path.string(),
                impl->db ? detail::sqlite_error(impl->db) : "out of memory");
  sqlite3_busy_timeout(impl->db, 5000);
  // Checkpoints are left to checkpoint() (the service calls it every few seconds, from its own
  // thread): run by SQLite after a commit, one held the connection, and every request waiting on
  // it, for as long as the disk took to sync.
  impl->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
             "PRAGMA wal_autocheckpoint=0;");
  impl->exec(kSchema);
  // Service files made before checks kept their text (for the PDF report) get its columns; their
  // earlier checks have none.
  {
    bool has_text = false;
    Statement columns = impl->statement("PRAGMA table_info(checks)");
    while (columns.step()) has_text |= columns.column_text(1) == "text";
    if (!has_text)
      impl->exec("ALTER TABLE checks ADD COLUMN text BLOB NOT NULL DEFAULT '';"
                 "ALTER TABLE checks ADD COLUMN scope TEXT NOT NULL DEFAULT '';");
  }
  {
    Statement format = impl->statement("SELECT value FROM service_meta WHERE key = 'format'");
    if (!format.step() || format.column_text(0) != "leitong.service/1")
      throw_error("{}: not a leitong service file", path.string());
  }
  impl->dummy_hash = impl->hash_password(random_hex(16));
  return ServiceStore(std::move(impl));
}

ServiceStore::ServiceStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ServiceStore::ServiceStore(ServiceStore&&) noexcept = default;
ServiceStore& ServiceStore::operator=(ServiceStore&&) noexcept = default;
ServiceStore::~ServiceStore() = default;

const std::filesystem::path& ServiceStore::path() const { return impl_->path; }

void ServiceStore::add_user(const std::string& name, Role role, const std::string& agency,
                            const std::string& password) {
  require_user_name(name);
  require_password(password);
  const std::string canonical = role == Role::kAgency ? canonical_agency(agency) : std::string();
  if (role == Role::kAgency && canonical.empty()) throw_error("an agency user needs --agency");
  if (role == Role::kInspector && !agency.empty()) throw_error("an inspector belongs to no agency (leave out --agency)");
  const std::string hash = impl_->hash_password(password);
  std::lock_guard lock(impl_->mutex);
  if (find_user(name)) throw_error("user '{}' exists already", name);
  impl_->statement("INSERT INTO users VALUES (?, ?, ?, ?, ?)")
      .bind(1, name)
      .bind(2, role_name(role))
      .bind(3, canonical)
      .bind(4, hash)
      .bind(5, now_seconds())
      .run();
}

void ServiceStore::set_password(const std::string& name, const std::string& password) {
  require_password(password);
  const std::string hash = impl_->hash_password(password);
  std::lock_guard lock(impl_->mutex);
  if (!find_user(name)) throw_error("no user '{}'", name);
  impl_->statement("UPDATE users SET password_hash = ? WHERE name = ?").bind(1, hash).bind(2, name).run();
  impl_->end_sessions_of(name);
}

void ServiceStore::remove_user(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  if (!find_user(name)) throw_error("no user '{}'", name);
  impl_->statement("DELETE FROM users WHERE name = ?").bind(1, name).run();
  impl_->end_sessions_of(name);
}

namespace {
User user_of_row(const Statement& row) {
  User user;
  user.name = row.column_text(0);
  user.role = parse_role(row.column_text(1)).value_or(Role::kAgency);
  user.agency = row.column_text(2);
  user.created = row.column_int(3);
  return user;
}
}  // namespace

std::vector<User> ServiceStore::users() const {
  std::vector<User> out;
  Statement rows = impl_->statement("SELECT name, role, agency, created FROM users ORDER BY role, agency, name");
  while (rows.step()) out.push_back(user_of_row(rows));
  return out;
}

std::optional<User> ServiceStore::find_user(const std::string& name) const {
  Statement row = impl_->statement("SELECT name, role, agency, created FROM users WHERE name = ?");
  row.bind(1, name);
  if (!row.step()) return std::nullopt;
  return user_of_row(row);
}

std::optional<User> ServiceStore::authenticate(const std::string& name, const std::string& password) const {
  std::string hash;
  std::optional<User> user;
  {
    Statement row = impl_->statement("SELECT name, role, agency, created, password_hash FROM users WHERE name = ?");
    row.bind(1, name);
    if (row.step()) {
      user = user_of_row(row);
      hash = row.column_text(4);
    }
  }
  const bool matches = crypto_pwhash_argon2id_str_verify(user ? hash.c_str() : impl_->dummy_hash.c_str(),
                                                         password.data(), password.size()) == 0;
  if (!user || !matches) return std::nullopt;
  return user;
}

NewSession ServiceStore::start_session(const User& user) {
  NewSession out;
  out.token = random_hex(32);
  out.session.user = user;
  out.session.csrf_token = random_hex(32);
  const std::int64_t now = now_seconds();
  out.session.expires = now + impl_->params.session_idle.count();
  std::lock_guard lock(impl_->mutex);
  // Sessions that ended are swept here rather than by a timer.
  impl_->statement("DELETE FROM sessions WHERE last_used < ? OR created < ?")
      .bind(1, now - impl_->params.session_idle.count())
      .bind(2, now - impl_->params.session_lifetime.count())
      .run();
  impl_->statement("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)")
      .bind(1, token_hash(out.token))
      .bind(2, user.name)
      .bind(3, out.session.csrf_token)
      .bind(4, now)
      .bind(5, now)
      .run();
  return out;
}

std::optional<Session> ServiceStore::find_session(const std::string& token) {
  if (token.size() != 64) return std::nullopt;
  const std::string key = token_hash(token);
  const std::int64_t now = now_seconds();
  std::lock_guard lock(impl_->mutex);
  Statement row = impl_->statement(
      "SELECT u.name, u.role, u.agency, u.created, s.csrf, s.created, s.last_used FROM sessions s "
      "JOIN users u ON u.name = s.name WHERE s.token_hash = ?");
  row.bind(1, key);
  if (!row.step()) return std::nullopt;
  Session session;
  session.user = user_of_row(row);
  session.csrf_token = row.column_text(4);
  const std::int64_t created = row.column_int(5), last_used = row.column_int(6);
  if (now - last_used > impl_->params.session_idle.count() ||
      now - created > impl_->params.session_lifetime.count()) {
    row.reset();
    impl_->statement("DELETE FROM sessions WHERE token_hash = ?").bind(1, key).run();
    return std::nullopt;
  }
  row.reset();
  // Renewed at most once a minute: most requests then only read the service file.
  if (now - last_used >= 60)
    impl_->statement("UPDATE sessions SET last_used = ? WHERE token_hash = ?").bind(1, now).bind(2, key).run();
  session.expires = std::min((now - last_used >= 60 ? now : last_used) + impl_->params.session_idle.count(),
                             created + impl_->params.session_lifetime.count());
  return session;
}

void ServiceStore::end_session(const std::string& token) {
  std::lock_guard lock(impl_->mutex);
  impl_->statement("DELETE FROM sessions WHERE token_hash = ?").bind(1, token_hash(token)).run();
}

std::string ServiceStore::save_check(CheckRecord record) {
  record.id = random_hex(16);
  if (!record.created) record.created = now_seconds();
  const std::string json = compress_field(record.json), evidence = compress_field(record.evidence_html),
                    text = compress_field(record.text);
  std::lock_guard lock(impl_->mutex);
  impl_->statement(
          "INSERT INTO checks (id, agency, user, file, year, created, copy_ratio, copy_ratio_excluding_boilerplate, "
          "json, evidence_html, text, scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, record.id)
      .bind(2, record.agency)
      .bind(3, record.user)
      .bind(4, record.file)
      .bind(5, record.year)
      .bind(6, record.created)
      .bind(7, record.copy_ratio)
      .bind(8, record.copy_ratio_excluding_boilerplate)
      .bind_blob(9, json.data(), json.size())
      .bind_blob(10, evidence.data(), evidence.size())
      .bind_blob(11, text.data(), text.size())
      .bind(12, record.scope)
      .run();
  return record.id;
}

namespace {
CheckRecord check_of_row(const Statement& row, bool whole, const std::string& where) {
  CheckRecord r;
  r.id = row.column_text(0);
  r.agency = row.column_text(1);
  r.user = row.column_text(2);
  r.file = row.column_text(3);
  r.year = static_cast<int>(row.column_int(4));
  r.created = row.column_int(5);
  r.copy_ratio = row.column_double(6);
  r.copy_ratio_excluding_boilerplate = row.column_double(7);
  if (whole) {
    r.json = stored_field(row, 8, where);
    r.evidence_html = stored_field(row, 9, where);
    r.text = stored_field(row, 10, where);
    r.scope = row.column_text(11);
  }
  return r;
}
}  // namespace

std::optional<CheckRecord> ServiceStore::find_check(const std::string& id) const {
  if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) return std::nullopt;
  Statement row = impl_->statement(
      "SELECT id, agency, user, file, year, created, copy_ratio, copy_ratio_excluding_boilerplate, json, "
      "evidence_html, text, scope FROM checks WHERE id = ?");
  row.bind(1, id);
  if (!row.step()) return std::nullopt;
  return check_of_row(row, true, impl_->where());
}

std::vector<CheckRecord> ServiceStore::list_checks(const std::string& agency, std::size_t limit) const {
  std::vector<CheckRecord> out;
  Statement rows = impl_->statement(
      agency.empty() ? "SELECT id, agency, user, file, year, created, copy_ratio, copy_ratio_excluding_boilerplate "
                       "FROM checks WHERE ? = '' ORDER BY created DESC, rowid DESC LIMIT ?"
                     : "SELECT id, agency, user, file, year, created, copy_ratio, copy_ratio_excluding_boilerplate "
                       "FROM checks WHERE agency = ? ORDER BY created DESC, rowid DESC LIMIT ?");
  rows.bind(1, agency).bind(2, static_cast<std::int64_t>(limit));
  while (rows.step()) out.push_back(check_of_row(rows, false, impl_->where()));
  return out;
}

void ServiceStore::checkpoint() {
  if (!impl_->checkpointer) {
    if (detail::open_database(impl_->path.c_str(), &impl_->checkpointer, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX) != SQLITE_OK) {
      const std::string reason = impl_->checkpointer ? detail::sqlite_error(impl_->checkpointer) : "out of memory";
      sqlite3_close_v2(impl_->checkpointer);
      impl_->checkpointer = nullptr;
      throw_error("{}: cannot open the service file: {}", impl_->where(), reason);
    }
    sqlite3_busy_timeout(impl_->checkpointer, 1000);
  }
  const int rc = sqlite3_wal_checkpoint_v2(impl_->checkpointer, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
    throw_error("{}: {}", impl_->where(), detail::sqlite_error(impl_->checkpointer));
}

std::size_t ServiceStore::remove_checks_before(std::int64_t created) {
  std::lock_guard lock(impl_->mutex);
  impl_->statement("DELETE FROM checks WHERE created < ?").bind(1, created).run();
  return static_cast<std::size_t>(sqlite3_changes(impl_->db));
}

bool tokens_equal(const std::string& given, const std::string& expected) {
  if (given.size() != expected.size() || expected.empty()) return false;
  return sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

std::string random_hex(std::size_t bytes) {
  if (sodium_init() < 0) throw_error("libsodium could not be initialised");
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

}  // namespace leitong
