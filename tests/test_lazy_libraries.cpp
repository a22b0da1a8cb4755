// The libraries only some work needs (PDF input and output, spreadsheets, web pages, zip files,
// the web service's cryptography) are opened when that work starts, not linked
// (lib/src/detail/lazy_library.h): a check of a text file loads none of them, and each format
// still loads its own and works. What was loaded is read from the dynamic loader's own log
// (glibc's LD_DEBUG=files).
#include "support/cli.h"
#include "support/corpus.h"
#include "support/formats.h"

#include <leitong/archive/archive.h>
#include <leitong/core/text.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;

struct Loaded {
  CliResult result;
  std::set<std::string> at_start;  // "needed by": linked, or a dependency of one opened on use
  std::set<std::string> on_use;    // "dynamically loaded by": opened with dlopen, so not linked

  bool has(const std::string& prefix) const { return in(at_start, prefix) || in(on_use, prefix); }
  static bool in(const std::set<std::string>& names, const std::string& prefix) {
    for (const std::string& name : names)
      if (name.rfind(prefix, 0) == 0) return true;
    return false;
  }
};

Loaded run_logging_loads(const std::vector<std::string>& args, const fs::path& cwd) {
  ::setenv("LD_DEBUG", "files", 1);
  Loaded loaded{run_cli(args, cwd), {}, {}};
  ::unsetenv("LD_DEBUG");
  static const std::regex line(R"(file=(\S+) \[0\];\s+(needed|dynamically loaded) by)");
  for (auto it = std::sregex_iterator(loaded.result.err.begin(), loaded.result.err.end(), line);
       it != std::sregex_iterator(); ++it) {
    const std::string name = fs::path((*it)[1].str()).filename().string();
    ((*it)[2].str() == "needed" ? loaded.at_start : loaded.on_use).insert(name);
  }
  return loaded;
}

const std::vector<std::string> kFormatLibraries = {"libpoppler", "libpangocairo", "libcairo", "libpango",
                                                   "libglib",    "libxlsxwriter", "libgumbo", "libzip",
                                                   "libsodium",  "libcrypto"};

class LazyLibraries : public ::testing::Test {
 protected:
  void SetUp() override {
    Archive archive = Archive::open(dir_ / "a.db", Archive::Mode::kReadWrite);
    add_seeds(archive, seeds());
    db_ = (dir_ / "a.db").string();
    const std::u32string text = read_corpus_text("reports/luohu-minzheng-2024.txt");
    write_file(dir_ / "report.txt", encode_utf8(text));
    for (const std::u32string_view line : split_lines(text))
      if (!line.empty()) paragraphs_.emplace_back(line);
  }

  static std::vector<std::u32string_view> split_lines(std::u32string_view text) {
    std::vector<std::u32string_view> lines;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= text.size(); ++i)
      if (i == text.size() || text[i] == U'\n') {
        lines.push_back(text.substr(start, i - start));
        start = i + 1;
      }
    return lines;
  }

  Loaded check(const std::string& file, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"check", "--archive", db_, "--agency", "深圳市罗湖区民政局", "--year", "2025", file};
    args.insert(args.end(), extra.begin(), extra.end());
    Loaded loaded = run_logging_loads(args, dir_.path());
    EXPECT_EQ(loaded.result.status, 0) << describe(args, loaded.result);
    return loaded;
  }

  TempDir dir_;
  std::string db_;
  std::vector<std::u32string> paragraphs_;
};

TEST_F(LazyLibraries, ACheckOfATextFileLoadsNoFormatLibrary) {
  const Loaded loaded = check("report.txt", {"--format", "json"});
  ASSERT_TRUE(Loaded::in(loaded.at_start, "libsqlite3")) << "the loader's log was not read: " << loaded.result.err.substr(0, 300);
  for (const std::string& library : kFormatLibraries) EXPECT_FALSE(loaded.has(library)) << library;
}

TEST_F(LazyLibraries, APdfIsReadWithPopplerOpenedOnUse) {
  write_file(dir_ / "report.pdf", make_pdf(paragraphs_, U"深圳市罗湖区民政局2024年法治政府建设年度报告"));
  const Loaded loaded = check("report.pdf", {"--format", "json"});
  EXPECT_TRUE(Loaded::in(loaded.on_use, "libpoppler-cpp")) << loaded.result.err.substr(0, 300);
  // Read through poppler, the report is its archived 2024 original: that is found as the source.
  const nlohmann::json result = nlohmann::json::parse(loaded.result.out, nullptr, false);
  ASSERT_TRUE(result.is_object()) << loaded.result.out.substr(0, 300);
  EXPECT_GT(result["copy_ratio"].get<double>(), 0.9) << loaded.result.out.substr(0, 600);
}

TEST_F(LazyLibraries, DocxAndWebPagesOpenLibzipAndGumboOnUse) {
  write_file(dir_ / "report.docx", make_docx(paragraphs_));
  Loaded loaded = check("report.docx", {"--format", "json"});
  EXPECT_TRUE(Loaded::in(loaded.on_use, "libzip")) << loaded.result.err.substr(0, 300);
  EXPECT_FALSE(Loaded::in(loaded.on_use, "libgumbo"));

  PortalPage page;
  page.title = "深圳市罗湖区民政局2024年法治政府建设年度报告";
  page.agency = "深圳市罗湖区民政局";
  page.date = "2025-01-20";
  write_file(dir_ / "report.html", make_portal_html(paragraphs_, page));
  loaded = check("report.html", {"--format", "json"});
  EXPECT_TRUE(Loaded::in(loaded.on_use, "libgumbo")) << loaded.result.err.substr(0, 300);
  EXPECT_FALSE(Loaded::in(loaded.on_use, "libzip"));
}

TEST_F(LazyLibraries, PdfReportsAndSpreadsheetsOpenTheirLibrariesOnUse) {
  const Loaded pdf = check("report.txt", {"--format", "pdf", "-o", "report-check.pdf"});
  EXPECT_TRUE(Loaded::in(pdf.on_use, "libpangocairo")) << pdf.result.err.substr(0, 300);
  EXPECT_EQ(read_bytes(dir_ / "report-check.pdf").substr(0, 5), "%PDF-");

  const std::vector<std::string> args = {"yoy", "-q", "--archive", db_, "--format", "xlsx", "-o", "yoy.xlsx"};
  const Loaded xlsx = run_logging_loads(args, dir_.path());
  ASSERT_EQ(xlsx.result.status, 0) << describe(args, xlsx.result);
  EXPECT_TRUE(Loaded::in(xlsx.on_use, "libxlsxwriter")) << xlsx.result.err.substr(0, 300);
  EXPECT_FALSE(Loaded::in(xlsx.on_use, "libpangocairo"));
  EXPECT_EQ(read_bytes(dir_ / "yoy.xlsx").substr(0, 2), "PK");
}

TEST_F(LazyLibraries, TheServiceAccountsOpenLibsodiumOnUse) {
  const std::vector<std::string> args = {"user", "list", "--archive", db_};
  const Loaded loaded = run_logging_loads(args, dir_.path());
  ASSERT_EQ(loaded.result.status, 0) << describe(args, loaded.result);
  EXPECT_TRUE(Loaded::in(loaded.on_use, "libsodium")) << loaded.result.err.substr(0, 300);
}

}  // namespace
}  // namespace leitong::testing
