// Crash safety (issue #6): `leitong add` killed with SIGKILL at random moments leaves an archive
// that opens, passes Archive::verify (SQLite integrity, every document whole or absent, the index
// naming only existing documents), never loses a committed document, and is completed by re-running
// the same add.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/core/error.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <random>
#include <thread>

#include "support/cli.h"
#include "support/corpus.h"

namespace leitong {
namespace {

using testing::corpora_dir;
using testing::describe;
using testing::run_cli;
using testing::TempDir;

// Starts `leitong ARGS` with stdout and stderr sent to /dev/null; returns its pid.
pid_t spawn_cli(const std::vector<std::string>& args) {
  std::vector<std::string> storage{LEITONG_CLI_PATH};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for `pid`; returns its exit status, or 128 + signal.
int wait_for(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::int64_t expect_sound(const std::filesystem::path& db, const std::string& when) {
  if (!std::filesystem::exists(db)) return 0;  // killed before the archive was created
  std::int64_t count = -1;
  try {
    const Archive archive = Archive::open(db, Archive::Mode::kReadOnly);
    const ArchiveCheck check = archive.verify();
    std::string problems;
    for (const auto& p : check.problems) problems += "\n  " + p;
    EXPECT_TRUE(check.ok()) << when << ":" << problems;
    count = archive.document_count();
    EXPECT_EQ(check.documents, count);
  } catch (const Error& e) {
    // Killed while creating the archive: an empty file or an empty SQLite database, no documents.
    const std::string message = e.what();
    if (message.find("empty file") != std::string::npos ||
        message.find("not a leitong archive yet") != std::string::npos)
      return 0;
    ADD_FAILURE() << when << ": " << e.what();
  }
  return count;
}

// `add` with files in groups of `batch` (1: a transaction each), killed 15 times.
void kill_adds(const std::string& batch) {
  TempDir dir;
  const auto db = dir / "a.db";
  const auto manifest = corpora_dir() / "gov-work-reports" / "manifest.csv";
  const std::vector<std::string> add_args{
      "add", "-q", "--archive", db.string(), "--manifest", manifest.string(), "--batch", batch};
  const int total = 54;  // rows of the manifest

  // How long one complete add takes here (sanitizer and debug builds are much slower).
  const auto t0 = std::chrono::steady_clock::now();
  const auto full = run_cli(add_args, dir.path());
  ASSERT_EQ(full.status, 0) << describe(add_args, full);
  const auto full_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
          .count();
  ASSERT_EQ(expect_sound(db, "after a complete add"), total);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);

  std::mt19937_64 rng(20261121);
  const int kills = 15;
  int killed_mid_run = 0;
  std::int64_t before = 0;
  for (int k = 0; k < kills; ++k) {
    // Mostly inside the run: process start and the last commits take the rest of full_ms.
    std::uniform_int_distribution<long> delay_ms(1, std::max<long>(2, full_ms * 4 / 5));
    const pid_t pid = spawn_cli(add_args);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    kill(pid, SIGKILL);
    const int status = wait_for(pid);
    if (status == 128 + SIGKILL) ++killed_mid_run;
    const std::int64_t after = expect_sound(db, "after kill " + std::to_string(k + 1));
    if (::testing::Test::HasFailure()) return;
    EXPECT_GE(after, before) << "kill " << k + 1 << " lost committed documents";
    before = after;
    if (after == total) {  // finished before the kill: start over from an empty archive
      for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
      before = 0;
    }
  }
  EXPECT_GE(killed_mid_run, kills / 3);  // the others finished first (then it starts over)

  // Re-running the same add completes the archive.
  const auto rerun = run_cli(add_args, dir.path());
  ASSERT_EQ(rerun.status, 0) << describe(add_args, rerun);
  EXPECT_EQ(expect_sound(db, "after the re-run"), total);
  const auto verify = run_cli({"verify", "--archive", db.string()}, dir.path());
  EXPECT_EQ(verify.status, 0) << describe({"verify"}, verify);
}

TEST(Crash, KilledAddsLeaveASoundArchiveAndLoseNothing) { kill_adds("1"); }

// Killed while a group is open: the group is lost whole (re-running restores it), never in part.
TEST(Crash, KilledBatchedAddsLeaveASoundArchiveAndLoseNothing) { kill_adds("8"); }

}  // namespace
}  // namespace leitong
