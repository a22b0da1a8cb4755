// Passage alignment (leitong::align, leitong::align_self) on the national government work reports.
//
//   BM_AlignRecycled          align(recycled copy of the 2019 report, the 2019 report): the copy has
//                             every digit changed (years, figures) and every 6th line replaced by
//                             the same line of the 1957 report — a "recycled" report, mostly copied.
//   BM_AlignUnrelated         align(2019 report, 1957 report): little in common but boilerplate.
//   BM_AlignSelf              align_self(2019 report): repetition inside one report.
//   BM_AlignSelfRepeated/N    align_self of a 5,000-character slice of it repeated N times: the
//                             work grows linearly with N (a shingle seen more than 64 times seeds
//                             from its nearest earlier occurrence only).
//   BM_AlignConsecutiveYears  align(report of year Y, report of the previous year in the corpus)
//                             for every consecutive pair: the year-over-year workload.
//
// Sketches (make_sketch, see bench_sketch) are made once beforehand; only alignment is timed.
// Counters: docs/s counts query documents aligned; bytes_per_second is the UTF-8 size of the query
// documents' extracted text; passages and matched_share (matched normalized characters / query
// normalized characters) are per-iteration results, printed as a sanity check.
//
// Corpus: $LEITONG_CORPUS_DIR (a folder of YEAR.txt reports) if set, else
// LEITONG_SHARED_CORPORA/gov-work-reports, else LEITONG_SOURCE_DIR/corpora/gov-work-reports.

#include "bench_corpus.h"

#include <leitong/core/align.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr const char* kQueryYear = "2019";
constexpr const char* kUnrelatedYear = "1957";

using leitong::bench::corpus_dir;

struct Doc {
  std::string name;
  std::u32string text;
  std::size_t utf8 = 0;
  leitong::Sketch sketch;
};

Doc make_doc(std::string name, std::u32string text) {
  Doc d;
  d.name = std::move(name);
  d.text = std::move(text);
  d.utf8 = leitong::encode_utf8(d.text).size();
  d.sketch = leitong::make_sketch(d.text);
  return d;
}

std::vector<std::u32string> split_lines(const std::u32string& text) {
  std::vector<std::u32string> lines;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find(U'\n', at);
    if (end == std::u32string::npos) end = text.size();
    lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

// Deterministic recycling: every digit d becomes (d + 1) mod 10 and every 6th line (counting from
// the 4th) is replaced by the line with the same index in `other` (or dropped if `other` is shorter).
std::u32string recycle(const std::u32string& text, const std::u32string& other) {
  std::vector<std::u32string> lines = split_lines(text);
  const std::vector<std::u32string> replacement = split_lines(other);
  std::u32string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::u32string line = i % 6 == 3 ? (i < replacement.size() ? replacement[i] : std::u32string()) : lines[i];
    for (char32_t& c : line)
      if (c >= U'0' && c <= U'9') c = U'0' + (c - U'0' + 1) % 10;
    out += line;
    if (i + 1 < lines.size()) out += U'\n';
  }
  return out;
}

struct Corpus {
  std::vector<Doc> years;  // sorted by file name (year)
  std::size_t query_index = 0, unrelated_index = 0;
  Doc recycled;
  const Doc& query() const { return years[query_index]; }
  const Doc& unrelated() const { return years[unrelated_index]; }
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    const std::vector<fs::path> files = leitong::bench::corpus_files("bench_align");
    for (const auto& f : files) out.years.push_back(make_doc(f.stem().string(), leitong::extract_file(f).text));
    bool have_query = false, have_unrelated = false;
    for (std::size_t i = 0; i < out.years.size(); ++i) {
      if (out.years[i].name == kQueryYear) out.query_index = i, have_query = true;
      if (out.years[i].name == kUnrelatedYear) out.unrelated_index = i, have_unrelated = true;
    }
    if (!have_query || !have_unrelated) {
      std::fprintf(stderr, "bench_align: %s.txt and %s.txt needed in %s (set LEITONG_CORPUS_DIR)\n", kQueryYear,
                   kUnrelatedYear, corpus_dir().c_str());
      std::exit(1);
    }
    out.recycled = make_doc("recycled", recycle(out.query().text, out.unrelated().text));
    return out;
  }();
  return c;
}

const int kShingleN = leitong::SketchParams{}.shingle.n;

void report(benchmark::State& state, std::size_t docs, std::size_t utf8, std::size_t passages, std::size_t matched,
            std::size_t query_chars) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * utf8));
  state.counters["docs/s"] = benchmark::Counter(double(docs), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["passages"] = double(passages);
  state.counters["matched_share"] = query_chars ? double(matched) / double(query_chars) : 0.0;
}

std::size_t matched_chars(const std::vector<leitong::AlignedPassage>& passages) {
  std::size_t m = 0;
  for (const auto& p : passages) m += p.matched;
  return m;
}

void align_pair(benchmark::State& state, const Doc& query, const Doc& source) {
  std::vector<leitong::AlignedPassage> passages;
  for (auto _ : state) {
    passages = leitong::align(query.sketch, source.sketch, kShingleN);
    benchmark::DoNotOptimize(passages.data());
  }
  report(state, 1, query.utf8, passages.size(), matched_chars(passages), query.sketch.normalized.size());
}

void BM_AlignRecycled(benchmark::State& state) {
  const Corpus& c = corpus();
  align_pair(state, c.recycled, c.query());
}

void BM_AlignUnrelated(benchmark::State& state) {
  const Corpus& c = corpus();
  align_pair(state, c.query(), c.unrelated());
}

void BM_AlignSelf(benchmark::State& state) {
  const Corpus& c = corpus();
  std::vector<leitong::AlignedPassage> passages;
  for (auto _ : state) {
    passages = leitong::align_self(c.query().sketch, kShingleN);
    benchmark::DoNotOptimize(passages.data());
  }
  report(state, 1, c.query().utf8, passages.size(), matched_chars(passages), c.query().sketch.normalized.size());
}

void BM_AlignSelfRepeated(benchmark::State& state) {
  const Corpus& c = corpus();
  static std::map<int, std::pair<leitong::Sketch, std::size_t>> sketches;  // by copies
  const auto copies = static_cast<int>(state.range(0));
  auto& [sketch, utf8] = sketches[copies];
  if (sketch.shingles.empty()) {
    const std::u32string& whole = c.query().text;
    const std::u32string unit = whole.substr(0, std::min<std::size_t>(5000, whole.size()));
    std::u32string text;
    for (int k = 0; k < copies; ++k) text += unit;
    sketch = leitong::make_sketch(text);
    utf8 = leitong::encode_utf8(text).size();
  }
  std::vector<leitong::AlignedPassage> passages;
  for (auto _ : state) {
    passages = leitong::align_self(sketch, kShingleN);
    benchmark::DoNotOptimize(passages.data());
  }
  report(state, 1, utf8, passages.size(), matched_chars(passages), sketch.normalized.size());
}

void BM_AlignConsecutiveYears(benchmark::State& state) {
  const Corpus& c = corpus();
  std::size_t utf8 = 0, chars = 0, passages = 0, matched = 0;
  for (std::size_t i = 1; i < c.years.size(); ++i) {
    utf8 += c.years[i].utf8;
    chars += c.years[i].sketch.normalized.size();
  }
  for (auto _ : state) {
    passages = matched = 0;
    for (std::size_t i = 1; i < c.years.size(); ++i) {
      auto found = leitong::align(c.years[i].sketch, c.years[i - 1].sketch, kShingleN);
      passages += found.size();
      matched += matched_chars(found);
      benchmark::DoNotOptimize(found.data());
    }
  }
  report(state, c.years.size() - 1, utf8, passages, matched, chars);
}

}  // namespace

BENCHMARK(BM_AlignRecycled)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AlignUnrelated)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AlignSelf)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AlignSelfRepeated)->Arg(2)->Arg(64)->Arg(65)->Arg(256)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AlignConsecutiveYears)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const Corpus& c = corpus();
  benchmark::AddCustomContext("corpus", corpus_dir().string());
  benchmark::AddCustomContext("query", std::string(kQueryYear) + ".txt, " + std::to_string(c.query().text.size()) +
                                           " chars, " + std::to_string(c.query().sketch.normalized.size()) +
                                           " normalized");
  benchmark::AddCustomContext("unrelated", std::string(kUnrelatedYear) + ".txt, " +
                                               std::to_string(c.unrelated().text.size()) + " chars");
  benchmark::AddCustomContext("recycled_chars", std::to_string(c.recycled.text.size()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
