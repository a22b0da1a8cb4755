// End-to-end runs of the leitong command-line tool on the bundled corpora: the command-line
// contract (README, docs/json.md) (exit statuses, "leitong: FILE: reason" refusals, idempotent `add`,
// `check` never adding) and the `check --format json` contract (schema, offsets, relations,
// ratios), checked by parsing the JSON the built binary prints.
#include <gtest/gtest.h>
#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>
#include <poll.h>
#include <sys/wait.h>
#include <unicode/ucnv.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/cli.h"
#include "support/formats.h"
#include "support/corpus.h"

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// True when some stderr line is "leitong: FILE: reason" for this file.
bool has_refusal(const std::string& err, const std::string& file) {
  for (const auto& line : lines_of(err))
    if (starts_with(line, "leitong: " + file + ": ") &&
        line.size() > ("leitong: " + file + ": ").size())
      return true;
  return false;
}

const std::string kLuohu = "深圳市罗湖区民政局";

fs::path corpus(const std::string& relative) { return corpora_dir() / relative; }

fs::path manifest_path() { return corpora_dir() / "manifest.csv"; }

// ---------------------------------------------------------------------------------------------
// Checking a leitong.check/1 document

// The extracted text of a file as the contract defines it: decoded content, BOM excluded.
std::u32string extracted(const fs::path& path) { return extract_file(path).text; }

std::u32string slice(const std::u32string& text, std::uint64_t start, std::uint64_t end) {
  return text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
}

// Non-whitespace characters of `text` inside the union of `spans`.
std::size_t covered_chars(const std::u32string& text,
                          const std::vector<std::pair<std::uint64_t, std::uint64_t>>& spans) {
  std::vector<std::uint8_t> mask(text.size(), 0);
  for (const auto& [s, e] : spans)
    for (std::uint64_t i = s; i < e && i < text.size(); ++i) mask[i] = 1;
  std::size_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) n += mask[i] && !is_whitespace(text[i]);
  return n;
}

// Checks everything the contract says about one `check`/`compare` JSON output. `report` is the
// report's extracted text; `source_dir` resolves relative source file names.
void expect_valid_check_json(const json& j, const std::u32string& report,
                             const fs::path& source_dir) {
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j.at("schema"), "leitong.check/1");
  const json& doc = j.at("document");
  ASSERT_TRUE(doc.contains("file") && doc.contains("agency") && doc.contains("year"));
  EXPECT_EQ(doc.at("chars").get<std::size_t>(), count_non_whitespace(report));
  EXPECT_TRUE(j.at("settings").is_object());
  EXPECT_TRUE(j.at("settings").contains("shingle"));
  EXPECT_TRUE(j.at("settings").contains("min_passage"));
  EXPECT_TRUE(j.at("settings").contains("boilerplate_agencies"));
  EXPECT_EQ(j.at("settings").at("ranking_holders"), CheckParams{}.ranking_holders);

  const double copy = j.at("copy_ratio");
  const double copy_ex = j.at("copy_ratio_excluding_boilerplate");
  const double boiler = j.at("boilerplate_ratio");
  const double self = j.at("self_duplication_ratio");
  const double max_source = j.at("max_source_ratio");
  for (double r : {copy, copy_ex, boiler, self, max_source}) {
    EXPECT_GE(r, 0.0);
    EXPECT_LE(r, 1.0);
  }
  EXPECT_GE(copy, copy_ex);
  EXPECT_GE(copy + 1e-4, max_source) << "the union of all sources covers at least the largest one";

  const json& sources = j.at("sources");
  const json& passages = j.at("passages");
  ASSERT_TRUE(sources.is_array());
  ASSERT_TRUE(passages.is_array());

  double max_of_sources = 0;
  const std::set<std::string> relations = {"same_agency", "peer", "template"};
  std::vector<std::u32string> source_texts;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const json& s = sources[i];
    SCOPED_TRACE("source " + std::to_string(i) + ": " + s.dump());
    for (const char* key : {"id", "file", "agency", "year", "kind", "relation", "copy_ratio",
                            "jaccard", "simhash_distance", "passages"})
      EXPECT_TRUE(s.contains(key)) << key;
    EXPECT_TRUE(relations.count(s.at("relation").get<std::string>())) << s.at("relation");
    if (s.at("kind") == "template") {
      EXPECT_EQ(s.at("relation"), "template");
    }
    if (s.at("relation") == "same_agency") {
      EXPECT_EQ(s.at("agency"), doc.at("agency"));
      EXPECT_NE(s.at("year"), doc.at("year")) << "same_agency means another year";
    }
    const double r = s.at("copy_ratio");
    EXPECT_GE(r, 0.0);
    EXPECT_LE(r, 1.0);
    EXPECT_GE(s.at("jaccard").get<double>(), 0.0);
    EXPECT_LE(s.at("jaccard").get<double>(), 1.0);
    if (i > 0) {
      EXPECT_LE(r, sources[i - 1].at("copy_ratio").get<double>())
          << "sources must be sorted by copy_ratio, descending";
    }
    max_of_sources = std::max(max_of_sources, r);
    const int attributed =
        static_cast<int>(std::count_if(passages.begin(), passages.end(), [&](const json& p) {
          return !p.at("source").is_null() && p.at("source").get<std::size_t>() == i;
        }));
    EXPECT_EQ(s.at("passages").get<int>(), attributed);
    fs::path file = s.at("file").get<std::string>();
    if (file.is_relative()) file = source_dir / file;
    source_texts.push_back(extracted(file));
  }
  EXPECT_NEAR(max_source, max_of_sources, 1e-9);

  std::vector<std::pair<std::uint64_t, std::uint64_t>> sourced, sourced_not_boiler, boilerplate,
      repeated;
  for (std::size_t k = 0; k < passages.size(); ++k) {
    const json& p = passages[k];
    SCOPED_TRACE("passage " + std::to_string(k) + ": " + p.dump().substr(0, 300));
    const auto start = p.at("start").get<std::uint64_t>();
    const auto end = p.at("end").get<std::uint64_t>();
    ASSERT_LT(start, end);
    ASSERT_LE(end, report.size());
    EXPECT_EQ(p.at("text").get<std::string>(), encode_utf8(slice(report, start, end)));
    const auto sstart = p.at("source_start").get<std::uint64_t>();
    const auto send = p.at("source_end").get<std::uint64_t>();
    ASSERT_LT(sstart, send);
    if (p.at("source").is_null()) {
      // Self-repetition: the earlier occurrence is in the report itself.
      ASSERT_LE(send, report.size());
      EXPECT_LE(sstart, start) << "self-repetition points back to an earlier passage";
      if (p.contains("source_text")) {
        EXPECT_EQ(p.at("source_text").get<std::string>(), encode_utf8(slice(report, sstart, send)));
      }
      repeated.emplace_back(start, end);
    } else {
      const auto index = p.at("source").get<std::size_t>();
      ASSERT_LT(index, sources.size());
      const std::u32string& src = source_texts[index];
      ASSERT_LE(send, src.size());
      ASSERT_TRUE(p.contains("source_text"));
      EXPECT_EQ(p.at("source_text").get<std::string>(), encode_utf8(slice(src, sstart, send)));
      sourced.emplace_back(start, end);
      (p.at("boilerplate").get<bool>() ? boilerplate : sourced_not_boiler).emplace_back(start, end);
    }
    const double sim = p.at("similarity");
    EXPECT_GT(sim, 0.0);
    EXPECT_LE(sim, 1.0);
  }
  // The ratios are shares of `chars` inside the listed passages.
  const double chars = static_cast<double>(count_non_whitespace(report));
  if (chars > 0) {
    EXPECT_NEAR(copy, double(covered_chars(report, sourced)) / chars, 0.002);
    EXPECT_NEAR(copy_ex, double(covered_chars(report, sourced_not_boiler)) / chars, 0.002);
    EXPECT_NEAR(boiler, double(covered_chars(report, boilerplate)) / chars, 0.002);
    EXPECT_NEAR(self, double(covered_chars(report, repeated)) / chars, 0.002);
  }
}

json parse_json(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "not JSON (" << e.what() << "): " << text.substr(0, 500);
    return json();
  }
}

// ---------------------------------------------------------------------------------------------
// Fixture: a folder per test, and one archive of the whole manifest shared by the read-only tests.

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = new TempDir();
    const CliResult r =
        run_cli({"add", "-q", "--archive", "corpus.db", "--manifest", manifest_path().string()},
                shared_->path());
    shared_ok_ = r.status == 0;
    if (!shared_ok_)
      std::fprintf(stderr, "building the shared archive failed: %s\n", r.err.c_str());
  }
  static void TearDownTestSuite() {
    delete shared_;
    shared_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(shared_ok_) << "`leitong add --manifest` of the corpora failed";
  }

  static fs::path shared_archive() { return shared_->path() / "corpus.db"; }

  // A private copy of the shared archive in this test's folder.
  fs::path copy_of_shared(const std::string& name = "copy.db") {
    const fs::path to = dir_ / name;
    fs::copy_file(shared_archive(), to);
    fs::path wal = shared_archive();
    wal += "-wal";
    if (fs::exists(wal) && fs::file_size(wal) > 0) {
      fs::path to_wal = to;
      to_wal += "-wal";
      fs::copy_file(wal, to_wal);
    }
    return to;
  }

  CliResult run(const std::vector<std::string>& args) { return run_cli(args, dir_.path()); }

  // `stats --format json` of an archive, parsed.
  json stats(const fs::path& archive) {
    const CliResult r = run({"stats", "--archive", archive.string(), "--format", "json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return parse_json(r.out);
  }
  std::int64_t document_count(const fs::path& archive) {
    const json s = stats(archive);
    return s.is_object() ? s.at("documents").get<std::int64_t>() : -1;
  }

  TempDir dir_;
  static TempDir* shared_;
  static bool shared_ok_;
};

TempDir* Cli::shared_ = nullptr;
bool Cli::shared_ok_ = false;

const fs::path kCase = fs::path("cases") / "luohu-minzheng-2025.txt";

// ---------------------------------------------------------------------------------------------
// Usage

TEST_F(Cli, HelpExitsZeroAndNamesTheOptions) {
  {
    const std::vector<std::string> args = {"--help"};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 0) << describe(args, r);
    for (const char* word : {"add", "check", "compare", "stats"})
      EXPECT_TRUE(contains(r.out, word)) << word;
  }
  {
    const std::vector<std::string> args = {"add", "--help"};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 0) << describe(args, r);
    for (const char* opt : {"--archive", "--agency", "--year", "--kind", "--manifest"})
      EXPECT_TRUE(contains(r.out, opt)) << opt;
  }
  {
    const std::vector<std::string> args = {"check", "--help"};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 0) << describe(args, r);
    for (const char* opt : {"--archive", "--agency", "--year", "--format", "-o"})
      EXPECT_TRUE(contains(r.out, opt)) << opt;
  }
  {
    const std::vector<std::string> args = {"compare", "--help"};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 0) << describe(args, r);
    EXPECT_TRUE(contains(r.out, "--format"));
  }
}

TEST_F(Cli, UsageErrorsExitTwoWithMessage) {
  const std::string report = corpus(kCase).string();
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"check", "--archive", shared_archive().string(), "--year", "2025", report},    // no --agency
      {"check", "--archive", shared_archive().string(), "--agency", kLuohu, report},  // no --year
      {"check", "--archive", shared_archive().string(), "--agency", kLuohu, "--year",
       "2025"},  // no FILE
      {"check", "--archive", shared_archive().string(), "--agency", kLuohu, "--year", "2025",
       "--format", "xml", report},
      {"check", "--archive", shared_archive().string(), "--agency", kLuohu, "--year", "nineteen",
       report},
      {"add", "--archive", "new.db"},  // neither FILE nor --manifest
      {"compare", report},             // one file only
      {"stats", "--archive", shared_archive().string(), "--bogus-option"},
  };
  for (const auto& args : cases) {
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 2) << describe(args, r);
    EXPECT_TRUE(starts_with(r.err, "leitong:")) << describe(args, r);
  }
  EXPECT_FALSE(fs::exists(dir_ / "new.db")) << "a usage error must not create an archive";
}

// A file that names neither its agency nor its year, given neither, is refused with the reason
// (the rest of a folder is added); an empty --agency is a usage error. Nothing is created either way.
TEST_F(Cli, AddRefusesFilesThatNameNeitherAgencyNorYear) {
  const std::string file = corpus("reports/hechuan-sifa-2024.txt").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"add", "--archive", "a.db", file}, "the file names no agency"},
      {{"add", "--archive", "a.db", "--agency", "重庆市合川区司法局", file}, "the file names no year"},
      {{"add", "--archive", "a.db", "--year", "2024", file}, "the file names no agency"},
  };
  for (const auto& [args, reason] : cases) {
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 1) << describe(args, r);
    EXPECT_TRUE(starts_with(r.err, "leitong: " + file + ": " + reason)) << describe(args, r);
    EXPECT_TRUE(contains(r.out, "0 added, 0 already present, 1 refused")) << describe(args, r);
    EXPECT_FALSE(fs::exists(dir_ / "a.db")) << describe(args, r);
  }
  const std::vector<std::string> blank = {"add", "--archive", "a.db", "--agency", "   ", "--year", "2024", file};
  const CliResult r = run(blank);
  EXPECT_EQ(r.status, 2) << describe(blank, r);
  EXPECT_FALSE(fs::exists(dir_ / "a.db"));
}

// ---------------------------------------------------------------------------------------------
// add

TEST_F(Cli, AddManifestAddsEveryRowAndIsIdempotent) {
  const std::vector<std::string> args = {"add", "--archive", "a.db", "--manifest",
                                         manifest_path().string()};
  const CliResult first = run(args);
  ASSERT_EQ(first.status, 0) << describe(args, first);
  EXPECT_TRUE(first.err.empty()) << first.err;
  const json s1 = stats(dir_ / "a.db");
  ASSERT_TRUE(s1.is_object());
  EXPECT_EQ(s1.at("schema"), "leitong.stats/1");
  EXPECT_EQ(s1.at("documents").get<std::size_t>(), seeds().size());
  std::size_t templates = 0;
  std::set<std::string> agencies;
  for (const Seed& seed : seeds()) {
    templates += seed.kind == DocumentKind::kTemplate;
    agencies.insert(seed.agency);
  }
  EXPECT_EQ(s1.at("templates").get<std::size_t>(), templates);
  EXPECT_EQ(s1.at("reports").get<std::size_t>(), seeds().size() - templates);
  EXPECT_EQ(s1.at("agencies").get<std::size_t>(), agencies.size());
  EXPECT_GT(s1.at("index_bytes").get<std::int64_t>(), 0);

  const CliResult second = run(args);
  ASSERT_EQ(second.status, 0) << describe(args, second);
  EXPECT_TRUE(second.err.empty()) << second.err;
  EXPECT_TRUE(contains(second.out, "unchanged")) << second.out;
  std::size_t unchanged = 0;
  for (const auto& line : lines_of(second.out)) {
    EXPECT_FALSE(starts_with(line, "added ")) << line;
    unchanged += starts_with(line, "unchanged");
  }
  EXPECT_EQ(unchanged, seeds().size()) << second.out;
  const json s2 = stats(dir_ / "a.db");
  EXPECT_EQ(s2.at("documents"), s1.at("documents"));
  EXPECT_EQ(s2.at("text_chars"), s1.at("text_chars"));
  EXPECT_EQ(s2.at("postings"), s1.at("postings"));
  EXPECT_EQ(s2.at("index_bytes"), s1.at("index_bytes"));
}

// `add --batch N` builds the same archive as one transaction per file, refused files included.
TEST_F(Cli, AddBatchBuildsTheSameArchive) {
  write_file(dir_ / "empty.txt", "");
  auto args_for = [&](const std::string& archive, const std::string& batch) {
    return std::vector<std::string>{"add", "-q", "--archive", archive, "--batch", batch, "--manifest",
                                    manifest_path().string()};
  };
  const CliResult one = run(args_for("one.db", "1"));
  ASSERT_EQ(one.status, 0) << describe(args_for("one.db", "1"), one);
  const CliResult grouped = run(args_for("grouped.db", "3"));
  ASSERT_EQ(grouped.status, 0) << describe(args_for("grouped.db", "3"), grouped);
  const json a = stats(dir_ / "one.db"), b = stats(dir_ / "grouped.db");
  EXPECT_EQ(b.at("documents"), a.at("documents"));
  EXPECT_EQ(b.at("postings"), a.at("postings"));
  EXPECT_EQ(b.at("index_bytes"), a.at("index_bytes"));
  EXPECT_EQ(b.at("format_version"), kArchiveSchemaVersion);
  // A refused file inside a group leaves the others.
  const std::vector<std::string> mixed = {"add", "-q", "--archive", "mixed.db", "--batch", "100", "--agency", "某局",
                                          "--year", "2024", (dir_ / "empty.txt").string(),
                                          corpus(seeds()[0].file).string()};
  const CliResult m = run(mixed);
  EXPECT_EQ(m.status, 1) << describe(mixed, m);
  EXPECT_TRUE(contains(m.err, "empty.txt")) << m.err;
  EXPECT_EQ(stats(dir_ / "mixed.db").at("documents"), 1);
  EXPECT_EQ(run({"add", "--archive", "x.db", "--batch", "0", corpus(seeds()[0].file).string()}).status, 2);
}

TEST_F(Cli, AddRefusesBadFilesNamingEachAndAddsTheRest) {
  const fs::path archive = copy_of_shared();
  const json before = stats(archive);
  write_file(dir_ / "empty.txt", "");
  write_file(dir_ / "punct.txt", "  \n，。！？……——“”  \n\t、；：  ...!? \n");
  write_file(dir_ / "binary.txt", std::string("法治政府建设年度报告") + std::string(3, '\0') +
                                      "\x01\x02" + std::string(200, '\0'));
  // Valid UTF-8 Chinese with a 0xFF byte: neither UTF-8 nor GB18030 (0xFF is never valid there).
  write_file(dir_ / "invalid.txt",
             "二〇二四年法治政府建设年度报告。坚持依法行政，推进严格规范公正文明执法。\xFF"
             "全面提升依法治理能力和水平，深入推进政务公开。");
  write_file(dir_ / "fake.pdf",
             "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n");
  // A new, valid report: the hechuan report with an extra paragraph (not in the archive yet).
  write_file(dir_ / "good.txt", read_bytes(corpus("reports/hechuan-sifa-2024.txt")) +
                                    "\n附件：2025年度法治政府建设重点任务清单及责任分工方案。\n");
  fs::create_directories(dir_ / "folder");
  write_file(dir_ / "huge.txt", "");
  fs::resize_file(dir_ / "huge.txt", (64u << 20) + 1);  // over the 64 MiB limit (sparse)
  const std::vector<std::string> bad = {"empty.txt",   "punct.txt", "binary.txt", "invalid.txt",
                                        "missing.txt", "fake.pdf",  "folder",     "huge.txt"};
  std::vector<std::string> args = {
      "add", "--archive", archive.string(), "--agency", "重庆市合川区司法局", "--year", "2025"};
  args.insert(args.end(), bad.begin(), bad.begin() + 3);
  args.push_back("good.txt");
  args.insert(args.end(), bad.begin() + 3, bad.end());
  const CliResult r = run(args);
  EXPECT_EQ(r.status, 1) << describe(args, r);
  for (const auto& file : bad)
    EXPECT_TRUE(has_refusal(r.err, file)) << file << "\n" << describe(args, r);
  EXPECT_FALSE(has_refusal(r.err, "good.txt")) << r.err;
  for (const auto& line : lines_of(r.err)) EXPECT_TRUE(starts_with(line, "leitong: ")) << line;
  for (const auto& line : lines_of(r.err)) {
    if (contains(line, "invalid.txt")) {
      EXPECT_TRUE(contains(line, "UTF-8")) << line;
    }
    if (contains(line, "fake.pdf")) {
      EXPECT_TRUE(contains(line, "PDF")) << line;
    }
  }
  const json after = stats(archive);
  EXPECT_EQ(after.at("documents").get<std::int64_t>(),
            before.at("documents").get<std::int64_t>() + 1);

  // Only refused files: nothing changes at all.
  std::vector<std::string> only_bad = {
      "add", "--archive", archive.string(), "--agency", "重庆市合川区司法局", "--year", "2026"};
  only_bad.insert(only_bad.end(), bad.begin(), bad.end());
  const CliResult r2 = run(only_bad);
  EXPECT_EQ(r2.status, 1) << describe(only_bad, r2);
  for (const auto& file : bad) EXPECT_TRUE(has_refusal(r2.err, file)) << file << "\n" << r2.err;
  const json after2 = stats(archive);
  for (const char* key : {"documents", "agencies", "text_chars", "text_bytes", "index_bytes",
                          "postings", "lsh_buckets", "first_year", "last_year"})
    EXPECT_EQ(after2.at(key), after.at(key)) << key;
}

TEST_F(Cli, ManifestWithBadRowsRefusesThoseRowsOnly) {
  const std::string hechuan = corpus("reports/hechuan-sifa-2024.txt").string();
  const std::string shapingba = corpus("reports/shapingba-minzheng-2024.txt").string();
  const std::string anwen = corpus("reports/anwen-zhen-2021.txt").string();
  const std::string missing = (dir_ / "no-such-report.txt").string();
  write_file(dir_ / "m.csv",
             "path,agency,year,kind\n" + hechuan + ",重庆市合川区司法局,2024,report\n" + anwen +
                 ",重庆市綦江区安稳镇人民政府,20x1,report\n" + missing +
                 ",某区司法局,2024,report\n" + shapingba + ",重庆市沙坪坝区民政局,2024,report\n");
  const std::vector<std::string> args = {"add", "--archive", "m.db", "--manifest", "m.csv"};
  const CliResult r = run(args);
  EXPECT_EQ(r.status, 1) << describe(args, r);
  const auto err = lines_of(r.err);
  EXPECT_EQ(err.size(), 2u) << r.err;
  for (const auto& line : err) EXPECT_TRUE(starts_with(line, "leitong: ")) << line;
  EXPECT_TRUE(has_refusal(r.err, missing)) << r.err;
  // The bad-year row is refused naming the manifest and its line (3).
  bool bad_year_named = false;
  for (const auto& line : err) bad_year_named |= contains(line, "m.csv") && contains(line, "3");
  EXPECT_TRUE(bad_year_named) << r.err;
  const json s = stats(dir_ / "m.db");
  EXPECT_EQ(s.at("documents"), 2);
  EXPECT_EQ(s.at("first_year"), 2024);
}

// ---------------------------------------------------------------------------------------------
// check

TEST_F(Cli, CheckJsonFollowsTheContract) {
  const fs::path report = corpus(kCase);
  const std::vector<std::string> args = {"check",        "--archive", shared_archive().string(),
                                         "--agency",     kLuohu,      "--year",
                                         "2025",         "--format",  "json",
                                         report.string()};
  const CliResult r = run(args);
  ASSERT_EQ(r.status, 0) << describe(args, r);
  EXPECT_TRUE(r.err.empty()) << r.err;
  const json j = parse_json(r.out);
  const std::u32string text = decode_utf8(read_bytes(report), report.string());
  expect_valid_check_json(j, text, dir_.path());

  EXPECT_EQ(j.at("document").at("file"), report.string());
  EXPECT_EQ(j.at("document").at("agency"), kLuohu);
  EXPECT_EQ(j.at("document").at("year"), 2025);
  EXPECT_EQ(j.at("document").at("chars").get<std::size_t>(), count_non_whitespace(text));
  EXPECT_EQ(j.at("settings").at("shingle"), 5);

  const json& sources = j.at("sources");
  ASSERT_FALSE(sources.empty());
  const json& top = sources[0];
  EXPECT_TRUE(top.at("file").get<std::string>().ends_with("reports/luohu-minzheng-2024.txt"))
      << top;
  EXPECT_EQ(top.at("relation"), "same_agency");
  EXPECT_EQ(top.at("agency"), kLuohu);
  EXPECT_EQ(top.at("year"), 2024);
  EXPECT_EQ(top.at("kind"), "report");
  EXPECT_GT(top.at("copy_ratio").get<double>(), 0.6);
  EXPECT_GT(top.at("passages").get<int>(), 0);
  EXPECT_GT(j.at("copy_ratio").get<double>(), 0.6);
  EXPECT_GE(j.at("copy_ratio").get<double>(),
            j.at("copy_ratio_excluding_boilerplate").get<double>());
  EXPECT_NEAR(j.at("max_source_ratio").get<double>(), top.at("copy_ratio").get<double>(), 1e-9);

  // Relations of the other sources follow their agency and kind.
  for (const json& s : sources) {
    const std::string expected = s.at("kind") == "template" ? "template"
                                 : s.at("agency") == kLuohu ? "same_agency"
                                                            : "peer";
    EXPECT_EQ(s.at("relation"), expected) << s;
  }
}

TEST_F(Cli, CheckOutputFileHoldsTheSameJson) {
  const std::string report = corpus(kCase).string();
  std::vector<std::string> args = {"check",    "--archive", shared_archive().string(),
                                   "--agency", kLuohu,      "--year",
                                   "2025",     "--format",  "json",
                                   report};
  const CliResult to_stdout = run(args);
  ASSERT_EQ(to_stdout.status, 0) << describe(args, to_stdout);
  args.insert(args.end() - 1, {"-o", "out.json"});
  const CliResult to_file = run(args);
  ASSERT_EQ(to_file.status, 0) << describe(args, to_file);
  EXPECT_TRUE(to_file.out.empty()) << to_file.out.substr(0, 200);
  ASSERT_TRUE(fs::exists(dir_ / "out.json"));
  EXPECT_EQ(parse_json(read_bytes(dir_ / "out.json")), parse_json(to_stdout.out));
}

TEST_F(Cli, CheckTextNamesTheTopSourceAndAPercentage) {
  const std::vector<std::string> args = {
      "check",  "--archive", shared_archive().string(), "--agency", kLuohu,
      "--year", "2025",      corpus(kCase).string()};
  const CliResult r = run(args);
  ASSERT_EQ(r.status, 0) << describe(args, r);
  EXPECT_TRUE(contains(r.out, "luohu-minzheng-2024.txt")) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("[0-9]+(\\.[0-9]+)?%"))) << r.out;
}

TEST_F(Cli, CheckNeverAddsToTheArchive) {
  const fs::path archive = copy_of_shared();
  const json before = stats(archive);
  const std::vector<std::string> args = {
      "check",  "--archive", archive.string(), "--agency", kLuohu,
      "--year", "2025",      "--format",       "json",     corpus(kCase).string()};
  for (int i = 0; i < 2; ++i) {
    const CliResult r = run(args);
    ASSERT_EQ(r.status, 0) << describe(args, r);
  }
  const json after = stats(archive);
  for (const char* key : {"documents", "reports", "agencies", "text_chars", "text_bytes",
                          "index_bytes", "postings", "lsh_buckets", "last_year"})
    EXPECT_EQ(after.at(key), before.at(key)) << key;
}

TEST_F(Cli, CheckExcludesTheArchivedCopyOfTheReportItself) {
  const fs::path report = corpus("reports/luohu-minzheng-2024.txt");
  for (const std::string year : {"2024", "2026"}) {
    const std::vector<std::string> args = {"check",        "--archive", shared_archive().string(),
                                           "--agency",     kLuohu,      "--year",
                                           year,           "--format",  "json",
                                           report.string()};
    const CliResult r = run(args);
    ASSERT_EQ(r.status, 0) << describe(args, r);
    const json j = parse_json(r.out);
    expect_valid_check_json(j, extracted(report), dir_.path());
    for (const json& s : j.at("sources"))
      EXPECT_FALSE(s.at("file").get<std::string>().ends_with("luohu-minzheng-2024.txt"))
          << "the report must not be its own source: " << s;
    EXPECT_LT(j.at("copy_ratio").get<double>(), 0.5)
        << "nothing else in the archive copies this report";
  }
}

TEST_F(Cli, CheckRefusesBadFilesWithExitOne) {
  write_file(dir_ / "empty.txt", "");
  write_file(dir_ / "binary.dat", std::string("\x7F"
                                              "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0",
                                              16) +
                                      std::string(100, '\0'));
  write_file(dir_ / "fake.pdf", "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n");
  write_file(dir_ / "punct.txt", "，。！？\n\n……");
  const json before = stats(shared_archive());
  for (const std::string file :
       {"empty.txt", "binary.dat", "fake.pdf", "punct.txt", "missing.txt"}) {
    const std::vector<std::string> args = {"check",    "--archive", shared_archive().string(),
                                           "--agency", kLuohu,      "--year",
                                           "2025",     "--format",  "json",
                                           file};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 1) << describe(args, r);
    EXPECT_TRUE(has_refusal(r.err, file)) << describe(args, r);
    EXPECT_TRUE(r.out.empty()) << describe(args, r);
  }
  EXPECT_EQ(stats(shared_archive()).at("documents"), before.at("documents"));
}

TEST_F(Cli, OffsetsAreCodePointsOfTheTextWithoutBom) {
  const std::string plain_bytes = read_bytes(corpus(kCase));
  // BOM, then three non-BMP characters and a newline: 4 code points before the report text.
  const std::string prefix = "\xEF\xBB\xBF\xF0\xA0\xAE\xB7\xF0\xA0\xAE\xB7\xF0\x9F\x98\x80\n";
  write_file(dir_ / "shifted.txt", prefix + plain_bytes);
  auto check = [&](const std::string& file) {
    const std::vector<std::string> args = {"check",    "--archive", shared_archive().string(),
                                           "--agency", kLuohu,      "--year",
                                           "2025",     "--format",  "json",
                                           file};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 0) << describe(args, r);
    return parse_json(r.out);
  };
  const json plain = check(corpus(kCase).string());
  const json shifted = check("shifted.txt");
  const std::u32string shifted_text = decode_utf8(prefix.substr(3) + plain_bytes, "shifted.txt");
  ASSERT_EQ(shifted_text.substr(0, 4), U"\U00020BB7\U00020BB7\U0001F600\n");
  expect_valid_check_json(shifted, shifted_text, dir_.path());
  EXPECT_EQ(shifted.at("document").at("chars").get<std::size_t>(),
            plain.at("document").at("chars").get<std::size_t>() + 3);
  // The same passages, each 4 code points later.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> a, b;
  for (const json& p : plain.at("passages"))
    if (!p.at("source").is_null())
      a.emplace_back(p.at("start").get<std::uint64_t>() + 4, p.at("end").get<std::uint64_t>() + 4);
  for (const json& p : shifted.at("passages"))
    if (!p.at("source").is_null()) b.emplace_back(p.at("start"), p.at("end"));
  EXPECT_EQ(a, b);
}

TEST_F(Cli, Gb18030ReportIsReadLikeUtf8) {
  const std::string case_utf8 = read_bytes(corpus(kCase));
  const std::string case_gb = to_gb18030(case_utf8);
  ASSERT_NE(case_gb, case_utf8);
  write_file(dir_ / "case-gb18030.txt", case_gb);
  auto check = [&](const fs::path& archive, const std::string& file) {
    const std::vector<std::string> args = {"check", "--archive", archive.string(), "--agency",
                                           kLuohu,  "--year",    "2025",           "--format",
                                           "json",  file};
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 0) << describe(args, r);
    return parse_json(r.out);
  };
  const json utf8 = check(shared_archive(), corpus(kCase).string());
  const json gb = check(shared_archive(), "case-gb18030.txt");
  ASSERT_TRUE(gb.is_object());
  expect_valid_check_json(gb, decode_utf8(case_utf8, "case"), dir_.path());
  EXPECT_EQ(gb.at("document").at("chars"), utf8.at("document").at("chars"));
  EXPECT_NEAR(gb.at("copy_ratio").get<double>(), utf8.at("copy_ratio").get<double>(), 0.01);
  ASSERT_FALSE(gb.at("sources").empty());
  EXPECT_TRUE(
      gb.at("sources")[0].at("file").get<std::string>().ends_with("luohu-minzheng-2024.txt"));

  // A GB18030 copy of the 2024 report in an archive is the same text as the UTF-8 one.
  write_file(dir_ / "luohu-2024-gb18030.txt",
             to_gb18030(read_bytes(corpus("reports/luohu-minzheng-2024.txt"))));
  const std::vector<std::string> add_gb = {"add",  "--archive", "gb.db", "--agency",
                                           kLuohu, "--year",    "2024",  "luohu-2024-gb18030.txt"};
  const CliResult added = run(add_gb);
  ASSERT_EQ(added.status, 0) << describe(add_gb, added);
  const json against_gb = check(dir_ / "gb.db", corpus(kCase).string());
  ASSERT_FALSE(against_gb.at("sources").empty());
  EXPECT_EQ(against_gb.at("sources")[0].at("file"), "luohu-2024-gb18030.txt");
  EXPECT_EQ(against_gb.at("sources")[0].at("relation"), "same_agency");
  EXPECT_NEAR(against_gb.at("copy_ratio").get<double>(), utf8.at("copy_ratio").get<double>(), 0.01);
  expect_valid_check_json(against_gb, decode_utf8(case_utf8, "case"), dir_.path());

  // Adding the UTF-8 original for the same agency and year changes nothing: same extracted text.
  const std::vector<std::string> add_utf8 = {
      "add",  "--archive", "gb.db", "--agency",
      kLuohu, "--year",    "2024",  corpus("reports/luohu-minzheng-2024.txt").string()};
  const CliResult again = run(add_utf8);
  EXPECT_EQ(again.status, 0) << describe(add_utf8, again);
  EXPECT_TRUE(contains(again.out, "unchanged")) << again.out;
  EXPECT_EQ(document_count(dir_ / "gb.db"), 1);
}

// ---------------------------------------------------------------------------------------------
// compare

TEST_F(Cli, Utf16ReportWithBomIsReadLikeUtf8) {
  const std::string case_utf8 = read_bytes(corpus(kCase));
  std::string utf16(case_utf8.size() * 4 + 16, '\0');
  UErrorCode status = U_ZERO_ERROR;
  const int32_t n = ucnv_convert("utf-16le", "utf-8", utf16.data(), int32_t(utf16.size()),
                                 case_utf8.data(), int32_t(case_utf8.size()), &status);
  ASSERT_FALSE(U_FAILURE(status)) << u_errorName(status);
  utf16.resize(std::size_t(n));
  write_file(dir_ / "case-utf16.txt", "\xFF\xFE" + utf16);
  const std::vector<std::string> args = {
      "check",    "--archive", shared_archive().string(), "--agency", kLuohu, "--year", "2025",
      "--format", "json",      "case-utf16.txt"};
  const CliResult r = run(args);
  ASSERT_EQ(r.status, 0) << describe(args, r);
  const json j = parse_json(r.out);
  expect_valid_check_json(j, decode_utf8(case_utf8, "case"), dir_.path());
  ASSERT_FALSE(j.at("sources").empty());
  EXPECT_TRUE(
      j.at("sources")[0].at("file").get<std::string>().ends_with("luohu-minzheng-2024.txt"));
  EXPECT_GT(j.at("copy_ratio").get<double>(), 0.6);
}

TEST_F(Cli, AgencyNamesAreComparedCanonically) {
  // Extra spaces and a full-width space around the name: still the same agency.
  const std::vector<std::string> args = {"check",
                                         "--archive",
                                         shared_archive().string(),
                                         "--agency",
                                         " 深圳市罗湖区民政局\u3000",
                                         "--year",
                                         "2025",
                                         "--format",
                                         "json",
                                         corpus(kCase).string()};
  const CliResult r = run(args);
  ASSERT_EQ(r.status, 0) << describe(args, r);
  const json j = parse_json(r.out);
  ASSERT_FALSE(j.at("sources").empty());
  EXPECT_EQ(j.at("sources")[0].at("relation"), "same_agency") << j.at("sources")[0];
}

TEST_F(Cli, SameFileTwiceInOneAddIsAddedOnce) {
  const std::string file = corpus("reports/hechuan-sifa-2024.txt").string();
  const std::vector<std::string> args = {
      "add", "--archive", "a.db", "--agency", "重庆市合川区司法局", "--year", "2024", file, file};
  const CliResult r = run(args);
  EXPECT_EQ(r.status, 0) << describe(args, r);
  EXPECT_TRUE(contains(r.out, "unchanged")) << r.out;
  EXPECT_EQ(document_count(dir_ / "a.db"), 1);
}

TEST_F(Cli, SelfRepetitionIsReportedWithoutSource) {
  // P + Q + P, from a report the archive does not hold: only self-repetition.
  const std::u32string whole = extracted(corpus("gov-work-reports/2017.txt"));
  ASSERT_GT(whole.size(), 5000u);
  const std::u32string p = whole.substr(1000, 600), q = whole.substr(3000, 2000);
  const std::u32string text = p + U"\n" + q + U"\n" + p + U"\n";
  write_file(dir_ / "selfrep.txt", encode_utf8(text));
  const std::vector<std::string> add = {
      "add",    "-q",       "--archive",
      "s.db",   "--agency", "重庆市合川区司法局",
      "--year", "2024",     corpus("reports/hechuan-sifa-2024.txt").string()};
  ASSERT_EQ(run(add).status, 0);
  const std::vector<std::string> args = {"check",  "--archive",  "s.db", "--agency",
                                         "某单位", "--year",     "2021", "--format",
                                         "json",   "selfrep.txt"};
  const CliResult r = run(args);
  ASSERT_EQ(r.status, 0) << describe(args, r);
  const json j = parse_json(r.out);
  expect_valid_check_json(j, text, dir_.path());
  EXPECT_EQ(j.at("copy_ratio"), 0.0);
  const double expected = double(count_non_whitespace(p)) / double(count_non_whitespace(text));
  EXPECT_NEAR(j.at("self_duplication_ratio").get<double>(), expected, 0.03);
  bool found = false;
  for (const json& passage : j.at("passages")) {
    if (!passage.at("source").is_null()) continue;
    found = true;
    EXPECT_GE(passage.at("start").get<std::size_t>(), p.size() + 1 + q.size());
    EXPECT_LT(passage.at("source_start").get<std::size_t>(), p.size());
  }
  EXPECT_TRUE(found) << r.out.substr(0, 2000);
}

TEST_F(Cli, CompareRecycledReportWithItsPredecessor) {
  const fs::path a = corpus(kCase);
  const fs::path b = corpus("reports/luohu-minzheng-2024.txt");
  const std::vector<std::string> args = {"compare", "--format", "json", a.string(), b.string()};
  const CliResult r = run(args);
  ASSERT_EQ(r.status, 0) << describe(args, r);
  const json j = parse_json(r.out);
  expect_valid_check_json(j, extracted(a), dir_.path());
  ASSERT_EQ(j.at("sources").size(), 1u);
  EXPECT_EQ(j.at("sources")[0].at("file"), b.string());
  EXPECT_GT(j.at("copy_ratio").get<double>(), 0.6);
  EXPECT_GT(j.at("sources")[0].at("copy_ratio").get<double>(), 0.6);
  EXPECT_EQ(j.at("boilerplate_ratio"), 0.0) << "no archive, so nothing is boilerplate";

  const std::vector<std::string> unrelated = {"compare", "--format", "json", a.string(),
                                              corpus("gov-work-reports/2019.txt").string()};
  const CliResult u = run(unrelated);
  ASSERT_EQ(u.status, 0) << describe(unrelated, u);
  const json ju = parse_json(u.out);
  expect_valid_check_json(ju, extracted(a), dir_.path());
  EXPECT_LT(ju.at("copy_ratio").get<double>(), 0.10);

  const std::vector<std::string> same = {"compare", "--format", "json", a.string(), a.string()};
  const CliResult rs = run(same);
  ASSERT_EQ(rs.status, 0) << describe(same, rs);
  const json js = parse_json(rs.out);
  expect_valid_check_json(js, extracted(a), dir_.path());
  EXPECT_EQ(js.at("copy_ratio"), 1.0);
  ASSERT_EQ(js.at("sources").size(), 1u);
  EXPECT_EQ(js.at("sources")[0].at("jaccard"), 1.0);

  const std::vector<std::string> bad = {"compare", a.string(), "missing.txt"};
  const CliResult rb = run(bad);
  EXPECT_EQ(rb.status, 1) << describe(bad, rb);
  EXPECT_TRUE(has_refusal(rb.err, "missing.txt")) << rb.err;
}

// ---------------------------------------------------------------------------------------------
// Archives that cannot be used

TEST_F(Cli, MissingArchiveIsUsageErrorNamingIt) {
  const std::string archive = (dir_ / "nowhere" / "none.db").string();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check", "--archive", archive, "--agency", kLuohu, "--year",
                                 "2025", corpus(kCase).string()},
        std::vector<std::string>{"stats", "--archive", archive}}) {
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 2) << describe(args, r);
    EXPECT_TRUE(starts_with(r.err, "leitong: ")) << r.err;
    EXPECT_TRUE(contains(r.err, archive)) << r.err;
  }
  // The default archive is leitong.db in the current folder.
  const std::vector<std::string> args = {"check",  "--agency", kLuohu,
                                         "--year", "2025",     corpus(kCase).string()};
  const CliResult r = run(args);
  EXPECT_EQ(r.status, 2) << describe(args, r);
  EXPECT_TRUE(contains(r.err, "leitong.db")) << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "leitong.db"));
}

TEST_F(Cli, NonArchiveFileIsRefusedAndLeftAlone) {
  const std::string content = read_bytes(corpus("reports/hechuan-sifa-2024.txt"));
  write_file(dir_ / "notes.txt", content);
  const std::vector<std::vector<std::string>> cases = {
      {"check", "--archive", "notes.txt", "--agency", kLuohu, "--year", "2025",
       corpus(kCase).string()},
      {"stats", "--archive", "notes.txt"},
      {"add", "--archive", "notes.txt", "--agency", kLuohu, "--year", "2025",
       corpus(kCase).string()},
  };
  for (const auto& args : cases) {
    const CliResult r = run(args);
    EXPECT_EQ(r.status, 2) << describe(args, r);
    EXPECT_TRUE(starts_with(r.err, "leitong: notes.txt")) << describe(args, r);
    EXPECT_TRUE(contains(r.err, "not a leitong archive")) << describe(args, r);
    EXPECT_EQ(read_bytes(dir_ / "notes.txt"), content) << "the file must not be modified";
  }
}

TEST_F(Cli, AddWithOtherShingleSizeIsRefused) {
  const fs::path archive = copy_of_shared();
  const json before = stats(archive);
  const std::string file = corpus(kCase).string();
  const std::vector<std::string> args = {"add",  "--archive", archive.string(), "--shingle",
                                         "6",    "--agency",  kLuohu,           "--year",
                                         "2025", file};
  const CliResult r = run(args);
  EXPECT_EQ(r.status, 2) << describe(args, r);
  EXPECT_TRUE(starts_with(r.err, "leitong: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "parameters")) << r.err;
  EXPECT_TRUE(contains(r.err, "shingle")) << r.err;
  EXPECT_EQ(stats(archive).at("documents"), before.at("documents"));

  // The stored shingle size itself is accepted.
  const std::vector<std::string> same = {"add",  "--archive", archive.string(), "--shingle",
                                         "5",    "--agency",  kLuohu,           "--year",
                                         "2025", file};
  const CliResult ok = run(same);
  EXPECT_EQ(ok.status, 0) << describe(same, ok);
  EXPECT_EQ(stats(archive).at("documents").get<std::int64_t>(),
            before.at("documents").get<std::int64_t>() + 1);

  // An archive of format 1 (older defaults, e.g. its MinHash variant) accepts its own shingle size.
  fs::copy_file(source_dir() / "tests/data/archive-v1.db", dir_ / "v1.db");
  const std::vector<std::string> old_format = {"add",  "--archive", "v1.db", "--shingle", "5", "--agency",
                                               kLuohu, "--year",    "2025",  file};
  const CliResult v1 = run(old_format);
  EXPECT_EQ(v1.status, 0) << describe(old_format, v1);
  EXPECT_EQ(stats(dir_ / "v1.db").at("documents"), 3);

  // A new archive made with --shingle 6 records it.
  const std::vector<std::string> fresh = {"add",      "--archive", "six.db", "--shingle", "6",
                                          "--agency", kLuohu,      "--year", "2025",      file};
  const CliResult r6 = run(fresh);
  ASSERT_EQ(r6.status, 0) << describe(fresh, r6);
  EXPECT_EQ(stats(dir_ / "six.db").at("params").at("shingle"), 6);
  const std::vector<std::string> default_add = {
      "add",  "--archive", "six.db", "--agency",
      kLuohu, "--year",    "2024",   corpus("reports/luohu-minzheng-2024.txt").string()};
  const CliResult rd = run(default_add);
  EXPECT_EQ(rd.status, 0) << "without --shingle, add uses the archive's parameters\n"
                          << describe(default_add, rd);
}

}  // namespace
}  // namespace leitong::testing
