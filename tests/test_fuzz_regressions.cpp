// Replays fuzz/regressions/TARGET/* (inputs that once crashed a libFuzzer target, issue #6) and the
// seed corpora fuzz/corpus/TARGET/* through the targets' own harnesses (fuzz/harness.h), so that
// the normal build, without clang or libFuzzer, keeps them fixed. A broken invariant throws here
// instead of trapping.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

#include "support/corpus.h"

#define LEITONG_FUZZ_FAIL(what) throw std::logic_error(std::string("fuzz invariant: ") + (what))
#include "../fuzz/harness.h"

namespace {

using leitong::testing::read_bytes;
using leitong::testing::source_dir;

const std::map<std::string, std::function<void(std::string_view)>>& harnesses() {
  static const std::map<std::string, std::function<void(std::string_view)>> kHarnesses = {
      {"fuzz_decode", [](std::string_view b) { leitong::fuzz::decode(b); }},
      {"fuzz_normalize", [](std::string_view b) { leitong::fuzz::normalize_text(b); }},
      {"fuzz_extract_html", [](std::string_view b) { leitong::fuzz::extract(b, ".html"); }},
      {"fuzz_extract_docx", [](std::string_view b) { leitong::fuzz::extract_docx(b); }},
      {"fuzz_extract_pdf", [](std::string_view b) { leitong::fuzz::extract(b, ".pdf"); }},
      {"fuzz_align", [](std::string_view b) { leitong::fuzz::align_texts(b); }},
      {"fuzz_upload", [](std::string_view b) { leitong::fuzz::upload(b); }},
  };
  return kHarnesses;
}

// Runs every file under `dir`/TARGET/ through TARGET's harness; returns how many ran.
int replay(const std::filesystem::path& dir) {
  int count = 0;
  if (!std::filesystem::exists(dir)) return 0;
  for (const auto& target : std::filesystem::directory_iterator(dir)) {
    if (!target.is_directory()) continue;
    const auto harness = harnesses().find(target.path().filename().string());
    if (harness == harnesses().end()) continue;
    for (const auto& file : std::filesystem::directory_iterator(target.path())) {
      if (!file.is_regular_file()) continue;
      SCOPED_TRACE(file.path().string());
      const std::string bytes = read_bytes(file.path());
      EXPECT_NO_THROW(harness->second(bytes));
      ++count;
    }
  }
  return count;
}

// The seeds and every input that once crashed a target (none yet: the long runs found nothing).
TEST(FuzzRegressions, SeedsAndFixedCrashesPass) {
  EXPECT_GT(replay(source_dir() / "fuzz" / "corpus"), 20);
  replay(source_dir() / "fuzz" / "regressions");
}

}  // namespace
