#!/usr/bin/env python3
"""Compares the Google Benchmark programs of two builds on the same machine, in the same run.

    bench/compare_builds.py BUILD_A BUILD_B [--rounds 4] [--programs bench_sketch bench_align ...]
                            [--filter REGEX] [--min-time 0.1]

Each round runs every program of A, then of B (the order flips every round, so that a drift in
the machine's load hits both alike), each with --benchmark_repetitions=3 and its median kept. The
table gives, per benchmark, the median over rounds of A and of B (CPU time) and the ratio B / A
with its range over rounds; a ratio whose range includes 1.00 is within the noise of this machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile


def run(program, flt, min_time):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        path = out.name
    args = [program, "--benchmark_repetitions=3", "--benchmark_report_aggregates_only=true",
            f"--benchmark_min_time={min_time}", f"--benchmark_out={path}",
            "--benchmark_out_format=json"]
    if flt:
        args.append(f"--benchmark_filter={flt}")
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(path) as f:
        data = json.load(f)
    os.unlink(path)
    return {b["run_name"]: b["cpu_time"] for b in data["benchmarks"]
            if b.get("aggregate_name") == "median"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_a")
    parser.add_argument("build_b")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--programs", nargs="+",
                        default=["bench_sketch", "bench_normalize", "bench_align", "bench_archive"])
    parser.add_argument("--filter", default="")
    parser.add_argument("--min-time", default="0.1")
    o = parser.parse_args()
    results = {"a": {}, "b": {}}
    for r in range(o.rounds):
        order = [("a", o.build_a), ("b", o.build_b)]
        if r % 2:
            order.reverse()
        for side, build in order:
            for program in o.programs:
                path = os.path.join(build, "bench", program)
                for name, cpu in run(path, o.filter, o.min_time).items():
                    results[side].setdefault(name, []).append(cpu)
        print(f"round {r + 1} of {o.rounds} done", file=sys.stderr)
    print(f"{'benchmark':60s} {'A (cpu)':>12s} {'B (cpu)':>12s} {'B/A':>6s}  range over rounds")
    for name, a_times in results["a"].items():
        b_times = results["b"].get(name)
        if not b_times:
            continue
        ratios = [b / a for a, b in zip(a_times, b_times) if a > 0]
        print(f"{name:60s} {statistics.median(a_times):12.4g} {statistics.median(b_times):12.4g} "
              f"{statistics.median(ratios):6.2f}  {min(ratios):.2f}-{max(ratios):.2f}")


if __name__ == "__main__":
    main()
