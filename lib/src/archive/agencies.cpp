// The agency register (docs/format.md "Agencies"): one entry per agency (the agencies table), any
// number of other names for it (agency_aliases, made with the first alias: older archives are read
// as they are), renames and merges that keep every document and index entry on its entry.
#include <leitong/core/error.h>

#include "detail/archive_impl.h"

namespace leitong {

using detail::Statement;

namespace {

bool has_alias_table(const Archive::Impl& d) {
  Statement s = d.cached("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'agency_aliases'");
  const bool yes = s.step();
  s.reset();
  return yes;
}

// Runs `change` in one write transaction: all of it or nothing.
template <typename F>
auto in_transaction(Archive::Impl& d, F&& change) {
  if (d.mode != Archive::Mode::kReadWrite) throw_error("{}: archive opened read-only", d.name);
  if (d.group_open) throw_error("{}: a group of documents is being added; flush it first", d.name);
  d.exec("BEGIN IMMEDIATE");
  try {
    auto result = change();
    d.exec("COMMIT");
    return result;
  } catch (...) {
    sqlite3_exec(d.db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::int64_t existing_agency(Archive::Impl& d, const std::string& canonical, const std::string& given) {
  const std::int64_t id = d.agency_id(canonical, false);
  if (!id) throw_error("{}: no agency {} in the archive", d.name, given);
  return id;
}

// The entry an alias names, 0 if none.
std::int64_t alias_target(const Archive::Impl& d, const std::string& canonical) {
  if (!has_alias_table(d)) return 0;
  Statement s = d.cached("SELECT agency_id FROM agency_aliases WHERE alias = ?");
  s.bind(1, canonical);
  return s.step() ? s.column_int(0) : 0;
}

void insert_alias(Archive::Impl& d, const std::string& alias, std::int64_t agency) {
  d.exec("CREATE TABLE IF NOT EXISTS agency_aliases(alias TEXT PRIMARY KEY, "
         "agency_id INTEGER NOT NULL REFERENCES agencies(id))");
  d.prepare("INSERT OR REPLACE INTO agency_aliases(alias, agency_id) VALUES (?, ?)").bind(1, alias).bind(2, agency).run();
}

// Counted for RegisterState::edits, inside the edit's own transaction.
void count_register_edit(Archive::Impl& d) {
  d.exec("INSERT INTO meta(key, value) VALUES ('register_edits', '1') "
         "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1");
}

std::string name_of(const Archive::Impl& d, std::int64_t id) {
  Statement s = d.prepare("SELECT name FROM agencies WHERE id = ?");
  s.bind(1, id);
  return s.step() ? s.column_text(0) : std::string();
}

}  // namespace

std::vector<std::pair<std::string, std::string>> Archive::agency_aliases() const {
  std::vector<std::pair<std::string, std::string>> out;
  if (!has_alias_table(*impl_)) return out;
  Statement s = impl_->prepare(
      "SELECT l.alias, a.name FROM agency_aliases l JOIN agencies a ON a.id = l.agency_id ORDER BY l.alias");
  while (s.step()) out.emplace_back(s.column_text(0), s.column_text(1));
  return out;
}

std::optional<std::string> Archive::agency_entry(const std::string& name) const {
  const Impl& d = *impl_;
  const std::string canonical = canonical_agency(name);
  {
    Statement s = d.cached("SELECT name FROM agencies WHERE name = ?");
    s.bind(1, canonical);
    if (s.step()) return s.column_text(0);
  }
  if (!has_alias_table(d)) return std::nullopt;
  // Joined as agency_aliases() joins them: an alias naming no entry is no alias.
  Statement s = d.cached(
      "SELECT a.name FROM agency_aliases l JOIN agencies a ON a.id = l.agency_id WHERE l.alias = ?");
  s.bind(1, canonical);
  if (s.step()) return s.column_text(0);
  return std::nullopt;
}

RegisterState Archive::register_state() const {
  const Impl& d = *impl_;
  RegisterState state;
  {
    Statement s = d.cached("SELECT coalesce(max(id), 0) FROM agencies");
    s.step();
    state.last_agency = s.column_int(0);
    s.reset();
  }
  if (has_alias_table(d)) {
    Statement s = d.cached("SELECT coalesce(max(rowid), 0) FROM agency_aliases");
    s.step();
    state.last_alias = s.column_int(0);
    s.reset();
  }
  Statement s = d.cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'register_edits'");
  if (s.step()) state.edits = s.column_int(0);
  s.reset();
  return state;
}

std::vector<std::string> Archive::agency_names_after(std::int64_t agency_id) const {
  Statement s = impl_->cached("SELECT name FROM agencies WHERE id > ? ORDER BY id");
  s.bind(1, agency_id);
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.column_text(0));
  s.reset();
  return names;
}

void Archive::add_agency_alias(const std::string& agency, const std::string& alias) {
  Impl& d = *impl_;
  const std::string entry = canonical_agency(agency), other = canonical_agency(alias);
  in_transaction(d, [&] {
    const std::int64_t id = existing_agency(d, entry, agency);
    if (other.empty()) throw_error("{}: an empty alias", d.name);
    if (const std::int64_t holder = d.agency_id(other, false); holder)
      throw_error("{}: {} is an agency of its own in the archive{}", d.name, alias,
                  holder == id ? "" : "; merge the two agencies instead");
    if (const std::int64_t target = alias_target(d, other); target && target != id)
      throw_error("{}: {} already names {}", d.name, alias, name_of(d, target));
    insert_alias(d, other, id);
    count_register_edit(d);
    return 0;
  });
}

void Archive::rename_agency(const std::string& agency, const std::string& new_name) {
  Impl& d = *impl_;
  const std::string old_canonical = canonical_agency(agency), new_canonical = canonical_agency(new_name);
  in_transaction(d, [&] {
    const std::int64_t id = existing_agency(d, old_canonical, agency);
    if (new_canonical.empty()) throw_error("{}: an empty name", d.name);
    if (new_canonical == old_canonical) return 0;
    if (d.agency_id(new_canonical, false))
      throw_error("{}: {} is already an agency in the archive; merge the two instead", d.name, new_name);
    if (const std::int64_t target = alias_target(d, new_canonical); target && target != id)
      throw_error("{}: {} already names {}", d.name, new_name, name_of(d, target));
    d.prepare("UPDATE agencies SET name = ? WHERE id = ?").bind(1, new_canonical).bind(2, id).run();
    if (has_alias_table(d)) d.prepare("DELETE FROM agency_aliases WHERE alias = ?").bind(1, new_canonical).run();
    insert_alias(d, old_canonical, id);  // the old name still finds it
    count_register_edit(d);
    return 0;
  });
}

std::int64_t Archive::merge_agencies(const std::string& from, const std::string& into) {
  Impl& d = *impl_;
  const std::string from_canonical = canonical_agency(from), into_canonical = canonical_agency(into);
  return in_transaction(d, [&]() -> std::int64_t {
    const std::int64_t from_id = existing_agency(d, from_canonical, from);
    const std::int64_t into_id = existing_agency(d, into_canonical, into);
    if (from_id == into_id) throw_error("{}: {} and {} are the same agency", d.name, from, into);
    // The same text for the same year under both would become one document twice.
    {
      Statement clash = d.prepare(
          "SELECT a.id, a.year, b.id FROM documents a JOIN documents b ON a.year = b.year AND "
          "a.content_hash = b.content_hash WHERE a.agency_id = ? AND b.agency_id = ? LIMIT 5");
      clash.bind(1, from_id).bind(2, into_id);
      std::string both;
      while (clash.step())
        both += fmt::format("{}#{} and #{} ({})", both.empty() ? "" : ", ", clash.column_int(0), clash.column_int(2),
                            clash.column_int(1));
      if (!both.empty())
        throw_error("{}: both agencies hold the same text for the same year ({}); remove one first", d.name, both);
    }
    d.prepare("UPDATE documents SET agency_id = ? WHERE agency_id = ?").bind(1, into_id).bind(2, from_id).run();
    const auto moved = static_cast<std::int64_t>(sqlite3_changes64(d.db));
    // Index entries carry the agency of a report (boilerplate counts agencies): every posting of
    // the merged agency is rewritten, so the index says what a fresh archive would.
    // Runs are merged first (the postings table is then all there is); the keys this finds at the
    // cap are not recorded (that is only a saving, and this transaction may yet roll back).
    if (const std::vector<std::uint32_t> runs = d.posting_run_ids(); !runs.empty()) {
      d.merge_posting_runs(runs);
      d.pending_saturated.clear();
    }
    const auto bytes = d.layout.posting_bytes();
    Statement blobs = d.prepare("SELECT bucket, entries FROM postings");
    Statement update = d.prepare("UPDATE postings SET entries = ? WHERE bucket = ?");
    std::vector<std::pair<std::int64_t, std::vector<std::uint8_t>>> changed;
    while (blobs.step()) {
      const auto entries = blobs.column_blob(1);
      bool hit = false;
      for (std::size_t at = 0; at + bytes <= entries.size() && !hit; at += bytes)
        hit = d.layout.read_agency(entries.data() + at) == std::uint32_t(from_id);
      if (!hit) continue;
      std::vector<std::uint8_t> rewritten(entries.begin(), entries.end());
      for (std::size_t at = 0; at + bytes <= rewritten.size(); at += bytes)
        if (d.layout.read_agency(rewritten.data() + at) == std::uint32_t(from_id))
          for (std::size_t i = 0; i < 4; ++i)  // little-endian, as BlobLayout writes it
            rewritten[at + d.layout.tag_bytes + 4 + i] = static_cast<std::uint8_t>(std::uint32_t(into_id) >> (8 * i));
      changed.emplace_back(blobs.column_int(0), std::move(rewritten));
    }
    blobs.reset();
    for (const auto& [bucket, entries] : changed)
      update.bind_blob(1, entries.data(), entries.size()).bind(2, bucket).run();
    if (has_alias_table(d))
      d.prepare("UPDATE agency_aliases SET agency_id = ? WHERE agency_id = ?").bind(1, into_id).bind(2, from_id).run();
    d.prepare("DELETE FROM agencies WHERE id = ?").bind(1, from_id).run();
    insert_alias(d, from_canonical, into_id);
    count_register_edit(d);
    return moved;
  });
}

}  // namespace leitong
