// Test support: the exact answers behind the archive's candidate look-ups, computed by comparing a
// query with every document — the reference the tests of Archive::lsh_candidates (which
// estimates Jaccard from banded, 8-bit MinHash) and Archive::fingerprint_hits (which reads
// capped, tag-keyed postings) measure them against. Slow on purpose: no index, no sampling.
#pragma once

#include <leitong/core/document.h>
#include <leitong/core/fingerprint.h>
#include <leitong/core/sketch.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leitong::testing {

class BruteForce {
 public:
  // Files a document under `id` (its archive id): its shingle set, its distinct fingerprint
  // hashes (what the archive posts: each hash once), its agency (canonicalized) and kind. Add in
  // the archive's add order: holders are reported in this order, the archive's posting order.
  void add(std::int64_t id, const Sketch& sketch, std::string_view agency,
           DocumentKind kind = DocumentKind::kReport);
  std::size_t size() const { return documents_.size(); }

  // (id, exact Jaccard of the shingle sets) of every document at `threshold` or above and above 0
  // (a disjoint document is similar to nothing), most similar first, ties lower id first.
  std::vector<std::pair<std::int64_t, double>> similar(const Sketch& query, double threshold) const;

  // Documents (reports and templates) holding fingerprint hash `hash`, in add order.
  std::vector<std::int64_t> holders(std::uint64_t hash) const;

  // Per document holding any: how many distinct hashes of `query` it holds, counting only hashes
  // held by at most `max_holders` documents (0: every hash).
  std::map<std::int64_t, int> shared_fingerprints(const std::vector<Fingerprint>& query,
                                                  std::size_t max_holders = 0) const;

  // The reports among the first `first_holders` holders of `hash` (0: all of them), the first of
  // each agency only, `exclude_agency` (canonicalized) left out, in add order: the distinct
  // agencies of reports holding it, each named by its first report.
  std::vector<std::int64_t> first_report_per_agency(std::uint64_t hash,
                                                    std::string_view exclude_agency = {},
                                                    std::size_t first_holders = 0) const;

 private:
  struct Entry {
    std::int64_t id;
    std::vector<std::uint64_t> shingles;      // sorted, distinct
    std::vector<std::uint64_t> fingerprints;  // sorted, distinct hashes
    std::string agency;                       // canonical
    DocumentKind kind;
  };
  std::vector<Entry> documents_;  // add order
};

}  // namespace leitong::testing
