// yoy for spreadsheets: the xlsx workbook is a valid Office Open XML package whose cells say what
// the JSON says (ratios as numbers, the flag, the copied sections, one sheet row per section) and
// whose evidence links resolve; CSV written to a file carries the byte-order mark Excel needs to
// read UTF-8, and standard output does not.
#include "support/cli.h"
#include "support/corpus.h"
#include "support/variants.h"

#include <leitong/archive/archive.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <zip.h>

#include <algorithm>
#include <map>

namespace leitong::testing {
namespace {

// Every member of a zip file by name ("" members are directories).
std::map<std::string, std::string> unzip(const std::filesystem::path& path) {
  std::map<std::string, std::string> out;
  int error = 0;
  zip_t* archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
  if (!archive) {
    ADD_FAILURE() << path << ": not a zip file (libzip error " << error << ")";
    return out;
  }
  for (zip_int64_t i = 0; i < zip_get_num_entries(archive, 0); ++i) {
    zip_stat_t st;
    zip_stat_index(archive, i, 0, &st);
    std::string bytes(st.size, '\0');
    zip_file_t* f = zip_fopen_index(archive, i, 0);
    EXPECT_NE(f, nullptr) << st.name;
    if (!f) continue;
    EXPECT_EQ(zip_fread(f, bytes.data(), st.size), zip_int64_t(st.size)) << st.name;
    zip_fclose(f);
    out[st.name] = std::move(bytes);
  }
  zip_close(archive);
  return out;
}

// A sheet's cells by reference ("A2"): inline strings' text, numbers as written.
struct Sheet {
  std::map<std::string, std::string> cells;
  std::size_t rows = 0;
  std::map<std::string, std::string> links;  // cell → relationship id
};

Sheet parse_sheet(const std::string& xml) {
  pugi::xml_document doc;
  EXPECT_TRUE(doc.load_string(xml.c_str())) << "sheet XML does not parse";
  Sheet sheet;
  for (const pugi::xml_node row : doc.child("worksheet").child("sheetData").children("row")) {
    ++sheet.rows;
    for (const pugi::xml_node c : row.children("c")) {
      const std::string type = c.attribute("t").value();
      sheet.cells[c.attribute("r").value()] =
          type == "inlineStr" ? c.child("is").child("t").text().get() : c.child("v").text().get();
    }
  }
  for (const pugi::xml_node h : doc.child("worksheet").child("hyperlinks").children("hyperlink"))
    sheet.links[h.attribute("ref").value()] = h.attribute("r:id").value();
  return sheet;
}

class Spreadsheets : public ::testing::Test {
 protected:
  void SetUp() override {
    Archive archive = Archive::open(dir_ / "a.db", Archive::Mode::kReadWrite);
    add_seeds(archive, seeds());
    Random rng(2025);
    const MarkedText recycled = recycle(read_corpus_text("reports/luohu-minzheng-2024.txt"),
                                        read_corpus_text("fixtures/filler-gov-1998.txt"), 0.2, rng);
    archive.add({{0, "luohu-2025.txt", "深圳市罗湖区民政局", 2025, DocumentKind::kReport}, recycled.text});
    db_ = (dir_ / "a.db").string();
    const CliResult json = run_cli({"yoy", "-q", "--archive", db_, "--format", "json"}, dir_.path());
    ASSERT_EQ(json.status, 0) << json.err;
    yoy_ = nlohmann::json::parse(json.out);
    ASSERT_GE(yoy_["rows"].size(), 2u);
  }
  TempDir dir_;
  std::string db_;
  nlohmann::json yoy_;
};

TEST_F(Spreadsheets, XlsxHoldsTheRowsTheirSectionsAndLinksToEvidence) {
  const std::vector<std::string> args = {"yoy", "-q", "--archive", db_, "--format", "xlsx", "-o",
                                         (dir_ / "yoy.xlsx").string()};
  const CliResult r = run_cli(args, dir_.path());
  ASSERT_EQ(r.status, 0) << describe(args, r);
  const auto parts = unzip(dir_ / "yoy.xlsx");
  ASSERT_TRUE(parts.count("[Content_Types].xml"));
  const std::string& workbook = parts.at("xl/workbook.xml");
  for (const char* name : {"逐年比对", "章节", "说明"}) EXPECT_NE(workbook.find(name), std::string::npos) << name;

  const Sheet rows = parse_sheet(parts.at("xl/worksheets/sheet1.xml"));
  const auto& json_rows = yoy_["rows"];
  EXPECT_EQ(rows.rows, json_rows.size() + 1);  // the header and one row each
  EXPECT_EQ(rows.cells.at("A1"), "单位");
  std::size_t sections = 0;
  for (std::size_t i = 0; i < json_rows.size(); ++i) {
    const auto& row = json_rows[i];
    const std::string n = std::to_string(i + 2);
    EXPECT_EQ(rows.cells.at("A" + n), row["agency"].get<std::string>());
    EXPECT_EQ(std::stoi(rows.cells.at("B" + n)), row["year"].get<int>());
    EXPECT_EQ(std::stoi(rows.cells.at("D" + n)), row["prior_year"].get<int>());
    // Ratios are numbers (a spreadsheet sorts them), the JSON's to its four decimals.
    EXPECT_NEAR(std::stod(rows.cells.at("F" + n)), row["copy_ratio"].get<double>(), 5e-5);
    EXPECT_NEAR(std::stod(rows.cells.at("G" + n)), row["copy_ratio_excluding_boilerplate"].get<double>(), 5e-5);
    EXPECT_EQ(rows.cells.count("H" + n) ? rows.cells.at("H" + n) : "", row["flagged"].get<bool>() ? "疑似雷同" : "")
        << n;
    EXPECT_EQ(rows.cells.count("I" + n) > 0, !row["copied_sections"].empty()) << n;
    EXPECT_TRUE(rows.links.count("P" + n)) << "no evidence link in row " << n;
    sections += row["sections"].size();
  }
  // The recycled report comes first, flagged, and names the sections it copies.
  EXPECT_EQ(rows.cells.at("A2"), "深圳市罗湖区民政局");
  EXPECT_NE(rows.cells.at("I2").find("存在的不足和原因"), std::string::npos) << rows.cells.at("I2");

  // Every link is an external relationship to an evidence page that exists.
  const std::string& rels = parts.at("xl/worksheets/_rels/sheet1.xml.rels");
  pugi::xml_document doc;
  ASSERT_TRUE(doc.load_string(rels.c_str()));
  std::size_t resolved = 0;
  for (const pugi::xml_node rel : doc.child("Relationships").children("Relationship")) {
    std::string target = rel.attribute("Target").value();
    EXPECT_STREQ(rel.attribute("TargetMode").value(), "External");
    std::replace(target.begin(), target.end(), '\\', '/');
    EXPECT_TRUE(std::filesystem::exists(dir_ / target)) << target;
    EXPECT_EQ(read_bytes(dir_ / target).rfind("<!DOCTYPE html>", 0), 0u) << target;
    ++resolved;
  }
  EXPECT_EQ(resolved, json_rows.size());

  const Sheet sheet2 = parse_sheet(parts.at("xl/worksheets/sheet2.xml"));
  EXPECT_EQ(sheet2.rows, sections + 1);
  EXPECT_EQ(sheet2.cells.at("F1"), "标题");
}

TEST_F(Spreadsheets, XlsxNeedsAFileAndSaysWhenItCannotWriteOne) {
  EXPECT_EQ(run_cli({"yoy", "-q", "--archive", db_, "--format", "xlsx"}, dir_.path()).status, 2);
  // A folder where the workbook should go: the error names it.
  std::filesystem::create_directory(dir_ / "taken.xlsx");
  const CliResult r = run_cli({"yoy", "-q", "--archive", db_, "--format", "xlsx", "-o", "taken.xlsx"}, dir_.path());
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err.rfind("leitong: taken.xlsx: cannot write the workbook: ", 0), 0u) << r.err;
}

TEST_F(Spreadsheets, CsvFilesStartWithAByteOrderMarkAndStandardOutputDoesNot) {
  const std::string bom = "\xEF\xBB\xBF";
  const CliResult out = run_cli({"yoy", "-q", "--archive", db_, "--format", "csv"}, dir_.path());
  ASSERT_EQ(out.status, 0) << out.err;
  EXPECT_EQ(out.out.rfind("agency,year,file,", 0), 0u);
  ASSERT_EQ(run_cli({"yoy", "-q", "--archive", db_, "--format", "csv", "-o", "y.csv"}, dir_.path()).status, 0);
  EXPECT_EQ(read_bytes(dir_ / "y.csv"), bom + out.out);
  ASSERT_EQ(run_cli({"yoy", "-q", "--archive", db_, "--format", "csv", "--no-bom", "-o", "n.csv"}, dir_.path()).status,
            0);
  EXPECT_EQ(read_bytes(dir_ / "n.csv"), out.out);
  // The sections copied and the parts missing close each row; the recycled report names its
  // 存在的不足 section.
  const std::string header = out.out.substr(0, out.out.find('\n'));
  EXPECT_TRUE(header.ends_with(",copied_sections,missing_parts")) << header;
  const std::size_t first_end = out.out.find('\n', header.size() + 1);
  const std::string first = out.out.substr(header.size() + 1, first_end - header.size() - 1);
  EXPECT_EQ(first.rfind("深圳市罗湖区民政局,2025,", 0), 0u) << first;
  EXPECT_NE(first.find("shortcomings="), std::string::npos) << first;
}

}  // namespace
}  // namespace leitong::testing
