// Reading: documents, their texts and signatures, statistics, and the index look-ups a check
// chooses its candidates with.
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "detail/archive_impl.h"

namespace leitong {

using detail::BlobLayout;
using detail::HitScratch;
using detail::read_le;
using detail::SaturatedFingerprint;
using detail::Statement;

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

std::int64_t Archive::document_count() const {
  Statement s = impl_->prepare("SELECT count(*) FROM documents");
  s.step();
  return s.column_int(0);
}

ArchiveScope Archive::scope() const {
  Statement s = impl_->prepare(
      "SELECT count(*), count(DISTINCT agency_id), coalesce(min(year), 0), coalesce(max(year), 0) FROM documents");
  s.step();
  return {s.column_int(0), s.column_int(1), static_cast<int>(s.column_int(2)), static_cast<int>(s.column_int(3))};
}

std::vector<std::string> Archive::agency_names() const {
  Statement s = impl_->prepare("SELECT name FROM agencies ORDER BY name");
  std::vector<std::string> names;
  while (s.step()) names.push_back(s.column_text(0));
  return names;
}

ArchiveStats Archive::stats() const {
  impl_->write_pending_index();  // a writer's open group counts its own documents
  const ReadSnapshot snapshot(*this);  // the tables counted as of one moment (runs and postings alike)
  ArchiveStats st;
  st.params = impl_->params;
  {
    Statement s = impl_->prepare(
        "SELECT count(*), coalesce(sum(kind = 'report'), 0), coalesce(sum(kind = 'template'), 0), "
        "count(DISTINCT agency_id), coalesce(min(year), 0), coalesce(max(year), 0), "
        "coalesce(sum(chars), 0), coalesce(sum(kind = 'form'), 0) "
        "FROM documents");
    s.step();
    st.documents = s.column_int(0);
    st.reports = s.column_int(1);
    st.templates = s.column_int(2);
    st.agencies = s.column_int(3);
    st.first_year = static_cast<int>(s.column_int(4));
    st.last_year = static_cast<int>(s.column_int(5));
    st.text_chars = s.column_int(6);
    st.forms = s.column_int(7);
  }
  auto scalar = [&](const char* sql) {
    Statement s = impl_->prepare(sql);
    s.step();
    return s.column_int(0);
  };
  st.text_bytes = scalar("SELECT coalesce(sum(length(utf8_zstd)), 0) FROM texts");
  st.lsh_buckets = scalar("SELECT count(*) FROM lsh_buckets");
  // As stored, posting runs included (their lengths are in the row headers: no blob is read). A
  // run's postings past a fingerprint's cap count here until a merge drops them.
  std::int64_t posting_bytes = scalar("SELECT coalesce(sum(length(entries)), 0) FROM postings");
  st.posting_blobs = scalar("SELECT count(*) FROM postings");
  if (impl_->has_posting_runs()) {
    posting_bytes += scalar("SELECT coalesce(sum(length(entries)), 0) FROM posting_runs");
    st.posting_blobs += scalar("SELECT count(*) FROM posting_runs");
  }
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

std::vector<StoredDocument> Archive::infos_and_texts(std::span<const std::int64_t> ids) const {
  std::vector<StoredDocument> out;
  out.reserve(ids.size());
  std::optional<detail::ReadAhead> read_ahead;
  const auto began = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    // The first four documents from the page cache: 350-620 µs in a new process (decompressed and
    // decoded too); from the disk 1,400-2,000 µs (a million reports).
    if (!read_ahead && impl_->read_ahead_due(i, began, std::chrono::microseconds(250)))
      impl_->read_ahead_documents(read_ahead, ids.subspan(i));
    out.push_back({info(ids[i]), text(ids[i])});
  }
  return out;
}

std::vector<std::int64_t> Archive::ids_with_content(std::u32string_view text) const {
  Statement s = impl_->cached("SELECT id FROM documents WHERE content_hash = ?");
  s.bind(1, content_hash(text));
  std::vector<std::int64_t> ids;
  while (s.step()) ids.push_back(s.column_int(0));
  return ids;
}

std::vector<std::int64_t> Archive::form_ids() const {
  // The partial index exists in every archive that can hold a form (made so, or given one with the
  // first form): an older archive without it is not scanned at every check.
  Statement has_index = impl_->cached("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = 'documents_forms'");
  const bool indexed = has_index.step();
  has_index.reset();
  std::vector<std::int64_t> ids;
  if (!indexed) return ids;
  Statement s = impl_->cached("SELECT id FROM documents INDEXED BY documents_forms WHERE kind = 'form' ORDER BY id");
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
      out.emplace_back(id, this->estimate_jaccard(
                               signature, impl_->layout.decode_signature(sig.column_blob(0))));
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
  // Documents are counted in a table by id, agencies in a dense array by id (ids are dense from 1),
  // both stamped rather than cleared. Ids above the largest at the start of the call were added
  // since (or are damage, which verify reports): they are left out.
  HitScratch& scratch = d.hit_scratch;
  const auto max_id = [&](const auto& sql) {
    Statement s = d.cached(sql);
    return s.step() ? static_cast<std::uint32_t>(
                          std::clamp<std::int64_t>(s.column_int(0), 0, UINT32_MAX - 1))
                    : 0u;
  };
  const std::uint32_t doc_bound = max_id("SELECT max(id) FROM documents");
  const std::uint32_t agency_bound = max_id("SELECT max(id) FROM agencies");
  scratch.prepare(agency_bound);
  const std::uint32_t call = scratch.next_call();
  std::vector<std::uint32_t> touched;  // documents counted in this call, first-seen order

  // A fingerprint with posting_cap postings (a formula) keeps only its first holders, and every
  // report has it: it says nothing about who copied from whom, so it does not count for the
  // documents, only for boilerplate (agencies, holders). Its postings never change (the archive
  // only grows and the cap is reached for good), so the connection keeps its summary.
  const auto cap = static_cast<std::size_t>(d.params.posting_cap);
  // Not on a writer with an open group: its postings may be rolled back.
  const bool use_summaries =
      cap && holders_per_fingerprint < SaturatedFingerprint::kHolders && !d.group_open;
  const auto summarize = [&](const SaturatedFingerprint& sat, std::size_t i) {
    const bool own_among =
        excluded_agency &&
        std::binary_search(sat.agencies.begin(), sat.agencies.end(), excluded_agency);
    hits.agencies_per_fingerprint[i] =
        static_cast<std::uint16_t>(std::min<std::size_t>(sat.agencies.size() - own_among, 65535));
    for (const auto& [doc, agency] : sat.holders) {
      if (hits.holders[i].size() >= holders_per_fingerprint) break;
      if (agency != excluded_agency) hits.holders[i].push_back(doc);
    }
  };

  d.write_pending_index();  // a writer's open group sees its own documents
  // The posting runs and the buckets are read in one snapshot: a merge that commits in between
  // would otherwise hide the postings it moved.
  std::optional<ReadSnapshot> snapshot;
  if (d.has_posting_runs()) snapshot.emplace(*this);
  const std::vector<std::uint32_t> runs = d.posting_run_ids();
  std::vector<std::uint8_t> blob;
  std::vector<std::pair<std::uint32_t, std::uint32_t>>
      postings;  // (document, agency) of one fingerprint
  const BlobLayout& layout = d.layout;
  const std::size_t step = layout.posting_bytes();
  // The buckets, in order: [begin, end) of `order` each.
  struct BucketGroup {
    std::uint32_t bucket;
    std::size_t begin, end;
  };
  std::vector<BucketGroup> groups;
  for (std::size_t k = 0; k < order.size();) {
    const std::uint32_t bucket = d.bucket_of(fingerprints[order[k]].hash);
    std::size_t end = k;
    while (end < order.size() && d.bucket_of(fingerprints[order[end]].hash) == bucket) ++end;
    groups.push_back({bucket, k, end});
    k = end;
  }
  // A bucket whose fingerprints all have a summary is not read. Decided when the bucket is reached:
  // summaries made on the way may fill the budget and empty the cache.
  const auto all_summarized = [&](const BucketGroup& g) {
    if (!use_summaries) return false;
    for (std::size_t k = g.begin; k < g.end; ++k)
      if (!d.saturated_summaries.count(d.key_of(fingerprints[order[k]].hash))) return false;
    return true;
  };
  // When the first reads show the archive's pages are not in memory, the rest are fetched ahead
  // in parallel (set_read_ahead).
  std::optional<detail::ReadAhead> read_ahead;
  std::size_t reads = 0;
  const auto reads_began = std::chrono::steady_clock::now();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const BucketGroup& group = groups[g];
    const std::uint32_t bucket = group.bucket;
    blob.clear();
    if (!all_summarized(group)) {
      // A bucket from the page cache: 50-250 µs for the first four in a new process; from the
      // disk 700-1,600 µs (a million reports).
      if (!read_ahead && d.read_ahead_due(reads, reads_began, std::chrono::microseconds(150))) {
        std::vector<std::uint32_t> ahead;
        for (std::size_t q = g; q < groups.size(); ++q)
          if (!all_summarized(groups[q])) ahead.push_back(groups[q].bucket);
        d.read_ahead_buckets(read_ahead, ahead, runs);
      }
      d.read_posting_bucket(bucket, runs, blob);
      ++reads;
    }
    for (std::size_t k = group.begin; k < group.end; ++k) {
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
          if (sat.holders.size() < SaturatedFingerprint::kHolders)
            sat.holders.emplace_back(doc, agency);
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
        if (ranks) {
          bool fresh = false;
          HitScratch::Document& counted = scratch.documents.find_or_add(doc, call, fresh);
          if (fresh) touched.push_back(doc);
          if (counted.fingerprint != fp_stamp) {
            counted.fingerprint = fp_stamp;
            ++counted.count;
          }
        }
        if (agency && agency != excluded_agency && scratch.agency_fingerprint[agency] != fp_stamp) {
          scratch.agency_fingerprint[agency] = fp_stamp;
          ++agencies;
          if (hits.holders[i].size() < holders_per_fingerprint) hits.holders[i].push_back(doc);
        }
      }
      hits.agencies_per_fingerprint[i] =
          static_cast<std::uint16_t>(std::min<std::size_t>(agencies, 65535));
    }
  }
  hits.documents.reserve(touched.size());
  for (const std::uint32_t doc : touched)
    hits.documents.emplace_back(doc, scratch.documents.count(doc, call));
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
                        documents.begin() + static_cast<std::ptrdiff_t>(end), documents.end(),
                        most_first);
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

std::uint64_t Archive::fingerprint_key(std::uint64_t hash) const { return impl_->key_of(hash); }

std::vector<SharedFingerprint> Archive::widely_shared_fingerprints(int min_agencies,
                                                                   std::size_t holder_cap) const {
  impl_->write_pending_index();
  const ReadSnapshot snapshot(*this);  // the runs and the postings as of one moment
  std::unordered_map<std::int64_t, int> year_of;
  {
    Statement s = impl_->prepare("SELECT id, year FROM documents");
    while (s.step()) year_of[s.column_int(0)] = static_cast<int>(s.column_int(1));
  }
  detail::PostingScan scan(*impl_);
  std::vector<SharedFingerprint> out;
  struct Entry {
    std::uint32_t tag, doc, agency;
  };
  std::vector<Entry> entries;
  while (scan.next()) {
    const auto bucket = static_cast<std::uint64_t>(scan.bucket());
    const auto blob = scan.entries();
    const BlobLayout& layout = impl_->layout;
    const std::size_t step = layout.posting_bytes();
    if (blob.size() < std::size_t(min_agencies) * step) continue;
    entries.clear();
    for (std::size_t at = 0; at + step <= blob.size(); at += step)
      entries.push_back({layout.read_tag(blob.data() + at), layout.read_doc(blob.data() + at),
                         layout.read_agency(blob.data() + at)});
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
