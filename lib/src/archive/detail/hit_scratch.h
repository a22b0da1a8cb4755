// The scratch counters of fingerprint look-ups (Archive::fingerprint_hits, reads.cpp), kept by a
// connection across calls; internal to the archive (and its test, tests/test_hit_scratch.cpp).
#pragma once

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

namespace leitong::detail {

// Per-document and per-agency counters for fingerprint_hits, kept by a connection across calls.
// Stamps replace clearing: an entry is current when its stamp is this call's or this
// fingerprint's.
struct HitScratch {
  struct Document {
    std::uint32_t doc = 0, fingerprint = 0, call = 0, count = 0;
  };
  // The documents one call counts, in a table of open addressing (linear probing) keyed by id: a
  // check counts thousands of the archive's documents, scattered over its ids. A dense array by
  // id (12 bytes a document, 12 MB at a million) had each check that starts a process fault in
  // and zero most of its pages (2,400 page faults, a sixth of a check at a million); the table
  // holds only what the call counts. A slot of an earlier call is free.
  class DocumentCounters {
   public:
    // The counter of `doc` for call `call`, made (count 0, `fresh` set) if the call has none.
    Document& find_or_add(std::uint32_t doc, std::uint32_t call, bool& fresh) {
      if (2 * (used_ + 1) > slots_.size()) grow(call);
      for (std::size_t i = slot_of(doc);; i = (i + 1) & mask_) {
        Document& d = slots_[i];
        if (d.call != call) {
          d = Document{doc, 0, call, 0};
          ++used_;
          fresh = true;
          return d;
        }
        if (d.doc == doc) {
          fresh = false;
          return d;
        }
      }
    }
    // How many fingerprints call `call` counted for `doc` (0 if none).
    std::uint32_t count(std::uint32_t doc, std::uint32_t call) const {
      if (slots_.empty()) return 0;
      for (std::size_t i = slot_of(doc);; i = (i + 1) & mask_) {
        const Document& d = slots_[i];
        if (d.call != call) return 0;
        if (d.doc == doc) return d.count;
      }
    }
    // Starts call `call`: earlier calls' slots become free. A large table the last call used
    // little of is given back (a long-lived connection keeps what its usual calls need, not its
    // largest call's).
    void start(std::uint32_t call) {
      if (slots_.size() > (std::size_t(1) << 16) && 8 * used_ < slots_.size()) {
        slots_ = {};
        mask_ = 0;
      }
      used_ = 0;
      if (call == 1)  // stamps wrapped (or the first call): none may look current
        for (Document& d : slots_) d.call = 0;
    }
    // Every fingerprint stamp set to 0 (the fingerprint stamps wrapped).
    void forget_fingerprints() {
      for (Document& d : slots_) d.fingerprint = 0;
    }

   private:
    std::size_t slot_of(std::uint32_t doc) const {
      return static_cast<std::size_t>((doc * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
    }
    void grow(std::uint32_t call) {
      std::vector<Document> old = std::move(slots_);
      const std::size_t n = old.empty() ? std::size_t(1) << 10 : 2 * old.size();
      slots_.assign(n, Document{});
      mask_ = n - 1;
      shift_ = 64 - static_cast<unsigned>(std::countr_zero(n));
      used_ = 0;
      for (const Document& d : old)
        if (d.call == call) {
          std::size_t i = slot_of(d.doc);
          while (slots_[i].call == call) i = (i + 1) & mask_;
          slots_[i] = d;
          ++used_;
        }
    }
    std::vector<Document> slots_;
    std::size_t mask_ = 0, used_ = 0;
    unsigned shift_ = 54;  // set by grow(), before any slot_of()
  };
  // Zeroed arrays from calloc: for a large array the kernel's zero pages, so a check touches only
  // the pages of the agencies it counts, where a vector would write every page first.
  template <class T>
  struct ZeroedArray {
    std::unique_ptr<T[], decltype(&std::free)> data{nullptr, &std::free};
    std::size_t size = 0;
    void grow(std::size_t at_least) {
      if (size >= at_least) return;
      const std::size_t n = at_least + at_least / 4;  // room to grow
      T* p = static_cast<T*>(std::calloc(n, sizeof(T)));
      if (!p) throw std::bad_alloc();
      if (size) std::memcpy(static_cast<void*>(p), data.get(), size * sizeof(T));
      data.reset(p);
      size = n;
    }
    T& operator[](std::size_t i) { return data[i]; }
    void clear() { std::memset(static_cast<void*>(data.get()), 0, size * sizeof(T)); }
  };
  DocumentCounters documents;
  ZeroedArray<std::uint32_t> agency_fingerprint;
  std::uint32_t call = 0, fingerprint = 0;

  void prepare(std::uint32_t max_agency) { agency_fingerprint.grow(std::size_t(max_agency) + 1); }
  std::uint32_t next_call() {
    if (++call == 0) call = 1;  // wrapped: start() forgets every stamp
    documents.start(call);
    return call;
  }
  std::uint32_t next_fingerprint() {
    if (++fingerprint == 0) {
      documents.forget_fingerprints();
      agency_fingerprint.clear();
      fingerprint = 1;
    }
    return fingerprint;
  }
};

}  // namespace leitong::detail
