// Mandated forms and tables of statistics (DESIGN.md: kind `form`). A series of one agency's
// 政府信息公开工作年度报告 shares the prescribed tables and stock sentences with every other year and
// with the form itself; its statistics change every year. What matches the form is boilerplate,
// and a row of statistics counts as copied only when its figures are last year's: the series is
// not flagged, and a year whose tables and text are last year's unchanged is.
#include "support/corpus.h"
#include "support/variants.h"

#include <leitong/analysis/check.h>
#include <leitong/analysis/yoy.h>
#include <leitong/archive/archive.h>
#include <leitong/core/text.h>

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>

namespace leitong::testing {
namespace {

constexpr const char* kAgency = "某市某区人力资源和社会保障局";

// The rows of the prescribed tables; a report fills each with its figures (a form leaves them 0).
const std::vector<std::string> kRows = {
    "规章", "行政规范性文件", "行政许可", "行政处罚", "行政强制", "行政事业性收费",
    "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
    "（二）部分公开", "（三）不予公开", "（四）无法提供", "（五）不予处理", "四、结转下年度继续办理",
    "行政复议结果维持", "行政复议结果纠正", "行政诉讼未经复议直接起诉", "行政诉讼复议后起诉"};

// The text of the form, with `figures` (one set of three per row) and `prose` (the agency's own
// paragraphs, empty for the form).
std::u32string annual_report(int year, const std::vector<std::array<int, 3>>& figures, const std::u32string& prose) {
  std::string t = fmt::format("{}{}年政府信息公开工作年度报告\n", kAgency, year);
  t += "本报告根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室有关要求编制，"
       "报告中所列数据的统计期限自1月1日起至12月31日止。\n";
  t += "一、总体情况\n";
  std::string body = utf8(prose);
  t += body.empty() ? "（总体情况）\n" : body + "\n";
  t += "二、主动公开政府信息情况\n信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n";
  for (std::size_t i = 0; i < kRows.size(); ++i) {
    if (i == 6) t += "三、收到和处理政府信息公开申请情况\n（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t自然人\t法人或其他组织\t总计\n";
    if (i == 14) t += "四、政府信息公开行政复议、行政诉讼情况\n项目\t结果维持\t结果纠正\t总计\n";
    t += fmt::format("{}\t{}\t{}\t{}\n", kRows[i], figures[i][0], figures[i][1], figures[i][2]);
  }
  t += "五、存在的主要问题及改进情况\n";
  t += "六、其他需要报告的事项\n本机关未收取信息处理费。\n";
  return u32(t);
}

std::vector<std::array<int, 3>> random_figures(Random& rng) {
  std::vector<std::array<int, 3>> f(kRows.size());
  for (auto& row : f) row = {int(1 + rng.below(300)), int(rng.below(40)), int(5 + rng.below(900))};
  return f;
}

// The agency's own paragraphs for one year: text no other year holds.
std::u32string prose_of(int year) {
  static const std::vector<std::u32string> pool = paragraphs(read_corpus_text("fixtures/filler-gov-1998.txt"));
  std::u32string out;
  for (std::size_t i = 0; i < 4; ++i) out += pool[(std::size_t(year - 2019) * 4 + i) % pool.size()] + U"\n";
  return out;
}

class Forms : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = std::make_unique<Archive>(Archive::open(dir_ / "a.db", Archive::Mode::kReadWrite));
    const std::vector<std::array<int, 3>> zeros(kRows.size(), {0, 0, 0});
    Document form{{0, "form.txt", "国务院办公厅", 2019, DocumentKind::kForm}, annual_report(2019, zeros, U"")};
    // A form's year is the year it was prescribed; its figures are blanks (zeros).
    archive_->add(form);
    Random rng(7);
    for (int year = 2019; year <= 2023; ++year) {
      figures_[year] = random_figures(rng);
      archive_->add({{0, fmt::format("{}.txt", year), kAgency, year, DocumentKind::kReport},
                     annual_report(year, figures_[year], prose_of(year))});
    }
  }
  std::map<int, std::vector<std::array<int, 3>>> figures_;
  TempDir dir_;
  std::unique_ptr<Archive> archive_;
};

TEST_F(Forms, ASeriesWhoseStatisticsChangeIsNotFlagged) {
  const YoyResult r = year_over_year(*archive_, YoyParams{});
  ASSERT_EQ(r.rows.size(), 4u);
  for (const YoyRow& row : r.rows) {
    EXPECT_FALSE(row.flagged) << row.report.year << ": " << row.copy_ratio_excluding_boilerplate;
    EXPECT_LT(row.copy_ratio_excluding_boilerplate, 0.1) << row.report.year;
    EXPECT_NE(row.prior.kind, DocumentKind::kForm);
  }
  // The check of a year: the form's text is boilerplate, the form is never a source, and the
  // tables (figures of their own) are not copied from the year before.
  const Findings f = check_against_archive(
      *archive_, {{0, "2023.txt", kAgency, 2023, DocumentKind::kReport}, annual_report(2023, figures_[2023], prose_of(2023))});
  EXPECT_GT(f.boilerplate_ratio, 0.2) << "the form's headings and stock sentences";
  EXPECT_LT(f.copy_ratio_excluding_boilerplate, 0.1);
  for (const SourceFinding& s : f.sources) EXPECT_NE(s.document.kind, DocumentKind::kForm) << s.document.file;
}

TEST_F(Forms, AYearWhoseTablesAndTextAreLastYearsIsFlagged) {
  // 2024 republishes 2023: the same prose, the same figures, the year changed.
  archive_->add({{0, "2024.txt", kAgency, 2024, DocumentKind::kReport}, annual_report(2024, figures_[2023], prose_of(2023))});
  YoyParams params;
  params.year = 2024;
  const YoyResult r = year_over_year(*archive_, params);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_TRUE(r.rows[0].flagged) << r.rows[0].copy_ratio_excluding_boilerplate;
  EXPECT_GE(r.rows[0].copy_ratio_excluding_boilerplate, 0.5);
}

TEST_F(Forms, ARowOfStatisticsCountsAsCopiedOnlyWithLastYearsFigures) {
  // Fresh prose in both: only the tables differ between the two drafts.
  const std::u32string prose = prose_of(2030);
  const Document same{{0, "same.txt", kAgency, 2024, DocumentKind::kReport}, annual_report(2024, figures_[2023], prose)};
  Random rng(99);
  const Document changed{{0, "changed.txt", kAgency, 2024, DocumentKind::kReport},
                         annual_report(2024, random_figures(rng), prose)};
  const Findings copied = check_against_archive(*archive_, same);
  const Findings fresh = check_against_archive(*archive_, changed);
  // Identical figures: every row is copied from 2023 (not boilerplate); changed: none is.
  EXPECT_GT(copied.copy_ratio_excluding_boilerplate, fresh.copy_ratio_excluding_boilerplate + 0.15)
      << copied.copy_ratio_excluding_boilerplate << " vs " << fresh.copy_ratio_excluding_boilerplate;
  ASSERT_FALSE(copied.sources.empty());
  EXPECT_EQ(copied.sources.front().document.year, 2023);
  for (const PassageFinding& p : fresh.passages) {
    if (!p.source || p.boilerplate) continue;
    for (const std::string& row : {std::string("行政许可\t"), std::string("（一）予以公开\t")})
      EXPECT_EQ(p.text.find(row), std::string::npos) << "a row with other figures counted as copied: " << p.text;
  }
}

TEST_F(Forms, RowsOfZerosAreBoilerplate) {
  // Nothing to report on any row, in two years: the rows match, but zeros say nothing.
  const std::vector<std::array<int, 3>> zeros(kRows.size(), {0, 0, 0});
  archive_->add({{0, "z2023.txt", "某市某区档案馆", 2023, DocumentKind::kReport}, annual_report(2023, zeros, prose_of(2040))});
  const Findings f = check_against_archive(
      *archive_, {{0, "z2024.txt", "某市某区档案馆", 2024, DocumentKind::kReport}, annual_report(2024, zeros, prose_of(2041))});
  EXPECT_LT(f.copy_ratio_excluding_boilerplate, 0.1) << f.copy_ratio_excluding_boilerplate;
  EXPECT_GT(f.copy_ratio, 0.3);
}

TEST_F(Forms, ProseWithFiguresIsNoTableItsNumbersChangedStillCopied) {
  // An indented paragraph full of figures, republished with the figures changed: the recycling
  // inspectors look for. Only rows of tables are decided by their figures.
  const std::u32string year_before = prose_of(2050);
  const std::string paragraph =
      "  2023年，本局共受理行政复议申请52件，办结48件，纠错率为12%；全年组织执法人员培训6期，参训人员"
      "达到350人次，开展行政执法案卷评查2次，评查案卷120卷，发现问题18个并全部完成整改。\n";
  std::string changed = paragraph;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"2023", "2024"}, {"52", "61"}, {"48", "57"}, {"12%", "9%"}, {"350", "420"}, {"120", "135"}, {"18", "21"}})
    changed.replace(changed.find(from), from.size(), to);
  archive_->add({{0, "p2023.txt", "某县司法局", 2023, DocumentKind::kReport}, u32(paragraph) + year_before});
  const Findings f = check_against_archive(
      *archive_, {{0, "p2024.txt", "某县司法局", 2024, DocumentKind::kReport}, u32(changed) + year_before});
  ASSERT_FALSE(f.passages.empty());
  EXPECT_GT(f.copy_ratio_excluding_boilerplate, 0.9) << f.copy_ratio_excluding_boilerplate;
}

TEST(FormsArchive, OlderArchivesTakeTheirFirstFormAndStayValid) {
  // Archives written by formats 1–3 allow only reports and templates in their documents table.
  for (const char* name : {"archive-v1.db", "archive-v2.db", "archive-v3.db"}) {
    TempDir dir;
    std::filesystem::copy_file(source_dir() / "tests/data" / name, dir / "a.db");
    ASSERT_EQ(sqlite_rows(dir / "a.db", "SELECT sql FROM sqlite_schema WHERE name = 'documents'").at(0).find("'form'"),
              std::string::npos);
    Archive a = Archive::open(dir / "a.db", Archive::Mode::kReadWrite);
    const std::int64_t before = a.document_count();
    EXPECT_TRUE(a.form_ids().empty());
    const AddOutcome added = a.add({{0, "form.txt", "国务院办公厅", 2019, DocumentKind::kForm},
                                    annual_report(2019, std::vector<std::array<int, 3>>(kRows.size(), {0, 0, 0}), U"")});
    EXPECT_TRUE(added.added) << name;
    EXPECT_EQ(a.form_ids(), std::vector<std::int64_t>{added.id}) << name;
    EXPECT_EQ(a.info(added.id).kind, DocumentKind::kForm) << name;
    EXPECT_EQ(a.document_count(), before + 1) << name;
    EXPECT_EQ(a.stats().forms, 1) << name;
    const ArchiveCheck check = a.verify();
    EXPECT_TRUE(check.ok()) << name << ": " << (check.problems.empty() ? "" : check.problems.front());
    // A second connection (another process) reads the widened schema too.
    const Archive reader = Archive::open(dir / "a.db", Archive::Mode::kReadOnly);
    EXPECT_EQ(reader.form_ids(), std::vector<std::int64_t>{added.id}) << name;
  }
}

}  // namespace
}  // namespace leitong::testing
