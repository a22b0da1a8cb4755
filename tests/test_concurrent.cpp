// Concurrency (issue #6): readers (`check`, `stats`, `yoy`) running while an `add` writes get
// consistent answers from the last committed state, and two adds at once both succeed (the second
// waits for the first's transaction), leaving an archive that verifies.
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <sys/wait.h>

#include <atomic>
#include <csignal>
#include <future>
#include <nlohmann/json.hpp>

#include "support/cli.h"
#include "support/corpus.h"

namespace leitong::testing {
namespace {

std::vector<std::string> add_manifest(const std::filesystem::path& db,
                                      const std::filesystem::path& manifest) {
  return {"add", "-q", "--archive", db.string(), "--manifest", manifest.string()};
}

// Documents after adding both manifests: the seeds include six national reports that are also in
// gov-work-reports (same agency, year and text), which the second add skips.
std::int64_t union_count() {
  std::int64_t n = 54;
  for (const Seed& s : seeds())
    if (s.file.rfind("gov-work-reports/", 0) != 0) ++n;
  return n;
}

void expect_verifies(const std::filesystem::path& db) {
  const Archive archive = Archive::open(db, Archive::Mode::kReadOnly);
  const ArchiveCheck check = archive.verify();
  EXPECT_TRUE(check.ok()) << (check.problems.empty() ? "" : check.problems.front());
}

TEST(Concurrent, ReadersDuringAnAddSeeCommittedStates) {
  TempDir dir;
  const auto db = dir / "a.db";
  {
    Archive archive = Archive::open(db, Archive::Mode::kReadWrite);
    add_seeds(archive, seeds());
  }
  const std::int64_t seeded = std::int64_t(seeds().size());
  auto writer = std::async(std::launch::async, [&] {
    return run_cli(add_manifest(db, corpora_dir() / "gov-work-reports" / "manifest.csv"),
                   dir.path());
  });
  const Seed& report = seeds().front();
  std::int64_t last = seeded;
  int rounds = 0;
  bool done = false;
  while (!done) {
    done = writer.wait_for(std::chrono::seconds(0)) ==
           std::future_status::ready;  // one more round after
    const std::vector<std::string> stats_args{"stats", "--archive", db.string(), "--format",
                                              "json"};
    const CliResult stats = run_cli(stats_args, dir.path());
    ASSERT_EQ(stats.status, 0) << describe(stats_args, stats);
    const std::int64_t count = nlohmann::json::parse(stats.out).at("documents").get<std::int64_t>();
    EXPECT_GE(count, last) << "document count went down";
    last = count;
    const std::vector<std::string> check_args{"check",
                                              "--archive",
                                              db.string(),
                                              "--agency",
                                              report.agency,
                                              "--year",
                                              std::to_string(report.year),
                                              "--format",
                                              "json",
                                              (corpora_dir() / report.file).string()};
    const CliResult check = run_cli(check_args, dir.path());
    EXPECT_EQ(check.status, 0) << describe(check_args, check);
    // One year only: a whole-archive yoy runs one full check per report.
    const std::vector<std::string> yoy_args{"yoy",  "--archive", db.string(), "--year",
                                            "2018", "--format",  "json"};
    const CliResult yoy = run_cli(yoy_args, dir.path());
    EXPECT_EQ(yoy.status, 0) << describe(yoy_args, yoy);
    ++rounds;
  }
  const CliResult added = writer.get();
  ASSERT_EQ(added.status, 0) << describe({"add"}, added);
  EXPECT_EQ(last, union_count());
  EXPECT_GE(rounds, 2);
  expect_verifies(db);
}

TEST(Concurrent, TwoAddsAtOnceBothSucceed) {
  TempDir dir;
  const auto db = dir / "a.db";  // neither add finds it: both race to create it
  auto first = std::async(std::launch::async, [&] {
    return run_cli(add_manifest(db, corpora_dir() / "gov-work-reports" / "manifest.csv"),
                   dir.path());
  });
  auto second = std::async(std::launch::async, [&] {
    return run_cli(add_manifest(db, corpora_dir() / "manifest.csv"), dir.path());
  });
  const CliResult a = first.get(), b = second.get();
  EXPECT_EQ(a.status, 0) << describe({"add", "gov-work-reports"}, a);
  EXPECT_EQ(b.status, 0) << describe({"add", "manifest.csv"}, b);
  const Archive archive = Archive::open(db, Archive::Mode::kReadOnly);
  EXPECT_EQ(archive.document_count(), union_count());
  expect_verifies(db);
}

Document report(std::u32string text, std::string agency, int year) {
  return {{0, "r.txt", std::move(agency), year, DocumentKind::kReport}, std::move(text)};
}

// A reader holding a snapshot keeps seeing the archive as it was, while another connection adds
// (WAL lets the writer go on); the new document appears once the snapshot ends.
TEST(Concurrent, ASnapshotSeesOneStateWhileAnotherConnectionAdds) {
  TempDir dir;
  const auto db = dir / "a.db";
  Archive writer = Archive::open(db, Archive::Mode::kReadWrite);
  const std::u32string text = read_corpus_text(seed("hechuan-sifa-2024").file);
  writer.add(report(text, "甲区司法局", 2023));
  const Archive reader = Archive::open(db, Archive::Mode::kReadOnly);
  {
    const Archive::ReadSnapshot snapshot(reader);
    // Committed after the snapshot began but before this connection's next read: not seen.
    EXPECT_TRUE(writer.add(report(text + U"之前一段。", "甲区司法局", 2022)).added);
    EXPECT_EQ(reader.document_count(), 1);
    const AddOutcome added = writer.add(report(text + U"新增一段。", "甲区司法局", 2024));
    EXPECT_TRUE(added.added);
    EXPECT_EQ(reader.document_count(), 1) << "the snapshot does not see the add";
    EXPECT_EQ(reader.ids_of_agency("甲区司法局").size(), 1u);
  }
  EXPECT_EQ(reader.document_count(), 3) << "after the snapshot, reads see the adds";
  expect_verifies(db);
}

// Readers one after another without pause (a server's checks) keep SQLite's own checkpoints from
// emptying the write-ahead log, which grows with every add; checkpoint() empties it meanwhile,
// and every document stays readable.
TEST(Concurrent, CheckpointEmptiesTheLogWhileReadersKeepComing) {
  TempDir dir;
  const auto db = dir / "a.db";
  Archive writer = Archive::open(db, Archive::Mode::kReadWrite);
  const std::u32string text = read_corpus_text(seed("hechuan-sifa-2024").file);
  writer.add(report(text, "甲区司法局", 2000));
  std::atomic<bool> stop{false};
  std::atomic<std::int64_t> reads{0};
  auto reading = std::async(std::launch::async, [&] {
    const Archive reader = Archive::open(db, Archive::Mode::kReadOnly);
    std::int64_t last = 0;
    while (!stop) {
      const Archive::ReadSnapshot snapshot(reader);
      const std::int64_t n = reader.document_count();
      if (n < last) return false;  // a reader never sees the archive go back
      last = n;
      ++reads;
    }
    return true;
  });
  for (int year = 2001; year <= 2040; ++year) {
    const std::string digits = std::to_string(year);
    const std::u32string marked = text + U"第" + std::u32string(digits.begin(), digits.end()) + U"年。";
    ASSERT_TRUE(writer.add(report(marked, "甲区司法局", year)).added);
  }
  EXPECT_GT(writer.log_bytes(), 0);
  EXPECT_TRUE(writer.checkpoint());
  EXPECT_EQ(writer.log_bytes(), 0);
  ASSERT_TRUE(writer.add(report(text + U"再加一段。", "甲区司法局", 2041)).added);
  stop = true;
  EXPECT_TRUE(reading.get());
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(Archive::open(db, Archive::Mode::kReadOnly).document_count(), 42);
  expect_verifies(db);
}

}  // namespace
}  // namespace leitong::testing
