// The heap set-up of `check` and `compare` (tools/leitong/heap.cpp), each case in a child process
// of its own: the settings it changes are the whole process's.
#include "../tools/leitong/heap.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace leitong::testing {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kOwnAllocator = true;  // the sanitizer's allocator ignores mallopt
#else
constexpr bool kOwnAllocator = false;
#endif

bool below_break(const void* p) {
  return reinterpret_cast<std::uintptr_t>(p) < reinterpret_cast<std::uintptr_t>(sbrk(0));
}

// The VmFlags line of the mapping that holds `p` in /proc/self/smaps ("" when not found).
std::string vm_flags_of(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t begin = 0, end = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> begin >> dash >> end && dash == '-') {
      inside = begin <= at && at < end;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}

bool huge_pages_on_request() {
  std::ifstream f("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(f, modes);
  return modes.find("[madvise]") != std::string::npos || modes.find("[always]") != std::string::npos;
}

TEST(Heap, BlocksOfMegabytesComeFromTheHeapNotFromMmap) {
  if (kOwnAllocator) GTEST_SKIP() << "the sanitizer's allocator ignores mallopt";
  // Without the set-up a block over 128 KB is an mmap of its own, above the break: the child
  // makes the same allocation both ways so that the test can tell the difference. The first block
  // is not freed: freeing a mapped block raises glibc's threshold to its size.
  EXPECT_EXIT(
      {
        void* before = std::malloc(std::size_t(4) << 20);
        const bool mapped_before = !below_break(before);
        leitong::cli::prepare_heap();
        void* after = std::malloc(std::size_t(4) << 20);
        const bool in_heap_after = below_break(after);
        std::exit(mapped_before && in_heap_after ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(Heap, TheGrownHeapIsOfferedHugePages) {
  if (kOwnAllocator) GTEST_SKIP() << "the sanitizer's allocator ignores mallopt";
  if (!huge_pages_on_request()) GTEST_SKIP() << "transparent huge pages are off on this machine";
  // madvise(MADV_HUGEPAGE) shows as "hg" among the mapping's VmFlags.
  EXPECT_EXIT(
      {
        leitong::cli::prepare_heap();
        // The hint starts at the first 2 MB boundary of the grown part: the middle of a block of
        // 8 MB taken from it lies past that.
        char* block = static_cast<char*>(std::malloc(std::size_t(8) << 20));
        const std::string flags = vm_flags_of(block + (std::size_t(4) << 20));
        std::exit(flags.find(" hg") != std::string::npos ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace leitong::testing
