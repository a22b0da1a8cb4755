// Where each shingle hash occurs in one document: an open-addressing table over the distinct
// hashes (XXH3 values, uniform already, so their low bits index it) into one position list,
// positions of a hash in ascending order. Built in two linear passes, no sorting: alignment builds
// one per compared document, so this is on the check's hot path.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace leitong::detail {

class ShinglePositions {
 public:
  explicit ShinglePositions(std::span<const std::uint64_t> shingles) {
    std::size_t capacity = 16;
    while (capacity < 2 * shingles.size()) capacity *= 2;
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{});
    for (std::uint64_t h : shingles) {
      Slot& slot = find_or_insert(h);
      ++slot.count;
    }
    std::uint32_t next = 0;
    for (Slot& slot : slots_) {
      slot.first = next;
      next += slot.count;
      slot.count = 0;  // refilled below
    }
    positions_.resize(shingles.size());
    for (std::size_t j = 0; j < shingles.size(); ++j) {
      Slot& slot = find_or_insert(shingles[j]);
      positions_[slot.first + slot.count++] = static_cast<std::uint32_t>(j);
    }
  }

  std::size_t distinct() const { return distinct_; }
  // Calls f(hash) once for every distinct hash.
  template <class F>
  void for_each_distinct(F&& f) const {
    for (const Slot& slot : slots_)
      if (slot.used) f(slot.hash);
  }

  // The positions of `hash`, ascending (empty if it does not occur).
  std::span<const std::uint32_t> find(std::uint64_t hash) const {
    for (std::size_t at = hash & mask_; slots_[at].used; at = (at + 1) & mask_)
      if (slots_[at].hash == hash) return {positions_.data() + slots_[at].first, slots_[at].count};
    return {};
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t first = 0, count = 0;
    bool used = false;
  };
  Slot& find_or_insert(std::uint64_t hash) {
    std::size_t at = hash & mask_;
    while (slots_[at].used && slots_[at].hash != hash) at = (at + 1) & mask_;
    Slot& slot = slots_[at];
    if (!slot.used) slot.used = true, slot.hash = hash, ++distinct_;
    return slot;
  }
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> positions_;
  std::size_t mask_ = 0;
  std::size_t distinct_ = 0;
};

// |A ∩ B| / |A ∪ B| of the two documents' shingle sets (as exact_jaccard in shingle.h, without
// sorting either).
inline double exact_jaccard(const ShinglePositions& a, const ShinglePositions& b) {
  const ShinglePositions& small = a.distinct() <= b.distinct() ? a : b;
  const ShinglePositions& large = &small == &a ? b : a;
  std::size_t shared = 0;
  small.for_each_distinct([&](std::uint64_t h) { shared += !large.find(h).empty(); });
  const std::size_t all = a.distinct() + b.distinct() - shared;
  return all ? double(shared) / double(all) : 0.0;
}

}  // namespace leitong::detail

namespace leitong {
struct AlignParams;
struct AlignedPassage;
struct Sketch;
namespace detail {
// align() (align.h) with the source's position table built by the caller, who needs it anyway.
std::vector<AlignedPassage> align_indexed(const Sketch& query, const Sketch& source,
                                          const ShinglePositions& source_positions, int shingle_n,
                                          const AlignParams& params);
}  // namespace detail
}  // namespace leitong
