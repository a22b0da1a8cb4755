// The candidate-index interface shared by every in-memory index, after faiss' Index/IndexFlat:
// add documents' sketches, ask for the documents likely to be similar to a query, and an exact
// brute-force index (BruteForceIndex) behind the same interface that tests and recall benchmarks
// compare the approximate ones against.
#pragma once

#include <leitong/core/sketch.h>

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace leitong {

using DocId = std::int64_t;

struct Candidate {
  DocId id = 0;
  double similarity = 0;  // the index's own measure (exact or estimated Jaccard, SimHash score)
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

class Index {
 public:
  virtual ~Index() = default;
  // Adds document `id` (ids must be unique). Only the sketch parts the index uses are copied.
  virtual void add(DocId id, const Sketch& sketch) = 0;
  // Documents whose similarity to `query` is at least `threshold`, most similar first.
  virtual std::vector<Candidate> query(const Sketch& query, double threshold) const = 0;
  virtual std::size_t size() const = 0;
};

// Exact Jaccard similarity of shingle sets, by comparing with every document. The reference.
class BruteForceIndex final : public Index {
 public:
  void add(DocId id, const Sketch& sketch) override;
  std::vector<Candidate> query(const Sketch& query, double threshold) const override;
  std::size_t size() const override { return sets_.size(); }

 private:
  std::unordered_map<DocId, std::vector<std::uint64_t>> sets_;
};

}  // namespace leitong
