// Faults from outside: a disk that fills during `add` or the service's upload job, an archive in a
// read-only place, a file cut short, a report repeated many times. What leitong prints must be what
// the archive holds, and every answer right or refused. The disk-full and read-only cases mount a
// small tmpfs or a read-only bind mount, which needs root (CI runs as root); elsewhere they are
// skipped, saying so.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <leitong/archive/archive.h>
#include <leitong/service/service.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/cli.h"
#include "support/corpus.h"

namespace leitong::testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::size_t count_prefix(const std::string& text, const std::string& prefix) {
  std::size_t n = 0;
  for (const std::string& line : lines_of(text)) n += line.rfind(prefix, 0) == 0;
  return n;
}

std::int64_t documents_in(const fs::path& archive, const fs::path& cwd) {
  const CliResult r = run_cli({"stats", "--archive", archive.string(), "--format", "json"}, cwd);
  if (r.status != 0) return -1;
  return nlohmann::json::parse(r.out).at("documents").get<std::int64_t>();
}

// A mount point under a temp folder, unmounted when the test ends.
class Mount {
 public:
  // `options` for mount(8), e.g. "-t tmpfs -o size=3m tmpfs" or "--bind -o ro SOURCE".
  Mount(const std::string& options, const fs::path& at) : at_(at) {
    fs::create_directories(at);
    const std::string command = "mount " + options + " '" + at.string() + "' 2>/dev/null";
    mounted_ = std::system(command.c_str()) == 0;
  }
  ~Mount() {
    if (mounted_) std::system(("umount '" + at_.string() + "'").c_str());
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path at_;
  bool mounted_ = false;
};

// 180 synthetic reports (about 1.7 MB of text) in `dir`/syn: more than a 3 MB file system holds
// once archived. The exit status of `leitong synth`.
int synthesize_disk_fillers(const fs::path& dir) {
  return run_cli({"synth", "--agencies", "60", "--years", "3", "--seed", "3", "--corpora", corpora_dir().string(),
                  "--out", "syn"},
                 dir)
      .status;
}

// 180 synthetic reports (about 1.7 MB of text) into a 3 MB file system: the disk fills part way.
// stdout names exactly the documents the archive then holds, one error line says why the run
// stopped, and the archive verifies.
TEST(Faults, DiskFullAddSaysExactlyWhatTheArchiveHolds) {
  TempDir dir;
  ASSERT_EQ(synthesize_disk_fillers(dir.path()), 0);
  for (const std::string batch : {"20", "1"}) {
    Mount disk("-t tmpfs -o size=3m tmpfs", dir / ("disk" + batch));
    if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
    const fs::path archive = dir / ("disk" + batch) / "a.db";
    const CliResult r = run_cli(
        {"add", "--archive", archive.string(), "--batch", batch, "--manifest", "syn/manifest.csv"},
        dir.path());
    const std::string what = describe({"add", "--batch", batch}, r);
    EXPECT_EQ(r.status, 2) << what;
    const std::int64_t held = documents_in(archive, dir.path());
    EXPECT_GT(held, 0) << what;
    EXPECT_LT(held, 180) << what;
    EXPECT_EQ(std::int64_t(count_prefix(r.out, "added ")), held) << what;
    const std::vector<std::string> errors = lines_of(r.err);
    ASSERT_EQ(errors.size(), 1u) << what;
    EXPECT_NE(errors[0].find("database or disk is full"), std::string::npos) << what;
    EXPECT_NE(errors[0].find("stopped: " + std::to_string(held) + " added"), std::string::npos)
        << what;
    EXPECT_EQ(run_cli({"verify", "--archive", archive.string()}, dir.path()).status, 0) << what;
  }
}

// The same upload through the web service's add job, in groups of 50 (the disk fills at the
// job's last commit) and of 7 (at a commit inside an add that fills its group): the job fails
// saying why, once, the number it says it added is what the archive holds, and the archive
// verifies. The service's own store lies outside the full disk; what is tested is the archive's.
TEST(Faults, DiskFullUploadJobSaysExactlyWhatTheArchiveHolds) {
  TempDir dir;
  ASSERT_EQ(synthesize_disk_fillers(dir.path()), 0);
  std::vector<UploadedFile> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "syn" / "reports"))
    if (entry.is_regular_file()) files.push_back({entry.path().filename().string(), read_bytes(entry.path())});
  ASSERT_EQ(files.size(), 180u);
  for (const int group : {50, 7}) {
    SCOPED_TRACE(fmt::format("groups of {}", group));
    const fs::path place = dir / fmt::format("disk{}", group);
    Mount disk("-t tmpfs -o size=3m tmpfs", place);
    if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root";
    const fs::path archive = place / "a.db";
    { Archive::open(archive, Archive::Mode::kReadWrite); }
    std::optional<JobProgress> job;
    {
      ServiceParams params;
      params.archive = archive;
      params.store = dir / fmt::format("a{}.service", group);
      params.add_group = group;
      params.store_params.pwhash_memory = std::size_t(8) << 20;
      params.store_params.pwhash_ops = 1;
      Service service(params);
      service.store().add_user("inspector", Role::kInspector, "", "correct horse battery");
      const Session inspector =
          service.log_in("inspector", "correct horse battery", "10.0.0.1").session.value().session;
      const std::string id = service.start_add(inspector, files, "", 0, "report");
      for (int i = 0; i < 1200; ++i) {
        job = service.job(inspector, id);
        if (job && job->state != "queued" && job->state != "running") break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_TRUE(job);
    const std::string what = fmt::format("job {}: added {}, done {} of {}, error '{}'", job->state, job->added,
                                         job->done, job->total, job->error);
    std::printf("[faults] %s\n", what.c_str());
    EXPECT_EQ(job->state, "failed") << what;
    EXPECT_NE(job->error.find("database or disk is full"), std::string::npos) << what;
    EXPECT_EQ(job->error.find("were not added"), std::string::npos) << what;  // said once, by the archive
    EXPECT_GT(job->added, 0u) << what;
    EXPECT_LT(job->added, 180u) << what;
    EXPECT_EQ(documents_in(archive, dir.path()), std::int64_t(job->added)) << what;
    EXPECT_EQ(run_cli({"verify", "--archive", archive.string()}, dir.path()).status, 0) << what;
  }
}

// Readers read an archive on a read-only mount (as immutable) and say so; writers are refused as
// read-only, not as something that is not an archive.
TEST(Faults, ReadOnlyPlaceIsReadAndSaysSo) {
  TempDir dir;
  fs::create_directories(dir / "src");
  ASSERT_EQ(run_cli({"add", "--archive", (dir / "src" / "a.db").string(), "--manifest",
                     (corpora_dir() / "manifest.csv").string()},
                    dir.path())
                .status,
            0);
  Mount ro("--bind -o ro '" + (dir / "src").string() + "'", dir / "ro");
  if (!ro.mounted()) GTEST_SKIP() << "a read-only bind mount needs root";
  const std::string archive = (dir / "ro" / "a.db").string();
  const std::string report = (corpora_dir() / "cases/luohu-minzheng-2025.txt").string();
  const std::vector<std::vector<std::string>> readers = {
      {"stats", "--archive", archive},
      {"verify", "--archive", archive},
      {"yoy", "--archive", archive, "--format", "json"},
      {"boilerplate", "--archive", archive, "--top", "3"},
      {"clusters", "--archive", archive},
      {"check", "--archive", archive, "--agency", "深圳市罗湖区民政局", "--year", "2025",
       "--format", "json", report}};
  for (const auto& args : readers) {
    const CliResult r = run_cli(args, dir.path());
    EXPECT_EQ(r.status, 0) << describe(args, r);
    EXPECT_NE(r.err.find("read-only place"), std::string::npos) << describe(args, r);
  }
  const CliResult check = run_cli(readers.back(), dir.path());
  EXPECT_GT(nlohmann::json::parse(check.out).at("copy_ratio").get<double>(), 0.7);

  const std::vector<std::string> add = {
      "add", "--archive", archive, "--agency", "深圳市罗湖区民政局", "--year", "2025", report};
  const CliResult r = run_cli(add, dir.path());
  EXPECT_EQ(r.status, 2) << describe(add, r);
  EXPECT_NE(r.err.find("read-only"), std::string::npos) << describe(add, r);
  EXPECT_EQ(r.err.find("not a leitong archive"), std::string::npos) << describe(add, r);
  const std::vector<std::string> create = {"add",
                                           "--archive",
                                           (dir / "ro" / "new.db").string(),
                                           "--agency",
                                           "深圳市罗湖区民政局",
                                           "--year",
                                           "2025",
                                           report};
  const CliResult c = run_cli(create, dir.path());
  EXPECT_EQ(c.status, 2) << describe(create, c);
  EXPECT_NE(c.err.find("read-only"), std::string::npos) << describe(create, c);
}

// A file cut inside its live pages: every reader refuses it as damaged instead of answering from
// what is left, and `add` refuses it before writing a byte.
TEST(Faults, TruncatedArchiveIsRefusedByReadersAndWriters) {
  TempDir dir;
  const fs::path whole = dir / "whole.db";
  ASSERT_EQ(run_cli({"add", "--archive", whole.string(), "--manifest",
                     (corpora_dir() / "manifest.csv").string()},
                    dir.path())
                .status,
            0);
  const std::string bytes = read_bytes(whole);
  ASSERT_GT(bytes.size(), 100000u);
  const fs::path cut = dir / "cut.db";
  write_file(cut, std::string_view(bytes).substr(0, bytes.size() * 2 / 3));
  const std::string report = (corpora_dir() / "cases/luohu-minzheng-2025.txt").string();
  const std::vector<std::vector<std::string>> commands = {
      {"check", "--archive", cut.string(), "--agency", "深圳市罗湖区民政局", "--year", "2025",
       report},
      {"stats", "--archive", cut.string()},
      {"yoy", "--archive", cut.string()},
      {"add", "--archive", cut.string(), "--agency", "深圳市罗湖区民政局", "--year", "2025",
       report}};
  for (const auto& args : commands) {
    const CliResult r = run_cli(args, dir.path());
    EXPECT_EQ(r.status, 2) << describe(args, r);
    EXPECT_NE(r.err.find("damaged archive: the file is truncated"), std::string::npos)
        << describe(args, r);
  }
  EXPECT_EQ(read_bytes(cut), bytes.substr(0, bytes.size() * 2 / 3));
}

// A report repeated 65 and 300 times: every copy after the first repeats the one before.
TEST(Faults, ManyTimesRepeatedReportReportsItsRepetition) {
  TempDir dir;
  const std::string text = read_bytes(corpora_dir() / "reports/luohu-minzheng-2024.txt");
  for (const int copies : {65, 300}) {
    std::string repeated;
    for (int i = 0; i < copies; ++i) repeated += text;
    write_file(dir / "repeated.txt", repeated);
    const std::vector<std::string> args = {
        "compare", "--format", "json", "repeated.txt",
        (corpora_dir() / "reports/shapingba-minzheng-2024.txt").string()};
    const CliResult r = run_cli(args, dir.path());
    ASSERT_EQ(r.status, 0) << describe(args, r);
    EXPECT_GT(nlohmann::json::parse(r.out).at("self_duplication_ratio").get<double>(), 0.98)
        << copies;
  }
}

// A file named by someone hostile, with a line break, a bidirectional override and escape
// sequences that would retitle the window and colour the terminal: every line leitong prints for a
// person shows the name escaped, one record per line; JSON keeps it exactly.
TEST(Faults, HostileFileNamesAreEscapedOnTheTerminal) {
  TempDir dir;
  const std::string name = "evil\n\x1b]0;owned\x07\x1b[31mred\u202Etxt.txt";
  write_file(dir / name, read_bytes(corpora_dir() / "reports/luohu-minzheng-2024.txt"));
  const std::vector<std::vector<std::string>> commands = {
      {"add", "--archive", "a.db", "--agency", "深圳市罗湖区\x1b[2J民政局", "--year", "2024", name},
      {"add", "--archive", "a.db", "--agency", "深圳市罗湖区\x1b[2J民政局", "--year", "2024", name},
      {"check", "--archive", "a.db", "--agency", "深圳市罗湖区民政局", "--year", "2025", name},
      {"clusters", "--archive", "a.db", "--across-years"},
      {"yoy", "--archive", "a.db"},
      {"add", "--archive", "a.db", "--agency", "深圳市罗湖区民政局", "--year", "2023",
       name + ".missing"}};
  for (const auto& args : commands) {
    const CliResult r = run_cli(args, dir.path());
    EXPECT_LE(r.status, 1) << describe(args, r);
    for (const std::string* stream : {&r.out, &r.err}) {
      EXPECT_EQ(stream->find('\x1b'), std::string::npos) << describe(args, r);
      EXPECT_EQ(stream->find('\x07'), std::string::npos) << describe(args, r);
      EXPECT_EQ(stream->find("\u202E"), std::string::npos) << describe(args, r);
      for (const std::string& line : lines_of(*stream)) {
        if (line.find("evil") != std::string::npos) {
          EXPECT_NE(line.find("evil\\n\\x1B]0;owned"), std::string::npos) << line;
        }
      }
    }
  }
  const CliResult json = run_cli({"check", "--archive", "a.db", "--agency", "深圳市罗湖区民政局",
                                  "--year", "2025", "--format", "json", name},
                                 dir.path());
  ASSERT_EQ(json.status, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out).at("document").at("file").get<std::string>(), name);
}

// Linux file names are bytes: one that is not UTF-8 is archived as given, and every JSON output
// that names it still comes out (those bytes as U+FFFD) instead of failing as an internal error.
TEST(Faults, FileNamesThatAreNotUtf8StillGiveJson) {
  TempDir dir;
  const std::string name = "r\xfe\xff.txt";
  write_file(dir / name, read_bytes(corpora_dir() / "reports/luohu-minzheng-2024.txt"));
  ASSERT_EQ(run_cli({"add", "--archive", "a.db", "--agency", "深圳市罗湖区民政局", "--year", "2024", name},
                    dir.path())
                .status,
            0);
  write_file(dir / "r2025.txt", read_bytes(corpora_dir() / "cases/luohu-minzheng-2025.txt"));
  ASSERT_EQ(run_cli({"add", "--archive", "a.db", "--agency", "深圳市罗湖区民政局", "--year", "2025", "r2025.txt"},
                    dir.path())
                .status,
            0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check", "--archive", "a.db", "--agency", "深圳市罗湖区民政局", "--year", "2025",
                                 "--format", "json", "r2025.txt"},
        std::vector<std::string>{"yoy", "--archive", "a.db", "--format", "json"},
        std::vector<std::string>{"clusters", "--archive", "a.db", "--across-years", "--format", "json"}}) {
    const CliResult r = run_cli(args, dir.path());
    ASSERT_EQ(r.status, 0) << describe(args, r);
    EXPECT_NE(r.out.find("r\uFFFD\uFFFD.txt"), std::string::npos) << describe(args, r);
    EXPECT_TRUE(nlohmann::json::accept(r.out)) << describe(args, r);
  }
}

}  // namespace
}  // namespace leitong::testing
