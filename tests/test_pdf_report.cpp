// The A4 检测报告 (render/pdf_report.h): what it says, read back with leitong's own PDF extraction,
// and its pages' size and numbering; the conclusion for each kind of source.
#include <gtest/gtest.h>
#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <leitong/render/pdf_report.h>
#include <leitong/render/report.h>

#include <regex>

#include "support/corpus.h"

namespace leitong {
namespace {

using nlohmann::json;
using testing::TempDir;

// Text as extraction reads it back, without whitespace (lines break anywhere in a PDF).
std::string read_back(const std::string& pdf, int* pages = nullptr) {
  ExtractParams params;
  params.remove_chrome = false;  // the running head and the page numbers are what is looked for
  const ExtractedText extracted = extract_bytes(pdf, "report.pdf", params);
  if (pages) *pages = extracted.pages;
  std::string flat;
  for (const char c : encode_utf8(extracted.text))
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r') flat += c;
  return flat;
}

// Bytes of the first `n` code points of UTF-8 `s`.
std::size_t code_point_offset_bytes(const std::string& s, std::size_t n) {
  std::size_t i = 0;
  for (std::size_t seen = 0; i < s.size(); ++i)
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == n) break;
  return i;
}

PdfReportInfo info() {
  return {"LT20261203-0a1b2c3d", "2026-12-03 09:30", "11 篇（6 个单位，2017—2024 年）", "leitong test"};
}

class PdfReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    Archive archive = Archive::open(*dir_ / "a.db", Archive::Mode::kReadWrite);
    testing::add_seeds(archive, testing::seeds());
    const ReadDocument read = read_document(testing::corpora_dir() / "cases/luohu-minzheng-2025.txt",
                                            "深圳市罗湖区民政局", 2025, DocumentKind::kReport);
    findings_ = new Findings(check_against_archive(archive, read.document));
  }
  static void TearDownTestSuite() {
    delete findings_;
    delete dir_;
  }
  static TempDir* dir_;
  static Findings* findings_;
};
TempDir* PdfReport::dir_ = nullptr;
Findings* PdfReport::findings_ = nullptr;

TEST_F(PdfReport, SaysTheIndicesTheConclusionAndThePassagesOnNumberedA4Pages) {
  const json check = findings_to_json(*findings_);
  const std::string pdf = render_check_pdf(check, findings_->text, info());
  ASSERT_EQ(pdf.rfind("%PDF-", 0), 0u);
  int pages = 0;
  const std::string text = read_back(pdf, &pages);
  ASSERT_GE(pages, 3);

  EXPECT_NE(text.find("报告编号：LT20261203-0a1b2c3d"), std::string::npos);
  EXPECT_NE(text.find("检测时间：2026-12-0309:30"), std::string::npos);
  EXPECT_NE(text.find("档案11篇（6个单位，2017—2024年）"), std::string::npos);
  EXPECT_NE(text.find("深圳市罗湖区民政局"), std::string::npos);
  // The four indices, labels above their values.
  const std::string labels = "总复制比去除样板后复制比单篇最大复制比样板（公文套语）";
  const std::string values = fmt::format("{:.1f}%{:.1f}%{:.1f}%{:.1f}%", 100 * check.at("copy_ratio").get<double>(),
                                         100 * check.at("copy_ratio_excluding_boilerplate").get<double>(),
                                         100 * check.at("max_source_ratio").get<double>(),
                                         100 * check.at("boilerplate_ratio").get<double>());
  EXPECT_NE(text.find(labels + values), std::string::npos) << values;
  EXPECT_NE(text.find("结论：疑似沿用本单位2024年报告"), std::string::npos);
  // Every passage that is not boilerplate is shown beside its source (its first 30 characters).
  for (const json& p : check.at("passages")) {
    if (p.at("boilerplate").get<bool>()) continue;
    std::string start;
    for (const char c : p.at("text").get<std::string>())
      if (c != ' ' && c != '\n') start += c;
    const std::size_t cut = code_point_offset_bytes(start, 30);
    EXPECT_NE(text.find(start.substr(0, cut)), std::string::npos) << start.substr(0, cut);
  }
  // Each page is A4 and says which page of how many it is.
  const std::regex media_box(R"(/MediaBox \[\s*0 0 (\d+\.?\d*) (\d+\.?\d*)\s*\])");
  int boxes = 0;
  for (auto it = std::sregex_iterator(pdf.begin(), pdf.end(), media_box); it != std::sregex_iterator(); ++it) {
    EXPECT_NEAR(std::stod((*it)[1]), 595.3, 0.5);
    EXPECT_NEAR(std::stod((*it)[2]), 841.9, 0.5);
    ++boxes;
  }
  EXPECT_GE(boxes, 1);
  for (int page = 1; page <= pages; ++page)
    EXPECT_NE(text.find(fmt::format("第{}页共{}页", page, pages)), std::string::npos) << page;
  EXPECT_NE(text.find("检测人员（签字）"), std::string::npos);
}

// Report text is drawn as text, never read as Pango markup: angle brackets and ampersands in a
// report come out as they are.
TEST_F(PdfReport, ReportTextIsNeverMarkup) {
  json check = findings_to_json(*findings_);
  const std::string hostile = "<b>粗体</b>&amp;<span foreground=\"red\">红</span>";
  check["document"]["file"] = hostile + ".txt";
  check["document"]["agency"] = hostile;
  std::string text = findings_->text;
  text.insert(0, hostile + "\n");
  for (json& p : check["passages"]) {  // offsets move with the line put before them
    const auto moved = static_cast<std::int64_t>(decode_utf8(hostile, "").size() + 1);
    p["start"] = p["start"].get<std::int64_t>() + moved;
    p["end"] = p["end"].get<std::int64_t>() + moved;
  }
  const std::string read = read_back(render_check_pdf(check, text, info()));
  EXPECT_NE(read.find("<b>粗体</b>&amp;<spanforeground=\"red\">红</span>"), std::string::npos);
}

// A long text runs over many pages, each numbered of the right total.
TEST_F(PdfReport, LongTextsRunOverNumberedPages) {
  const json check = findings_to_json(*findings_);
  std::string text;
  for (int i = 0; i < 12; ++i) text += findings_->text + "\n";
  int pages = 0;
  const std::string read = read_back(render_check_pdf(check, text, info()), &pages);
  EXPECT_GT(pages, 20);
  EXPECT_NE(read.find(fmt::format("第{}页共{}页", pages, pages)), std::string::npos);
  EXPECT_EQ(read.find(fmt::format("第{}页", pages + 1)), std::string::npos);
}

json source(const std::string& relation, const std::string& agency, int year, double ratio) {
  return {{"relation", relation}, {"agency", agency}, {"year", year}, {"file", "/x/" + agency + ".txt"},
          {"copy_ratio", ratio}, {"copy_ratio_excluding_boilerplate", ratio}, {"passages", 3}};
}

TEST(CheckConclusion, NamesTheSourceThatCrossesTheThreshold) {
  json check = {{"copy_ratio_excluding_boilerplate", 0.1}, {"sources", json::array()}};
  EXPECT_EQ(check_conclusion(check).rfind("未见明显雷同", 0), 0u);
  check["sources"] = {source("peer", "甲区司法局", 2024, 0.2), source("same_agency", "乙区民政局", 2023, 0.55)};
  check["copy_ratio_excluding_boilerplate"] = 0.7;
  EXPECT_EQ(check_conclusion(check).rfind("疑似沿用本单位2023年报告（去除样板后与之复制比 55.0%）", 0), 0u);
  check["sources"] = {source("peer", "甲区司法局", 2024, 0.45)};
  EXPECT_EQ(check_conclusion(check).rfind("疑似抄袭甲区司法局2024年报告", 0), 0u);
  check["sources"] = {source("template", "范文网", 2020, 0.6)};
  EXPECT_EQ(check_conclusion(check).rfind("疑似套用范文 范文网.txt", 0), 0u);
  // Copied from many sources, none alone past the threshold.
  check["sources"] = {source("peer", "甲", 2024, 0.2), source("peer", "乙", 2024, 0.25)};
  check["copy_ratio_excluding_boilerplate"] = 0.45;
  EXPECT_EQ(check_conclusion(check).rfind("多处与已有文档雷同", 0), 0u);
  EXPECT_EQ(check_conclusion(check, 0.5).rfind("未见明显雷同", 0), 0u);
}

TEST(ScopeText, SaysDocumentsAgenciesAndYears) {
  EXPECT_EQ(scope_text({11, 6, 2017, 2024}), "11 篇（6 个单位，2017—2024 年）");
  EXPECT_EQ(scope_text({3, 1, 2024, 2024}), "3 篇（1 个单位，2024 年）");
  EXPECT_EQ(scope_text({}), "0 篇");
}

}  // namespace
}  // namespace leitong
