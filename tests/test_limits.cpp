// Memory stays bounded on a 1 GiB input (issue #6): the CLI refuses it by size before reading it,
// naming the file, in a few megabytes. The inputs are sparse files (ftruncate), so the test writes
// nothing to disk and takes well under a second.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>
#include <zip.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/cli.h"
#include "support/corpus.h"

namespace {

using leitong::testing::CliResult;
using leitong::testing::corpora_dir;
using leitong::testing::describe;
using leitong::testing::run_cli;
using leitong::testing::TempDir;

constexpr off_t kGiB = off_t(1) << 30;
constexpr long kMaxRssKb = 200 * 1024;  // what a refusal may cost, far below the file's size

// A sparse file of `size` bytes that starts with `head`.
void make_sparse(const std::filesystem::path& path, const std::string& head, off_t size) {
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  ASSERT_EQ(::ftruncate(fd, size), 0);
  ::close(fd);
}

class Limits : public ::testing::Test {
 protected:
  void SetUp() override {
    make_sparse(dir_ / "big.txt", "", kGiB);
    make_sparse(dir_ / "big.html", "<!DOCTYPE html><html><body><p>", kGiB);
  }
  CliResult run(const std::vector<std::string>& args) { return run_cli(args, dir_.path()); }
  // kMaxRssKb above what the program takes to start (`--version`): a sanitizer build's binary alone
  // is over 100 MiB resident, a release build's about 12 MiB.
  long rss_limit_kb() {
    static const long startup_kb = run({"--version"}).max_rss_kb;
    return startup_kb + kMaxRssKb;
  }
  // a.db with one report, for `add` and `check` to open.
  void make_archive() {
    const std::string report = (corpora_dir() / "reports" / "anwen-zhen-2021.txt").string();
    const std::vector<std::string> seed = {"add",    "--archive", "a.db", "--agency",
                                           "安文镇", "--year",    "2021", report};
    const CliResult added = run(seed);
    ASSERT_EQ(added.status, 0) << describe(seed, added);
  }
  TempDir dir_;
};

TEST_F(Limits, GigabyteFilesAreRefusedBySizeInLittleMemory) {
  ASSERT_NO_FATAL_FAILURE(make_archive());

  for (const std::string file : {"big.txt", "big.html"}) {
    const std::vector<std::vector<std::string>> commands = {
        {"extract", file},
        {"add", "--archive", "a.db", "--agency", "某局", "--year", "2024", file},
        {"check", "--archive", "a.db", "--agency", "某局", "--year", "2024", file},
        {"check", "--archive", "a.db", "--agency", "某局", "--year", "2024", "--format", "json",
         file},
    };
    for (const auto& args : commands) {
      const CliResult r = run(args);
      EXPECT_EQ(r.status, 1) << describe(args, r);
      EXPECT_NE(r.err.find(file + ": file too large (1073741824 bytes"), std::string::npos)
          << describe(args, r);
      EXPECT_LT(r.max_rss_kb, rss_limit_kb()) << describe(args, r);
    }
  }
}

// --max-file-mb cannot be raised to a gigabyte: files are read whole (about 12 bytes of memory per
// input byte at `add`), so the option stops at 256 MiB and a 1 GiB input is refused however it is
// asked for — by the option's range (exit 2) or by size at the largest allowed limit (exit 1).
TEST_F(Limits, RaisedLimitStaysBounded) {
  ASSERT_NO_FATAL_FAILURE(make_archive());
  for (const std::string file : {"big.txt", "big.html"}) {
    const std::vector<std::string> too_high = {"extract", "--max-file-mb", "2000", file};
    const CliResult usage = run(too_high);
    EXPECT_EQ(usage.status, 2) << describe(too_high, usage);
    EXPECT_NE(usage.err.find("256"), std::string::npos) << describe(too_high, usage);
    EXPECT_LT(usage.max_rss_kb, rss_limit_kb()) << describe(too_high, usage);

    for (const std::string command : {"extract", "add", "check"}) {
      std::vector<std::string> args = {command, "--max-file-mb", "256"};
      if (command != "extract")
        args.insert(args.end(), {"--archive", "a.db", "--agency", "某局", "--year", "2024"});
      args.push_back(file);
      const CliResult r = run(args);
      EXPECT_EQ(r.status, 1) << describe(args, r);
      EXPECT_NE(
          r.err.find(file + ": file too large (1073741824 bytes; the limit is 268435456 bytes)"),
          std::string::npos)
          << describe(args, r);
      EXPECT_LT(r.max_rss_kb, rss_limit_kb()) << describe(args, r);
    }
  }
}

// Inputs whose shape, not size, made extraction slow or large (a parser's work growing with the
// nesting depth at every tag): refused with the reason, quickly and in little memory, while a
// sloppy but real page shape is still read.
TEST_F(Limits, DeeplyNestedPagesAreRefusedInLittleTimeAndMemory) {
  std::string nested = "<html><body>", unclosed = "<html><body>";
  for (int i = 0; i < 200000; ++i) nested += "<div>", unclosed += "<div>";
  nested += "法治政府建设年度报告正文。";
  unclosed += "法治政府建设年度报告正文。</body></html>";
  for (int i = 0; i < 200000; ++i) nested += "</div>";
  nested += "</body></html>";
  leitong::testing::write_file(dir_ / "nested.html", nested);
  leitong::testing::write_file(dir_ / "unclosed.html", unclosed);
  for (const std::string file : {"nested.html", "unclosed.html"}) {
    const std::vector<std::string> args = {"extract", file};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 1) << describe(args, r);
    EXPECT_NE(
        r.err.find(
            file +
            ": web page nested too deeply to read in bounded time (elements open 200000 levels"),
        std::string::npos)
        << describe(args, r);
    EXPECT_LT(r.max_rss_kb, rss_limit_kb()) << describe(args, r);
  }
  // 20,000 table rows whose cells leave <font> and <b> open: each cell's end closes them, so the
  // page nests a few levels and is read.
  std::string table = "<html><body><table>";
  for (int i = 0; i < 20000; ++i)
    table += "<tr><td><font color=red>第" + std::to_string(i) + "项</td><td><b>完成</td></tr>";
  table += "</table></body></html>";
  leitong::testing::write_file(dir_ / "table.html", table);
  const CliResult read = run({"extract", "table.html"});
  EXPECT_EQ(read.status, 0) << describe({"extract", "table.html"}, read);
  EXPECT_NE(read.out.find("第19999项\t完成"), std::string::npos);
}

// A text far longer than any report (5 million characters): refused by its length before a check
// builds its tables, in little memory.
TEST_F(Limits, TextsLongerThanTheCharacterLimitAreRefused) {
  const std::string sentence =
      "全面推进依法行政，持续优化法治化营商环境，加强行政执法队伍建设。\n";  // 33 code points
  std::string text;
  constexpr int kSentences = 151'516;  // 5,000,028 code points
  for (int i = 0; i < kSentences; ++i) text += sentence;
  leitong::testing::write_file(dir_ / "long.txt", text);
  make_archive();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"extract", "long.txt"},
        std::vector<std::string>{"check", "--archive", "a.db", "--agency", "安文镇", "--year",
                                 "2022", "long.txt"}}) {
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 1) << describe(args, r);
    EXPECT_NE(r.err.find("long.txt: text too long to check (" + std::to_string(kSentences * 33) +
                         " characters; the limit is 4000000"),
              std::string::npos)
        << describe(args, r);
    EXPECT_LT(r.max_rss_kb, rss_limit_kb()) << describe(args, r);
  }
}

// A .docx whose word/document.xml is `xml`, deflated (libzip).
void write_docx(const std::filesystem::path& path, const std::string& xml) {
  int error = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(z, nullptr) << path;
  const std::string types =
      "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>";
  for (const auto& [name, content] : {std::pair<const char*, const std::string*>{"[Content_Types].xml", &types},
                                      {"word/document.xml", &xml}}) {
    zip_source_t* source = zip_source_buffer(z, content->data(), content->size(), 0);
    ASSERT_GE(zip_file_add(z, name, source, ZIP_FL_OVERWRITE), 0);
  }
  ASSERT_EQ(zip_close(z), 0);
}

// document.xml of just under the 64 MiB unpack cap, made of `unit` repeated.
std::string largest_document(const std::string& unit) {
  const std::string head =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document "
      "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>";
  const std::string tail = "</w:body></w:document>";
  std::string xml = head;
  const std::size_t size = (std::size_t(64) << 20) - 4096;
  while (xml.size() + unit.size() + tail.size() < size) xml += unit;
  return xml + tail;
}

// The largest .docx the unpack cap lets through is streamed, not held as a tree (which took 5 to
// 6 times the XML): 64 MiB of formatting markup around 380,000 characters, and 64 MiB holding
// 21 million characters (refused once the text passes the limit), are each read in memory bounded
// by the text; a tag too long to hold, and a time budget spent, are refused with the reason.
TEST_F(Limits, LargestDocxIsStreamedInMemoryBoundedByItsText) {
  const std::string word_run =
      "<w:r><w:rPr><w:rFonts w:ascii=\"仿宋_GB2312\" w:eastAsia=\"仿宋_GB2312\" w:hAnsi=\"仿宋_GB2312\"/><w:b/>"
      "<w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/></w:rPr><w:t>法</w:t></w:r>";
  std::string paragraph = "<w:p><w:pPr><w:ind w:firstLine=\"640\"/></w:pPr>";
  for (int i = 0; i < 20; ++i) paragraph += word_run;
  paragraph += "</w:p>";
  ASSERT_NO_FATAL_FAILURE(write_docx(dir_ / "markup.docx", largest_document(paragraph)));
  ASSERT_NO_FATAL_FAILURE(write_docx(
      dir_ / "text.docx",
      largest_document("<w:p><w:r><w:t>全面推进依法行政，持续优化法治化营商环境，加强行政执法队伍建设。</w:t></w:r></w:p>")));
  ASSERT_NO_FATAL_FAILURE(write_docx(
      dir_ / "tag.docx", largest_document("<w:p w:rsidR=\"" + std::string(12u << 20, 'A') + "\"/>")));
  ASSERT_NO_FATAL_FAILURE(make_archive());

  const CliResult read = run({"extract", "markup.docx"});
  ASSERT_EQ(read.status, 0) << describe({"extract", "markup.docx"}, read);
  EXPECT_NE(read.out.find("\n法法法法法法法法法法法法法法法法法法法法\n"), std::string::npos);
  EXPECT_LT(read.max_rss_kb, rss_limit_kb()) << describe({"extract", "markup.docx"}, read);
  const std::vector<std::string> add = {"add", "--archive", "a.db", "--agency", "某局", "--year", "2024",
                                        "markup.docx"};
  const CliResult added = run(add);
  EXPECT_EQ(added.status, 0) << describe(add, added);
  EXPECT_LT(added.max_rss_kb, rss_limit_kb()) << describe(add, added);

  for (const auto& [file, reason] :
       {std::pair<std::string, std::string>{"text.docx", "text too long to check (more than 4000000 characters"},
        {"tag.docx", "damaged Word document (word/document.xml: a tag, comment or instruction longer than 4 MiB)"}}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"extract", file},
          std::vector<std::string>{"check", "--archive", "a.db", "--agency", "安文镇", "--year", "2022", file}}) {
      const CliResult r = run(args);
      EXPECT_EQ(r.status, 1) << describe(args, r);
      EXPECT_NE(r.err.find(file + ": " + reason), std::string::npos) << describe(args, r);
      EXPECT_LT(r.max_rss_kb, rss_limit_kb()) << describe(args, r);
    }
  }

  // A budget of a millisecond: reading 64 MiB of XML takes hundreds of times that.
  for (const std::string command : {"extract", "add", "check"}) {
    std::vector<std::string> args = {command, "--max-seconds", "0.001"};
    if (command != "extract") args.insert(args.end(), {"--archive", "a.db", "--agency", "某局", "--year", "2025"});
    args.push_back("markup.docx");
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 1) << describe(args, r);
    EXPECT_NE(r.err.find("markup.docx: reading took longer than the limit of 0.001 s per file (stopped at "),
              std::string::npos)
        << describe(args, r);
  }
}

}  // namespace
