// Verifying: SQLite's own checks, then every document against its index (docs/format.md,
// "Verifying").
#include <leitong/core/error.h>

#include <algorithm>

#include "detail/archive_impl.h"

namespace leitong {

using detail::BlobLayout;
using detail::read_le;
using detail::Statement;

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
      if (kind != "report" && kind != "template" && kind != "form")
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
      std::vector<Fingerprint> fps = detail::posted_fingerprints(sketch);
      // In filing order: the fingerprints of one bucket are adjacent.
      std::sort(fps.begin(), fps.end(), [&](const Fingerprint& a, const Fingerprint& b) {
        return d.posting_hash(a.hash) < d.posting_hash(b.hash);
      });
      const std::vector<std::uint64_t> keys = detail::filed_band_keys(sketch, d.params.lsh);
      e.lsh = static_cast<std::int64_t>(keys.size());
      e.postings = static_cast<std::int64_t>(fps.size());

      sketch_row.bind(1, id);
      if (!sketch_row.step()) {
        problem(fmt::format("document {}: sketch row missing", id));
      } else {
        const auto blob = sketch_row.column_blob(0);
        const std::vector<std::uint8_t> expected_signature =
            d.layout.encode_signature(sketch.minhash);
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
            if (d.layout.read_doc(blob.data() + at) == static_cast<std::uint32_t>(id))
              tags.insert(tag);
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

}  // namespace leitong
