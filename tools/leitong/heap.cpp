// The process's heap: most leitong runs are short (a check is ~50 ms) and spend a large part of
// their time in first touches of new heap pages, one page fault per 4 KB. The heap is grown in
// one step and backed by transparent huge pages where the kernel offers them (THP "madvise" or
// "always"): a few faults per 2 MB instead of ~500. Measured in bench/README.md "The heap on
// huge pages".
#include "heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace leitong::cli {

void prepare_heap(HeapThreads threads) {
  constexpr std::size_t kGrowth = std::size_t(32) << 20;
  constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;
  // Grown 32 MB at a time, kept when freed, large blocks from it too (not one mmap each).
  if (!mallopt(M_TOP_PAD, static_cast<int>(kGrowth)) || !mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kGrowth)) ||
      !mallopt(M_MMAP_THRESHOLD, static_cast<int>(kGrowth)))
    return;
  if (threads == HeapThreads::kShare) mallopt(M_ARENA_MAX, 1);
  // A block larger than what is left at the top makes the heap grow now, by kGrowth more.
  void* probe = std::malloc(std::size_t(1) << 20);
  if (!probe) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(probe) + kHugePage - 1) & ~(kHugePage - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0)) & ~(kHugePage - 1);
  std::free(probe);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint: may be refused
}

}  // namespace leitong::cli
