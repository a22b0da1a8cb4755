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
    // Load factor at most 2/3: linear probing stays short, and the table (16 bytes a slot) stays
    // small enough to keep in a cache of prepared references.
    std::size_t capacity = 16;
    while (2 * capacity < 3 * shingles.size()) capacity *= 2;
    mask_ = capacity - 1;
    slots_.assign(capacity, Slot{});
    filter_.assign(kFilterWords, 0);
    for (std::uint64_t h : shingles) {
      ++find_or_insert(h).count;
      filter_[filter_bit(h) / 64] |= std::uint64_t(1) << (filter_bit(h) % 64);
    }
    // Each slot's `first` is set to the end of its range, then positions are written backwards,
    // so each range ends ascending and `first` back at its start.
    std::uint32_t next = 0;
    for (Slot& slot : slots_) {
      next += slot.count;
      slot.first = next;
    }
    positions_.resize(shingles.size());
    for (std::size_t j = shingles.size(); j-- > 0;)
      positions_[--find_or_insert(shingles[j]).first] = static_cast<std::uint32_t>(j);
  }

  std::size_t distinct() const { return distinct_; }
  std::size_t bytes() const {
    return slots_.capacity() * sizeof(Slot) + positions_.capacity() * sizeof(std::uint32_t) +
           filter_.capacity() * sizeof(std::uint64_t);
  }
  // Calls f(hash, positions) once for every distinct hash, positions ascending.
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& slot : slots_)
      if (slot.count) f(slot.hash, std::span<const std::uint32_t>(positions_.data() + slot.first, slot.count));
  }

  bool contains(std::uint64_t hash) const {
    if (!maybe(hash)) return false;
    for (std::size_t at = hash & mask_; slots_[at].count; at = (at + 1) & mask_)
      if (slots_[at].hash == hash) return true;
    return false;
  }

  // The positions of `hash`, ascending (empty if it does not occur).
  std::span<const std::uint32_t> find(std::uint64_t hash) const {
    if (!maybe(hash)) return {};
    for (std::size_t at = hash & mask_; slots_[at].count; at = (at + 1) & mask_)
      if (slots_[at].hash == hash) return {positions_.data() + slots_[at].first, slots_[at].count};
    return {};
  }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t first = 0, count = 0;  // count 0: the slot is empty
  };
  // The first pass increments count right after an insertion, so a new slot never stays empty;
  // the second pass only finds hashes already there.
  Slot& find_or_insert(std::uint64_t hash) {
    std::size_t at = hash & mask_;
    while (slots_[at].count && slots_[at].hash != hash) at = (at + 1) & mask_;
    Slot& slot = slots_[at];
    if (!slot.count) slot.hash = hash, ++distinct_;
    return slot;
  }
  // A one-hash Bloom filter of 2^16 bits (8 KB, stays in L1) in front of the table: most hashes a
  // check looks up are not in the document, and a bit test rejects ~93 % of those (a 5,000-shingle
  // report sets ~7 % of the bits) without a probe into the table. Bits 32–47 of the hash: the
  // table uses the low bits.
  static constexpr std::size_t kFilterWords = 1024;
  static std::size_t filter_bit(std::uint64_t hash) { return (hash >> 32) & 0xFFFF; }
  bool maybe(std::uint64_t hash) const { return filter_[filter_bit(hash) / 64] >> (filter_bit(hash) % 64) & 1; }
  std::vector<std::uint64_t> filter_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> positions_;
  std::size_t mask_ = 0;
  std::size_t distinct_ = 0;
};

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
