#!/usr/bin/env python3
"""Sketching throughput from Python (the leitong module) against the C++ library's own rate.

On the national government work reports 1954–2022 (54 reports, ~1 M characters), each report whole
(or cut into --chunk code points, as bench_sketch's argument), the same texts for every row:

  leitong.Sketch(text)             one call per text: normalization, shingles, MinHash-128,
                                   SimHash-64 and winnowed fingerprints (make_sketch), with the
                                   str -> UTF-32 conversion and the Python call around it
  leitong.signatures(texts)        one call for all texts: MinHash-128 and SimHash-64 of each (no
                                   fingerprints), threads=1 and threads=2
  datasketch MinHash(num_perm=128) the usual pure-Python MinHash, fed the same 5-character windows
                                   of leitong's normalized text (UTF-8), when datasketch is installed
  C++ BM_MakeSketch                bench_sketch's make_sketch rate on the same corpus (when the
                                   Google Benchmark program is found), and BM_Sketch (hashing only,
                                   from normalized text) for context

Rates are MB/s of the texts' UTF-8 (the extracted text; BM_Sketch: the normalized text, as
bench_sketch counts it), medians of --repeat runs. Run from the repository root:

  PYTHONPATH=build/python python3 bench/python_sketch.py [--bench build/bench/bench_sketch] [--chunk 5000]

Corpus: --corpus DIR, else $LEITONG_CORPUS_DIR, else /work/shared/corpora/gov-work-reports when
present, else corpora/gov-work-reports.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def default_corpus() -> Path:
    if os.environ.get("LEITONG_CORPUS_DIR"):
        return Path(os.environ["LEITONG_CORPUS_DIR"])
    shared = Path("/work/shared/corpora/gov-work-reports")
    return shared if shared.is_dir() else REPO / "corpora" / "gov-work-reports"


def median_seconds(run, repeat: int, clock=time.perf_counter) -> float:
    times = []
    for _ in range(repeat):
        start = clock()
        run()
        times.append(clock() - start)
    return statistics.median(times)


def cpp_rates(bench: Path, corpus: Path, chunk: int, repetitions: int = 5, sketch_only: bool = False) -> dict:
    """bytes_per_second of BM_MakeSketch and BM_Sketch at `chunk`, from bench_sketch's JSON."""
    names = [f"BM_MakeSketch/chunk:{chunk}"] + ([] if sketch_only else [f"BM_Sketch/chunk:{chunk}"])
    result = subprocess.run(
        [str(bench), f"--benchmark_filter=^({'|'.join(names)})$", "--benchmark_format=json",
         f"--benchmark_repetitions={repetitions}", "--benchmark_report_aggregates_only=true"],
        capture_output=True, text=True, check=True, env={**os.environ, "LEITONG_CORPUS_DIR": str(corpus)},
    )
    rates = {}
    for b in json.loads(result.stdout)["benchmarks"]:
        if b.get("aggregate_name") == "median":
            rates[b["run_name"]] = b["bytes_per_second"]
    return {name: rates.get(name) for name in names}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="folder of *.txt reports")
    parser.add_argument("--chunk", type=int, default=0, help="cut reports into this many code points (0: whole)")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each measurement (the median is shown)")
    parser.add_argument("--bench", type=Path, default=None,
                        help="bench_sketch program (default: build/bench/bench_sketch when present)")
    parser.add_argument("--rounds", type=int, default=0,
                        help="then alternate leitong.Sketch and BM_MakeSketch this many times, both timed "
                             "in CPU seconds, and print the ratio of each round and their median")
    args = parser.parse_args()

    import leitong

    corpus = args.corpus or default_corpus()
    reports = [leitong.extract(path)["text"] for path in sorted(corpus.glob("*.txt"))]
    if not reports:
        print(f"python_sketch: no *.txt reports in {corpus}", file=sys.stderr)
        return 1
    texts = []
    for report in reports:
        step = args.chunk or len(report)
        texts += [report[at:at + step] for at in range(0, len(report), step)]
    utf8_bytes = sum(len(t.encode("utf-8")) for t in texts)
    megabytes = utf8_bytes / 1e6

    rows = []  # (what, seconds, MB/s)

    def measure(what: str, run, repeat: int = args.repeat) -> None:
        seconds = median_seconds(run, repeat)
        rows.append((what, seconds, megabytes / seconds))

    def sketch_each() -> None:
        # Each sketch dropped before the next, as bench_sketch's loop does (and a pipeline that
        # keeps only signatures): a list of all of them times the allocator's fresh pages too.
        for t in texts:
            leitong.Sketch(t)

    measure("leitong.Sketch(text), one call per text", sketch_each)
    measure("leitong.Sketch(text), every sketch kept in a list", lambda: [leitong.Sketch(t) for t in texts])
    measure("leitong.signatures(texts, threads=1)", lambda: leitong.signatures(texts, threads=1))
    measure("leitong.signatures(texts, threads=2)", lambda: leitong.signatures(texts, threads=2))

    try:
        from datasketch import MinHash
    except ImportError:
        rows.append(("datasketch MinHash(num_perm=128): not installed, skipped", None, None))
    else:
        windows = []
        for t in texts:
            normalized = leitong.normalize(t)
            windows.append([normalized[i:i + 5].encode("utf-8") for i in range(len(normalized) - 4)])

        def datasketch_all() -> None:
            for w in windows:
                m = MinHash(num_perm=128)
                m.update_batch(w)

        measure("datasketch MinHash(num_perm=128).update_batch (windows given)", datasketch_all,
                repeat=max(1, args.repeat // 3))

    bench = args.bench or (REPO / "build" / "bench" / "bench_sketch")
    cpp = {}
    if bench.is_file():
        try:
            cpp = cpp_rates(bench, corpus, args.chunk)
        except (OSError, subprocess.CalledProcessError, ValueError) as e:
            print(f"python_sketch: {bench} did not run: {e}", file=sys.stderr)

    print(f"corpus {corpus}: {len(reports)} reports, {len(texts)} texts "
          f"({'whole reports' if not args.chunk else f'chunks of {args.chunk} code points'}), "
          f"{megabytes:.2f} MB of UTF-8; median of {args.repeat} runs\n")
    print(f"{'what':<66} {'seconds':>9} {'MB/s':>9}")
    for what, seconds, rate in rows:
        if seconds is None:
            print(what)
        else:
            print(f"{what:<66} {seconds:>9.4f} {rate:>9.1f}")
    for name, rate in cpp.items():
        label = f"C++ {name} ({bench.name}, median of 5)"
        print(f"{label:<66} {'':>9} {rate / 1e6 if rate else float('nan'):>9.1f}")
    if not cpp:
        print(f"(C++ rates: {bench} gave none; build it with -DLEITONG_BUILD_BENCH=ON or give --bench)")
    elif args.rounds:
        # A shared machine's load changes between one measurement and the next: alternating the
        # two, each on CPU time (as Google Benchmark's rate is), and taking the median of the
        # per-round ratios leaves far less of that noise in the comparison than two separate runs.
        print(f"\nleitong.Sketch(text) against C++ BM_MakeSketch, alternated, CPU time:")
        print(f"{'round':>5} {'Python MB/s':>12} {'C++ MB/s':>10} {'ratio':>7}")
        ratios = []
        for round_number in range(1, args.rounds + 1):
            python_rate = megabytes / median_seconds(sketch_each, args.repeat, time.process_time)
            cpp_rate = cpp_rates(bench, corpus, args.chunk, 3, sketch_only=True)[f"BM_MakeSketch/chunk:{args.chunk}"] / 1e6
            ratios.append(python_rate / cpp_rate)
            print(f"{round_number:>5} {python_rate:>12.1f} {cpp_rate:>10.1f} {ratios[-1]:>7.3f}")
        print(f"median ratio {statistics.median(ratios):.3f} (range {min(ratios):.3f}–{max(ratios):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
