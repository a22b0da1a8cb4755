// Boilerplate and sources in analyze() (check.h) on constructed reports: a formula shorter than a
// passage, written by three other agencies, is boilerplate even when the copy around it is
// coincidental; references that may not be sources only measure boilerplate.
#include "support/variants.h"

#include <leitong/analysis/check.h>
#include <leitong/core/sketch.h>

#include <gtest/gtest.h>

namespace leitong::testing {
namespace {

struct Ref {
  DocumentInfo info;
  std::u32string text;
  Sketch sketch;
  bool may_be_source = true;
};

Ref make_ref(std::int64_t id, const std::string& agency, std::u32string text, bool may_be_source = true) {
  Ref r{{id, "ref" + std::to_string(id) + ".txt", agency, 2024, DocumentKind::kReport}, std::move(text), {}, may_be_source};
  r.sketch = make_alignment_sketch(r.text);
  return r;
}

Findings check(const std::u32string& text, const std::vector<Ref>& refs) {
  const Document report{{0, "report.txt", "本局", 2025, DocumentKind::kReport}, text};
  const Sketch sketch = make_sketch(report.text);
  std::vector<ReferenceDocument> references;
  for (const Ref& r : refs) references.push_back({r.info, &r.text, &r.sketch, r.may_be_source});
  return analyze(report, sketch, references, CheckParams{});
}

std::size_t copied_chars_outside_boilerplate(const Findings& f) {
  std::size_t n = 0;
  for (const PassageFinding& p : f.passages)
    if (p.source && !p.boilerplate) n += p.chars;
  return n;
}

// A 14-character mandated heading with a few characters of context on each side: 24 characters
// in common with one peer, a passage by length, but a formula plus its connectives.
const std::u32string kHeading = U"深入学习贯彻习近平法治思想。";

TEST(CheckBoilerplate, ShortFormulaOfThreeOtherAgenciesIsBoilerplateNotCopy) {
  const std::u32string before = U"胜利召开", after = U"我们坚持";
  const std::u32string report = random_ideographs(200, 1) + before + kHeading + after + random_ideographs(200, 2);
  const std::u32string peer = random_ideographs(150, 3) + before + kHeading + after + random_ideographs(150, 4);
  std::vector<Ref> refs{make_ref(1, "甲局", peer)};
  // Control: with the peer alone the shared stretch is a copied passage.
  const Findings alone = check(report, refs);
  EXPECT_GE(copied_chars_outside_boilerplate(alone), 20u);
  // Three other agencies write the heading in their own words around it.
  refs.push_back(make_ref(2, "乙局", random_ideographs(100, 5) + kHeading + random_ideographs(100, 6)));
  refs.push_back(make_ref(3, "丙局", random_ideographs(100, 7) + kHeading + random_ideographs(100, 8)));
  refs.push_back(make_ref(4, "丁局", random_ideographs(100, 9) + kHeading + random_ideographs(100, 10)));
  const Findings f = check(report, refs);
  EXPECT_EQ(copied_chars_outside_boilerplate(f), 0u);
  EXPECT_GT(f.boilerplate_ratio, 0.0);
  EXPECT_LT(f.copy_ratio_excluding_boilerplate, 0.005);
}

TEST(CheckBoilerplate, SameAgencyDoesNotMakeItsOwnTextBoilerplate) {
  const std::u32string report = random_ideographs(200, 1) + kHeading + random_ideographs(200, 2);
  std::vector<Ref> refs;
  for (int k = 0; k < 4; ++k)  // four earlier reports of the report's own agency
    refs.push_back(make_ref(10 + k, "本局", random_ideographs(100, 20 + k) + kHeading + random_ideographs(100, 30 + k)));
  EXPECT_DOUBLE_EQ(check(report, refs).boilerplate_ratio, 0.0);
}

TEST(CheckBoilerplate, ReferencesThatMayNotBeSourcesOnlyMeasureBoilerplate) {
  const std::u32string copied = random_ideographs(120, 40);
  const std::u32string report = random_ideographs(150, 41) + copied + random_ideographs(150, 42);
  // The only holder of the copied paragraph filed after the report: never a source.
  const Findings later = check(report, {make_ref(1, "甲局", random_ideographs(80, 43) + copied, false)});
  EXPECT_TRUE(later.sources.empty());
  EXPECT_DOUBLE_EQ(later.copy_ratio, 0.0);
  const Findings earlier = check(report, {make_ref(1, "甲局", random_ideographs(80, 43) + copied, true)});
  ASSERT_EQ(earlier.sources.size(), 1u);
  EXPECT_NEAR(earlier.copy_ratio, 120.0 / 420.0, 0.02);
  // Three later reports of other agencies holding it make it boilerplate, though none is a source.
  std::vector<Ref> refs{make_ref(1, "甲局", random_ideographs(80, 43) + copied, true)};
  for (int k = 0; k < 3; ++k)
    refs.push_back(make_ref(2 + k, std::string("乙丙丁").substr(3 * k, 3) + "局", copied + random_ideographs(60, 50 + k), false));
  const Findings f = check(report, refs);
  ASSERT_EQ(f.sources.size(), 1u);
  EXPECT_EQ(f.sources[0].document.id, 1);
  EXPECT_NEAR(f.boilerplate_ratio, 120.0 / 420.0, 0.02);
  EXPECT_LT(f.copy_ratio_excluding_boilerplate, 0.01);
}

}  // namespace
}  // namespace leitong::testing
