// The SQLite archive: adding documents and the look-ups a check makes, on an archive built in a
// temporary directory (removed at exit) from the first N documents of a real corpus.
//
//   BM_CheckAgainstArchive  leitong::check_against_archive of each held-out query document.
//   BM_LshCandidates        Archive::lsh_candidates of each query's MinHash signature.
//   BM_FingerprintHits      Archive::fingerprint_hits of each query's fingerprints.
//   BM_ArchiveAdd           Archive::add of one more document (one transaction, committed),
//                           into the archive of N (+ the documents earlier iterations added).
//   BM_ArchiveAddBatch/G    G documents added as one group (Archive::set_batch_size, `add
//                           --batch G`), flushed: docs/s per document.
//   BM_AddSketchOnly        make_sketch of the same documents: the CPU share of an add.
//
// The query benchmarks run all Q queries per iteration; `latency` is the time per query and
// docs/s the queries per second. BM_ArchiveAdd adds one document per iteration. All use wall-clock
// time (UseRealTime): SQLite reads and fsyncs are part of the cost. bytes_per_second is the UTF-8
// size of the query (or added) documents.
//
// Corpus and sizes (environment):
//   LEITONG_ARCHIVE_CORPUS   folder searched recursively for *.md and *.txt, sorted by path;
//                            default LEITONG_SHARED_CORPORA/laws, else the gov-work-reports.
//   LEITONG_ARCHIVE_DOCS     N, documents in the archive (default 2000).
//   LEITONG_ARCHIVE_QUERIES  Q, held-out query documents, the files right after the first N
//                            (default 10).
// The documents added by BM_ArchiveAdd are the 200 files after those, re-added with new years
// when exhausted. Agency and year come from the file name: "名称(YYYY-MM-DD).md" is agency 名称,
// year YYYY (other names: the whole stem, year 2000), so the dated versions of one law form an
// agency's yearly series; a file named YEAR.txt (the gov-work-reports) is agency 国务院, year YEAR.
// Files that extract_file refuses are skipped.

#include <leitong/analysis/check.h>
#include <leitong/archive/archive.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

fs::path corpus_dir() {
  if (const char* env = std::getenv("LEITONG_ARCHIVE_CORPUS"); env && *env) return env;
  const fs::path laws = fs::path(LEITONG_SHARED_CORPORA) / "laws";
  if (fs::is_directory(laws)) return laws;
  const fs::path reports = fs::path(LEITONG_SHARED_CORPORA) / "gov-work-reports";
  if (fs::is_directory(reports)) return reports;
  return fs::path(LEITONG_SOURCE_DIR) / "corpora" / "gov-work-reports";
}

std::size_t env_size(const char* name, std::size_t fallback) {
  const char* env = std::getenv(name);
  if (!env || !*env) return fallback;
  return static_cast<std::size_t>(std::strtoull(env, nullptr, 10));
}

struct Item {
  leitong::Document doc;
  std::size_t utf8 = 0;
};

leitong::Document make_document(const fs::path& file, std::u32string text) {
  static const std::regex dated(R"(^(.*)\((\d{4})-\d{2}-\d{2}\)$)");
  static const std::regex year_only(R"(^\d{4}$)");
  leitong::Document d;
  d.info.file = file.string();
  d.info.kind = leitong::DocumentKind::kReport;
  const std::string stem = file.stem().string();
  std::smatch m;
  if (std::regex_match(stem, m, dated)) {
    d.info.agency = m[1];
    d.info.year = std::stoi(m[2]);
  } else if (std::regex_match(stem, year_only)) {
    d.info.agency = "国务院";
    d.info.year = std::stoi(stem);
  } else {
    d.info.agency = stem;
    d.info.year = 2000;
  }
  d.text = std::move(text);
  return d;
}

struct Fixture {
  fs::path dir;
  std::optional<leitong::Archive> archive;
  std::vector<Item> queries;
  std::vector<leitong::Sketch> query_sketches;
  std::vector<Item> to_add;
  std::size_t archived = 0, archived_utf8 = 0, skipped = 0;
  double setup_seconds = 0;
  std::size_t queries_utf8 = 0;
  int next_year = 10000;
  std::size_t next_add = 0;

  ~Fixture() {
    archive.reset();
    std::error_code ec;
    if (!dir.empty()) fs::remove_all(dir, ec);
  }
};

void build(Fixture& f) {
  const std::size_t n = env_size("LEITONG_ARCHIVE_DOCS", 2000);
  const std::size_t q = std::max<std::size_t>(1, env_size("LEITONG_ARCHIVE_QUERIES", 10));
  const std::size_t a = 200;
  const fs::path root = corpus_dir();
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec); it != fs::recursive_directory_iterator(); ++it) {
    const auto& p = it->path();
    if (it->is_regular_file() && (p.extension() == ".md" || p.extension() == ".txt") && p.filename() != "_index.md")
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());

  f.dir = fs::temp_directory_path() / ("leitong-bench-archive-" + std::to_string(::getpid()));
  fs::create_directories(f.dir);
  f.archive.emplace(leitong::Archive::open(f.dir / "archive.db", leitong::Archive::Mode::kReadWrite));

  const auto start = std::chrono::steady_clock::now();
  std::size_t next = 0;
  auto next_item = [&](Item& item) {
    while (next < files.size()) {
      const fs::path& p = files[next++];
      try {
        item.doc = make_document(p, leitong::extract_file(p).text);
        item.utf8 = leitong::encode_utf8(item.doc.text).size();
        return true;
      } catch (const std::exception&) {
        ++f.skipped;
      }
    }
    return false;
  };
  Item item;
  while (f.archived < n && next_item(item)) {
    try {
      f.archive->add(item.doc);
      ++f.archived;
      f.archived_utf8 += item.utf8;
    } catch (const std::exception&) {
      ++f.skipped;  // too short after normalization
    }
  }
  f.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  while (f.queries.size() < q && next_item(item)) {
    f.queries_utf8 += item.utf8;
    f.query_sketches.push_back(leitong::make_sketch(item.doc.text, f.archive->params().sketch));
    f.queries.push_back(item);
  }
  while (f.to_add.size() < a && next_item(item)) f.to_add.push_back(item);
  if (f.archived == 0 || f.queries.empty() || f.to_add.empty()) {
    std::fprintf(stderr, "bench_archive: not enough documents in %s (%zu files)\n", root.c_str(), files.size());
    std::exit(1);
  }
}

// Built on first use; a function-local static, so its destructor removes the temporary directory.
Fixture& fixture() {
  static Fixture f;
  static const bool built = (build(f), true);
  (void)built;
  return f;
}

void query_counters(benchmark::State& state, const Fixture& f) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * f.queries_utf8));
  state.counters["docs/s"] = benchmark::Counter(double(f.queries.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["latency"] = benchmark::Counter(
      double(f.queries.size()), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_CheckAgainstArchive(benchmark::State& state) {
  Fixture& f = fixture();
  std::size_t candidates = 0;
  for (auto _ : state) {
    candidates = 0;
    for (const Item& q : f.queries) {
      leitong::Findings findings = leitong::check_against_archive(*f.archive, q.doc);
      candidates += findings.candidates_compared;
      benchmark::DoNotOptimize(findings.copy_ratio);
    }
  }
  query_counters(state, f);
  state.counters["candidates_per_query"] = double(candidates) / double(f.queries.size());
}

void BM_LshCandidates(benchmark::State& state) {
  Fixture& f = fixture();
  std::size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (const leitong::Sketch& s : f.query_sketches) {
      auto candidates = f.archive->lsh_candidates(s.minhash);
      found += candidates.size();
      benchmark::DoNotOptimize(candidates.data());
    }
  }
  query_counters(state, f);
  state.counters["hits_per_query"] = double(found) / double(f.queries.size());
}

void BM_FingerprintHits(benchmark::State& state) {
  Fixture& f = fixture();
  std::size_t found = 0;
  for (auto _ : state) {
    found = 0;
    for (std::size_t i = 0; i < f.queries.size(); ++i) {
      auto hits = f.archive->fingerprint_hits(f.query_sketches[i].fingerprints, f.queries[i].doc.info.agency);
      found += hits.documents.size();
      benchmark::DoNotOptimize(hits.documents.data());
    }
  }
  query_counters(state, f);
  state.counters["documents_per_query"] = double(found) / double(f.queries.size());
}

void BM_ArchiveAdd(benchmark::State& state) {
  Fixture& f = fixture();
  std::size_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const Item& item = f.to_add[f.next_add++ % f.to_add.size()];
    leitong::Document doc = item.doc;
    doc.info.year = f.next_year++;  // always a new (agency, year): always added
    state.ResumeTiming();
    const leitong::AddOutcome outcome = f.archive->add(doc);
    benchmark::DoNotOptimize(outcome.id);
    bytes += item.utf8;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["docs/s"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

// A group of `batch` adds in one transaction (Archive::set_batch_size, `add --batch`): the index
// entries of the whole group are written once, sorted by key, when it commits (at the flush).
void BM_ArchiveAddBatch(benchmark::State& state) {
  Fixture& f = fixture();
  const auto batch = static_cast<std::size_t>(state.range(0));
  std::size_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<leitong::Document> docs;
    for (std::size_t k = 0; k < batch; ++k) {
      const Item& item = f.to_add[f.next_add++ % f.to_add.size()];
      docs.push_back(item.doc);
      docs.back().info.year = f.next_year++;
      bytes += item.utf8;
    }
    state.ResumeTiming();
    f.archive->set_batch_size(static_cast<int>(batch));
    for (const leitong::Document& doc : docs) benchmark::DoNotOptimize(f.archive->add(doc).id);
    f.archive->flush();
  }
  f.archive->set_batch_size(1);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["docs/s"] = benchmark::Counter(double(batch), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_AddSketchOnly(benchmark::State& state) {
  Fixture& f = fixture();
  std::size_t bytes = 0, i = 0;
  for (auto _ : state) {
    const Item& item = f.to_add[i++ % f.to_add.size()];
    leitong::Sketch sketch = leitong::make_sketch(item.doc.text, f.archive->params().sketch);
    benchmark::DoNotOptimize(sketch.minhash.data());
    bytes += item.utf8;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["docs/s"] = benchmark::Counter(1.0, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

// Read-only benchmarks first: BM_ArchiveAdd grows the archive.
BENCHMARK(BM_CheckAgainstArchive)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LshCandidates)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_FingerprintHits)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ArchiveAdd)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_ArchiveAddBatch)->Arg(1)->Arg(200)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AddSketchOnly)->Unit(benchmark::kMicrosecond)->UseRealTime();

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Fixture& f = fixture();
  benchmark::AddCustomContext("corpus", corpus_dir().string());
  benchmark::AddCustomContext("archive", f.archive->path().string());
  benchmark::AddCustomContext("archive_documents", std::to_string(f.archived));
  benchmark::AddCustomContext("archive_utf8_bytes", std::to_string(f.archived_utf8));
  benchmark::AddCustomContext("archive_build_seconds", std::to_string(f.setup_seconds));
  benchmark::AddCustomContext("archive_build_docs_per_second", std::to_string(double(f.archived) / f.setup_seconds));
  benchmark::AddCustomContext("queries", std::to_string(f.queries.size()));
  benchmark::AddCustomContext("queries_utf8_bytes", std::to_string(f.queries_utf8));
  benchmark::AddCustomContext("files_skipped", std::to_string(f.skipped));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
