// The heap of a command that checks one report: such a process lives ~50 ms and spent a third of
// it in first touches of new heap pages, one page fault per 4 KB. Its heap is grown by 32 MB at
// once and that first 32 MB is backed by transparent huge pages where the kernel offers them (THP
// "madvise" or "always"): a few faults per 2 MB instead of 512. (Where huge pages are scarce the
// kernel compacts memory for them or falls back to 4 KB pages.) Measured in bench/README.md "The
// heap on huge pages".
#include "heap.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace leitong::cli {

void prepare_heap() {
  constexpr std::size_t kGrowth = std::size_t(32) << 20;
  constexpr std::uintptr_t kHugePage = std::uintptr_t(2) << 20;
  // Blocks under 32 MB from the heap (not one mmap each): the one setting that can be refused
  // (under a glibc tunable that caps the heap), so it goes first and nothing else is changed then.
  if (!mallopt(M_MMAP_THRESHOLD, static_cast<int>(kGrowth))) return;
  mallopt(M_TOP_PAD, static_cast<int>(kGrowth));             // grown 32 MB at a time
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kGrowth));  // and kept when freed
  mallopt(M_ARENA_MAX, 1);  // the threads of a check live for milliseconds: no arena each
  // A block larger than what is left at the top makes the heap grow now, by kGrowth more: it is
  // then the top of the heap, ending below the new break. Only then is [block, break) given the
  // hint (glibc takes the block from mmap instead when the break cannot move).
  constexpr std::size_t kProbe = std::size_t(1) << 20;
  const auto old_break = reinterpret_cast<std::uintptr_t>(sbrk(0));
  void* probe = std::malloc(kProbe);
  if (!probe) return;
  const auto new_break = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const auto at = reinterpret_cast<std::uintptr_t>(probe);
  std::free(probe);
  if (new_break <= old_break || at >= new_break || new_break - at < kProbe) return;
  const std::uintptr_t begin = (at + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t end = new_break & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // a hint: may be refused
}

}  // namespace leitong::cli
