// A thin RAII layer over the SQLite C API (internal to the archive and service layers). Errors
// become leitong::Error naming the file.
#pragma once

#include <leitong/core/error.h>

#include <sqlite3.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace leitong::detail {

// sqlite3_open_v2 with no VFS named. SQLite's process-wide settings are the program's to make
// (configure_sqlite_for_this_program, archive.h), never a library's: sqlite3_config is not safe
// while another thread of the host uses SQLite.
inline int open_database(const char* filename, sqlite3** db, int flags) {
  return sqlite3_open_v2(filename, db, flags, nullptr);
}

// SQLite's message for the last error on `db`, saying when it is damage: a reader that meets a
// damaged page says so instead of answering (`leitong verify` lists every problem).
inline std::string sqlite_error(sqlite3* db) {
  const int code = sqlite3_errcode(db) & 0xff;
  if (code == SQLITE_CORRUPT)
    return fmt::format("damaged archive ({}); `leitong verify` lists what is damaged", sqlite3_errmsg(db));
  return sqlite3_errmsg(db);
}

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql, const std::string& where) : db_(db), where_(where) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
      throw_error("{}: {}", where_, sqlite_error(db));
  }
  // Borrows a statement prepared once and kept by its owner (a connection's statement cache):
  // reset and unbound on destruction instead of finalized.
  static Statement borrow(sqlite3* db, sqlite3_stmt* stmt, const std::string& where) {
    return Statement(db, stmt, where);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept
      : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)), where_(std::move(other.where_)),
        owned_(other.owned_) {}
  ~Statement() {
    if (!stmt_) return;
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  Statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, int v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Statement& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Statement& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
  Statement& bind_blob(int i, const void* data, std::size_t size) {
    return check(sqlite3_bind_blob64(stmt_, i, size ? data : "", size, SQLITE_TRANSIENT));
  }

  // Returns true while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw_error("{}: {}", where_, sqlite_error(db_));
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::int64_t column_int(int i) const { return sqlite3_column_int64(stmt_, i); }
  double column_double(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string column_text(int i) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
  }
  std::span<const std::uint8_t> column_blob(int i) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, i));
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i))};
  }
  bool column_is_null(int i) const { return sqlite3_column_type(stmt_, i) == SQLITE_NULL; }
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  Statement& check(int rc) {
    if (rc != SQLITE_OK) throw_error("{}: {}", where_, sqlite_error(db_));
    return *this;
  }
  Statement(sqlite3* db, sqlite3_stmt* stmt, const std::string& where)
      : db_(db), stmt_(stmt), where_(where), owned_(false) {}

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string where_;
  bool owned_ = true;
};

}  // namespace leitong::detail
