// Sketching throughput on the national government work reports (corpora/gov-work-reports).
//
// Every benchmark processes the whole corpus (all reports) once per iteration, on the same text in
// the same run, so their rates compare directly:
//   BM_HashWindows            XXH3_64bits_withSeed of every n = 5 code-point window of the
//                             normalized text, inlined (XXH_INLINE_ALL, as lib/src/core/shingle.cpp
//                             compiles it), nothing else: the ceiling for any sketch.
//   BM_HashWindowsLinked      the same through the shared libxxhash (an out-of-line call per
//                             window), to show what inlining saves.
//   BM_ShingleHashes          leitong::shingle_hashes (the library's version of the loop above).
//   BM_Sketch                 what Archive::add computes from normalized text: shingle hashes +
//                             one-permutation MinHash-128 + SimHash-64 (leitong::hash_normalized,
//                             the fused pass make_sketch runs).
//   BM_SketchSeparate         the same values from three separate passes (shingle_hashes, minhash,
//                             simhash), to show what the fused pass saves.
//   BM_MinHashOnePermutationDirect, BM_MinHashOnePermutation, BM_MinHashClassic, BM_SimHash,
//   BM_Winnow
//                             one step each, on precomputed shingle hashes.
//   BM_MakeSketch             leitong::make_sketch from extracted text: normalization, shingles,
//                             MinHash, SimHash and winnowing, allocations included.
//
// The argument `chunk` cuts every report into pieces of that many extracted code points before
// normalizing (0: whole reports, ~20,000 characters each); 5,000 is the size of a typical agency
// report, where MinHash densification and per-document allocations weigh more.
//
// Counters: bytes_per_second is the UTF-8 size of the text the benchmark covers — the normalized
// text for the benchmarks that take normalized text or its shingles, the extracted text for
// BM_MakeSketch (its input); docs/s counts documents (reports or chunks); per_shingle is the CPU time
// per shingle hash (one per normalized code point, minus n - 1 per document).
//
// Corpus: $LEITONG_CORPUS_DIR (a folder of *.txt reports) if set, else
// LEITONG_SHARED_CORPORA/gov-work-reports, else LEITONG_SOURCE_DIR/corpora/gov-work-reports.

#include "bench_corpus.h"

#include <leitong/core/fingerprint.h>
#include <leitong/core/minhash.h>
#include <leitong/core/normalize.h>
#include <leitong/core/shingle.h>
#include <leitong/core/simd.h>
#include <leitong/core/simhash.h>
#include <leitong/core/sketch.h>
#include <leitong/core/text.h>
#include <leitong/extract/extract.h>

#include <benchmark/benchmark.h>

#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

// The linked (libxxhash) XXH3, captured before xxhash.h is included a second time with
// XXH_INLINE_ALL, which renames the inlined copy (the one lib/src/core/shingle.cpp uses).
static XXH64_hash_t linked_xxh3_64_with_seed(const void* data, std::size_t len, XXH64_hash_t seed) {
  return XXH3_64bits_withSeed(data, len, seed);
}
#define XXH_INLINE_ALL
#include <xxhash.h>
#undef XXH_INLINE_ALL

namespace {

namespace fs = std::filesystem;

using leitong::bench::corpus_dir;

struct Doc {
  std::u32string extracted;
  std::size_t extracted_utf8 = 0;
  leitong::NormalizedText normalized;
  std::size_t normalized_utf8 = 0;
  std::vector<std::uint64_t> shingles;
};

struct Corpus {
  std::vector<Doc> docs;
  std::size_t extracted_utf8 = 0, normalized_utf8 = 0, shingles = 0;
};

std::vector<std::u32string> load_reports() {
  const std::vector<fs::path> files = leitong::bench::corpus_files("bench_sketch");
  std::vector<std::u32string> texts;
  for (const auto& f : files) texts.push_back(leitong::extract_file(f).text);
  return texts;
}

// Loaded and normalized once per chunk size; every benchmark reads the same texts.
const Corpus& corpus(std::size_t chunk) {
  static const std::vector<std::u32string> reports = load_reports();
  static std::map<std::size_t, Corpus> cache;
  auto found = cache.find(chunk);
  if (found != cache.end()) return found->second;
  Corpus c;
  for (const std::u32string& report : reports) {
    const std::size_t step = chunk == 0 ? report.size() : chunk;
    for (std::size_t at = 0; at < report.size(); at += step) {
      Doc d;
      d.extracted = report.substr(at, step);
      d.extracted_utf8 = leitong::encode_utf8(d.extracted).size();
      d.normalized = leitong::normalize(d.extracted);
      d.normalized_utf8 = leitong::encode_utf8(d.normalized.chars).size();
      d.shingles = leitong::shingle_hashes(d.normalized.chars);
      c.extracted_utf8 += d.extracted_utf8;
      c.normalized_utf8 += d.normalized_utf8;
      c.shingles += d.shingles.size();
      c.docs.push_back(std::move(d));
    }
  }
  return cache.emplace(chunk, std::move(c)).first->second;
}

std::size_t chunk_of(const benchmark::State& state) { return static_cast<std::size_t>(state.range(0)); }

void set_counters(benchmark::State& state, const Corpus& c, std::size_t bytes_per_iteration) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes_per_iteration));
  state.counters["docs/s"] = benchmark::Counter(double(c.docs.size()), benchmark::Counter::kIsIterationInvariantRate);
  // Inverted rate: seconds per shingle (printed as e.g. "3.4ns").
  state.counters["per_shingle"] = benchmark::Counter(
      double(c.shingles), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

constexpr std::size_t kN = static_cast<std::size_t>(leitong::ShingleParams{}.n);
constexpr std::uint64_t kSeed = leitong::ShingleParams{}.seed;

void BM_HashWindowsLinked(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  std::vector<std::uint64_t> out;
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      const std::size_t count = d.normalized.size() >= kN ? d.normalized.size() - kN + 1 : 0;
      out.resize(count);
      const char32_t* data = d.normalized.chars.data();
      for (std::size_t i = 0; i < count; ++i)
        out[i] = linked_xxh3_64_with_seed(data + i, kN * sizeof(char32_t), kSeed);
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

void BM_HashWindows(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  std::vector<std::uint64_t> out;
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      const std::size_t count = d.normalized.size() >= kN ? d.normalized.size() - kN + 1 : 0;
      out.resize(count);
      const char32_t* data = d.normalized.chars.data();
      for (std::size_t i = 0; i < count; ++i) out[i] = XXH3_64bits_withSeed(data + i, kN * sizeof(char32_t), kSeed);
      benchmark::DoNotOptimize(out.data());
      benchmark::ClobberMemory();
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

void BM_ShingleHashes(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      auto hashes = leitong::shingle_hashes(d.normalized.chars);
      benchmark::DoNotOptimize(hashes.data());
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

// Archive::add's sketch minus normalization and winnowing: exactly the calls make_sketch makes.
void BM_Sketch(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  const leitong::SketchParams params;
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      leitong::Sketch sketch;
      leitong::hash_normalized(d.normalized.chars, params, sketch);
      benchmark::DoNotOptimize(sketch.minhash.data());
      benchmark::DoNotOptimize(sketch.simhash);
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

// The same three values from three passes over the hash vector.
void BM_SketchSeparate(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  const leitong::SketchParams params;
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      std::vector<std::uint64_t> shingles = leitong::shingle_hashes(d.normalized.chars, params.shingle);
      leitong::MinHashSignature signature = leitong::minhash(shingles, params.minhash);
      std::uint64_t fingerprint = leitong::simhash(shingles);
      benchmark::DoNotOptimize(signature.data());
      benchmark::DoNotOptimize(fingerprint);
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

// MinHash of each document's precomputed shingle hashes, one variant.
void run_minhash(benchmark::State& state, leitong::MinHashVariant variant) {
  const Corpus& c = corpus(chunk_of(state));
  leitong::MinHashParams params;
  params.variant = variant;
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      auto signature = leitong::minhash(d.shingles, params);
      benchmark::DoNotOptimize(signature.data());
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

void BM_MinHashOnePermutationDirect(benchmark::State& state) {
  run_minhash(state, leitong::MinHashVariant::kOnePermutationDirect);
}
void BM_MinHashOnePermutation(benchmark::State& state) {
  run_minhash(state, leitong::MinHashVariant::kOnePermutation);
}
void BM_MinHashClassic(benchmark::State& state) { run_minhash(state, leitong::MinHashVariant::kClassic); }

void BM_SimHash(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      std::uint64_t fingerprint = leitong::simhash(d.shingles);
      benchmark::DoNotOptimize(fingerprint);
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

void BM_Winnow(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      auto fingerprints = leitong::winnow(d.shingles);
      benchmark::DoNotOptimize(fingerprints.data());
    }
  }
  set_counters(state, c, c.normalized_utf8);
}

void BM_MakeSketch(benchmark::State& state) {
  const Corpus& c = corpus(chunk_of(state));
  for (auto _ : state) {
    for (const Doc& d : c.docs) {
      leitong::Sketch sketch = leitong::make_sketch(d.extracted);
      benchmark::DoNotOptimize(sketch.minhash.data());
    }
  }
  set_counters(state, c, c.extracted_utf8);
}

void chunks(benchmark::internal::Benchmark* b) { b->ArgName("chunk")->Arg(0)->Arg(5000)->Unit(benchmark::kMillisecond); }

}  // namespace

BENCHMARK(BM_HashWindows)->Apply(chunks);
BENCHMARK(BM_HashWindowsLinked)->Apply(chunks);
BENCHMARK(BM_ShingleHashes)->Apply(chunks);
BENCHMARK(BM_Sketch)->Apply(chunks);
BENCHMARK(BM_SketchSeparate)->Apply(chunks);
BENCHMARK(BM_MinHashOnePermutationDirect)->Apply(chunks);
BENCHMARK(BM_MinHashOnePermutation)->Apply(chunks);
BENCHMARK(BM_MinHashClassic)->Apply(chunks);
BENCHMARK(BM_SimHash)->Apply(chunks);
BENCHMARK(BM_Winnow)->Apply(chunks);
BENCHMARK(BM_MakeSketch)->Apply(chunks);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // LEITONG_SIMD=portable|avx2|avx512 measures a narrower vector path of the same binary.
  if (const char* limit = std::getenv("LEITONG_SIMD"); limit && *limit) {
    const auto path = leitong::parse_simd_path(limit);
    if (!path) {
      std::fprintf(stderr, "bench_sketch: LEITONG_SIMD must be portable, avx2 or avx512\n");
      return 1;
    }
    leitong::limit_simd_path(*path);
  }
  benchmark::AddCustomContext("simd_path", std::string(leitong::simd_path_name(leitong::simd_path())));
  const Corpus& whole = corpus(0);
  // The benchmarks must hash the same thing: the inlined and the linked XXH3 and the library agree.
  for (const Doc& d : whole.docs) {
    for (std::size_t i = 0; i < d.shingles.size(); ++i) {
      const char32_t* w = d.normalized.chars.data() + i;
      if (d.shingles[i] != linked_xxh3_64_with_seed(w, kN * sizeof(char32_t), kSeed) ||
          d.shingles[i] != XXH3_64bits_withSeed(w, kN * sizeof(char32_t), kSeed)) {
        std::fprintf(stderr, "bench_sketch: shingle hash mismatch\n");
        return 1;
      }
    }
  }
  benchmark::AddCustomContext("corpus", corpus_dir().string());
  benchmark::AddCustomContext("corpus_reports", std::to_string(whole.docs.size()));
  benchmark::AddCustomContext("corpus_extracted_utf8_bytes", std::to_string(whole.extracted_utf8));
  benchmark::AddCustomContext("corpus_normalized_utf8_bytes", std::to_string(whole.normalized_utf8));
  benchmark::AddCustomContext("corpus_shingles", std::to_string(whole.shingles));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
