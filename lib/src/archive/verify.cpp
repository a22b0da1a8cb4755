// Verifying: SQLite's own checks, then every document against its index (docs/format.md,
// "Verifying").
//
// The index is read in one pass: every posting and LSH blob once, in table order, adding up for
// each document a sum of the keys it is filed under. Each document's text is then sketched again
// (on every core) and the sums its sketch calls for are compared with those. Only a document whose
// sums differ is looked up blob by blob, to say exactly what is missing. Looking up every
// document's blobs instead reads each blob once per document it holds: quadratic in the archive.
#include <leitong/core/error.h>

#include <algorithm>
#include <optional>
#include <system_error>
#include <thread>

#include "detail/archive_impl.h"

namespace leitong {

using detail::read_le;
using detail::Statement;

namespace {

// What the index holds of one document, summed over the scans, and what its row says.
struct Filed {
  bool exists = false;
  std::uint32_t posting_agency = 0;  // the agency its postings must carry (0: not a report)
  std::uint64_t lsh_sum = 0, posting_sum = 0;  // of mix64(key) over its entries, wrapping
  std::uint32_t lsh_seen = 0, postings_seen = 0;
  std::uint32_t capped_seen = 0;  // its postings under fingerprints at the cap
};

// Documents by id: a vector where ids are dense (the usual case), else a map.
class FiledTable {
 public:
  void reserve(std::int64_t max_id, std::int64_t count) {
    dense_ = max_id >= 0 && max_id <= 2 * count + 4096;
    if (dense_) rows_.resize(static_cast<std::size_t>(max_id) + 1);
  }
  Filed& add(std::int64_t id) {
    Filed& f = dense_ ? rows_[static_cast<std::size_t>(id)] : sparse_[id];
    f.exists = true;
    return f;
  }
  Filed* find(std::int64_t id) {
    if (dense_) {
      if (id < 0 || id >= std::int64_t(rows_.size()) || !rows_[static_cast<std::size_t>(id)].exists) return nullptr;
      return &rows_[static_cast<std::size_t>(id)];
    }
    auto it = sparse_.find(id);
    return it == sparse_.end() ? nullptr : &it->second;
  }

 private:
  bool dense_ = true;
  std::vector<Filed> rows_;
  std::unordered_map<std::int64_t, Filed> sparse_;
};

std::uint64_t entry_hash(std::uint64_t key) { return detail::mix64(key ^ 0x6C6569746F6E67ull); }

// A document read for its check: the row, the text (or why it could not be read), its sketch.
struct Pending {
  std::int64_t id = 0;
  std::string content_hash;
  std::int64_t chars = 0;
  std::u32string text;
  std::string text_error;
  bool has_sketch_row = false;
  std::vector<std::uint8_t> stored_signature;
  std::uint64_t stored_simhash = 0;
  std::int64_t stored_fingerprints = 0;
  // Computed on a worker.
  Sketch sketch;
  std::vector<Fingerprint> fps;     // posted fingerprints, in filing order
  std::vector<std::uint64_t> keys;  // filed band keys
};

}  // namespace

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

  FiledTable filed;
  phase("documents", [&] {
    Statement range = d.prepare("SELECT coalesce(max(id), 0), count(*) FROM documents");
    range.step();
    filed.reserve(range.column_int(0), range.column_int(1));
    Statement docs = d.prepare(
        "SELECT d.id, d.agency_id, d.kind, a.name IS NULL FROM documents d "
        "LEFT JOIN agencies a ON a.id = d.agency_id ORDER BY d.id");
    while (docs.step()) {
      const std::int64_t id = docs.column_int(0);
      const std::string kind = docs.column_text(2);
      if (docs.column_int(3)) problem(fmt::format("document {}: agency {} missing", id, docs.column_int(1)));
      if (kind != "report" && kind != "template" && kind != "form")
        problem(fmt::format("document {}: unknown kind '{}'", id, kind));
      if (id < 1 || id > std::int64_t(UINT32_MAX)) {
        problem(fmt::format("document {}: id out of range", id));
        continue;
      }
      filed.add(id).posting_agency = kind == "report" ? static_cast<std::uint32_t>(docs.column_int(1)) : 0;
    }
  });

  // Keys of fingerprints holding posting_cap postings, with their documents sorted: a document's
  // posting under one may rightly be absent (the cap was reached before it was added), so each
  // document's are checked against its own keys one by one (4 bytes per such posting).
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> capped;
  const auto cap = static_cast<std::size_t>(d.params.posting_cap);
  if (d.has_posting_runs())
    phase("posting_runs", [&] {
      Statement s = d.prepare("SELECT key, length(entries) FROM posting_runs");
      const auto step = static_cast<std::int64_t>(d.layout.posting_bytes());
      while (s.step()) {
        const auto key = static_cast<std::uint64_t>(s.column_int(0));
        const std::int64_t bytes = s.column_int(1);
        const std::uint64_t run = key >> 32, b = key & 0xFFFFFFFFu;
        if (bytes % step != 0 || bytes == 0)
          problem(fmt::format("posting run {} bucket {}: blob of {} bytes is not a list of postings", run, b, bytes));
        if (b >= (std::uint64_t(1) << d.params.posting_bucket_bits) || run == 0 || run > Impl::kMaxPostingRunId)
          problem(fmt::format("posting run {} bucket {}: out of range", run, b));
      }
    });
  // Each bucket as reads see it: its `postings` blob, then its postings in each run.
  phase("postings", [&] {
    detail::PostingScan scan(d);
    const std::size_t step = d.layout.posting_bytes();
    std::unordered_map<std::uint32_t, std::uint32_t> per_tag;
    while (scan.next()) {
      const std::int64_t b = scan.bucket();
      const auto blob = scan.entries();
      if (scan.has_stored_row() && (scan.stored_bytes() % step != 0 || scan.stored_bytes() == 0))
        problem(fmt::format("posting bucket {}: blob of {} bytes is not a list of postings", b, scan.stored_bytes()));
      if (b < 0 || b >= (std::int64_t(1) << d.params.posting_bucket_bits))
        problem(fmt::format("posting bucket {}: out of range", b));
      const std::uint64_t bucket_key = std::uint64_t(static_cast<std::uint32_t>(b)) << 32;
      if (cap) {  // (the runs' postings past the cap are left out of `blob`; the stored ones never go past)
        per_tag.clear();
        for (std::size_t at = 0; at + step <= blob.size(); at += step) ++per_tag[d.layout.read_tag(blob.data() + at)];
        for (const auto& [tag, n] : per_tag) {
          if (n > cap)  // the writer never goes past the cap
            problem(fmt::format("posting bucket {}: a fingerprint holds {} postings, over the cap of {}", b, n, cap));
          if (n >= cap) capped[bucket_key | tag].reserve(n);
        }
      }
      for (std::size_t at = 0; at + step <= blob.size(); at += step) {
        ++out.postings;
        const std::int64_t id = d.layout.read_doc(blob.data() + at);
        const std::uint32_t agency = d.layout.read_agency(blob.data() + at);
        Filed* f = filed.find(id);
        if (!f) {
          problem(fmt::format("posting bucket {}: names document {}, which does not exist", b, id));
          continue;
        }
        const std::uint64_t key = bucket_key | d.layout.read_tag(blob.data() + at);
        ++f->postings_seen;
        if (const auto it = cap ? capped.find(key) : capped.end(); it != capped.end()) {
          ++f->capped_seen;
          it->second.push_back(static_cast<std::uint32_t>(id));
        } else {
          f->posting_sum += entry_hash(key);
        }
        if (agency != f->posting_agency)
          problem(fmt::format("posting bucket {}: document {} with agency {}, expected {}", b, id, agency,
                              f->posting_agency));
      }
    }
  });
  for (auto& [key, docs] : capped) std::sort(docs.begin(), docs.end());
  phase("lsh_buckets", [&] {
    Statement s = d.prepare("SELECT key, doc_ids FROM lsh_buckets");
    while (s.step()) {
      const auto blob = s.column_blob(1);
      if (blob.size() % 4 != 0 || blob.empty())
        problem(fmt::format("LSH bucket {}: blob of {} bytes is not a list of ids", s.column_int(0), blob.size()));
      const auto key = static_cast<std::uint64_t>(s.column_int(0));
      for (std::size_t at = 0; at + 4 <= blob.size(); at += 4) {
        ++out.lsh_entries;
        const std::int64_t id = read_le<std::uint32_t>(blob.data() + at);
        Filed* f = filed.find(id);
        if (!f) {
          problem(fmt::format("LSH bucket {}: names document {}, which does not exist", s.column_int(0), id));
          continue;
        }
        ++f->lsh_seen;
        f->lsh_sum += entry_hash(key);
      }
    }
  });

  // Looks one document's entries up blob by blob: what is missing, and what is there too often.
  // Prepared on first use, inside the phase that reports what fails.
  std::optional<Statement> bucket_statement;
  std::optional<std::vector<std::uint32_t>> runs;
  std::vector<std::uint8_t> posting_blob;
  auto look_up_entries = [&](const Pending& p, const Filed& f) {
    if (!bucket_statement) bucket_statement.emplace(d.prepare("SELECT doc_ids FROM lsh_buckets WHERE key = ?"));
    if (!runs) runs = d.posting_run_ids();
    Statement& bucket = *bucket_statement;
    const std::int64_t id = p.id;
    int missing_keys = 0;
    for (std::uint64_t key : p.keys) {
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
      problem(fmt::format("document {}: missing from {} of its {} LSH buckets", id, missing_keys, p.keys.size()));
    if (f.lsh_seen > p.keys.size() && !p.keys.empty())
      problem(fmt::format("document {}: in {} LSH bucket entries, its sketch has {} band keys", id, f.lsh_seen,
                          p.keys.size()));

    std::size_t missing_postings = 0, expected_postings = p.fps.size();
    std::uint32_t own_entries = 0;  // its postings under one of its own fingerprints' keys
    std::unordered_set<std::uint32_t> own_tags, tags;
    std::unordered_map<std::uint32_t, std::size_t> holders;  // postings per tag in the bucket
    for (std::size_t i = 0; i < p.fps.size();) {
      const std::uint32_t b = d.bucket_of(p.fps[i].hash);
      std::size_t run_end = i;
      own_tags.clear();
      for (; run_end < p.fps.size() && d.bucket_of(p.fps[run_end].hash) == b; ++run_end)
        own_tags.insert(d.tag_of(p.fps[run_end].hash));
      tags.clear();
      holders.clear();
      d.read_posting_bucket(b, *runs, posting_blob);
      {
        const auto& blob = posting_blob;
        const std::size_t step = d.layout.posting_bytes();
        for (std::size_t at = 0; at + step <= blob.size(); at += step) {
          const std::uint32_t tag = d.layout.read_tag(blob.data() + at);
          ++holders[tag];
          if (d.layout.read_doc(blob.data() + at) == static_cast<std::uint32_t>(id)) {
            tags.insert(tag);
            own_entries += own_tags.count(tag) ? 1 : 0;
          }
        }
      }
      // Not posted is right only when the fingerprint had reached the cap.
      for (; i < run_end; ++i) {
        const std::uint32_t tag = d.tag_of(p.fps[i].hash);
        if (tags.count(tag)) continue;
        if (cap && holders[tag] >= cap) {
          --expected_postings;  // this one is rightly absent
          continue;
        }
        ++missing_postings;
      }
    }
    if (missing_postings)
      problem(fmt::format("document {}: {} of its {} fingerprint postings missing", id, missing_postings,
                          p.fps.size()));
    if (f.postings_seen > expected_postings && expected_postings)
      problem(fmt::format("document {}: {} posting entries, its sketch has {} fingerprints", id, f.postings_seen,
                          expected_postings));
    else if (f.postings_seen > own_entries)
      problem(fmt::format("document {}: {} of its posting entries are under keys none of its fingerprints has", id,
                          f.postings_seen - own_entries));
  };

  // Compares one sketched document with its rows and with what the scans found for it.
  auto check_document = [&](const Pending& p) {
    const std::int64_t id = p.id;
    Filed* f = filed.find(id);
    if (!p.text_error.empty()) {
      problem(fmt::format("document {}: {}", id, p.text_error));
      return;
    }
    if (content_hash(p.text) != p.content_hash)
      problem(fmt::format("document {}: text does not match its content hash", id));
    if (std::int64_t(p.text.size()) != p.chars)
      problem(fmt::format("document {}: text has {} characters, the row says {}", id, p.text.size(), p.chars));
    if (!p.has_sketch_row) {
      problem(fmt::format("document {}: sketch row missing", id));
    } else {
      const std::vector<std::uint8_t> expected_signature = d.layout.encode_signature(p.sketch.minhash);
      if (p.stored_signature != expected_signature)
        problem(fmt::format("document {}: stored MinHash differs from its text's", id));
      if (p.stored_simhash != p.sketch.simhash)
        problem(fmt::format("document {}: stored SimHash differs from its text's", id));
      if (p.stored_fingerprints != std::int64_t(p.fps.size()))
        problem(fmt::format("document {}: sketch row says {} fingerprints, its text has {}", id,
                            p.stored_fingerprints, p.fps.size()));
    }
    if (!f) return;  // its row was refused above (id out of range)
    std::uint64_t lsh_sum = 0;
    for (std::uint64_t key : p.keys) lsh_sum += entry_hash(key);
    // Each distinct (bucket, tag) once, as add files it; keys at the cap are counted, not summed.
    std::uint64_t posting_sum = 0;
    std::uint32_t expected_uncapped = 0, capped_present = 0;
    std::uint64_t previous = ~std::uint64_t(0);
    std::vector<std::uint64_t> keys;
    keys.reserve(p.fps.size());
    for (const Fingerprint& fp : p.fps) keys.push_back(d.key_of(fp.hash));
    std::sort(keys.begin(), keys.end());
    for (std::uint64_t key : keys) {
      if (key == previous) continue;
      previous = key;
      if (const auto it = cap ? capped.find(key) : capped.end(); it != capped.end()) {
        capped_present += std::binary_search(it->second.begin(), it->second.end(), static_cast<std::uint32_t>(id));
      } else {
        posting_sum += entry_hash(key);
        ++expected_uncapped;
      }
    }
    const bool lsh_ok = f->lsh_seen == p.keys.size() && f->lsh_sum == lsh_sum;
    const bool postings_ok = f->postings_seen - f->capped_seen == expected_uncapped &&
                             f->posting_sum == posting_sum && f->capped_seen == capped_present;
    if (!lsh_ok || !postings_ok) look_up_entries(p, *f);
  };

  phase("texts", [&] {
    Statement docs = d.prepare("SELECT id, content_hash, chars FROM documents ORDER BY id");
    Statement sketch_row = d.prepare("SELECT minhash, simhash, fingerprints FROM sketches WHERE doc_id = ?");
    const std::size_t workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    constexpr std::size_t kBatch = 256;
    std::vector<Pending> batch;
    // Sketching is most of the time: the texts of a batch are read here (one connection), sketched
    // on every core, then compared here in id order.
    auto sketch_batch = [&] {
      auto work = [&](std::size_t first) {
        for (std::size_t i = first; i < batch.size(); i += workers) {
          Pending& p = batch[i];
          if (!p.text_error.empty()) continue;
          try {
            p.sketch = make_sketch(p.text, d.params.sketch);
            p.fps = detail::posted_fingerprints(p.sketch);
            // In filing order: the fingerprints of one bucket are adjacent.
            std::sort(p.fps.begin(), p.fps.end(), [&](const Fingerprint& a, const Fingerprint& b) {
              return d.posting_hash(a.hash) < d.posting_hash(b.hash);
            });
            p.keys = detail::filed_band_keys(p.sketch, d.params.lsh);
          } catch (const std::exception& e) {  // an exception must not leave a worker thread
            p.text_error = e.what();
          }
        }
      };
      const std::size_t used = std::min(workers, batch.size());
      std::vector<std::thread> pool;
      try {
        for (std::size_t w = 1; w < used; ++w) pool.emplace_back(work, w);
      } catch (const std::system_error&) {
        // No more threads to be had: the calling thread does the shares of those not started.
      }
      for (std::size_t w = pool.size() + 1; w < used; ++w) work(w);
      work(0);
      for (std::thread& t : pool) t.join();
      for (const Pending& p : batch) check_document(p);
      batch.clear();
    };
    while (docs.step()) {
      ++out.documents;
      Pending& p = batch.emplace_back();
      p.id = docs.column_int(0);
      p.content_hash = docs.column_text(1);
      p.chars = docs.column_int(2);
      try {
        p.text = this->text(p.id);
      } catch (const Error& err) {
        p.text_error = err.what();
      }
      sketch_row.bind(1, p.id);
      if (sketch_row.step()) {
        p.has_sketch_row = true;
        const auto blob = sketch_row.column_blob(0);
        p.stored_signature.assign(blob.begin(), blob.end());
        p.stored_simhash = static_cast<std::uint64_t>(sketch_row.column_int(1));
        p.stored_fingerprints = sketch_row.column_int(2);
      }
      sketch_row.reset();
      if (batch.size() == kBatch) sketch_batch();
    }
    sketch_batch();
  });

  phase("texts and sketches", [&] {
    Statement s = d.prepare(
        "SELECT 'texts', doc_id FROM texts WHERE doc_id NOT IN (SELECT id FROM documents) "
        "UNION ALL SELECT 'sketches', doc_id FROM sketches WHERE doc_id NOT IN (SELECT id FROM "
        "documents)");
    while (s.step())
      problem(fmt::format("{}: row for document {}, which does not exist", s.column_text(0), s.column_int(1)));
  });
  return out;
}

}  // namespace leitong
