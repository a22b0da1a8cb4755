#!/usr/bin/env python3
"""leitong.dask.clusters on LocalClusters of 1, 2 and 4 worker processes against
`leitong clusters --across-years --format json` on the same archive, measured in the same run.

For each archive (the laws corpus, and synthetic archives of the sizes asked for), the script
builds it with the CLI when missing (under --work, reused afterwards), runs the CLI once, then the
Dask pipeline --repeat times per worker count, checks that every result equals the CLI's (clusters,
members and their order, counts), and prints the median wall time of each stage, the total, and
the speed-up against one worker. It also prints the per-document and per-pair costs that
docs/scale.md extrapolates from. Results go to --out (JSON) as well.

    PYTHONPATH=build-py/python /usr/bin/python3 bench/dask_clusters.py --bin build-py/leitong \\
        --work /tmp/dask-bench --sizes 100000 --workers "1 2 4" --repeat 1

The laws archive: one document per .md file under --laws (not _index.md), its folder as the
agency, the year of the version date in its name (名称(YYYY-MM-DD).md) or 2024 without one, as
reports, so that --across-years joins the dated versions of one law.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run(cmd: list, **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)
    return time.perf_counter() - start


def build_laws(binary: Path, work: Path, laws: Path) -> Path:
    folder = work / "laws"
    db = folder / "a.db"
    if db.exists():
        return db
    folder.mkdir(parents=True, exist_ok=True)
    files = sorted(p for p in laws.resolve().rglob("*.md") if p.name != "_index.md")
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["path", "agency", "year", "kind"])
        for path in files:
            dated = re.search(r"\((\d{4})-\d{2}-\d{2}\)\.md$", path.name)
            writer.writerow([str(path), path.parent.name, dated.group(1) if dated else "2024", "report"])
    seconds = run([binary, "add", "-q", "--batch", "5000", "--archive", db, "--manifest", folder / "manifest.csv"])
    print(f"laws: {len(files)} files added in {seconds:.1f} s", file=sys.stderr)
    return db


def build_synthetic(binary: Path, work: Path, size: int, corpora: Path) -> Path:
    folder = work / f"synth-{size}"
    db = folder / "a.db"
    if db.exists():
        return db
    agencies = max(1, size // 5)
    synth = run([binary, "synth", "--agencies", agencies, "--years", 5, "--seed", 1, "--corpora", corpora,
                 "--out", folder, "-q"])
    add = run([binary, "add", "-q", "--batch", "20000", "--archive", db, "--manifest", folder / "manifest.csv"])
    print(f"synthetic {size}: synth {synth:.1f} s, add {add:.1f} s", file=sys.stderr)
    return db


def cli_clusters(binary: Path, db: Path) -> tuple:
    start = time.perf_counter()
    out = subprocess.run([str(binary), "clusters", "--archive", str(db), "--across-years", "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out), time.perf_counter() - start


def dask_runs(db: Path, workers: int, partitions: int, repeats: int, expected: dict) -> dict:
    import distributed

    import leitong.dask

    runs = []
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        for _ in range(repeats):
            stats: dict = {}
            start = time.perf_counter()
            result = leitong.dask.clusters(db, client=client, across_years=True, partitions=partitions or None,
                                           stats=stats)
            stats["total"] = time.perf_counter() - start
            stats["equal_to_cli"] = result == expected
            stats["same_member_sets"] = (
                [sorted(m["id"] for m in c["members"]) for c in result["clusters"]]
                == [sorted(m["id"] for m in c["members"]) for c in expected["clusters"]])
            runs.append(stats)
    stages = list(runs[0]["stages"])
    return {
        "workers": workers,
        "partitions": runs[0]["partitions"],
        "equal_to_cli": all(r["equal_to_cli"] for r in runs),
        "same_member_sets": all(r["same_member_sets"] for r in runs),
        "total": statistics.median(r["total"] for r in runs),
        "stages": {s: statistics.median(r["stages"][s]["seconds"] for r in runs) for s in stages},
        "rows": {s: runs[0]["stages"][s].get("rows") for s in stages},
        "aligned": runs[0]["stages"]["verified_pairs"].get("aligned"),
        "confirmed": runs[0]["stages"]["verified_pairs"].get("confirmed"),
        "runs": runs,
    }


def matches_runs(path_a: Path, path_b: Path, workers: int, partitions: int, repeats: int) -> dict:
    import distributed

    import leitong.dask

    runs, results = [], []
    with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        for _ in range(repeats):
            stats: dict = {}
            start = time.perf_counter()
            results.append(leitong.dask.matches(path_a, path_b, client=client, partitions=partitions or None,
                                                stats=stats))
            stats["total"] = time.perf_counter() - start
            runs.append(stats)
    stages = list(runs[0]["stages"])
    return {
        "workers": workers,
        "total": statistics.median(r["total"] for r in runs),
        "stages": {s: statistics.median(r["stages"][s]["seconds"] for r in runs) for s in stages},
        "rows": {s: runs[0]["stages"][s].get("rows") for s in stages},
        "matches": len(results[0]["matches"]),
        "result": results[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", type=Path, default=REPO / "build-py" / "leitong")
    parser.add_argument("--work", type=Path, default=Path("/tmp/dask-bench"))
    parser.add_argument("--laws", type=Path, default=REPO.parent / "shared" / "corpora" / "laws",
                        help="the laws corpus (skipped when missing or with --no-laws)")
    parser.add_argument("--no-laws", action="store_true")
    parser.add_argument("--sizes", default="100000", help="synthetic archive sizes in reports ('' for none)")
    parser.add_argument("--workers", default="1 2 4")
    parser.add_argument("--partitions", type=int, default=0, help="partitions per stage (0: four per worker)")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--matches", type=int, default=0, metavar="N",
                        help="also time matches(laws archive, synthetic archive of N reports) per worker count")
    parser.add_argument("--out", type=Path, default=None, help="JSON results (default WORK/results.json)")
    args = parser.parse_args()

    args.work.mkdir(parents=True, exist_ok=True)
    corpora = args.work / "corpora"
    corpora.mkdir(exist_ok=True)
    for name, target in (("reports", REPO / "corpora" / "reports"),
                         ("gov-work-reports", REPO / "corpora" / "gov-work-reports"),
                         ("laws", args.laws.resolve())):
        link = corpora / name
        if target.exists() and not link.exists():
            link.symlink_to(target)

    archives = []
    if not args.no_laws and args.laws.exists():
        archives.append(("laws", build_laws(args.bin, args.work, args.laws)))
    for size in args.sizes.split():
        archives.append((f"synthetic {int(size):,}", build_synthetic(args.bin, args.work, int(size), corpora)))

    results = []
    for name, db in archives:
        expected, cli_seconds = cli_clusters(args.bin, db)
        entry = {"archive": name, "path": str(db), "cli_seconds": cli_seconds,
                 "clusters": len(expected["clusters"]), "candidate_pairs": expected["candidate_pairs"],
                 "aligned_pairs": expected["aligned_pairs"], "confirmed_pairs": expected["confirmed_pairs"],
                 "dask": []}
        print(f"== {name}: CLI {cli_seconds:.1f} s, {entry['clusters']} clusters, "
              f"{expected['candidate_pairs']} candidate / {expected['aligned_pairs']} aligned / "
              f"{expected['confirmed_pairs']} confirmed pairs", file=sys.stderr)
        for workers in [int(w) for w in args.workers.split()]:
            measured = dask_runs(db, workers, args.partitions, args.repeat, expected)
            entry["dask"].append(measured)
            stages = ", ".join(f"{s} {t:.1f}" for s, t in measured["stages"].items())
            print(f"   {workers} worker(s), {measured['partitions']} partitions: {measured['total']:.1f} s "
                  f"({stages}); equal to the CLI: {measured['equal_to_cli']}", file=sys.stderr)
        results.append(entry)

    matches = []
    if args.matches and archives and archives[0][0] == "laws":
        synth = build_synthetic(args.bin, args.work, args.matches, corpora)
        for workers in [int(w) for w in args.workers.split()]:
            measured = matches_runs(archives[0][1], synth, workers, args.partitions, args.repeat)
            matches.append(measured)
            if measured["result"] != matches[0]["result"]:
                print("matches differ between worker counts", file=sys.stderr)
                return 1
            stages = ", ".join(f"{s} {t:.1f}" for s, t in measured["stages"].items())
            print(f"   matches(laws, synthetic {args.matches:,}), {workers} worker(s): {measured['total']:.1f} s "
                  f"({stages}); rows {measured['rows']}; {measured['matches']} matches", file=sys.stderr)

    # The table of bench/README.md, and the per-document costs of docs/scale.md (one worker).
    print("| archive | reports | CLI | workers | band keys | candidate pairs | unique pairs | verified pairs "
          "| components | total | speed-up vs 1 worker | equal to the CLI |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for entry in results:
        base = entry["dask"][0]["total"]
        for d in entry["dask"]:
            s = d["stages"]
            print(f"| {entry['archive']} | {d['rows']['band_keys'] // 32:,} | {entry['cli_seconds']:.1f} s "
                  f"| {d['workers']} | {s['band_keys']:.1f} | {s['candidate_pairs']:.1f} | {s['unique_pairs']:.1f} "
                  f"| {s['verified_pairs']:.1f} | {s['components']:.2f} | {d['total']:.1f} s "
                  f"| {base / d['total']:.2f} | {'yes' if d['equal_to_cli'] else 'NO'} |")
    print()
    for entry in results:
        one = next((d for d in entry["dask"] if d["workers"] == 1), None)
        if one is None:
            continue
        reports = one["rows"]["band_keys"] // 32
        pairs = one["rows"]["unique_pairs"] or 1
        print(f"{entry['archive']} (1 worker): band keys {1e3 * one['stages']['band_keys'] / reports:.2f} ms/report; "
              f"shuffle of keys + pairs {1e6 * one['stages']['candidate_pairs'] / one['rows']['band_keys']:.2f} us/key row "
              f"({one['rows']['band_keys']:,} rows -> {one['rows']['candidate_pairs']:,} pairs); "
              f"unique {1e6 * one['stages']['unique_pairs'] / max(1, one['rows']['candidate_pairs']):.2f} us/pair; "
              f"verify {1e3 * one['stages']['verified_pairs'] / pairs:.3f} ms/candidate pair "
              f"({one['aligned']:,} aligned, {one['confirmed']:,} confirmed); "
              f"components {one['stages']['components']:.2f} s")
    out = args.out or args.work / "results.json"
    for m in matches:
        print(f"matches(laws, synthetic {args.matches:,}), {m['workers']} worker(s): {m['total']:.1f} s; "
              + ", ".join(f"{s} {t:.1f} s ({m['rows'][s]:,} rows)" for s, t in m["stages"].items())
              + f"; {m['matches']:,} matches")
    for m in matches:
        m.pop("result")
    out.write_text(json.dumps({"clusters": results, "matches": matches}, indent=1, ensure_ascii=False))
    print(f"\n(results in {out})", file=sys.stderr)
    return 0 if all(d["equal_to_cli"] for e in results for d in e["dask"]) else 1


if __name__ == "__main__":
    sys.exit(main())
