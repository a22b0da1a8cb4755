"""Near-duplicate clusters of an archive on a dask.distributed cluster.

The result equals ``leitong clusters --format json`` (and Archive.clusters()) for the same archive
and settings; the work is cut into stages over partitions, each a pure function of its inputs that
writes its output to disk, so that a stage can be rerun alone and its output compared:

1. band keys: for each partition of the archive's reports, the LSH band keys of each report's
   MinHash signature (the library's sketch with the archive's parameters);
2. candidate pairs: for each share of the band keys (by key, modulo the partitions), the pairs of
   reports that share a bucket (of one year unless across_years), then made unique;
3. verified pairs: for each partition of the pairs, the archive's MinHash estimate and, at
   min_jaccard or more, the share of each report inside passages shared with the other;
4. components: the pairs confirmed both ways at min_ratio, joined transitively (on the client).

Each task opens the archive read-only by its path, so the workers must see the same file (a
LocalCluster, or a shared file system).

    >>> from distributed import Client, LocalCluster
    >>> import leitong.dask
    >>> with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
    ...     result = leitong.dask.clusters("reports.db", client=client, across_years=True)
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np

from . import Archive, _leitong

__all__ = ["clusters"]

# ClusterParams' defaults (analysis/clusters.h).
MIN_JACCARD = 0.3
MIN_COPY_RATIO = 0.5


def _round4(value: float) -> float:
    """The JSON writers' round4: std::round(v * 10000) / 10000 (halves away from zero)."""
    scaled = value * 10000.0
    whole = math.floor(scaled)
    return (whole + (1 if scaled - whole >= 0.5 else 0)) / 10000.0


def band_keys_stage(archive_path: str, ids: Sequence[int], year: int, output: str) -> str:
    """Stage 1: the reports among `ids` (of `year` unless 0), their years and LSH band keys."""
    with Archive(archive_path) as archive:
        kept, years, keys = archive._archive.report_band_keys(list(ids), year)
    np.savez(output, ids=kept, years=years, keys=keys)
    return output


def candidate_pairs_stage(band_key_files: Sequence[str], share: int, shares: int, across_years: bool,
                          output: str) -> str:
    """Stage 2: pairs (a < b) of reports sharing a bucket whose key is `share` modulo `shares`."""
    buckets: Dict[int, List[int]] = {}
    year_of: Dict[int, int] = {}
    for path in band_key_files:
        with np.load(path) as part:
            ids, years, keys = part["ids"], part["years"], part["keys"]
        for row, doc in enumerate(ids.tolist()):
            year_of[doc] = int(years[row])
            for key in keys[row].tolist():
                if key % shares == share:
                    buckets.setdefault(key, []).append(doc)
    pairs = set()
    for members in buckets.values():
        members = sorted(set(members))
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if across_years or year_of[a] == year_of[b]:
                    pairs.add((a, b))
    array = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    np.save(output, array)
    return output


def verified_pairs_stage(archive_path: str, pairs_file: str, first: int, last: int, min_jaccard: float,
                         output: str) -> str:
    """Stage 3: rows [first, last) of the unique pairs, each with its MinHash estimate and the
    shares of a in b and b in a (NaN below min_jaccard)."""
    pairs = np.load(pairs_file)[first:last]
    with Archive(archive_path) as archive:
        estimate, a_in_b, b_in_a = archive._archive.pair_scores(
            pairs[:, 0].tolist(), pairs[:, 1].tolist(), min_jaccard)
    np.savez(output, pairs=pairs, estimate=estimate, a_in_b=a_in_b, b_in_a=b_in_a)
    return output


def _components(verified_files: Sequence[str], documents: Dict[int, Dict[str, Any]], candidate_pairs: int,
                min_jaccard: float, min_ratio: float) -> dict:
    """Stage 4: confirmed pairs joined transitively, as find_clusters does, in the same order (so
    that clusters of equal size and ratio come out in the same order too)."""
    confirmed: Dict[tuple, float] = {}
    aligned = 0
    for path in verified_files:
        with np.load(path) as part:
            for (a, b), estimate, ab, ba in zip(part["pairs"].tolist(), part["estimate"].tolist(),
                                                part["a_in_b"].tolist(), part["b_in_a"].tolist()):
                if estimate < min_jaccard:
                    continue
                aligned += 1
                if ab >= min_ratio and ba >= min_ratio:
                    confirmed[(a, b)] = min(ab, ba)

    parent: Dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    ordered = sorted(confirmed.items())
    for (a, b), _ in ordered:
        parent[find(a)] = find(b)
    groups: Dict[int, Dict[str, Any]] = {}
    members = set()
    for (a, b), ratio in ordered:
        group = groups.setdefault(find(a), {"ratio_sum": 0.0, "pairs": 0, "members": []})
        group["ratio_sum"] += ratio
        group["pairs"] += 1
        members.update((a, b))
    for doc in sorted(members):
        groups[find(doc)]["members"].append(documents[doc])
    result_clusters = []
    for root in sorted(groups):
        group = groups[root]
        mean = group["ratio_sum"] / max(1, group["pairs"])
        group_members = sorted(group["members"], key=lambda d: (d["agency"], d["year"]))
        years = {m["year"] for m in group_members}
        result_clusters.append({
            "year": next(iter(years)) if len(years) == 1 else None,
            "size": len(group_members),
            "agencies": len({_leitong.canonical_agency(m["agency"]) for m in group_members}),
            "mean_copy_ratio": mean,
            "confirmed_pairs": group["pairs"],
            "members": group_members,
        })
    result_clusters.sort(key=lambda c: (-c["size"], -c["mean_copy_ratio"]))
    for c in result_clusters:
        c["mean_copy_ratio"] = _round4(c["mean_copy_ratio"])
    return {
        "schema": "leitong.clusters/1",
        "candidate_pairs": candidate_pairs,
        "aligned_pairs": aligned,
        "confirmed_pairs": len(confirmed),
        "clusters": result_clusters,
    }


def clusters(
    archive_path: Union[str, "os.PathLike[str]"],
    *,
    client: Any = None,
    year: Optional[int] = None,
    across_years: bool = False,
    min_ratio: float = MIN_COPY_RATIO,
    min_jaccard: float = MIN_JACCARD,
    partitions: Optional[int] = None,
    workdir: Union[str, "os.PathLike[str]", None] = None,
) -> dict:
    """``leitong clusters --format json [--year Y] [--across-years] [--min-ratio R]`` computed on a
    dask.distributed cluster: the same dict (schema "leitong.clusters/1").

    `client`: a distributed.Client; without one, a LocalCluster of one single-threaded worker per
    core is started for the call. `partitions`: tasks per stage (default: twice the workers).
    `workdir`: where the stages write their outputs (1-band-keys/, 2-candidate-pairs/,
    3-verified-pairs/), kept for inspection; default a temporary folder, removed afterwards.
    """
    if year is not None and not 1900 <= year <= 2200:
        raise _leitong.UsageError(f"year must be in [1900, 2200], not {year}")
    if not 0 <= min_ratio <= 1:
        raise _leitong.UsageError(f"min_ratio must be in [0, 1], not {min_ratio}")
    archive_path = os.path.abspath(os.fspath(archive_path))
    with Archive(archive_path) as archive:  # refuses a missing or foreign file here, on the client
        documents = {d["id"]: d for d in archive.documents()}
    reports = [d for d in sorted(documents) if documents[d]["kind"] == "report"
               and (year is None or documents[d]["year"] == year)]

    own_cluster = None
    if client is None:
        from distributed import Client, LocalCluster

        own_cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True)
        client = Client(own_cluster)
    temporary = None
    if workdir is None:
        temporary = tempfile.TemporaryDirectory(prefix="leitong-clusters-")
        workdir = temporary.name
    try:
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        count = partitions or 2 * workers
        stage_dirs = [Path(workdir) / name for name in ("1-band-keys", "2-candidate-pairs", "3-verified-pairs")]
        for folder in stage_dirs:
            folder.mkdir(parents=True, exist_ok=True)

        chunks = [reports[i::count] for i in range(count) if reports[i::count]]
        band_key_files = client.gather(client.map(
            band_keys_stage, [archive_path] * len(chunks), chunks, [year or 0] * len(chunks),
            [str(stage_dirs[0] / f"part-{i}.npz") for i in range(len(chunks))], pure=False))

        pair_files = client.gather(client.map(
            candidate_pairs_stage, [band_key_files] * count, list(range(count)), [count] * count,
            [across_years] * count, [str(stage_dirs[1] / f"part-{i}.npy") for i in range(count)], pure=False))
        # Two reports sharing several bands meet in several shares: each pair once.
        pairs = np.concatenate([np.load(f) for f in pair_files]) if pair_files else np.empty((0, 2), np.int64)
        pairs = np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)
        unique_file = str(stage_dirs[1] / "unique.npy")
        np.save(unique_file, pairs)

        step = max(1, math.ceil(len(pairs) / count))
        bounds = [(first, min(first + step, len(pairs))) for first in range(0, len(pairs), step)]
        verified_files = client.gather(client.map(
            verified_pairs_stage, [archive_path] * len(bounds), [unique_file] * len(bounds),
            [b[0] for b in bounds], [b[1] for b in bounds], [min_jaccard] * len(bounds),
            [str(stage_dirs[2] / f"part-{i}.npz") for i in range(len(bounds))], pure=False))

        return _components(verified_files, documents, len(pairs), min_jaccard, min_ratio)
    finally:
        if temporary is not None:
            temporary.cleanup()
        if own_cluster is not None:
            client.close()
            own_cluster.close()
