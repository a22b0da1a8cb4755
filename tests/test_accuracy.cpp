// Accuracy on constructed cases with known truth: the behaviours issue #2 requires of `check`,
// on reports and edits nobody tuned for (recycling, peer lifting, template filling, reordering,
// self-repetition, independent reports).
#include "support/corpus.h"
#include "support/variants.h"

#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/text.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>

namespace leitong::testing {
namespace {

// Characters inside passages attributed to an archived source (`only`: to that source alone).
std::vector<std::uint8_t> detected_mask(const Findings& f, std::size_t size,
                                        std::optional<std::size_t> only = std::nullopt) {
  std::vector<std::uint8_t> mask(size, 0);
  for (const auto& p : f.passages)
    if (p.source && (!only || *p.source == *only))
      for (std::uint32_t i = p.start; i < p.end && i < size; ++i) mask[i] = 1;
  return mask;
}

double truth_share(const MarkedText& t) {
  std::size_t copied = 0, all = 0;
  for (std::size_t i = 0; i < t.text.size(); ++i) {
    if (is_whitespace(t.text[i])) continue;
    ++all;
    copied += t.copied[i];
  }
  return all ? double(copied) / double(all) : 0.0;
}

Findings check_text(const Archive& archive, const MarkedText& variant, const std::string& agency, int year) {
  Document doc;
  doc.info.file = "variant.txt";
  doc.info.agency = agency;
  doc.info.year = year;
  doc.text = variant.text;
  return check_against_archive(archive, doc);
}

void report(const char* name, const Findings& f, const MarkedText& truth, const Score& s) {
  std::printf("[accuracy] %-28s truth %.3f  copy_ratio %.3f  top %.3f  precision %.3f  recall %.3f\n", name,
              truth_share(truth), f.copy_ratio, f.sources.empty() ? 0.0 : f.sources[0].copy_ratio, s.precision,
              s.recall);
}

std::vector<Seed> seeds_except(const std::vector<std::string>& stems) {
  std::vector<Seed> out;
  for (const Seed& s : seeds()) {
    bool skip = false;
    for (const auto& stem : stems) skip = skip || std::filesystem::path(s.file).stem() == stem;
    if (!skip) out.push_back(s);
  }
  return out;
}

class Accuracy : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::make_unique<Archive>(Archive::open(dir_ / "a.db", Archive::Mode::kReadWrite));
  }
  TempDir dir_;
  std::unique_ptr<Archive> archive_;
};

// Every seed report and a national report (another genre), each recycled with 10–30 % of its
// paragraphs replaced, years bumped and most numbers changed.
TEST_F(Accuracy, RecycledFromSameAgencyPreviousYear) {
  add_seeds(*archive_, seeds());
  const std::u32string filler = read_corpus_text("fixtures/filler-gov-1998.txt");
  std::uint64_t trial = 0;
  for (const char* stem : {"luohu-minzheng-2024", "shapingba-minzheng-2024", "anwen-zhen-2021",
                           "hechuan-sifa-2024", "2019"}) {
    const Seed& source = seed(stem);
    for (double replaced : {0.1, 0.3}) {
      Random rng(++trial);
      const MarkedText variant = recycle(read_corpus_text(source.file), filler, replaced, rng);
      ASSERT_LT(truth_share(variant), 0.99) << "nothing was replaced in " << stem;
      const Findings f = check_text(*archive_, variant, source.agency, source.year + 1);
      const Score s = score(variant, detected_mask(f, variant.text.size()));
      report(("recycled " + std::string(stem)).c_str(), f, variant, s);
      ASSERT_FALSE(f.sources.empty());
      EXPECT_EQ(f.sources[0].document.file, source.file);
      EXPECT_EQ(f.sources[0].relation, Relation::kSameAgency);
      EXPECT_NEAR(f.sources[0].copy_ratio, truth_share(variant), 0.1);
      EXPECT_GE(s.precision, 0.85) << stem;
      EXPECT_GE(s.recall, 0.85) << stem;
    }
  }
}

// Four paragraphs of a peer's report lifted into an agency's own report, the peer's district name
// swapped for the agency's. Scored on the passages attributed to the peer.
TEST_F(Accuracy, ParagraphsLiftedFromPeerWithNameSwapped) {
  struct Case {
    const char *own, *peer, *peer_name, *own_name;
  };
  const Case cases[] = {{"hechuan-sifa-2024", "luohu-minzheng-2024", "罗湖区", "合川区"},
                        {"luohu-minzheng-2024", "shapingba-minzheng-2024", "沙坪坝区", "罗湖区"},
                        {"shapingba-minzheng-2024", "hechuan-sifa-2024", "区司法局", "区民政局"}};
  std::uint64_t trial = 100;
  for (const Case& c : cases) {
    TempDir dir;
    Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
    add_seeds(archive, seeds_except({c.own}));
    const Seed& own = seed(c.own);
    const Seed& peer = seed(c.peer);
    Random rng(++trial);
    const MarkedText variant = lift_paragraphs(read_corpus_text(own.file), read_corpus_text(peer.file), 4,
                                               u32(c.peer_name), u32(c.own_name), rng);
    const Findings f = check_text(archive, variant, own.agency, own.year);
    const Score s = score(variant, detected_mask(f, variant.text.size(), 0));
    report(("peer lifted into " + std::string(c.own)).c_str(), f, variant, s);
    ASSERT_FALSE(f.sources.empty());
    EXPECT_EQ(f.sources[0].document.file, peer.file);
    EXPECT_EQ(f.sources[0].relation, Relation::kPeer);
    EXPECT_NEAR(f.sources[0].copy_ratio, truth_share(variant), 0.05);
    EXPECT_GE(s.precision, 0.85);
    EXPECT_GE(s.recall, 0.85);
  }
}

TEST_F(Accuracy, TemplateSampleFilledInWithAnotherCounty) {
  add_seeds(*archive_, seeds());
  const Seed& page = seed("fanwen-page-2023");
  // The fourth sample on the 范文 page (叙永县), filled in for 古蔺县 with the years bumped.
  const auto paras = paragraphs(read_corpus_text(page.file));
  MarkedText sample;
  bool in_sample = false;
  for (const auto& p : paras) {
    if (p.rfind(U"2023年是全面贯彻落实叙永县", 0) == 0) in_sample = true;
    else if (in_sample && p.rfind(U"依法治国是党领导人民治理国家", 0) == 0) break;
    if (in_sample) {
      sample.append(p, true);
      sample.append(U"\n", false);
    }
  }
  ASSERT_GT(sample.text.size(), 1000u);
  Random rng(7);
  const MarkedText variant = bump_years_and_numbers(replace_all(sample, U"叙永县", U"古蔺县"), 1, 0.5, rng);
  const Findings f = check_text(*archive_, variant, "古蔺县教育局", 2024);
  const Score s = score(variant, detected_mask(f, variant.text.size()));
  report("template filled in", f, variant, s);
  ASSERT_FALSE(f.sources.empty());
  EXPECT_EQ(f.sources[0].document.file, page.file);
  EXPECT_EQ(f.sources[0].relation, Relation::kTemplate);
  EXPECT_GE(f.sources[0].copy_ratio, 0.8);
  EXPECT_GE(s.recall, 0.85);
  EXPECT_GE(s.precision, 0.85);
}

TEST_F(Accuracy, SentencesReorderedAndWordsInsertedStillFound) {
  add_seeds(*archive_, seeds());
  const Seed& luohu = seed("luohu-minzheng-2024");
  Random rng(11);
  const MarkedText variant = reorder_and_insert(read_corpus_text(luohu.file), 15, rng);
  const Findings f = check_text(*archive_, variant, luohu.agency, 2025);
  const Score s = score(variant, detected_mask(f, variant.text.size()));
  report("reordered + inserted words", f, variant, s);
  ASSERT_FALSE(f.sources.empty());
  EXPECT_EQ(f.sources[0].document.file, luohu.file);
  EXPECT_GE(s.recall, 0.75);  // "most of the text"
  EXPECT_GE(s.precision, 0.85);
}

TEST_F(Accuracy, SelfRepetitionOfAnwenZhen2021IsReported) {
  add_seeds(*archive_, seeds_except({"anwen-zhen-2021"}));
  const Seed& anwen = seed("anwen-zhen-2021");
  Document doc;
  doc.info = {0, anwen.file, anwen.agency, anwen.year, DocumentKind::kReport};
  doc.text = read_corpus_text(anwen.file);
  const Findings f = check_against_archive(*archive_, doc);
  std::printf("[accuracy] self-repetition (安稳镇 2021)  self_duplication_ratio %.3f\n", f.self_duplication_ratio);
  EXPECT_GE(f.self_duplication_ratio, 0.05);
  int self_passages = 0;
  for (const auto& p : f.passages) {
    if (p.source) continue;
    ++self_passages;
    EXPECT_LE(p.source_end, p.start) << "the repeated text comes first";
  }
  EXPECT_GT(self_passages, 0);
}

TEST_F(Accuracy, IndependentReportsShareLittleBeyondBoilerplate) {
  for (const char* stem : {"shapingba-minzheng-2024", "anwen-zhen-2021", "hechuan-sifa-2024", "luohu-minzheng-2024"}) {
    TempDir dir;
    Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
    add_seeds(archive, seeds_except({stem}));
    const Seed& s = seed(stem);
    Document doc;
    doc.info = {0, s.file, s.agency, s.year, DocumentKind::kReport};
    doc.text = read_corpus_text(s.file);
    const Findings f = check_against_archive(archive, doc);
    std::printf("[accuracy] independent %-26s copy_ratio %.3f  excluding boilerplate %.3f\n", stem, f.copy_ratio,
                f.copy_ratio_excluding_boilerplate);
    EXPECT_LT(f.copy_ratio_excluding_boilerplate, 0.10) << stem;
  }
}

}  // namespace
}  // namespace leitong::testing

namespace leitong::testing {
namespace {

// Text no archived report shares: random ideographs from a wide range.
std::u32string unrelated_text(std::size_t length, std::uint64_t seed) {
  Random rng(seed);
  std::u32string out;
  for (std::size_t i = 0; i < length; ++i) out.push_back(char32_t(0x4E00 + 7 * rng.below(2900)));
  return out;
}

// The political formula that three seed agencies' reports (沙坪坝, 合川, 罗湖) all use.
const std::u32string kFormula = U"坚持以习近平新时代中国特色社会主义思想为指导";

TEST_F(Accuracy, FormulaSharedByManyAgenciesIsBoilerplate) {
  add_seeds(*archive_, seeds());
  MarkedText report;
  report.append(U"2024年，福田区教育局" + kFormula + U"，", false);
  report.append(unrelated_text(600, 1) + U"。\n", false);
  const Findings f = check_text(*archive_, report, "深圳市福田区教育局", 2024);
  std::printf("[accuracy] formula only: copy_ratio %.3f boilerplate_ratio %.3f excluding %.3f\n", f.copy_ratio,
              f.boilerplate_ratio, f.copy_ratio_excluding_boilerplate);
  EXPECT_GT(f.boilerplate_ratio, 0.025);
  EXPECT_LT(f.copy_ratio_excluding_boilerplate, 0.01);
  bool formula_flagged = false;
  for (const auto& p : f.passages)
    if (p.boilerplate && u32(p.text).find(kFormula.substr(2, 15)) != std::u32string::npos) formula_flagged = true;
  EXPECT_TRUE(formula_flagged);
}

TEST_F(Accuracy, ParagraphCopiedFromOnePeerStaysCopiedAroundItsFormula) {
  add_seeds(*archive_, seeds());
  // 罗湖区民政局's opening paragraph (which contains the formula) lifted by another agency.
  const auto paras = paragraphs(read_corpus_text(seed("luohu-minzheng-2024").file));
  ASSERT_NE(paras[0].find(kFormula), std::u32string::npos);
  MarkedText report;
  report.append(unrelated_text(400, 2) + U"。\n", false);
  report.append(paras[0], true);
  report.append(U"\n" + unrelated_text(400, 3) + U"。\n", false);
  const Findings f = check_text(*archive_, report, "深圳市福田区民政局", 2024);
  std::printf("[accuracy] copied paragraph with formula: copy %.3f boilerplate %.3f excluding %.3f\n", f.copy_ratio,
              f.boilerplate_ratio, f.copy_ratio_excluding_boilerplate);
  ASSERT_FALSE(f.sources.empty());
  EXPECT_EQ(f.sources[0].document.file, seed("luohu-minzheng-2024").file);
  EXPECT_GT(f.boilerplate_ratio, 0.0);
  // Most of the lifted paragraph is not boilerplate and still counts as copied.
  EXPECT_GT(f.copy_ratio_excluding_boilerplate, 0.6 * truth_share(report));
}

}  // namespace
}  // namespace leitong::testing
