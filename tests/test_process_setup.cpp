// The process set-up of `check` and `compare` (tools/leitong/heap.cpp, icu_data.cpp). Each case runs
// in a child process started afresh (death-test style "threadsafe": the test binary re-executed for
// that test alone), since what they change is the whole process's and an earlier test's heap would
// change what a fork inherits.
#include "../tools/leitong/heap.h"
#include "../tools/leitong/icu_data.h"

#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <sqlite3.h>
#include <malloc.h>
#include <unistd.h>

#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitizerAllocator = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
constexpr bool kSanitizerAllocator = true;  // clang
#else
constexpr bool kSanitizerAllocator = false;
#endif
#else
constexpr bool kSanitizerAllocator = false;
#endif

// Calls `visit(begin, end, name, flags)` for each mapping of /proc/self/smaps ("VmFlags: …" line).
void for_each_mapping(
    const std::function<void(std::uintptr_t, std::uintptr_t, const std::string&, const std::string&)>&
        visit) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line, name;
  std::uintptr_t begin = 0, end = 0;
  while (std::getline(smaps, line)) {
    std::istringstream head(line);
    std::uintptr_t b = 0, e = 0;
    char dash = 0;
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        head >> std::hex >> b >> dash >> e && dash == '-') {
      begin = b, end = e;
      const std::size_t slash = line.find('/');
      name = slash == std::string::npos ? "" : line.substr(slash);
      continue;
    }
    if (line.rfind("VmFlags:", 0) == 0) visit(begin, end, name, line);
  }
}

std::string flags_at(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::string out;
  for_each_mapping([&](std::uintptr_t b, std::uintptr_t e, const std::string&, const std::string& flags) {
    if (b <= at && at < e) out = flags;
  });
  return out;
}

class ProcessSetup : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(ProcessSetup, BlocksOfMegabytesComeFromTheHeapNotFromMmap) {
  if (kSanitizerAllocator) GTEST_SKIP() << "the sanitizer's allocator ignores mallopt";
  // Without the set-up a fresh process maps a block over 128 KB on its own (glibc counts such
  // blocks in hblks); the child makes the same allocation both ways so that the test tells the
  // difference. The first block is not freed: freeing it would raise glibc's threshold.
  EXPECT_EXIT(
      {
        const std::size_t mapped_at_start = mallinfo2().hblks;
        void* before = std::malloc(std::size_t(4) << 20);
        const bool mapped_before = mallinfo2().hblks == mapped_at_start + 1;
        leitong::cli::prepare_heap();
        void* after = std::malloc(std::size_t(4) << 20);
        const bool in_heap_after = mallinfo2().hblks == mapped_at_start + 1;
        std::exit(before && after && mapped_before && in_heap_after ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST_F(ProcessSetup, TheGrownHeapIsOfferedHugePages) {
  if (kSanitizerAllocator) GTEST_SKIP() << "the sanitizer's allocator ignores mallopt";
  if (!std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  // madvise(MADV_HUGEPAGE) shows as "hg" among the mapping's VmFlags. The hint starts at the first
  // 2 MB boundary of the grown part: the middle of a block of 8 MB taken from it lies past that.
  EXPECT_EXIT(
      {
        leitong::cli::prepare_heap();
        char* block = static_cast<char*>(std::malloc(std::size_t(8) << 20));
        std::exit(flags_at(block + (std::size_t(4) << 20)).find(" hg") != std::string::npos ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// Whether libicudata's mappings are read page by page: VmFlags "rr" (MADV_RANDOM) on every one.
enum class IcuData { kNotMapped, kReadAhead, kByPage };
IcuData icu_data() {
  bool any = false, all = true;
  for_each_mapping([&](std::uintptr_t, std::uintptr_t, const std::string& name, const std::string& flags) {
    if (name.find("libicudata") == std::string::npos) return;
    any = true;
    all = all && flags.find(" rr") != std::string::npos;
  });
  return !any ? IcuData::kNotMapped : all ? IcuData::kByPage : IcuData::kReadAhead;
}

TEST_F(ProcessSetup, IcuDataIsReadPageByPage) {
  if (icu_data() == IcuData::kNotMapped)
    GTEST_SKIP() << "ICU's data is not a shared library in this build";
  EXPECT_EXIT(
      {
        const IcuData before = icu_data();
        leitong::cli::read_icu_data_by_page();
        std::exit(before == IcuData::kReadAhead && icu_data() == IcuData::kByPage ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

// In a child process: 0 when SQLite counted as expected — no memory when the memory statistics
// were switched off first (`configure`), some when they were not — and refused a second
// configuration once started.
int open_and_count_sqlite_memory(bool configure) {
  const bool configured = configure && leitong::configure_sqlite_for_this_program();
  TempDir dir;
  { Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite); }
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadOnly);
  sqlite3_int64 used = 0;
  sqlite3_int64 highest = 0;
  sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &used, &highest, 0);
  const bool refused_now = !leitong::configure_sqlite_for_this_program();
  const bool as_expected = configure ? configured && used == 0 : used > 0;
  return as_expected && refused_now ? 0 : 1;
}

// The CLI switches off SQLite's memory statistics before SQLite starts (main.cpp): a child that
// opens an archive afterwards has SQLite count no memory; one that does not configure it counts
// the connection's. Once SQLite has started, the call is refused and changes nothing.
TEST_F(ProcessSetup, SqliteMemoryStatisticsAreOffOnlyWhenConfiguredFirst) {
  if (sqlite3_compileoption_used("DEFAULT_MEMSTATUS=0"))
    GTEST_SKIP() << "this SQLite keeps no memory statistics to begin with";
  EXPECT_EXIT(std::exit(open_and_count_sqlite_memory(true)), ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(std::exit(open_and_count_sqlite_memory(false)), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace leitong::testing
