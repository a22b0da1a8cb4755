// tools/leitong/icu_data.cpp: ICU's data library read page by page in `check` and `compare`.
#include "../tools/leitong/icu_data.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <string>

namespace leitong::testing {
namespace {

// Whether every mapping of libicudata in /proc/self/smaps carries VmFlags "rr" (MADV_RANDOM);
// false when there is none.
bool icu_data_read_by_page() {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false, any = false, all = true;
  while (std::getline(smaps, line)) {
    if (!line.empty() && std::isxdigit(static_cast<unsigned char>(line[0])) &&
        line.find('-') != std::string::npos && line.find(' ') > line.find('-')) {
      inside = line.find("libicudata") != std::string::npos;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) {
      any = true;
      all = all && line.find(" rr") != std::string::npos;
    }
  }
  return any && all;
}

TEST(IcuData, ItsMappingIsReadPageByPage) {
  // In a child process: the advice stays with the mapping for the process's life.
  EXPECT_EXIT(
      {
        const bool before = icu_data_read_by_page();
        leitong::cli::read_icu_data_by_page();
        std::exit(!before && icu_data_read_by_page() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace leitong::testing
