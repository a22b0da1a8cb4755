// Boilerplate mining over an archive of over a hundred agencies: more holders are read than its
// bounded document cache keeps, and every passage is still where it says it is.
#include "support/corpus.h"

#include <leitong/analysis/boilerplate.h>
#include <leitong/archive/archive.h>
#include <leitong/core/text.h>
#include <leitong/testing/synth.h>

#include <gtest/gtest.h>

#include <set>

namespace leitong::testing {
namespace {

// 120 agencies: the mining reads more than the 256 documents its cache keeps (100 already crashed
// before the representative was held).
TEST(BoilerplateMining, EveryPassageOfAHundredAndTwentyAgenciesIsWhereItSays) {
  TempDir dir;
  SynthParams params;
  params.agencies = 120;
  params.years = 4;
  params.seed = 7;
  params.corpora = corpora_dir();
  synthesize(params, dir.path() / "synth");
  Archive archive = Archive::open(dir.path() / "a.db", Archive::Mode::kReadWrite);
  archive.set_batch_size(500);
  add_manifest(archive, dir.path() / "synth" / "manifest.csv");
  archive.flush();

  BoilerplateParams mining;
  mining.top = 100000;  // every passage: the seeds' holders outnumber the cache many times
  const BoilerplateResult result = mine_boilerplate(archive, mining);
  ASSERT_GT(result.passages.size(), 20u);
  std::set<std::int64_t> examples;
  for (const BoilerplatePassage& p : result.passages) {
    EXPECT_GE(p.agencies, mining.min_agencies);
    const std::u32string text = archive.text(p.example.id);
    ASSERT_LE(p.end, text.size());
    ASSERT_LT(p.start, p.end);
    EXPECT_EQ(encode_utf8(std::u32string_view(text).substr(p.start, p.end - p.start)), p.text);
    examples.insert(p.example.id);
  }
  EXPECT_GT(examples.size(), 1u);
}

}  // namespace
}  // namespace leitong::testing
