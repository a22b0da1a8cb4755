// Posting runs (format 4): a large group of a bulk load appends its postings as a run of its own
// instead of rewriting every bucket's blob, and the runs are merged into the postings table when a
// load ends or when there are kMaxPostingRuns of them. Readers see a bucket as its blob in `postings`
// followed by its blob in each run, in run order (the order the documents were added in), with a
// fingerprint's postings past posting_cap left out, as the merge leaves them (docs/format.md).
#include <leitong/core/error.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_map>

#include "detail/archive_impl.h"

namespace leitong {

using detail::Statement;

namespace {

std::int64_t run_key(std::uint32_t run, std::uint32_t bucket) {
  return static_cast<std::int64_t>((std::uint64_t(run) << 32) | bucket);
}

// Appends the whole postings of `piece` to `blob` (a damaged tail that is no whole posting is
// left out, so that what follows stays aligned).
void append_whole_postings(std::vector<std::uint8_t>& blob, std::span<const std::uint8_t> piece,
                           std::size_t step) {
  blob.insert(blob.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(piece.size() - piece.size() % step));
}

}  // namespace

std::vector<std::uint32_t> Archive::Impl::posting_run_ids() const {
  std::vector<std::uint32_t> runs;
  if (!has_posting_runs()) return runs;
  // One seek per run: the first key at or after the next run's range.
  Statement next = cached("SELECT key FROM posting_runs WHERE key >= ? ORDER BY key LIMIT 1");
  std::int64_t from = 0;
  for (;;) {
    next.bind(1, from);
    if (!next.step()) break;
    const auto key = static_cast<std::uint64_t>(next.column_int(0));
    next.reset();
    const auto run = static_cast<std::uint32_t>(key >> 32);
    runs.push_back(run);
    if (run >= kMaxPostingRunId) break;
    from = run_key(run + 1, 0);
  }
  return runs;
}

void Archive::Impl::trim_past_cap(std::vector<std::uint8_t>& blob, std::size_t merged_bytes) const {
  const auto cap = static_cast<std::size_t>(params.posting_cap);
  const std::size_t step = layout.posting_bytes();
  if (!cap || blob.size() / step <= cap) return;  // no fingerprint can be over
  std::unordered_map<std::uint32_t, std::size_t> held;
  for (std::size_t at = 0; at + step <= merged_bytes; at += step) ++held[layout.read_tag(blob.data() + at)];
  std::size_t kept = merged_bytes;
  for (std::size_t at = merged_bytes; at + step <= blob.size(); at += step) {
    std::size_t& n = held[layout.read_tag(blob.data() + at)];
    if (n >= cap) continue;
    ++n;
    if (kept != at) std::memmove(blob.data() + kept, blob.data() + at, step);
    kept += step;
  }
  blob.resize(kept);
}

void Archive::Impl::read_posting_bucket(std::uint32_t bucket, std::span<const std::uint32_t> runs,
                                        std::vector<std::uint8_t>& blob) const {
  blob.clear();
  {
    Statement merged = cached("SELECT entries FROM postings WHERE bucket = ?");
    merged.bind(1, static_cast<std::int64_t>(bucket));
    if (merged.step()) {
      const auto b = merged.column_blob(0);
      blob.assign(b.begin(), b.end());
    }
  }
  if (runs.empty()) return;
  const std::size_t step = layout.posting_bytes();
  blob.resize(blob.size() - blob.size() % step);
  const std::size_t merged_bytes = blob.size();
  Statement run = cached("SELECT entries FROM posting_runs WHERE key = ?");
  for (const std::uint32_t r : runs) {
    run.bind(1, run_key(r, bucket));
    if (run.step()) append_whole_postings(blob, run.column_blob(0), step);
    run.reset();
  }
  trim_past_cap(blob, merged_bytes);
}

void Archive::Impl::append_posting_run(std::uint32_t run) {
  // Postings of fingerprints known to be at the cap are not written (they would be left out on
  // reading); the others are, all of them: the cap is applied when runs are read and merged.
  const auto cap = static_cast<std::size_t>(params.posting_cap);
  Statement insert = cached("INSERT INTO posting_runs(key, entries) VALUES (?, ?)");
  std::vector<std::uint8_t> blob;
  for (std::size_t i = 0; i < pending_postings.size();) {
    const std::uint32_t bucket = pending_postings[i].bucket;
    blob.clear();
    for (; i < pending_postings.size() && pending_postings[i].bucket == bucket; ++i) {
      const PendingPosting& p = pending_postings[i];
      if (cap && saturated.count((std::uint64_t(p.bucket) << 32) | p.tag)) continue;
      layout.append_posting(blob, p.tag, p.doc, p.agency);
    }
    if (!blob.empty()) insert.bind(1, run_key(run, bucket)).bind_blob(2, blob.data(), blob.size()).run();
  }
}

void Archive::Impl::merge_posting_runs(std::span<const std::uint32_t> runs) {
  // Each run is read in key order by a statement of its own, and the pending postings (sorted by
  // bucket) come after the runs: a bucket's new postings are merged in the order they were added.
  struct RunCursor {
    Statement rows;
    bool live = false;
    std::uint32_t bucket = 0;
    void advance() {
      live = rows.step();
      if (live) bucket = static_cast<std::uint32_t>(static_cast<std::uint64_t>(rows.column_int(0)));
    }
  };
  const std::size_t step = layout.posting_bytes();
  std::vector<PendingPosting> added;  // one bucket's, in add order
  std::size_t next_pending = 0;
  // The buckets are merged a part at a time, and the runs' rows of each part deleted before the
  // next: the pages they free take the next part's blobs. Deleting the runs only at the end left
  // as many pages free as they held (a quarter of a 100,000-report archive after its load).
  std::optional<Statement> remove;  // archives before format 4 have no runs, nor their table
  if (!runs.empty()) remove.emplace(cached("DELETE FROM posting_runs WHERE key BETWEEN ? AND ?"));
  const std::uint64_t buckets = std::uint64_t(1) << params.posting_bucket_bits;
  const std::uint64_t part = std::max<std::uint64_t>(1, buckets / kMergeParts);
  for (std::uint64_t from = 0; from < buckets; from += part) {
    const auto first = static_cast<std::uint32_t>(from);
    const auto last = static_cast<std::uint32_t>(std::min(from + part, buckets) - 1);
    std::vector<RunCursor> cursors;
    cursors.reserve(runs.size());
    for (const std::uint32_t r : runs) {
      Statement rows = prepare("SELECT key, entries FROM posting_runs WHERE key BETWEEN ? AND ? ORDER BY key");
      rows.bind(1, run_key(r, first)).bind(2, run_key(r, last));
      cursors.push_back({std::move(rows)});
      cursors.back().advance();
    }
    for (;;) {
      std::uint64_t bucket = std::numeric_limits<std::uint64_t>::max();
      for (const RunCursor& c : cursors)
        if (c.live) bucket = std::min<std::uint64_t>(bucket, c.bucket);
      if (next_pending < pending_postings.size() && pending_postings[next_pending].bucket <= last)
        bucket = std::min<std::uint64_t>(bucket, pending_postings[next_pending].bucket);
      if (bucket == std::numeric_limits<std::uint64_t>::max()) break;
      added.clear();
      for (RunCursor& c : cursors) {
        if (!c.live || c.bucket != bucket) continue;
        const auto piece = c.rows.column_blob(1);
        for (std::size_t at = 0; at + step <= piece.size(); at += step)
          added.push_back({static_cast<std::uint32_t>(bucket), layout.read_tag(piece.data() + at),
                           layout.read_doc(piece.data() + at), layout.read_agency(piece.data() + at)});
        c.advance();
      }
      for (; next_pending < pending_postings.size() && pending_postings[next_pending].bucket == bucket; ++next_pending)
        added.push_back(pending_postings[next_pending]);
      write_posting_bucket(static_cast<std::uint32_t>(bucket), added);
    }
    cursors.clear();  // their statements end before the part's rows are deleted
    for (const std::uint32_t r : runs) remove->bind(1, run_key(r, first)).bind(2, run_key(r, last)).run();
  }
  if (!runs.empty()) exec("DELETE FROM posting_runs");  // and any row whose key names no bucket (damage)
}

void Archive::Impl::read_ahead_buckets(std::optional<detail::ReadAhead>& ahead,
                                       std::span<const std::uint32_t> buckets,
                                       std::span<const std::uint32_t> runs) const {
  std::vector<detail::ReadAhead::Row> rows;
  rows.reserve(buckets.size() * (1 + runs.size()));
  for (const std::uint32_t bucket : buckets) {
    rows.push_back({0, bucket});
    for (const std::uint32_t r : runs) rows.push_back({1, run_key(r, bucket)});
  }
  std::vector<const char*> statements = {"SELECT entries FROM postings WHERE bucket = ?"};
  if (!runs.empty()) statements.push_back("SELECT entries FROM posting_runs WHERE key = ?");  // format 4
  ahead.emplace(*this, std::move(statements), std::move(rows), read_ahead_connections);
}

namespace detail {

PostingScan::PostingScan(const Archive::Impl& d) : d_(d) {
  Statement merged = d.prepare("SELECT bucket, entries FROM postings ORDER BY bucket");
  sources_.push_back({std::move(merged)});
  for (const std::uint32_t r : d.posting_run_ids()) {
    Statement rows = d.prepare("SELECT key, entries FROM posting_runs WHERE key BETWEEN ? AND ? ORDER BY key");
    rows.bind(1, run_key(r, 0)).bind(2, run_key(r, std::numeric_limits<std::uint32_t>::max()));
    sources_.push_back({std::move(rows)});
  }
  for (std::size_t i = 0; i < sources_.size(); ++i) advance(i);
}

void PostingScan::advance(std::size_t i) {
  Source& s = sources_[i];
  s.live = s.rows.step();
  if (!s.live) return;
  const std::int64_t key = s.rows.column_int(0);
  s.bucket = i == 0 ? key : static_cast<std::int64_t>(static_cast<std::uint64_t>(key) & 0xFFFFFFFFu);
}

bool PostingScan::next() {
  std::int64_t bucket = std::numeric_limits<std::int64_t>::max();
  bool any = false;
  for (const Source& s : sources_)
    if (s.live && (!any || s.bucket < bucket)) {
      bucket = s.bucket;
      any = true;
    }
  if (!any) return false;
  bucket_ = bucket;
  blob_.clear();
  stored_bytes_ = 0;
  has_stored_row_ = false;
  const std::size_t step = d_.layout.posting_bytes();
  bool from_runs = false;
  for (std::size_t i = 0; i < sources_.size(); ++i) {
    Source& s = sources_[i];
    if (!s.live || s.bucket != bucket) continue;
    const auto piece = s.rows.column_blob(1);
    if (i == 0) {
      blob_.assign(piece.begin(), piece.end());
      stored_bytes_ = blob_.size();
      has_stored_row_ = true;
    } else {
      if (!from_runs) blob_.resize(blob_.size() - blob_.size() % step);
      from_runs = true;
      append_whole_postings(blob_, piece, step);
    }
    advance(i);
  }
  if (from_runs) d_.trim_past_cap(blob_, std::min(stored_bytes_ - stored_bytes_ % step, blob_.size()));
  return true;
}

}  // namespace detail

}  // namespace leitong
