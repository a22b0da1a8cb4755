// Decoding and normalization throughput on the national government work reports.
//
//   BM_FindInvalidUtf8   leitong::find_invalid_utf8, the validation alone (name patterns, web pages).
//   BM_DecodeUtf8        leitong::decode_utf8: UTF-8 bytes → code points, validated in the same pass.
//   BM_ExtractBytes      leitong::extract_bytes: sniffing, validation, decoding and the
//                        letters/controls census — extract_file without the file read.
//   BM_Normalize/steps:S leitong::normalize with the steps of bit mask S on (1 NFKC, 2 case folding,
//                        4 punctuation, 8 whitespace dropping, 16 digit masking) and every other
//                        switch off: 0 is all off (the bare copy into NormalizedText with its offset
//                        map), 31 all five on; -1 is NormalizeParams{} (the library defaults, which
//                        also include any step added to NormalizeParams after these five).
//
// Every iteration processes the whole corpus. bytes_per_second is the UTF-8 size of the input: the
// file bytes (minus any BOM), which for these UTF-8 files is also the UTF-8 size of the extracted
// text BM_Normalize takes; docs/s counts reports; per_char is CPU time per extracted code point.
//
// Corpus: $LEITONG_CORPUS_DIR (a folder of *.txt reports) if set, else
// LEITONG_SHARED_CORPORA/gov-work-reports, else LEITONG_SOURCE_DIR/corpora/gov-work-reports.

#include "bench_corpus.h"

#include <leitong/core/normalize.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <type_traits>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using leitong::bench::corpus_dir;

struct Doc {
  std::string name;
  std::string bytes;  // file content, any UTF-8 byte-order mark removed
  std::u32string text;
};

struct Corpus {
  std::vector<Doc> docs;
  std::size_t bytes = 0, chars = 0;
};

const Corpus& corpus() {
  static const Corpus c = [] {
    Corpus out;
    const std::vector<fs::path> files = leitong::bench::corpus_files("bench_normalize");
    for (const auto& f : files) {
      Doc d;
      d.name = f.string();
      std::ifstream in(f, std::ios::binary);
      d.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      if (d.bytes.starts_with("\xEF\xBB\xBF")) d.bytes.erase(0, 3);
      d.text = leitong::extract_file(f).text;
      out.bytes += d.bytes.size();
      out.chars += d.text.size();
      out.docs.push_back(std::move(d));
    }
    return out;
  }();
  return c;
}

void set_counters(benchmark::State& state, const Corpus& c) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
  state.counters["docs/s"] = benchmark::Counter(double(c.docs.size()), benchmark::Counter::kIsIterationInvariantRate);
  state.counters["per_char"] = benchmark::Counter(
      double(c.chars), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_FindInvalidUtf8(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state)
    for (const Doc& d : c.docs) benchmark::DoNotOptimize(leitong::find_invalid_utf8(d.bytes));
  set_counters(state, c);
}

void BM_DecodeUtf8(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      std::u32string text = leitong::decode_utf8(d.bytes, d.name);
      benchmark::DoNotOptimize(text.data());
    }
  }
  set_counters(state, c);
}

void BM_ExtractBytes(benchmark::State& state) {
  const Corpus& c = corpus();
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      leitong::ExtractedText text = leitong::extract_bytes(d.bytes, d.name);
      benchmark::DoNotOptimize(text.text.data());
    }
  }
  set_counters(state, c);
}

// The five steps of bit mask `mask` on and every other switch off, including any switch added to
// NormalizeParams later; mask -1: the library defaults.
leitong::NormalizeParams steps(std::int64_t mask) {
  static_assert(std::is_trivially_copyable_v<leitong::NormalizeParams>);
  leitong::NormalizeParams p;
  if (mask < 0) return p;
  std::memset(static_cast<void*>(&p), 0, sizeof p);  // all switches are bools: all off
  p.nfkc = mask & 1;
  p.fold_case = mask & 2;
  p.canonical_punctuation = mask & 4;
  p.drop_whitespace = mask & 8;
  p.mask_digits = mask & 16;
  return p;
}

void BM_Normalize(benchmark::State& state) {
  const Corpus& c = corpus();
  const leitong::NormalizeParams params = steps(state.range(0));
  static const char* const kNames[] = {"nfkc", "case", "punct", "space", "digits"};
  std::string label;
  for (int b = 0; b < 5; ++b)
    if (state.range(0) >> b & 1) {
      if (!label.empty()) label += '+';
      label += kNames[b];
    }
  state.SetLabel(state.range(0) < 0 ? "library defaults" : label.empty() ? "all off" : label);
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      leitong::NormalizedText n = leitong::normalize(d.text, params);
      benchmark::DoNotOptimize(n.chars.data());
    }
  }
  set_counters(state, c);
}

}  // namespace

BENCHMARK(BM_FindInvalidUtf8)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_DecodeUtf8)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExtractBytes)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Normalize)->ArgName("steps")->Arg(0)->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(31)->Arg(-1)->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const Corpus& c = corpus();
  benchmark::AddCustomContext("corpus", corpus_dir().string());
  benchmark::AddCustomContext("corpus_reports", std::to_string(c.docs.size()));
  benchmark::AddCustomContext("corpus_utf8_bytes", std::to_string(c.bytes));
  benchmark::AddCustomContext("corpus_chars", std::to_string(c.chars));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
