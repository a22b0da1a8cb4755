// Tests for read_document (extract.h): the agency and year a caller gives, or those the file names
// itself, with where they came from; what neither gives is said, not guessed.
#include <gtest/gtest.h>
#include <leitong/core/error.h>
#include <leitong/extract/extract.h>

#include <sys/stat.h>
#include <unistd.h>

#include "support/corpus.h"

namespace leitong::testing {
namespace {

constexpr std::string_view kNamedReport =
    "深圳市罗湖区民政局关于2024年法治政府建设情况的报告\n"
    "2024年，我局坚持以习近平新时代中国特色社会主义思想为指导，深入推进依法行政。\n"
    "一、主要举措和成效\n全年办理行政复议案件十二件，全部依法办结。\n";
constexpr std::string_view kUnnamedReport =
    "一、主要举措和成效\n全年办理行政复议案件十二件，全部依法办结，群众满意度持续提升。\n";

TEST(ReadDocument, GivenAgencyAndYearAreKept) {
  TempDir dir;
  write_file(dir / "r.txt", kNamedReport);
  const ReadDocument read =
      read_document(dir / "r.txt", "福田区民政局", 2023, DocumentKind::kTemplate);
  EXPECT_TRUE(read.complete());
  EXPECT_EQ(read.document.info.agency, "福田区民政局");
  EXPECT_EQ(read.document.info.year, 2023);
  EXPECT_EQ(read.document.info.kind, DocumentKind::kTemplate);
  EXPECT_EQ(read.document.info.file, (dir / "r.txt").string());
  EXPECT_EQ(read.document.text, extract_file(dir / "r.txt").text);
  EXPECT_TRUE(read.agency_from.empty());
  EXPECT_TRUE(read.year_from.empty());
}

TEST(ReadDocument, WhatIsNotGivenComesFromTheTitle) {
  TempDir dir;
  write_file(dir / "r.txt", kNamedReport);
  for (const std::string agency : {"", " \t "}) {
    const ReadDocument read = read_document(dir / "r.txt", agency, 0, DocumentKind::kReport);
    EXPECT_TRUE(read.complete());
    EXPECT_EQ(read.document.info.agency, "深圳市罗湖区民政局");
    EXPECT_EQ(read.document.info.year, 2024);
    EXPECT_EQ(read.agency_from, "title (first line)");
    EXPECT_EQ(read.year_from, "title (first line)");
  }
  const ReadDocument only_year =
      read_document(dir / "r.txt", "福田区民政局", 0, DocumentKind::kReport);
  EXPECT_EQ(only_year.document.info.agency, "福田区民政局");
  EXPECT_TRUE(only_year.agency_from.empty());
  EXPECT_EQ(only_year.document.info.year, 2024);
}

TEST(ReadDocument, WhatNeitherGivesIsMissing) {
  TempDir dir;
  write_file(dir / "r.txt", kUnnamedReport);
  const ReadDocument nothing = read_document(dir / "r.txt", "", 0, DocumentKind::kReport);
  EXPECT_FALSE(nothing.complete());
  EXPECT_TRUE(nothing.agency_missing);
  EXPECT_TRUE(nothing.year_missing);
  const ReadDocument no_year =
      read_document(dir / "r.txt", "福田区民政局", 0, DocumentKind::kReport);
  EXPECT_FALSE(no_year.agency_missing);
  EXPECT_TRUE(no_year.year_missing);
  EXPECT_TRUE(read_document(dir / "r.txt", "福田区民政局", 2024, DocumentKind::kReport).complete());
}

TEST(ReadDocument, RefusalsAreExtractionErrors) {
  TempDir dir;
  write_file(dir / "empty.txt", "");
  EXPECT_THROW(read_document(dir / "empty.txt", "福田区民政局", 2024, DocumentKind::kReport),
               Error);
  EXPECT_THROW(read_document(dir / "missing.txt", "", 0, DocumentKind::kReport), Error);
}

// The message of the error extract_file throws for `path`, or "" when it reads the file.
std::string refusal(const std::filesystem::path& path, const ExtractParams& params = {}) {
  try {
    extract_file(path, params);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(ReadDocument, FilesThatCannotBeReadAreRefusedNamingTheFileAndWhy) {
  TempDir dir;
  write_file(dir / "r.txt", kNamedReport);
  std::filesystem::create_directory(dir / "folder.txt");
  ASSERT_EQ(::mkfifo((dir / "pipe.txt").c_str(), 0600), 0);
  const std::string missing = (dir / "missing.txt").string();
  EXPECT_EQ(refusal(dir / "missing.txt"), missing + ": no such file");
  EXPECT_EQ(refusal(dir / "r.txt" / "x.txt"), (dir / "r.txt" / "x.txt").string() + ": no such file");
  EXPECT_EQ(refusal(dir / "folder.txt"), (dir / "folder.txt").string() + ": is a directory");
  // Refused at once: a FIFO opened to be read would wait for a writer that never comes.
  EXPECT_EQ(refusal(dir / "pipe.txt"), (dir / "pipe.txt").string() + ": not a regular file");
  if (::geteuid() != 0) {  // root reads whatever the mode says
    write_file(dir / "secret.txt", kNamedReport);
    std::filesystem::permissions(dir / "secret.txt", std::filesystem::perms::none);
    EXPECT_EQ(refusal(dir / "secret.txt"), (dir / "secret.txt").string() + ": cannot open for reading: Permission denied");
  }
  ExtractParams small;
  small.max_file_bytes = 16;
  EXPECT_EQ(refusal(dir / "r.txt", small),
            fmt::format("{}: file too large ({} bytes; the limit is 16 bytes)", (dir / "r.txt").string(),
                        kNamedReport.size()));
  small.max_file_bytes = kNamedReport.size();
  EXPECT_EQ(refusal(dir / "r.txt", small), "");
  EXPECT_EQ(extract_file(dir / "r.txt", small).text, extract_bytes(kNamedReport, "r.txt").text);
}

}  // namespace
}  // namespace leitong::testing
