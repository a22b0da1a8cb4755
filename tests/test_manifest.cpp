// Unit tests for manifest.h: RFC 4180 CSV parsing with line numbers, manifests with columns in any
// order, per-row errors, and year bounds.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <leitong/core/error.h>
#include <leitong/extract/manifest.h>

#include <string>
#include <vector>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

using Fields = std::vector<std::string>;

TEST(Manifest, CsvSimpleRecordsWithLineNumbers) {
  const auto r = parse_csv("path,agency,year\na.txt,甲局,2023\nb.txt,乙局,2024\n", "m.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].fields, (Fields{"path", "agency", "year"}));
  EXPECT_EQ(r[1].fields, (Fields{"a.txt", "甲局", "2023"}));
  EXPECT_EQ(r[2].fields, (Fields{"b.txt", "乙局", "2024"}));
  EXPECT_EQ(r[0].line, 1u);
  EXPECT_EQ(r[1].line, 2u);
  EXPECT_EQ(r[2].line, 3u);
}

TEST(Manifest, CsvNoTrailingNewlineAndEmptyFields) {
  const auto r = parse_csv("a,,c\n,x,\nlast,", "m.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].fields, (Fields{"a", "", "c"}));
  EXPECT_EQ(r[1].fields, (Fields{"", "x", ""}));
  EXPECT_EQ(r[2].fields, (Fields{"last", ""}));
  EXPECT_EQ(r[2].line, 3u);
  EXPECT_TRUE(parse_csv("", "m.csv").empty());
}

TEST(Manifest, CsvQuotes) {
  const std::string text =
      "\"a,b\",\"say \"\"hi\"\"\",plain\n"
      "\"two\nlines\",\"\",x\n"
      "after,\"three\r\nline\nfield\",y\n"
      "end,z,w\n";
  const auto r = parse_csv(text, "q.csv");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].fields, (Fields{"a,b", "say \"hi\"", "plain"}));
  EXPECT_EQ(r[1].fields, (Fields{"two\nlines", "", "x"}));
  EXPECT_EQ(r[2].fields, (Fields{"after", "three\r\nline\nfield", "y"}));
  EXPECT_EQ(r[3].fields, (Fields{"end", "z", "w"}));
  EXPECT_EQ(r[0].line, 1u);
  EXPECT_EQ(r[1].line, 2u);  // a record spanning lines 2–3
  EXPECT_EQ(r[2].line, 4u);  // spans 4–6
  EXPECT_EQ(r[3].line, 7u);
}

TEST(Manifest, CsvCrlfBomAndBlankLines) {
  const std::string text =
      "\xEF\xBB\xBFpath,agency,year\r\n\r\na.txt,甲局,2023\r\n\n\nb.txt,乙局,2024\r\n\r\n";
  const auto r = parse_csv(text, "crlf.csv");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].fields, (Fields{"path", "agency", "year"}));  // no BOM in the first field
  EXPECT_EQ(r[0].line, 1u);
  EXPECT_EQ(r[1].fields, (Fields{"a.txt", "甲局", "2023"}));  // no '\r' left on the last field
  EXPECT_EQ(r[1].line, 3u);
  EXPECT_EQ(r[2].fields, (Fields{"b.txt", "乙局", "2024"}));
  EXPECT_EQ(r[2].line, 6u);
}

TEST(Manifest, CsvUnterminatedQuoteThrowsWithLine) {
  try {
    parse_csv("a,b\nc,\"open\nstill open", "bad.csv");
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.csv"), std::string::npos) << msg;
    EXPECT_NE(msg.find("line 2"), std::string::npos) << msg;
  }
}

TEST(Manifest, ParseYearBounds) {
  int year = -1;
  EXPECT_TRUE(parse_year("1900", year));
  EXPECT_EQ(year, 1900);
  EXPECT_TRUE(parse_year("2200", year));
  EXPECT_EQ(year, 2200);
  EXPECT_TRUE(parse_year(" 2023\t", year));
  EXPECT_EQ(year, 2023);
  for (const char* bad :
       {"1899", "2201", "", " ", "20x3", "2023.0", "２０２３", "-2023", "99999999999", "2023年"}) {
    year = 7;
    EXPECT_FALSE(parse_year(bad, year)) << bad;
    EXPECT_EQ(year, 7) << bad;  // untouched on failure
  }
}

TEST(Manifest, ReadManifestColumnsInAnyOrder) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() / "sub");
  write_file(dir / "sub/manifest.csv",
             "kind,year,path,agency\n"
             "template,2023,reports/a.txt,罗湖区民政局\n"
             ",2024,../b.txt,\"福田区, 教育局\"\n"
             "report,2022," +
                 (dir.path() / "abs.txt").string() + ",南山区\n");
  const auto rows = read_manifest(dir.path() / "sub/manifest.csv");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& r : rows) EXPECT_EQ(r.error, "") << r.line;
  EXPECT_EQ(rows[0].line, 2u);
  EXPECT_EQ(rows[0].path, (dir.path() / "sub" / "reports" / "a.txt").lexically_normal());
  EXPECT_EQ(rows[0].agency, "罗湖区民政局");
  EXPECT_EQ(rows[0].year, 2023);
  EXPECT_EQ(rows[0].kind, DocumentKind::kTemplate);
  EXPECT_EQ(rows[1].path, (dir.path() / "b.txt").lexically_normal());
  EXPECT_EQ(rows[1].agency, "福田区, 教育局");
  EXPECT_EQ(rows[1].year, 2024);
  EXPECT_EQ(rows[1].kind, DocumentKind::kReport);   // empty kind: a report
  EXPECT_EQ(rows[2].path, dir.path() / "abs.txt");  // absolute paths stay as written
  EXPECT_EQ(rows[2].kind, DocumentKind::kReport);
  EXPECT_EQ(rows[2].line, 4u);
}

TEST(Manifest, ReadManifestWithoutKindColumn) {
  TempDir dir;
  write_file(dir / "m.csv",
             "\xEF\xBB\xBF"
             "agency,path,year\r\n甲局,a.txt,2023\r\n");
  const auto rows = read_manifest(dir / "m.csv");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].error, "");
  EXPECT_EQ(rows[0].path, (dir.path() / "a.txt").lexically_normal());
  EXPECT_EQ(rows[0].agency, "甲局");
  EXPECT_EQ(rows[0].kind, DocumentKind::kReport);
}

TEST(Manifest, BadRowsCarryErrorsOtherRowsCount) {
  TempDir dir;
  write_file(dir / "m.csv",
             "path,agency,year,kind\n"
             "ok1.txt,甲局,2023,report\n"      // line 2
             "y.txt,乙局,二〇二三,report\n"    // line 3: bad year
             "z.txt,丙局,1850,\n"              // line 4: year out of range
             "k.txt,丁局,2023,notice\n"        // line 5: bad kind
             "a.txt,,2023,report\n"            // line 6: missing agency
             "b.txt,  ,2023,report\n"          // line 7: blank agency
             ",戊局,2023,report\n"             // line 8: missing path
             "short.txt,己局\n"                // line 9: missing year field
             "ok2.txt,庚局,2024,template\n");  // line 10
  const auto rows = read_manifest(dir / "m.csv");
  ASSERT_EQ(rows.size(), 9u);
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].line, i + 2);
  EXPECT_EQ(rows[0].error, "");
  EXPECT_EQ(rows[0].year, 2023);
  EXPECT_NE(rows[1].error.find("year"), std::string::npos) << rows[1].error;
  EXPECT_NE(rows[1].error.find("二〇二三"), std::string::npos) << rows[1].error;
  EXPECT_NE(rows[2].error.find("year"), std::string::npos) << rows[2].error;
  EXPECT_NE(rows[3].error.find("kind"), std::string::npos) << rows[3].error;
  EXPECT_NE(rows[3].error.find("notice"), std::string::npos) << rows[3].error;
  EXPECT_NE(rows[4].error.find("agency"), std::string::npos) << rows[4].error;
  EXPECT_NE(rows[5].error.find("agency"), std::string::npos) << rows[5].error;
  EXPECT_NE(rows[6].error.find("path"), std::string::npos) << rows[6].error;
  EXPECT_NE(rows[7].error, "");
  EXPECT_EQ(rows[8].error, "");
  EXPECT_EQ(rows[8].kind, DocumentKind::kTemplate);
  EXPECT_EQ(rows[8].year, 2024);
}

TEST(Manifest, MissingHeaderColumnsThrow) {
  TempDir dir;
  for (const char* header :
       {"path,agency\n", "agency,year,kind\n", "file,agency,year\n", "a.txt,甲局,2023\n"}) {
    write_file(dir / "m.csv", std::string(header) + "a.txt,甲局,2023\n");
    try {
      read_manifest(dir / "m.csv");
      ADD_FAILURE() << "expected Error for header " << header;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("m.csv"), std::string::npos) << e.what();
    }
  }
  write_file(dir / "empty.csv", "");
  EXPECT_THROW(read_manifest(dir / "empty.csv"), Error);
  // A folder opens as a file stream but cannot be read: an Error naming it, not a stream failure.
  std::filesystem::create_directories(dir / "folder.csv");
  try {
    read_manifest(dir / "folder.csv");
    ADD_FAILURE() << "expected Error for a folder";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("folder.csv"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_manifest(dir / "does-not-exist.csv"), Error);
}

// Row by row from the file, across the stream's buffer boundaries: quoted fields with commas,
// doubled quotes and line breaks, CRLF line ends, every row as written and numbered by its line.
TEST(Manifest, ReaderStreamsALargeManifestRowByRow) {
  TempDir dir;
  std::string text = "path,agency,year\r\n";
  constexpr int kRows = 20000;
  for (int i = 0; i < kRows; ++i)
    text += fmt::format("r/{}.txt,\"局{}, \"\"第{}\"\"\n二处\",{}\r\n", i, i, i, 2000 + i % 100);
  write_file(dir / "m.csv", text);
  ManifestReader reader(dir / "m.csv");
  int n = 0;
  while (std::optional<ManifestRow> row = reader.next()) {
    ASSERT_EQ(row->error, "") << n;
    ASSERT_EQ(row->agency, fmt::format("局{}, \"第{}\"\n二处", n, n)) << n;
    ASSERT_EQ(row->path, (dir.path() / fmt::format("r/{}.txt", n)).lexically_normal()) << n;
    ASSERT_EQ(row->year, 2000 + n % 100) << n;
    ASSERT_EQ(row->line, std::size_t(2 + 2 * n)) << n;  // each row's agency holds a line break
    ++n;
  }
  EXPECT_EQ(n, kRows);
  EXPECT_FALSE(reader.next());
}

// Only a whole byte order mark is skipped: a first field that merely starts with its first byte
// keeps it.
TEST(Manifest, CsvKeepsBytesThatOnlyBeginAByteOrderMark) {
  const auto r = parse_csv("\xEF" "ab,c\n", "m.csv");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].fields[0], "\xEF" "ab");
  const auto bom = parse_csv("\xEF\xBB\xBF" "ab,c\n", "m.csv");
  ASSERT_EQ(bom.size(), 1u);
  EXPECT_EQ(bom[0].fields[0], "ab");
  const auto two = parse_csv("\xEF\xBB", "m.csv");
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].fields[0], "\xEF\xBB");
}

}  // namespace
}  // namespace leitong::testing
