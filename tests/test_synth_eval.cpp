// The synthetic corpus (synth.h) and the PAN evaluation (eval.h): measures on hand-computed cases,
// determinism, truth consistency, and an end-to-end run synth → add → eval.
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/normalize.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/testing/eval.h>
#include <leitong/testing/synth.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;

// One case of 100 characters (50 in the report, 50 in the source).
TEST(Eval, PanMeasuresOnOneExactDetection) {
  const std::vector<PanSpan> cases = {{"r", 0, 50, "s", 100, 150}};
  const PanScores p = pan_scores(cases, cases);
  EXPECT_DOUBLE_EQ(p.precision, 1.0);
  EXPECT_DOUBLE_EQ(p.recall, 1.0);
  EXPECT_DOUBLE_EQ(p.granularity, 1.0);
  EXPECT_DOUBLE_EQ(p.plagdet, 1.0);
}

TEST(Eval, PanMeasuresOnHandComputedCases) {
  // Case A: report [0,100) ← s1 [0,100). Case B: report [200,300) ← s2 [0,100).
  const std::vector<PanSpan> cases = {{"r", 0, 100, "s1", 0, 100}, {"r", 200, 300, "s2", 0, 100}};
  // A is found in two halves (granularity 2), each exact: [0,50)←[0,50), [50,100)←[50,100).
  // One detection [200,250)←s1 [0,50) names the wrong source: detects nothing.
  // One detection [250,350)←s2 [50,150) detects B: overlap 50 + 50 of its 100 + 100.
  const std::vector<PanSpan> det = {{"r", 0, 50, "s1", 0, 50},
                                    {"r", 50, 100, "s1", 50, 100},
                                    {"r", 200, 250, "s1", 0, 50},
                                    {"r", 250, 350, "s2", 50, 150}};
  const PanScores p = pan_scores(cases, det);
  // precision: (1 + 1 + 0 + 100/200) / 4 = 0.625
  EXPECT_DOUBLE_EQ(p.precision, 0.625);
  // recall: A fully covered (200/200), B 100/200 → (1 + 0.5) / 2 = 0.75
  EXPECT_DOUBLE_EQ(p.recall, 0.75);
  // granularity: A 2 detections, B 1 → 1.5
  EXPECT_DOUBLE_EQ(p.granularity, 1.5);
  const double f1 = 2 * 0.625 * 0.75 / (0.625 + 0.75);
  EXPECT_DOUBLE_EQ(p.plagdet, f1 / std::log2(2.5));
  EXPECT_EQ(p.cases, 2u);
  EXPECT_EQ(p.detections, 4u);
  EXPECT_EQ(p.detected_cases, 2u);
  EXPECT_EQ(p.true_detections, 3u);
}

TEST(Eval, PanMeasuresEdgeCases) {
  const std::vector<PanSpan> cases = {{"r", 0, 10, "s", 0, 10}};
  const PanScores none = pan_scores(cases, {});
  EXPECT_DOUBLE_EQ(none.precision, 1.0);
  EXPECT_DOUBLE_EQ(none.recall, 0.0);
  EXPECT_DOUBLE_EQ(none.granularity, 1.0);
  // A detection in another report never detects the case.
  const PanScores elsewhere = pan_scores(cases, {{"q", 0, 10, "s", 0, 10}});
  EXPECT_DOUBLE_EQ(elsewhere.precision, 0.0);
  EXPECT_DOUBLE_EQ(elsewhere.recall, 0.0);
  EXPECT_DOUBLE_EQ(elsewhere.plagdet, 0.0);
  // Overlapping detections are not counted twice: [0,8) and [4,10) cover the whole case.
  const PanScores overlap = pan_scores(cases, {{"r", 0, 8, "s", 0, 8}, {"r", 4, 10, "s", 4, 10}});
  EXPECT_DOUBLE_EQ(overlap.recall, 1.0);
  EXPECT_DOUBLE_EQ(overlap.granularity, 2.0);
}

SynthParams small(int agencies, int years, std::uint64_t seed) {
  SynthParams p;
  p.agencies = agencies;
  p.years = years;
  p.seed = seed;
  p.corpora = corpora_dir();
  return p;
}

TEST(Synth, SameSeedGivesIdenticalFiles) {
  TempDir a, b, c;
  synthesize(small(6, 2, 42), a.path());
  synthesize(small(6, 2, 42), b.path());
  synthesize(small(6, 2, 43), c.path());
  std::size_t files = 0;
  bool differs = false;
  for (const auto& e : fs::recursive_directory_iterator(a.path())) {
    if (!e.is_regular_file()) continue;
    const fs::path rel = fs::relative(e.path(), a.path());
    ASSERT_EQ(read_bytes(e.path()), read_bytes(b.path() / rel)) << rel;
    differs = differs || read_bytes(e.path()) != read_bytes(c.path() / rel);
    ++files;
  }
  EXPECT_EQ(files, 6u * 2 + 1 + 2);  // reports, one template, manifest and truth
  EXPECT_TRUE(differs) << "another seed gives another archive";
}

// Planted spans hold what the truth says: a recycled or peer plant shares most of its 5-character
// shingles (normalized: digits masked, punctuation and width folded) with its source span; a
// template or self plant likewise; offsets lie inside the extracted texts.
TEST(Synth, TruthSpansMatchTheirSources) {
  TempDir dir;
  const SynthSummary summary = synthesize(small(12, 3, 7), dir.path());
  EXPECT_EQ(summary.reports, 36u);
  EXPECT_GT(summary.recycled, 0u);
  EXPECT_GT(summary.template_filled, 0u);
  EXPECT_GT(summary.clean_reports, 0u);
  auto normalized = [](std::u32string_view t) { return normalize(t, NormalizeParams{}).chars; };
  std::ifstream truth(dir / "truth.jsonl");
  std::string line;
  std::size_t checked = 0, reports = 0, also = 0;
  while (std::getline(truth, line)) {
    ++reports;
    const auto j = nlohmann::json::parse(line);
    const std::u32string text = extract_file(dir / j["file"].get<std::string>()).text;
    for (const auto& p : j["plants"]) {
      const std::size_t s = p["start"], e = p["end"];
      ASSERT_LT(s, e);
      ASSERT_LE(e, text.size());
      const std::u32string plant = normalized(std::u32string_view(text).substr(s, e - s));
      // The source, and every earlier holder of the same text (`also`), holds the plant's text.
      auto shared_with = [&](const nlohmann::json& where) {
        const std::u32string src = extract_file(dir / where["source_file"].get<std::string>()).text;
        const std::size_t ss = where["source_start"], se = where["source_end"];
        EXPECT_LT(ss, se);
        EXPECT_LE(se, src.size());
        if (ss >= se || se > src.size()) return 0.0;
        const std::u32string source = normalized(std::u32string_view(src).substr(ss, se - ss));
        std::unordered_set<std::u32string> shingles;
        for (std::size_t i = 0; i + 5 <= source.size(); ++i) shingles.insert(source.substr(i, 5));
        std::size_t shared = 0, all = 0;
        for (std::size_t i = 0; i + 5 <= plant.size(); ++i, ++all)
          shared += shingles.count(plant.substr(i, 5));
        return all ? double(shared) / double(all) : 0.0;
      };
      EXPECT_GE(shared_with(p), 0.6) << j["file"] << " " << p.dump();
      if (p.contains("also"))
        for (const auto& earlier : p["also"]) {
          EXPECT_GE(shared_with(earlier), 0.4) << j["file"] << " " << earlier.dump();
          ++also;
        }
      // Mandated subheadings are every agency's text, not part of any plant.
      for (const char* heading : {"深入学习贯彻习近平法治思想", "推进数字法治政府建设"})
        EXPECT_EQ(encode_utf8(std::u32string_view(text).substr(s, e - s)).find(heading), std::string::npos)
            << j["file"] << " " << p.dump();
      ++checked;
    }
  }
  EXPECT_EQ(reports, 36u);
  EXPECT_EQ(checked, summary.plants);
  EXPECT_GT(also, 0u) << "three years of recycling give copies of copies";
}

TEST(Synth, EndToEndPlagdet) {
  TempDir dir;
  synthesize(small(12, 3, 1), dir.path());
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  add_manifest(archive, dir / "manifest.csv");
  if (HasFatalFailure()) return;
  const EvalResult r = evaluate(archive, dir / "truth.jsonl");
  std::printf(
      "[eval] 12 agencies x 3 years, seed 1: plagdet %.3f precision %.3f recall %.3f granularity "
      "%.3f "
      "recycled found %zu/%zu clean flagged %zu/%zu\n",
      r.overall.plagdet, r.overall.precision, r.overall.recall, r.overall.granularity,
      r.documents.recycled_found, r.documents.recycled, r.documents.clean_flagged,
      r.documents.clean);
  EXPECT_EQ(r.documents.reports, 36u);
  EXPECT_EQ(r.documents.missing, 0u);
  EXPECT_GE(r.overall.plagdet, 0.93);
  EXPECT_GE(r.overall.precision, 0.93);
  EXPECT_GE(r.overall.recall, 0.93);
  EXPECT_EQ(r.documents.recycled_found, r.documents.recycled);
  EXPECT_EQ(r.documents.clean_flagged, 0u);
  const auto j = nlohmann::json::parse(eval_json(r));
  EXPECT_EQ(j["schema"], "leitong.eval/1");
  EXPECT_DOUBLE_EQ(j["plagdet"].get<double>(), r.overall.plagdet);
}

}  // namespace
}  // namespace leitong::testing
