// Reading ahead (Archive::set_read_ahead): rows a call is about to read, fetched on connections of
// their own so that the disk serves them side by side.
#include <leitong/core/error.h>

#include <array>
#include <exception>
#include <optional>

#include "detail/archive_impl.h"

namespace leitong {

namespace detail {

ReadAhead::ReadAhead(const Archive::Impl& d, std::vector<const char*> statements, std::vector<Row> rows,
                     int connections)
    : statements_(std::move(statements)),
      rows_(std::move(rows)),
      total_(d.rows_read_ahead),
      uncaught_at_start_(std::uncaught_exceptions()) {
  // The helpers share nothing but SQLite's global state: a library built without threads gets none.
  if (!sqlite3_threadsafe()) return;
  try {
    threads_.reserve(static_cast<std::size_t>(connections));
    for (int i = 0; i < connections; ++i) threads_.emplace_back([this, target = d.target] { fetch(target); });
  } catch (...) {
    // (no memory or no thread left) Only an optimization: the caller reads on without it.
    stop(true);
  }
}

// The caller has read every row itself by now: rows not yet taken come from the page cache, fast,
// and every one is counted (rows_read_ahead); a caller leaving by an exception stops them at once.
ReadAhead::~ReadAhead() { stop(std::uncaught_exceptions() > uncaught_at_start_); }

void ReadAhead::stop(bool early) {
  if (early) stop_ = true;
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  total_ += stepped_.exchange(0);
}

// Raw SQLite, and nothing thrown: a failure here (a connection that cannot open, a statement that
// does not prepare, a damaged page) only means fewer pages fetched; the caller meets and reports
// any damage itself.
void ReadAhead::fetch(const std::string& target) noexcept {
  sqlite3* db = nullptr;
  std::array<sqlite3_stmt*, kMaxStatements> prepared{};
  if (open_database(target.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI) == SQLITE_OK)
    for (std::size_t i = 0; i < statements_.size() && i < kMaxStatements; ++i)
      if (sqlite3_prepare_v2(db, statements_[i], -1, &prepared[i], nullptr) != SQLITE_OK) prepared[i] = nullptr;
  // Stepping to a row reads all of it, its overflow pages included.
  for (std::size_t i; db && !stop_ && (i = next_++) < rows_.size();) {
    sqlite3_stmt* s = rows_[i].statement < kMaxStatements ? prepared[rows_[i].statement] : nullptr;
    if (!s) continue;
    sqlite3_bind_int64(s, 1, rows_[i].key);
    if (sqlite3_step(s) == SQLITE_ROW) ++stepped_;
    sqlite3_reset(s);
  }
  for (sqlite3_stmt* s : prepared) sqlite3_finalize(s);
  sqlite3_close_v2(db);
}

}  // namespace detail

bool Archive::Impl::read_ahead_due(std::size_t reads_done, std::chrono::steady_clock::time_point began,
                                   std::chrono::microseconds cached_read) const {
  if (read_ahead_connections <= 0) return false;
  if (read_ahead_start == Archive::ReadAheadStart::kAtFirstRead) return reads_done == 0;
  constexpr std::size_t kProbeReads = 4;
  return reads_done == kProbeReads && std::chrono::steady_clock::now() - began >= kProbeReads * cached_read;
}

void Archive::Impl::read_ahead_documents(std::optional<detail::ReadAhead>& ahead,
                                         std::span<const std::int64_t> ids) const {
  std::vector<detail::ReadAhead::Row> rows;
  rows.reserve(ids.size() * 2);
  for (const std::int64_t id : ids) {
    rows.push_back({0, id});
    rows.push_back({1, id});
  }
  // What info() and text() read.
  ahead.emplace(*this,
                std::vector<const char*>{"SELECT d.file, a.name FROM documents d JOIN agencies a ON a.id = d.agency_id WHERE d.id = ?",
                                         "SELECT utf8_zstd FROM texts WHERE doc_id = ?"},
                std::move(rows), read_ahead_connections);
}

void Archive::set_read_ahead(int connections, ReadAheadStart start) {
  if (connections < 0 || connections > kMaxReadAheadConnections)
    throw_error("read-ahead connections must be 0 to {}, not {}", kMaxReadAheadConnections, connections);
  impl_->read_ahead_connections = connections;
  impl_->read_ahead_start = start;
}

std::int64_t Archive::rows_read_ahead() const { return impl_->rows_read_ahead; }

}  // namespace leitong
