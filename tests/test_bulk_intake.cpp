// Bulk intake: an inspector's folder of files named in their own way, zips among them, some that
// name nothing. `add` adds every file it can (agency and year from --name-pattern, else from the
// file), refuses the rest with their reasons (a few printed per reason, the rest summed up, all
// of them in --refusals), and warns when a text is archived under another agency or year.
#include "support/cli.h"
#include "support/corpus.h"
#include "support/formats.h"

#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/extract/name_pattern.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;

TEST(NamePattern, ReadsAgencyAndYearFromNamesAndFolders) {
  const NamePattern flat("{agency}_{year}*");
  auto m = flat.match("深圳市罗湖区民政局_2024年法治政府建设报告.pdf");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->agency, "深圳市罗湖区民政局");
  EXPECT_EQ(m->year, 2024);
  // Without '/', only the file's name counts, wherever it lies.
  m = flat.match("收集/第二批/重庆市合川区司法局_2023.docx");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->agency, "重庆市合川区司法局");
  EXPECT_FALSE(flat.match("重庆市合川区司法局2023.docx"));

  const NamePattern nested("{year}/{agency}.*");
  m = nested.match("2024/深圳市罗湖区民政局.docx");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->agency, "深圳市罗湖区民政局");
  EXPECT_EQ(m->year, 2024);
  EXPECT_FALSE(nested.match("其他/2024/深圳市罗湖区民政局.docx"));  // the whole path must match
  EXPECT_TRUE(NamePattern("**/{year}/{agency}.*").match("其他/2024/深圳市罗湖区民政局.docx"));
  EXPECT_TRUE(nested.match("2024\\深圳市罗湖区民政局.docx")) << "Windows separators";

  // A year is four digits and may touch the agency; regex characters are literal.
  m = NamePattern("{agency}{year}.txt").match("罗湖区民政局2024.txt");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->agency, "罗湖区民政局");
  EXPECT_TRUE(NamePattern("{agency}(报告){year}.txt").match("某局(报告)2024.txt"));
  EXPECT_FALSE(NamePattern("{agency}(报告){year}.txt").match("某局X报告X2024.txt"));
  EXPECT_FALSE(NamePattern("{agency}_{year}.txt").match("某局_1850.txt")) << "year out of range";
  EXPECT_FALSE(NamePattern("{agency}_{year}.txt").match(" _2024.txt")) << "blank agency";
  m = NamePattern("*_{year}.txt").match("报告_2022.txt");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->agency, "");
}

TEST(NamePattern, RefusesPatternsThatCannotSayWhereAPlaceholderEnds) {
  for (const char* bad : {"report.txt", "{agency}*", "*{agency}_{year}", "{agency}_{agency}", "{foo}_{year}",
                          "{year}_{year}"}) {
    try {
      NamePattern p(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::size_t count_with(const std::vector<std::string>& lines, const std::string& part) {
  return std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(part) != std::string::npos; });
}

TEST(BulkIntake, AddsWhatItCanAndListsTheRestWithReasons) {
  TempDir dir;
  const fs::path inbox = dir / "收件";
  fs::create_directories(inbox / "2024");
  fs::create_directories(inbox / "杂项");
  write_file(inbox / "2024" / "深圳市罗湖区民政局.txt", read_bytes(corpora_dir() / "reports/luohu-minzheng-2024.txt"));
  write_file(inbox / "2024" / "重庆市沙坪坝区民政局.txt",
             read_bytes(corpora_dir() / "reports/shapingba-minzheng-2024.txt"));
  // Six files that name neither agency nor year, where the pattern does not reach them.
  for (int i = 0; i < 6; ++i)
    write_file(inbox / "杂项" / ("记录" + std::to_string(i) + ".txt"),
               "会议记录第" + std::to_string(i) + "号。今天讨论了档案整理的安排，各位同事提出了意见。\n");
  // A zip holding one more report in the same layout, and an entry leitong does not read.
  write_file(inbox / "补交.zip",
             make_zip({{"2023/重庆市合川区司法局.txt", read_bytes(corpora_dir() / "reports/hechuan-sifa-2024.txt")},
                       {"2023/照片.jpg", "\xFF\xD8\xFF\xE0"}}));

  const std::vector<std::string> args = {"add",           "--archive",       "a.db",      "--name-pattern",
                                         "{year}/{agency}.*", "--refusals", "refused.csv", inbox.string()};
  const CliResult r = run_cli(args, dir.path());
  EXPECT_EQ(r.status, 1) << describe(args, r);  // some input refused, the rest done

  const Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadOnly);
  std::set<std::pair<std::string, int>> held;
  for (const DocumentInfo& d : archive.documents()) held.emplace(d.agency, d.year);
  EXPECT_EQ(held, (std::set<std::pair<std::string, int>>{
                      {"深圳市罗湖区民政局", 2024}, {"重庆市沙坪坝区民政局", 2024}, {"重庆市合川区司法局", 2023}}));
  const auto out = lines(r.out);
  EXPECT_EQ(count_with(out, "added      "), 3u) << r.out;
  EXPECT_EQ(count_with(out, "agency 重庆市合川区司法局 from its name, year 2023 from its name"), 1u) << r.out;
  EXPECT_EQ(count_with(out, "3 added, 0 already present, 7 refused (listed in refused.csv)"), 1u) << r.out;

  // Three of the six alike are printed, the rest summed up in one line; the zip's entry has its own.
  const auto err = lines(r.err);
  EXPECT_EQ(count_with(err, ".txt: the file names no agency"), 3u) << r.err;
  EXPECT_EQ(count_with(err, "leitong: 6 files in all: the file names no agency"), 1u) << r.err;
  EXPECT_EQ(count_with(err, "补交.zip/2023/照片.jpg: not a document type"), 1u) << r.err;
  EXPECT_EQ(err.size(), 5u) << r.err;

  // The CSV lists every refusal (with a byte-order mark for Excel).
  const std::string csv = read_bytes(dir / "refused.csv");
  ASSERT_EQ(csv.rfind("\xEF\xBB\xBF" "file,reason\n", 0), 0u) << csv;
  const auto rows = lines(csv);
  EXPECT_EQ(rows.size(), 8u) << csv;
  for (int i = 0; i < 6; ++i) EXPECT_EQ(count_with(rows, "记录" + std::to_string(i) + ".txt,\"the file names no agency"), 1u) << csv;

  // Running the same add again adds nothing more and refuses the same.
  const CliResult again = run_cli(args, dir.path());
  EXPECT_EQ(again.status, 1);
  EXPECT_NE(again.out.find("0 added, 3 already present, 7 refused"), std::string::npos) << again.out;
}

// add reads a folder twice (a first pass counts its files, opening each zip): a folder whose last
// entries are zips holding nothing to add (only folders and hidden files, or nothing at all) is
// added whole, with no word of the input changing, and each zip's documents are added once, in
// the folder's order.
TEST(BulkIntake, ZipsAreCountedThenAddedInTheirTurn) {
  TempDir dir;
  const fs::path inbox = dir / "inbox";
  fs::create_directories(inbox);
  write_file(inbox / "a.zip",
             make_zip({{"2024/深圳市罗湖区民政局.txt", read_bytes(corpora_dir() / "cases/luohu-minzheng-2025.txt")},
                       {"2023/重庆市合川区司法局.txt", read_bytes(corpora_dir() / "reports/hechuan-sifa-2024.txt")}}));
  write_file(inbox / "y-empty.zip", make_zip({}));
  write_file(inbox / "z-hidden.zip", make_zip({{"__MACOSX/._x.txt", "x"}, {".DS_Store", "x"}}));
  const std::vector<std::string> args = {"add", "--archive", "a.db", "--name-pattern", "{year}/{agency}.*",
                                         inbox.string()};
  const CliResult r = run_cli(args, dir.path());
  EXPECT_EQ(r.status, 0) << describe(args, r);
  EXPECT_EQ(r.err.find("changed while it was added"), std::string::npos) << r.err;
  const auto out = lines(r.out);
  ASSERT_EQ(count_with(out, "added      "), 2u) << r.out;
  EXPECT_LT(r.out.find("a.zip/2024/"), r.out.find("a.zip/2023/")) << r.out;  // the zip's own order
  const Archive archive = Archive::open(dir / "a.db", Archive::Mode::kReadOnly);
  EXPECT_EQ(archive.documents().size(), 2u);
}

TEST(BulkIntake, WarnsWhenTheSameTextIsArchivedUnderAnotherAgencyOrYear) {
  TempDir dir;
  const std::string file = (corpora_dir() / "reports/luohu-minzheng-2024.txt").string();
  auto add = [&](const std::string& agency, const std::string& year) {
    return run_cli({"add", "--archive", "a.db", "--agency", agency, "--year", year, file}, dir.path());
  };
  CliResult r = add("深圳市罗湖区民政局", "2024");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "");
  r = add("深圳市福田区民政局", "2024");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("leitong: warning: " + file + ": the same text is archived as #1 (深圳市罗湖区民政局, 2024); "
                       "added as 深圳市福田区民政局, 2024 as well"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("1 added, 0 already present, 0 refused"), std::string::npos) << r.out;
  r = add("深圳市罗湖区民政局", "2025");
  EXPECT_NE(r.err.find("archived as #1 (深圳市罗湖区民政局, 2024), #2 (深圳市福田区民政局, 2024)"), std::string::npos)
      << r.err;
  // Adding what is already there for that agency and year changes nothing and warns of nothing.
  r = add("深圳市福田区民政局", "2024");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("0 added, 1 already present"), std::string::npos) << r.out;
}

TEST(BulkIntake, DefaultGroupsReportEveryFileOnlyOnceCommitted) {
  // Without --batch, files are committed in groups; every file said added is in the archive.
  TempDir dir;
  fs::create_directories(dir / "laws");
  const std::string report = read_bytes(corpora_dir() / "reports/shapingba-minzheng-2024.txt");
  for (int i = 0; i < 40; ++i)
    write_file(dir / "laws" / ("第" + std::to_string(i) + "号.txt"),
               "第" + std::to_string(i) + "号文件，编号" + std::to_string(i * 7919) + "。\n" + report);
  const CliResult r = run_cli({"add", "--archive", "a.db", "--agency", "国务院", "--year", "2020", "laws"}, dir.path());
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(count_with(lines(r.out), "added      "), 40u);
  EXPECT_EQ(sqlite_scalar(dir / "a.db", "SELECT count(*) FROM documents"), 40);
}

}  // namespace
}  // namespace leitong::testing
