// The archive: one SQLite file holding every report (compressed extracted text, agency, year,
// kind, content hash), the parameters it was built with, and the index — MinHash signatures,
// SimHash, LSH band buckets and fingerprint postings, stored as packed blobs. docs/format.md
// describes the format; kArchiveSchemaVersion is bumped on every incompatible change.
//
// Guarantees: add() is one transaction, so a failed or interrupted add leaves the archive exactly
// as before that document; an archive of another schema version or built with other parameters is
// refused with a message that says which; nothing is loaded wholesale — a check reads only the
// buckets, postings and candidate documents it needs.
#pragma once

#include <leitong/core/document.h>
#include <leitong/core/error.h>
#include <leitong/core/lsh.h>
#include <leitong/core/sketch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace leitong {

// The format new archives are written in. Version 2 (2026-11-22) stores 8-bit MinHash values and
// 11-byte postings (version 1: 32-bit values, 12-byte postings); version 3 (2026-11-22) files a
// fingerprint's postings under its mixed hash (versions 1 and 2: the hash as it is, whose top bits
// a winnowed minimum leaves mostly zero); version 4 (2026-12-04) adds posting runs, which the
// groups of a bulk load append to instead of rewriting the postings of nearly every bucket. Archives
// of every version from kOldestReadableSchemaVersion on are read and appended to in their own format.
inline constexpr int kArchiveSchemaVersion = 4;
inline constexpr int kOldestReadableSchemaVersion = 1;

struct ArchiveParams {
  SketchParams sketch;
  LshParams lsh;
  int posting_bucket_bits = 20;  // fingerprint postings are grouped in 2^bits blobs by hash prefix
  // Holders kept per fingerprint: a fingerprint already posted by this many documents is not posted
  // again. Formulae are in every report; without a cap their postings grow with the archive and
  // every add rewrites them (quadratic), and every check reads them. Counts of widely shared
  // fingerprints are then lower bounds ("at least posting_cap"). 0: no cap (archives made before
  // the cap existed read as 0 and keep it). It is the archive's storage policy, not a sketch
  // parameter: an archive keeps its own, whatever the caller asks for.
  int posting_cap = 1024;
  friend bool operator==(const ArchiveParams&, const ArchiveParams&) = default;
};

// An add (or a group's commit) that failed because the archive could not be written: disk full,
// an I/O error, a file system turned read-only, damage, a lock held too long. The document — and,
// when adds are grouped, the whole open group — is not in the archive, and further adds would fail
// the same way. Refusals of a document itself (too short, no agency) are plain Error.
class ArchiveWriteError : public Error {
 public:
  using Error::Error;
};

// For programs, not libraries: call once at the start of main, before any thread or connection.
// Switches off SQLite's memory statistics, which take a process-wide mutex on every allocation SQLite
// makes and which leitong never reads (a bulk load 1-3 % faster without; bench/README.md "SQLite's
// memory statistics"). The setting is the whole process's and SQLite allows it only before it
// starts, while no other thread uses it: a host such as Python, whose own sqlite3 module may be in
// use, is left as it is. False when SQLite had started already (nothing changed).
bool configure_sqlite_for_this_program();

// The first difference between two parameter sets as people read it ("shingle size 5 vs 8"), or
// "" if they are equal (the posting cap, a storage policy, is not compared).
std::string describe_difference(const ArchiveParams& archive, const ArchiveParams& requested);

// A document ready to be archived: everything add() writes that depends on the document alone,
// computed outside the write transaction (and, for bulk loads, on other threads).
struct PreparedDocument {
  DocumentInfo info;  // as given; the agency is canonicalized when added
  Sketch sketch;      // make_sketch of the text, with the parameters it was made with
  std::string content_hash;             // core/document.h content_hash
  std::size_t chars = 0;                // code points of the extracted text
  std::vector<std::uint8_t> text_zstd;  // the UTF-8 text as one zstd frame with its checksum
};

// Sketches, hashes and compresses `document` with `params` (an archive's: Archive::params().sketch).
// Throws Error("FILE: reason") for an empty agency name or a text too short to compare.
PreparedDocument prepare_document(const Document& document, const SketchParams& params);

// Frees what add() does not write — the normalized text with its offsets and the shingle hashes
// but the first (kept so that the document still reads as long enough to compare), about 20 bytes
// per character — for prepared documents held a while, as in a bulk load's window, and leaves the
// fingerprints as add() posts them (each hash once, by hash: their order in the text is lost).
// add() writes the same rows from it as from the document uncompacted.
void shrink_to_index(PreparedDocument& document);

// What a bulk load holds of a document while it waits for its turn to be added: prepare_document,
// shrink_to_index, and the document's text freed. Empty, the document left whole, when
// prepare_document refuses it: add(document) then refuses it in its turn with the same message.
// The normalized text and shingle hashes are made in buffers the calling thread keeps for the next
// document (make_sketch_into; about 20 bytes per character of the longest, up to 2^18 characters).
std::optional<PreparedDocument> prepare_for_bulk_add(Document& document, const SketchParams& params);

struct AddOutcome {
  bool added = false;   // false: the archive already held this text for this agency and year
  std::int64_t id = 0;  // the new or existing document's id
};

struct ArchiveStats {
  std::int64_t documents = 0, reports = 0, templates = 0, forms = 0, agencies = 0;
  int first_year = 0, last_year = 0;
  std::int64_t text_chars = 0;   // extracted code points in all documents
  std::int64_t file_bytes = 0;   // the archive file (plus its WAL) on disk
  std::int64_t text_bytes = 0;   // compressed texts
  std::int64_t index_bytes = 0;  // signatures, buckets and postings (payload bytes)
  std::int64_t lsh_buckets = 0, posting_blobs = 0, postings = 0;
  ArchiveParams params;
  int schema_version = kArchiveSchemaVersion;  // the archive's own format version
};

// What an archive covers, for a report to say what a check was compared with.
struct ArchiveScope {
  std::int64_t documents = 0, agencies = 0;
  int first_year = 0, last_year = 0;
};

// What a copy of the agency register kept between calls watches to stay current (AgencyResolver):
// entries are only ever appended, except by a merge; aliases, renames and merges are counted.
struct RegisterState {
  std::int64_t last_agency = 0;  // the largest agency id
  std::int64_t last_alias = 0;  // the largest alias row (an alias added by an older leitong)
  std::int64_t edits = 0;  // aliases added, renames and merges made (meta 'register_edits')
  bool operator==(const RegisterState&) const = default;
};

// An archived document's info and extracted text (Archive::infos_and_texts).
struct StoredDocument {
  DocumentInfo info;
  std::u32string text;
};

// Per-document hits of a query's fingerprints in the postings.
struct FingerprintHits {
  // (id, shared fingerprints) of every document holding one of them, in no particular order (see
  // visit_documents_most_first). Fingerprints at the archive's posting cap (formulae), and those
  // held by more than `ranking_holders` documents (see fingerprint_hits), are not counted here,
  // only in the two members below; documents added after the call began are left out.
  std::vector<std::pair<std::int64_t, int>> documents;
  // For each query fingerprint (same order as given): distinct agencies of *reports* holding it.
  std::vector<std::uint16_t> agencies_per_fingerprint;
  // For each query fingerprint: reports holding it, at most one per agency and at most
  // `holders_per_fingerprint` (see fingerprint_hits), in posting order.
  std::vector<std::vector<std::int64_t>> holders;

  // Calls visit(id, shared) for the documents, most shared first (ties: lower id first), until it
  // returns false; orders `documents` only as far as the visit goes (leave `documents` unchanged
  // between visits).
  void visit_documents_most_first(const std::function<bool(std::int64_t id, int shared)>& visit);

 private:
  std::size_t sorted_ = 0;  // documents[0, sorted_) are in visiting order
};

// A fingerprint held by the reports of many agencies (see Archive::widely_shared_fingerprints).
struct SharedFingerprint {
  std::uint64_t key = 0;              // Archive::fingerprint_key of the fingerprint hash
  int agencies = 0;                   // distinct agencies of reports holding it
  int documents = 0;                  // documents (reports and templates) holding it
  int years = 0;                      // distinct years of those documents
  std::vector<std::int64_t> holders;  // reports holding it, one per agency, at most holder_cap
};

// What Archive::verify found: SQLite's own integrity check plus leitong's consistency checks.
struct ArchiveCheck {
  std::int64_t documents = 0;         // documents examined
  std::int64_t lsh_entries = 0;       // document ids read from the LSH buckets
  std::int64_t postings = 0;          // posting records read
  std::vector<std::string> problems;  // one line each, naming the table and document; empty: sound
  bool ok() const { return problems.empty(); }
};

class Archive {
 public:
  enum class Mode { kReadOnly, kReadWrite };

  // Opens (kReadWrite creates it if missing, with `params_for_new`). `requested`, if given, must
  // equal the stored parameters, else Error explains the difference. Throws Error for a file that
  // is not a leitong archive, has another schema version, or is damaged (a file shorter than its
  // header says is refused at once), and for kReadWrite in a place that cannot be written.
  static Archive open(const std::filesystem::path& path, Mode mode,
                      const ArchiveParams& params_for_new = {},
                      const ArchiveParams* requested = nullptr);

  Archive(Archive&&) noexcept;
  Archive& operator=(Archive&&) noexcept;
  ~Archive();

  const ArchiveParams& params() const;
  // Throws Error("ARCHIVE: archive was built with other parameters (…)") unless `requested`
  // equals the archive's parameters (posting cap aside, see describe_difference).
  void require_params(const ArchiveParams& requested) const;
  const std::filesystem::path& path() const;
  // True when the archive was opened for reading in a place that cannot be written (a read-only
  // folder or file system): read as the file stands, as SQLite's immutable mode does. Writes by
  // others are then not seen (none can happen there). Opening such an archive for writing fails.
  bool read_only_place() const;

  // Adds one document atomically. `document.info.id` is ignored. Throws Error (archive unchanged),
  // also when the document was prepared with other sketch parameters than the archive's.
  AddOutcome add(const PreparedDocument& document);
  // prepare_document with this archive's parameters, then add.
  AddOutcome add(const Document& document);

  // Bulk loading. With n > 1, adds are grouped n to a transaction, each add still all or nothing
  // within it (a savepoint). A document touches ~180 index blobs; a group's index entries are
  // queued and written when it commits, sorted by key, each blob once (the bytes are those of one
  // add at a time). Index reads on this Archive while a group is open (stats, lsh_candidates,
  // fingerprint_hits, lsh_groups, widely_shared_fingerprints) write the queued entries first; if
  // that fails, the whole group is rolled back and they throw Error. flush() commits the open group;
  // destroying the Archive commits it too (without a way to report failure: call flush()). Costs:
  // a crash loses the open group (re-running the same add restores it, as adds are idempotent),
  // other writers wait for a whole group, and readers see documents a group at a time. 1 (the
  // default): one transaction per document. A commit that fails throws Error naming how many
  // documents were lost; the archive is then as before the group.
  // While grouped, the connection keeps a 64 MB page cache, and the write-ahead log is copied into
  // the archive file (a passive checkpoint) by a second connection on a thread of its own after
  // each commit, while the next group is written; the rest when the Archive closes. That copy
  // rarely finishes before the next group begins, so the log would grow for the whole load: a
  // commit that leaves more than `log_restart_bytes` in it waits for the copy and starts the log
  // over (the largest log is about that plus one group; format 4: plus the postings table when
  // that commit made the eighth run and merged the runs). It applies while adds are grouped
  // (documents > 1); each call sets it again.
  // In a format-4 archive a large group (about 420 reports or more) appends its postings as a run
  // (docs/format.md, "Posting runs") instead of rewriting the blob of nearly every bucket, and so
  // does any group while runs wait; reads see the runs merged. The commit that makes the eighth run
  // merges them (one pass over the buckets they touch) in a transaction of its own; if that fails
  // the runs stay and the next group merges them.
  // Failures to write throw ArchiveWriteError.
  static constexpr std::int64_t kDefaultLogRestartBytes = std::int64_t(64) << 20;
  void set_batch_size(int documents, std::int64_t log_restart_bytes = kDefaultLogRestartBytes);
  void flush();
  // Commits the open group (flush()), then merges every posting run into the postings in a
  // transaction of its own (what a bulk load does when it ends, so that look-ups read one blob per
  // bucket). Returns false if no runs were left. Throws ArchiveWriteError if the group cannot be
  // committed (as flush()); after a flush(), an Error means only that the runs were not merged:
  // the archive is as before, runs and all, and complete.
  bool merge_index_runs();
  // Commits the open group, copies the write-ahead log into the archive file and empties the log,
  // waiting (up to the busy timeout) for readers still using it. SQLite's own checkpoints never
  // empty the log while some reader always holds it, so under a steady stream of reads (a server's
  // checks) it grows with every add; a long-lived writer calls this now and then. Returns false
  // when readers kept it from finishing: the log is then left as it was, still sound.
  bool checkpoint();
  // Bytes of the write-ahead log on disk (0 when there is none).
  std::int64_t log_bytes() const;
  // Documents added to the open group and not committed yet (0 when adds are not grouped, or
  // right after a group commits): what a crash or a failed commit would lose.
  std::size_t uncommitted() const;
  // ids_with_content (below) for a text whose content hash is known (PreparedDocument::content_hash):
  // a bulk load asks it before each add without hashing the text again.
  std::vector<std::int64_t> ids_with_content_hash(const std::string& content_hash) const;

  // While it lives, every read of this connection sees the state of the archive at its
  // construction (one read transaction) instead of taking SQLite's locks statement by statement:
  // for long read-only runs (each yoy thread holds one; every check does). Adds committed meanwhile
  // by others are not seen, and the write-ahead log cannot be checkpointed past it, so it grows
  // while a long run holds one. Inside a transaction of this connection it does nothing; this
  // connection must not add while it lives.
  class ReadSnapshot {
   public:
    explicit ReadSnapshot(const Archive& archive);
    ~ReadSnapshot();
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

   private:
    const Archive& archive_;
    bool began_ = false;
  };

  ArchiveStats stats() const;
  // Checks the whole archive, in one read snapshot (a concurrent add is not seen half-done):
  // `PRAGMA integrity_check`; every document has its text (which decompresses, passes its zstd
  // checksum where it has one, is valid UTF-8 and hashes to its content_hash) and its sketch row
  // (equal to the sketch recomputed from the text); its LSH band keys and fingerprint postings are
  // all present; and every LSH bucket and posting entry names an existing document, the right
  // agency, and no document more times than its sketch accounts for. A writer's open batch group
  // is committed first. Reads every row: O(archive)
  // time, memory O(documents + largest blob). Problems are returned, not thrown; Error only if
  // the archive cannot be read at all.
  ArchiveCheck verify() const;
  std::int64_t document_count() const;
  ArchiveScope scope() const;  // one pass over the documents table, none over the index
  std::vector<std::string> agency_names() const;  // canonical, sorted

  // The agency register (docs/format.md "Agencies"). Each agency is one entry with its name; other
  // names for it (简称, 全称, a name before 机构改革) are aliases, canonical forms, sorted by alias:
  // (alias, the entry's name). Older archives have none until the first is added.
  std::vector<std::pair<std::string, std::string>> agency_aliases() const;
  // The entry a name is (after canonical_agency), or is an alias of; none if neither. Two indexed
  // look-ups: a check need not read the whole register when its agency is already filed (the
  // usual case).
  std::optional<std::string> agency_entry(const std::string& name) const;
  // Three indexed look-ups; what changed the register since an earlier state (new entries:
  // agency_names_after its last_agency) without reading it whole.
  RegisterState register_state() const;
  std::vector<std::string> agency_names_after(std::int64_t agency_id) const;  // in id order
  // Each of these is one transaction; throws Error naming the archive and the reason (an unknown
  // agency, a name already another agency's, an open group of adds).
  void add_agency_alias(const std::string& agency, const std::string& alias);
  // The entry's name becomes `new_name`; the old name stays an alias.
  void rename_agency(const std::string& agency, const std::string& new_name);
  // Every document of `from` (and its index entries and aliases) moves to `into`; `from` becomes an
  // alias of `into`. Refused when both hold the same text for the same year. Returns the documents
  // moved. Rewrites every posting blob that holds `from` (one pass over the index).
  std::int64_t merge_agencies(const std::string& from, const std::string& into);
  DocumentInfo info(std::int64_t id) const;
  std::u32string text(std::int64_t id) const;
  // info() and text() of each id, in order, read ahead as set_read_ahead says. Throws as they do
  // (an id that is no document's).
  std::vector<StoredDocument> infos_and_texts(std::span<const std::int64_t> ids) const;
  // Ids of every document whose extracted text hashes to the same content hash as `text`.
  std::vector<std::int64_t> ids_with_content(std::u32string_view text) const;
  // Ids of the reports of `agency` (canonicalized), oldest year first.
  std::vector<std::int64_t> ids_of_agency(const std::string& agency) const;
  // Ids of the forms (kind form), oldest first: every check compares them (few per archive).
  std::vector<std::int64_t> form_ids() const;
  // Documents sharing at least one LSH band with `signature`, with their estimated Jaccard
  // (estimate_jaccard below: on the bits the archive stores).
  std::vector<std::pair<std::int64_t, double>> lsh_candidates(
      const MinHashSignature& signature) const;
  // `exclude_agency` (may be empty) is left out of the agency counts: a report's own agency.
  // Every document, in id order (metadata only).
  std::vector<DocumentInfo> documents() const;
  // A document's MinHash signature as stored: each value's low bits only (8 in formats 2 and 3,
  // all 32 in format 1). Compare signatures with estimate_jaccard below, never with the free function.
  MinHashSignature signature(std::int64_t id) const;
  // Jaccard estimate between two signatures on the bits this archive stores, corrected for chance
  // agreement (minhash.h, estimate_jaccard_truncated); either may be a full signature.
  double estimate_jaccard(const MinHashSignature& a, const MinHashSignature& b) const;
  // The documents of every LSH bucket that holds two or more: the near-duplicate candidate groups.
  std::vector<std::vector<std::int64_t>> lsh_groups() const;
  // The identity under which postings store a fingerprint hash: the top bucket bits of its posting
  // hash (format 3: the mixed hash; formats 1-2: the hash itself), then the next 24 (formats 2-3)
  // or 32 (format 1) bits.
  std::uint64_t fingerprint_key(std::uint64_t hash) const;
  // Fingerprints held by reports of at least `min_agencies` distinct agencies, most agencies
  // first. Streams over the posting blobs; memory grows with the result, not the archive.
  std::vector<SharedFingerprint> widely_shared_fingerprints(int min_agencies,
                                                            std::size_t holder_cap) const;
  // `ranking_holders` (0: no limit): a fingerprint held by more documents than this counts for
  // agencies and holders but not for `documents` (text that hundreds of reports hold says nothing
  // about who copied whom, and counting its holders is most of the cost at scale).
  FingerprintHits fingerprint_hits(const std::vector<Fingerprint>& fingerprints,
                                   const std::string& exclude_agency = {},
                                   std::size_t holders_per_fingerprint = 0,
                                   std::size_t ranking_holders = 0) const;
  // Reading ahead for fingerprint_hits and infos_and_texts: each call that starts it opens up to
  // `connections` read-only connections, each on a thread of its own, that fetch the rows the call
  // is about to read, so that the disk serves them side by side; the call still reads every row
  // itself, so what it returns is unchanged, and it joins them before it returns. kOnSlowReads
  // starts them once the call's first four reads each took longer than reads from the page cache
  // do (thresholds set on one machine, bench/README.md "Reading ahead on eight connections"), so
  // that an archive in memory seldom pays for them; kAtFirstRead at the first read (an archive on
  // slow storage). They see committed data only (not a writer's open group) and fail silently.
  // 0 connections (the default): none. For a process that runs one check (the CLI's `check`); a
  // server running checks side by side leaves it off. Throws Error past kMaxReadAheadConnections.
  enum class ReadAheadStart { kOnSlowReads, kAtFirstRead };
  static constexpr int kMaxReadAheadConnections = 64;
  void set_read_ahead(int connections, ReadAheadStart start = ReadAheadStart::kOnSlowReads);
  // Rows the read-ahead connections of this Archive have fetched so far (for tests and benchmarks).
  std::int64_t rows_read_ahead() const;

  struct Impl;  // opaque: the SQLite connection and the archive's parameters

 private:
  explicit Archive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace leitong
