// Archive-wide inspection (issue #4): yoy flags recycled reports and nothing else, boilerplate finds
// the shared political formula, clusters group one template filled in by several agencies, and the
// CLI writes CSV and an HTML overview whose evidence links resolve.
#include "support/cli.h"
#include "support/corpus.h"
#include "support/variants.h"

#include <leitong/analysis/boilerplate.h>
#include <leitong/analysis/check.h>
#include <leitong/analysis/clusters.h>
#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>
#include <leitong/render/report.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace leitong::testing {
namespace {

Document document(std::string file, std::string agency, int year, std::u32string text,
                  DocumentKind kind = DocumentKind::kReport) {
  return {{0, std::move(file), std::move(agency), year, kind}, std::move(text)};
}

// The seeds (four agencies, the national series 2017–2022, the 范文 page), plus 罗湖区民政局's
// 2024 report recycled as its 2025 one, plus 沙坪坝区民政局 2025 written afresh (unrelated text
// with the usual formula).
class Inspect : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::make_unique<Archive>(Archive::open(dir_ / "a.db", Archive::Mode::kReadWrite));
    add_seeds(*archive_, seeds());
    Random rng(2025);
    recycled_ = recycle(read_corpus_text("reports/luohu-minzheng-2024.txt"),
                        read_corpus_text("fixtures/filler-gov-1998.txt"), 0.2, rng);
    archive_->add(document("luohu-2025.txt", "深圳市罗湖区民政局", 2025, recycled_.text));
    std::u32string fresh = U"2025年，沙坪坝区民政局坚持以习近平新时代中国特色社会主义思想为指导，";
    for (const auto& p : paragraphs(read_corpus_text("fixtures/filler-gov-1998.txt"))) {
      if (fresh.size() > 3000) break;
      fresh += p + U"\n";
    }
    archive_->add(document("shapingba-2025.txt", "重庆市沙坪坝区民政局", 2025, fresh));
  }
  TempDir dir_;
  std::unique_ptr<Archive> archive_;
  MarkedText recycled_;
};

TEST_F(Inspect, YoyFlagsTheRecycledReportAndNothingElse) {
  const YoyResult result = year_over_year(*archive_, YoyParams{});
  ASSERT_FALSE(result.rows.empty());
  const YoyRow& top = result.rows.front();
  EXPECT_EQ(top.report.agency, "深圳市罗湖区民政局");
  EXPECT_EQ(top.report.year, 2025);
  EXPECT_EQ(top.prior.year, 2024);
  EXPECT_GE(top.copy_ratio_excluding_boilerplate, 0.65);
  EXPECT_TRUE(top.flagged);
  ASSERT_TRUE(top.max_source.has_value());
  EXPECT_EQ(top.max_source->relation, Relation::kSameAgency);
  for (std::size_t i = 1; i < result.rows.size(); ++i) {
    EXPECT_FALSE(result.rows[i].flagged) << result.rows[i].report.agency << " " << result.rows[i].report.year;
    EXPECT_LE(result.rows[i].copy_ratio_excluding_boilerplate, top.copy_ratio_excluding_boilerplate);
  }
  // One row per report with an earlier report of its agency: 罗湖 2025, 沙坪坝 2025, 国务院 2018–2022.
  EXPECT_EQ(result.rows.size(), 7u);
}

// Threads take reports in any order; the rows must not depend on it. And the prior year is always
// compared, so yoy's copy ratios equal a full check's against that report.
TEST_F(Inspect, YoyGivesTheSameRowsOnOneOrSeveralThreadsAndTheCheckSRatios) {
  YoyParams one;
  one.threads = 1;
  YoyParams three;
  three.threads = 3;
  const YoyResult a = year_over_year(*archive_, one), b = year_over_year(*archive_, three);
  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    EXPECT_EQ(a.rows[i].report.id, b.rows[i].report.id);
    EXPECT_EQ(a.rows[i].prior.id, b.rows[i].prior.id);
    EXPECT_DOUBLE_EQ(a.rows[i].copy_ratio, b.rows[i].copy_ratio);
    EXPECT_DOUBLE_EQ(a.rows[i].copy_ratio_excluding_boilerplate, b.rows[i].copy_ratio_excluding_boilerplate);
    EXPECT_EQ(a.rows[i].max_source.has_value(), b.rows[i].max_source.has_value());
  }
  const YoyRow& top = a.rows.front();
  const Findings full = check_against_archive(*archive_, Document{top.report, archive_->text(top.report.id)});
  bool found = false;
  for (const SourceFinding& s : full.sources)
    if (s.document.id == top.prior.id) {
      found = true;
      EXPECT_NEAR(s.copy_ratio, top.copy_ratio, 1e-9);
    }
  EXPECT_TRUE(found);
}

// yoy keeps prepared references across its checks; with no cache, with one so small that it
// evicts, and with the default, the rows are the same.
TEST_F(Inspect, YoyRowsDoNotDependOnTheReferenceCache) {
  auto run = [&](std::size_t budget, int threads = 2) {
    YoyParams params;
    params.threads = threads;
    params.all_prior = true;
    params.reference_cache_bytes = budget;
    return year_over_year(*archive_, params);
  };
  const YoyResult none = run(0);
  ASSERT_GE(none.rows.size(), 10u);
  EXPECT_EQ(none.references_prepared + none.references_reused, 0u) << "no cache, nothing counted";
  const YoyResult small = run(std::size_t(2) << 20), large = run(YoyParams{}.reference_cache_bytes);
  // On one thread (two threads missing the same document may both prepare it): the same
  // references are aligned whatever the cache; the default one keeps them all (each document is
  // prepared once), the small one prepares some again after evicting them.
  {
    const YoyResult small1 = run(std::size_t(2) << 20, 1), large1 = run(YoyParams{}.reference_cache_bytes, 1);
    EXPECT_EQ(small1.references_prepared + small1.references_reused,
              large1.references_prepared + large1.references_reused);
    EXPECT_GT(large1.references_reused, large1.references_prepared);
    EXPECT_LE(large1.references_prepared, std::size_t(archive_->document_count()));
    EXPECT_GT(small1.references_prepared, large1.references_prepared);
    EXPECT_GT(small1.references_reused, 0u);
  }
  for (const YoyResult* result : {&small, &large}) {
    const YoyResult& cached = *result;
    const std::size_t budget = result == &small ? 2 : 1024;  // MB, for messages
    ASSERT_EQ(cached.rows.size(), none.rows.size()) << budget;
    for (std::size_t i = 0; i < none.rows.size(); ++i) {
      EXPECT_EQ(cached.rows[i].report.id, none.rows[i].report.id) << budget;
      EXPECT_EQ(cached.rows[i].prior.id, none.rows[i].prior.id) << budget;
      EXPECT_DOUBLE_EQ(cached.rows[i].copy_ratio, none.rows[i].copy_ratio) << budget;
      EXPECT_DOUBLE_EQ(cached.rows[i].copy_ratio_excluding_boilerplate,
                       none.rows[i].copy_ratio_excluding_boilerplate) << budget;
      ASSERT_EQ(cached.rows[i].max_source.has_value(), none.rows[i].max_source.has_value()) << budget;
      if (none.rows[i].max_source) {
        EXPECT_EQ(cached.rows[i].max_source->document.id, none.rows[i].max_source->document.id) << budget;
        EXPECT_DOUBLE_EQ(cached.rows[i].max_source->copy_ratio, none.rows[i].max_source->copy_ratio) << budget;
      }
    }
  }
}

TEST_F(Inspect, YoyYearFilterAndAllPriorYears) {
  YoyParams params;
  params.year = 2022;
  params.all_prior = true;
  const YoyResult result = year_over_year(*archive_, params);
  ASSERT_EQ(result.rows.size(), 5u);  // 国务院 2022 against 2017–2021
  int nearest = 0;
  for (const YoyRow& row : result.rows) {
    EXPECT_EQ(row.report.year, 2022);
    EXPECT_LT(row.prior.year, 2022);
    nearest += row.nearest;
    if (row.nearest) {
      EXPECT_EQ(row.prior.year, 2021);
    }
  }
  EXPECT_EQ(nearest, 1);
}

TEST_F(Inspect, YoyJsonFollowsTheContract) {
  const auto json = yoy_to_json(year_over_year(*archive_, YoyParams{}));
  EXPECT_EQ(json.at("schema"), "leitong.yoy/1");
  EXPECT_DOUBLE_EQ(json.at("threshold").get<double>(), 0.4);
  double previous = 2;
  for (const auto& row : json.at("rows")) {
    for (const char* key : {"agency", "year", "prior_year", "copy_ratio", "copy_ratio_excluding_boilerplate",
                            "flagged", "max_source"})
      EXPECT_TRUE(row.contains(key)) << key;
    const double r = row.at("copy_ratio_excluding_boilerplate");
    EXPECT_LE(r, previous);
    previous = r;
    if (!row.at("max_source").is_null()) {
      for (const char* key : {"file", "agency", "year", "relation", "copy_ratio"})
        EXPECT_TRUE(row.at("max_source").contains(key)) << key;
    }
  }
}

TEST_F(Inspect, BoilerplateListsThePoliticalFormulaWithItsAgencies) {
  const BoilerplateResult result = mine_boilerplate(*archive_);
  ASSERT_FALSE(result.passages.empty());
  bool found = false;
  for (std::size_t i = 0; i < result.passages.size() && i < 5; ++i) {
    const BoilerplatePassage& p = result.passages[i];
    if (p.text.find("新时代中国特色社会主义思想") == std::string::npos) continue;
    found = true;
    EXPECT_GE(p.agencies, 3);  // 沙坪坝, 合川, 罗湖 and 国务院 use it
    EXPECT_GE(p.documents, p.agencies);
    // The passage is where it says it is.
    const std::u32string text = archive_->text(p.example.id);
    EXPECT_EQ(utf8(text.substr(p.start, p.end - p.start)), p.text);
  }
  EXPECT_TRUE(found) << "the formula is among the top five boilerplate passages";
  for (std::size_t i = 1; i < result.passages.size(); ++i)
    EXPECT_LE(result.passages[i].agencies, result.passages[i - 1].agencies);
  EXPECT_EQ(boilerplate_to_json(result).at("schema"), "leitong.boilerplate/1");
}

TEST(Clusters, OneTemplateFilledInByFourCountiesIsOneCluster) {
  TempDir dir;
  Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
  add_seeds(archive, seeds());
  // The 叙永县 sample of the 范文 page, filled in by four counties for 2024.
  MarkedText sample;
  bool in_sample = false;
  for (const auto& p : paragraphs(read_corpus_text("reports/fanwen-page-2023.txt"))) {
    if (p.rfind(U"2023年是全面贯彻落实叙永县", 0) == 0) in_sample = true;
    else if (in_sample && p.rfind(U"依法治国是党领导人民治理国家", 0) == 0) break;
    if (in_sample) sample.append(p + U"\n", true);
  }
  ASSERT_GT(sample.text.size(), 1000u);
  const char32_t* counties[] = {U"古蔺县", U"合江县", U"泸县", U"纳溪区"};
  for (int i = 0; i < 4; ++i) {
    Random rng(40 + i);
    const MarkedText filled = bump_years_and_numbers(replace_all(sample, U"叙永县", counties[i]), 1, 0.5, rng);
    archive.add(document("filled-" + std::to_string(i) + ".txt", utf8(counties[i]) + "教育局", 2024, filled.text));
  }
  const ClusterResult result = find_clusters(archive);
  ASSERT_EQ(result.clusters.size(), 1u);
  const Cluster& c = result.clusters[0];
  EXPECT_EQ(c.members.size(), 4u);
  EXPECT_EQ(c.agencies, 4);
  EXPECT_EQ(c.year, 2024);
  EXPECT_GT(c.mean_copy_ratio, 0.9);
  for (const auto& m : c.members) EXPECT_NE(m.file.find("filled-"), std::string::npos);
}

// Runs the CLI and expects it to succeed; returns its standard output.
std::string run_ok(const std::vector<std::string>& args, const std::filesystem::path& cwd) {
  const CliResult r = run_cli(args, cwd);
  EXPECT_EQ(r.status, 0) << describe(args, r);
  return r.out;
}

TEST_F(Inspect, CliWritesCsvAndAnHtmlOverviewWithEvidencePages) {
  archive_.reset();  // the CLI opens the file itself
  const std::string db = (dir_ / "a.db").string();
  const std::string csv = run_ok({"yoy", "-q", "--archive", db, "--format", "csv"}, dir_.path());
  std::istringstream lines(csv);
  std::string header, first;
  std::getline(lines, header);
  std::getline(lines, first);
  EXPECT_EQ(header.rfind("agency,year,file,prior_year", 0), 0u);
  EXPECT_EQ(first.rfind("深圳市罗湖区民政局,2025,", 0), 0u) << first;
  EXPECT_NE(first.find(",true,"), std::string::npos);
  // --cache-mb changes memory, not rows; a size beyond the range is a usage error.
  EXPECT_EQ(run_ok({"yoy", "-q", "--archive", db, "--format", "csv", "--cache-mb", "0"}, dir_.path()), csv);
  EXPECT_EQ(run_ok({"yoy", "-q", "--archive", db, "--format", "csv", "--cache-mb", "1"}, dir_.path()), csv);
  EXPECT_EQ(run_cli({"yoy", "-q", "--archive", db, "--cache-mb", "-5"}, dir_.path()).status, 2);

  run_ok({"yoy", "-q", "--archive", db, "--format", "html", "-o", (dir_ / "overview.html").string()}, dir_.path());
  const std::string html = read_bytes(dir_ / "overview.html");
  std::size_t links = 0;
  for (std::size_t at = html.find("href=\"overview_files/"); at != std::string::npos;
       at = html.find("href=\"overview_files/", at + 1)) {
    const std::size_t end = html.find('"', at + 6);
    EXPECT_TRUE(std::filesystem::exists(dir_ / html.substr(at + 6, end - at - 6)));
    ++links;
  }
  EXPECT_EQ(links, 7u);
  EXPECT_NE(html.find("<svg id=\"histogram\""), std::string::npos);
}

}  // namespace
}  // namespace leitong::testing
