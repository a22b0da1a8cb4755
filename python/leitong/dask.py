"""Near-duplicate clusters and cross-corpus matches on a dask.distributed cluster.

``clusters(archive)`` equals ``leitong clusters --format json`` (and Archive.clusters()) for the
same archive and settings, member order included, whatever the number of workers or partitions.
``matches(corpus_a, corpus_b)`` lists which documents of one archive copy from another, each pair
measured as ``leitong compare`` measures it.

The data never meets on the client: documents are sketched in partitions on the workers, their keys
are shuffled between workers (dask.dataframe's task shuffle, hash-partitioned on the key) so that
the documents sharing a key meet in one partition, and candidate pairs are made unique by a second
shuffle and verified where they lie. The client receives counts and the confirmed pairs (the edges
of the clusters) or the kept matches, nothing larger.

clusters():
1. band keys: each partition of the archive's reports sketched (the library's MinHash with the
   archive's parameters) and cut into its LSH band keys: rows (key, id, year);
2. candidate pairs: the rows shuffled on the band key; in each partition, the pairs (a < b) of
   reports sharing a bucket (of one year unless across_years);
3. unique pairs: the pairs shuffled on `a`, duplicates (pairs sharing several bands) dropped;
4. verified pairs: in each partition, the archive's MinHash estimate of each pair and, at
   min_jaccard or more, the share of each report inside passages shared with the other (the
   alignment find_clusters runs); pairs confirmed both ways at min_ratio are kept;
5. components: the kept pairs joined transitively on the client, as find_clusters joins them.

Each task opens the archive read-only by its path, so the workers must see the same file (a
LocalCluster, or a shared file system).

    >>> from distributed import Client, LocalCluster
    >>> import leitong.dask
    >>> with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
    ...     result = leitong.dask.clusters("reports.db", client=client, across_years=True)
    ...     copies = leitong.dask.matches("archive.db", "new-reports.db", client=client)
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import Archive, _leitong

__all__ = ["clusters", "matches", "cpp_sort"]

# ClusterParams' defaults (analysis/clusters.h).
MIN_JACCARD = 0.3
MIN_COPY_RATIO = 0.5

PathLike = Union[str, "os.PathLike[str]"]


def _round4(value: float) -> float:
    """The JSON writers' round4: std::round(v * 10000) / 10000 (halves away from zero)."""
    scaled = value * 10000.0
    whole = math.floor(scaled)
    return (whole + (1 if scaled - whole >= 0.5 else 0)) / 10000.0


# ---------------------------------------------------------------------------------------------
# std::sort as libstdc++ runs it
#
# find_clusters orders a cluster's members with std::sort by (agency, year). std::sort is not
# stable, and the standard leaves the order of equal elements unspecified; libstdc++ (GCC, the
# compiler leitong is built with on Debian) gives a fixed order for a given input, and the members
# enter the sort in id order. cpp_sort is that algorithm, step for step (introsort: median-of-three
# quicksort down to 16 elements, heapsort past 2*log2(n) levels, then insertion sort), so that
# members sharing agency and year come out in the order the CLI prints them.

_S_THRESHOLD = 16


def cpp_sort(items: List[Any], less: Callable[[Any, Any], bool]) -> None:
    """Sorts `items` in place exactly as libstdc++'s std::sort(begin, end, less) does."""
    n = len(items)
    if n < 2:
        return
    _introsort_loop(items, 0, n, 2 * (n.bit_length() - 1), less)
    _final_insertion_sort(items, 0, n, less)


def _introsort_loop(v: List[Any], first: int, last: int, depth: int, less: Callable) -> None:
    while last - first > _S_THRESHOLD:
        if depth == 0:
            _heap_sort(v, first, last, less)
            return
        depth -= 1
        cut = _unguarded_partition_pivot(v, first, last, less)
        _introsort_loop(v, cut, last, depth, less)
        last = cut


def _unguarded_partition_pivot(v: List[Any], first: int, last: int, less: Callable) -> int:
    mid = first + (last - first) // 2
    a, b, c = first + 1, mid, last - 1
    if less(v[a], v[b]):
        if less(v[b], v[c]):
            pick = b
        elif less(v[a], v[c]):
            pick = c
        else:
            pick = a
    elif less(v[a], v[c]):
        pick = a
    elif less(v[b], v[c]):
        pick = c
    else:
        pick = b
    v[first], v[pick] = v[pick], v[first]
    # __unguarded_partition(first + 1, last, first)
    pivot = v[first]
    lo, hi = first + 1, last
    while True:
        while less(v[lo], pivot):
            lo += 1
        hi -= 1
        while less(pivot, v[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        v[lo], v[hi] = v[hi], v[lo]
        lo += 1


def _adjust_heap(v: List[Any], first: int, hole: int, length: int, value: Any, less: Callable) -> None:
    top = hole
    second = hole
    while second < (length - 1) // 2:
        second = 2 * (second + 1)
        if less(v[first + second], v[first + second - 1]):
            second -= 1
        v[first + hole] = v[first + second]
        hole = second
    if length % 2 == 0 and second == (length - 2) // 2:
        second = 2 * (second + 1)
        v[first + hole] = v[first + second - 1]
        hole = second - 1
    # __push_heap
    parent = (hole - 1) // 2
    while hole > top and less(v[first + parent], value):
        v[first + hole] = v[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    v[first + hole] = value


def _heap_sort(v: List[Any], first: int, last: int, less: Callable) -> None:
    """std::__partial_sort(first, last, last): make_heap, then sort_heap."""
    length = last - first
    if length >= 2:
        parent = (length - 2) // 2
        while True:
            _adjust_heap(v, first, parent, length, v[first + parent], less)
            if parent == 0:
                break
            parent -= 1
    end = last
    while end - first > 1:
        end -= 1
        value = v[end]
        v[end] = v[first]
        _adjust_heap(v, first, 0, end - first, value, less)


def _unguarded_linear_insert(v: List[Any], last: int, less: Callable) -> None:
    value = v[last]
    nxt = last - 1
    while less(value, v[nxt]):
        v[last] = v[nxt]
        last = nxt
        nxt -= 1
    v[last] = value


def _insertion_sort(v: List[Any], first: int, last: int, less: Callable) -> None:
    for i in range(first + 1, last):
        if less(v[i], v[first]):
            value = v[i]
            v[first + 1:i + 1] = v[first:i]
            v[first] = value
        else:
            _unguarded_linear_insert(v, i, less)


def _final_insertion_sort(v: List[Any], first: int, last: int, less: Callable) -> None:
    if last - first > _S_THRESHOLD:
        _insertion_sort(v, first, first + _S_THRESHOLD, less)
        for i in range(first + _S_THRESHOLD, last):
            _unguarded_linear_insert(v, i, less)
    else:
        _insertion_sort(v, first, last, less)


def _member_key(d: Dict[str, Any]) -> Tuple[bytes, int]:
    # std::string's operator< compares bytes; UTF-8 keeps code-point order, surrogateescape keeps
    # a name that is not UTF-8 as its bytes.
    return (d["agency"].encode("utf-8", "surrogateescape"), d["year"])


def _order_members(members: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """find_clusters' std::sort of members (given in id order) by agency, then year."""
    keyed = [(_member_key(m), m) for m in members]
    cpp_sort(keyed, lambda x, y: x[0] < y[0])
    return [m for _, m in keyed]


# ---------------------------------------------------------------------------------------------
# Helpers


class _Stages:
    """Wall time and row counts of each stage, into the caller's dict when one is given."""

    def __init__(self, out: Optional[dict]) -> None:
        self.out = out if out is not None else {}
        self.out.setdefault("stages", {})

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[dict]:
        info: dict = {}
        start = time.perf_counter()
        yield info
        info["seconds"] = time.perf_counter() - start
        self.out["stages"][name] = info


@contextlib.contextmanager
def _client_for(client: Any) -> Iterator[Any]:
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as own:
        yield own


def _worker_count(client: Any) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


def _persist(client: Any, collection: Any) -> Any:
    """Computes a collection into the workers' memory and waits for it."""
    from distributed import wait

    collection = client.persist(collection)
    wait(collection)
    return collection


def _rows(client: Any, frame: Any) -> int:
    """The rows of a persisted dask DataFrame, counted where its partitions lie."""
    import dask

    return int(sum(client.gather(client.compute([dask.delayed(len)(part) for part in frame.to_delayed()]))))


def _shuffle(frame: Any, on: str, partitions: int) -> Any:
    """frame hash-partitioned on column `on` into `partitions` by dask's task shuffle (the keyword
    is `method` in newer dask, `shuffle` in older)."""
    try:
        return frame.shuffle(on, npartitions=partitions, method="tasks", ignore_index=True)
    except TypeError:
        return frame.shuffle(on, npartitions=partitions, shuffle="tasks", ignore_index=True)


def _chunks(ids: Sequence[int], count: int) -> List[List[int]]:
    """`ids` cut into at most `count` contiguous runs of near-equal length (none empty)."""
    count = max(1, min(count, len(ids)))
    bounds = np.linspace(0, len(ids), count + 1).astype(int)
    return [list(ids[bounds[i]:bounds[i + 1]]) for i in range(count) if bounds[i] < bounds[i + 1]]


def _pairs_in_groups(keys: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """For rows sorted by key: row indices (i, j), i < j, of every two rows with the same key."""
    n = len(keys)
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, n])
    group = np.repeat(np.arange(len(starts)), sizes)
    after = sizes[group] - 1 - (np.arange(n) - starts[group])  # rows after each one in its group
    first = np.repeat(np.arange(n), after)
    offset = np.arange(len(first)) - np.repeat(np.cumsum(after) - after, after) + 1
    return first, first + offset


# ---------------------------------------------------------------------------------------------
# clusters(): the stages, each a function of a partition

_KEY_COLUMNS = {"key": np.uint64, "id": np.int64, "year": np.int32}
_PAIR_COLUMNS = {"a": np.int64, "b": np.int64}
_SCORE_COLUMNS = {"a": np.int64, "b": np.int64, "estimate": np.float64, "a_in_b": np.float64,
                  "b_in_a": np.float64}


def _empty(columns: Dict[str, Any]):
    import pandas

    return pandas.DataFrame({name: np.empty(0, dtype) for name, dtype in columns.items()})


def band_keys_partition(archive_path: str, ids: Sequence[int], year: int):
    """Stage 1: the reports among `ids` (of `year` unless 0), sketched, as rows (key, id, year):
    one row per LSH band of each report."""
    import pandas

    with Archive(archive_path) as archive:
        kept, years, keys = archive._archive.report_band_keys(list(ids), year)
    bands = keys.shape[1] if keys.ndim == 2 else 0
    return pandas.DataFrame({
        "key": keys.reshape(-1).astype(np.uint64, copy=False),
        "id": np.repeat(kept.astype(np.int64), bands),
        "year": np.repeat(years.astype(np.int32), bands),
    })


def bucket_pairs_partition(rows, across_years: bool):
    """Stage 2, after the shuffle on `key`: the pairs (a < b) of reports that share a bucket here
    (of one year unless across_years), each once."""
    import pandas

    if len(rows) < 2:
        return _empty(_PAIR_COLUMNS)
    rows = rows.sort_values(["key", "id"], kind="stable")
    first, second = _pairs_in_groups(rows["key"].to_numpy())
    ids = rows["id"].to_numpy()
    if not across_years:
        years = rows["year"].to_numpy()
        same = years[first] == years[second]
        first, second = first[same], second[same]
    a, b = ids[first], ids[second]
    keep = a != b
    pairs = pandas.DataFrame({"a": np.minimum(a, b)[keep], "b": np.maximum(a, b)[keep]})
    return pairs.drop_duplicates(ignore_index=True)


def unique_pairs_partition(pairs):
    """Stage 3, after the shuffle on `a`: every pair once, sorted."""
    return pairs.drop_duplicates().sort_values(["a", "b"], ignore_index=True)


def verify_pairs_partition(pairs, archive_path: str, min_jaccard: float):
    """Stage 4: each pair's MinHash estimate (the archive's) and, at min_jaccard or more, the share
    of each report inside passages shared with the other (NaN below), as find_clusters computes
    them."""
    import pandas

    if len(pairs) == 0:
        return _empty(_SCORE_COLUMNS)
    a, b = pairs["a"].to_numpy(), pairs["b"].to_numpy()
    with Archive(archive_path) as archive:
        estimate, a_in_b, b_in_a = archive._archive.pair_scores(a.tolist(), b.tolist(), min_jaccard)
    return pandas.DataFrame({"a": a, "b": b, "estimate": estimate, "a_in_b": a_in_b, "b_in_a": b_in_a})


def _pair_summary(scores, min_jaccard: float, min_ratio: float):
    """Per partition: its counts, and the confirmed pairs with the smaller of their two shares."""
    import pandas

    aligned = scores["estimate"].to_numpy() >= min_jaccard
    ab, ba = scores["a_in_b"].to_numpy(), scores["b_in_a"].to_numpy()
    confirmed = aligned & (ab >= min_ratio) & (ba >= min_ratio)
    return pandas.DataFrame({
        "a": scores["a"].to_numpy()[confirmed], "b": scores["b"].to_numpy()[confirmed],
        "ratio": np.minimum(ab, ba)[confirmed],
    }), int(len(scores)), int(aligned.sum())


def _components(a: np.ndarray, b: np.ndarray, ratio: np.ndarray, documents: Dict[int, Dict[str, Any]],
                candidate_pairs: int, aligned_pairs: int) -> dict:
    """Stage 5: confirmed pairs joined transitively as find_clusters joins them (in pair order, so
    that each set has the same root and clusters of equal size and ratio keep their order)."""
    order = np.lexsort((b, a))
    a, b, ratio = a[order].tolist(), b[order].tolist(), ratio[order].tolist()

    parent: Dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.setdefault(root, root) != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for x, y in zip(a, b):
        parent[find(x)] = find(y)
    groups: Dict[int, Dict[str, Any]] = {}
    for x, r in zip(a, ratio):
        group = groups.setdefault(find(x), {"ratio_sum": 0.0, "pairs": 0, "members": []})
        group["ratio_sum"] += r
        group["pairs"] += 1
    for doc in sorted(set(a) | set(b)):
        groups[find(doc)]["members"].append(documents[doc])
    result_clusters = []
    for root in sorted(groups):
        group = groups[root]
        mean = group["ratio_sum"] / max(1, group["pairs"])
        members = _order_members(group["members"])
        years = {m["year"] for m in members}
        result_clusters.append({
            "year": next(iter(years)) if len(years) == 1 else None,
            "size": len(members),
            "agencies": len({_leitong.canonical_agency(m["agency"]) for m in members}),
            "mean_copy_ratio": mean,
            "confirmed_pairs": group["pairs"],
            "members": members,
        })
    result_clusters.sort(key=lambda c: (-c["size"], -c["mean_copy_ratio"]))  # stable, as stable_sort
    for c in result_clusters:
        c["mean_copy_ratio"] = _round4(c["mean_copy_ratio"])
    return {
        "schema": "leitong.clusters/1",
        "candidate_pairs": candidate_pairs,
        "aligned_pairs": aligned_pairs,
        "confirmed_pairs": len(a),
        "clusters": result_clusters,
    }


def clusters(
    archive_path: PathLike,
    *,
    client: Any = None,
    year: Optional[int] = None,
    across_years: bool = False,
    min_ratio: float = MIN_COPY_RATIO,
    min_jaccard: float = MIN_JACCARD,
    partitions: Optional[int] = None,
    stats: Optional[dict] = None,
) -> dict:
    """``leitong clusters --format json [--year Y] [--across-years] [--min-ratio R]`` computed on a
    dask.distributed cluster: the same dict (schema "leitong.clusters/1"), clusters and members in
    the same order, whatever the workers and partitions.

    `client`: a distributed.Client; without one, a LocalCluster of one single-threaded worker per
    core is started for the call. `partitions`: partitions of each stage (default: four per
    worker). `stats`: a dict that receives, under "stages", each stage's wall time ("seconds") and
    rows, and "partitions" and "workers".
    """
    import dask
    import dask.dataframe as dd

    if year is not None and not 1900 <= year <= 2200:
        raise _leitong.UsageError(f"year must be in [1900, 2200], not {year}")
    if not 0 <= min_ratio <= 1:
        raise _leitong.UsageError(f"min_ratio must be in [0, 1], not {min_ratio}")
    archive_path = os.path.abspath(os.fspath(archive_path))
    with Archive(archive_path) as archive:  # refuses a missing or foreign file here, on the client
        documents = {d["id"]: d for d in archive.documents()}
    reports = [d for d in sorted(documents) if documents[d]["kind"] == "report"
               and (year is None or documents[d]["year"] == year)]
    stages = _Stages(stats)

    with _client_for(client) as client:
        workers = _worker_count(client)
        count = max(1, partitions or 4 * workers)
        stages.out.update(workers=workers, partitions=count, reports=len(reports))
        if not reports:
            return _components(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), documents, 0, 0)

        with stages.stage("band_keys") as info:
            parts = [dask.delayed(band_keys_partition)(archive_path, chunk, year or 0)
                     for chunk in _chunks(reports, count)]
            keys = _persist(client, dd.from_delayed(parts, meta=_empty(_KEY_COLUMNS), verify_meta=False))
            info["rows"] = _rows(client, keys)

        with stages.stage("candidate_pairs") as info:
            shuffled = _shuffle(keys, "key", count)
            pairs = _persist(client, shuffled.map_partitions(
                bucket_pairs_partition, across_years, meta=_empty(_PAIR_COLUMNS)))
            del keys, shuffled
            info["rows"] = _rows(client, pairs)

        with stages.stage("unique_pairs") as info:
            shuffled = _shuffle(pairs, "a", count)
            unique = _persist(client, shuffled.map_partitions(unique_pairs_partition, meta=_empty(_PAIR_COLUMNS)))
            del pairs, shuffled
            info["rows"] = _rows(client, unique)

        with stages.stage("verified_pairs") as info:
            scored = unique.map_partitions(verify_pairs_partition, archive_path, min_jaccard,
                                           meta=_empty(_SCORE_COLUMNS))
            summaries = client.gather(client.compute(
                [dask.delayed(_pair_summary)(part, min_jaccard, min_ratio) for part in scored.to_delayed()]))
            del unique, scored
            candidate_pairs = sum(s[1] for s in summaries)
            aligned_pairs = sum(s[2] for s in summaries)
            edges = [s[0] for s in summaries]
            info.update(rows=candidate_pairs, aligned=aligned_pairs, confirmed=sum(len(e) for e in edges))

        with stages.stage("components") as info:
            a = np.concatenate([e["a"].to_numpy() for e in edges])
            b = np.concatenate([e["b"].to_numpy() for e in edges])
            ratio = np.concatenate([e["ratio"].to_numpy() for e in edges])
            result = _components(a, b, ratio, documents, candidate_pairs, aligned_pairs)
            info["rows"] = len(result["clusters"])
        return result


# ---------------------------------------------------------------------------------------------
# matches(): which documents of corpus B copy from corpus A

_FINGERPRINT_COLUMNS = {"hash": np.uint64, "id": np.int64, "side": np.int8, "count": np.int32}
_CANDIDATE_COLUMNS = {"b": np.int64, "a": np.int64, "shared": np.int64, "count": np.int32}
_MATCH_COLUMNS = {"b": np.int64, "a": np.int64, "shared": np.int64, "copy_ratio": np.float64,
                  "copy_ratio_excluding_boilerplate": np.float64, "passages": np.int64, "jaccard": np.float64}


def fingerprints_partition(archive_path: str, ids: Sequence[int], side: int, sample: int):
    """Matches stage 1: the documents `ids` sketched with their archive's parameters, as rows
    (hash, id, side, count): each distinct winnowed fingerprint of each document once (those whose
    hash is 0 modulo `sample`, when sampling), with the document's number of such fingerprints."""
    import pandas

    hashes, owners, counts = [], [], []
    with Archive(archive_path) as archive:
        for doc in ids:
            fingerprints = np.unique(archive.sketch(doc).fingerprint_hashes)
            if sample > 1:
                fingerprints = fingerprints[fingerprints % np.uint64(sample) == 0]
            hashes.append(fingerprints)
            owners.append(np.full(len(fingerprints), doc, np.int64))
            counts.append(np.full(len(fingerprints), len(fingerprints), np.int32))
    hash_column = np.concatenate(hashes) if hashes else np.empty(0, np.uint64)
    return pandas.DataFrame({
        "hash": hash_column.astype(np.uint64, copy=False),
        "id": np.concatenate(owners) if owners else np.empty(0, np.int64),
        "side": np.full(len(hash_column), side, np.int8),
        "count": np.concatenate(counts) if counts else np.empty(0, np.int32),
    })


def shared_fingerprints_partition(rows, max_holders: int):
    """Matches stage 2, after the shuffle on `hash`: for each fingerprint held by documents of both
    corpora (and by at most `max_holders` of A: more is boilerplate), each (b, a) pair once, then
    the fingerprints each pair shares here counted."""
    import pandas

    if len(rows) < 2:
        return _empty(_CANDIDATE_COLUMNS)
    # A's rows first within each hash, then B's.
    rows = rows.sort_values(["hash", "side", "id"], kind="stable")
    hashes = rows["hash"].to_numpy()
    side = rows["side"].to_numpy()
    ids = rows["id"].to_numpy()
    counts = rows["count"].to_numpy()
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    sizes = np.diff(np.r_[starts, len(hashes)])
    group = np.repeat(np.arange(len(starts)), sizes)
    holders_a = np.bincount(group, weights=(side == 0), minlength=len(starts)).astype(np.int64)
    holders_b = sizes - holders_a
    useful = (holders_a > 0) & (holders_b > 0) & (holders_a <= max_holders)
    out_b, out_a, out_count = [], [], []
    for g in np.flatnonzero(useful).tolist():
        s, na, nb = starts[g], holders_a[g], holders_b[g]
        a_ids, b_ids = ids[s:s + na], ids[s + na:s + na + nb]
        out_b.append(np.repeat(b_ids, na))
        out_count.append(np.repeat(counts[s + na:s + na + nb], na))
        out_a.append(np.tile(a_ids, nb))
    if not out_b:
        return _empty(_CANDIDATE_COLUMNS)
    pairs = pandas.DataFrame({"b": np.concatenate(out_b), "a": np.concatenate(out_a),
                              "count": np.concatenate(out_count)})
    shared = pairs.groupby(["b", "a"], sort=False).agg(shared=("count", "size"), count=("count", "first"))
    return shared.reset_index()[list(_CANDIDATE_COLUMNS)].astype(_CANDIDATE_COLUMNS)


def sum_shared_partition(pairs, min_shared: int, min_containment: float):
    """Matches stage 3, after the shuffle on `b`: the fingerprints each pair shares in all; the
    pairs sharing at least `min_shared`, and at least `min_containment` of b's fingerprints, kept."""
    if len(pairs) == 0:
        return _empty(_CANDIDATE_COLUMNS)
    total = pairs.groupby(["b", "a"], sort=True).agg(shared=("shared", "sum"), count=("count", "first")).reset_index()
    keep = (total["shared"] >= min_shared) & (total["shared"] >= min_containment * total["count"])
    return total[keep].reset_index(drop=True)[list(_CANDIDATE_COLUMNS)].astype(_CANDIDATE_COLUMNS)


def compare_pairs_partition(pairs, path_a: str, path_b: str, min_ratio: float):
    """Matches stage 4: each candidate (b, a) compared as ``leitong compare B A`` compares them (the
    share of b inside passages found in a); pairs at min_ratio or more kept."""
    import pandas

    if len(pairs) == 0:
        return _empty(_MATCH_COLUMNS)
    from . import compare

    rows = []
    texts_a: Dict[int, str] = {}
    with Archive(path_a) as archive_a, Archive(path_b) as archive_b:
        current_b, text_b = None, ""
        for b, a, shared in pairs[["b", "a", "shared"]].itertuples(index=False):
            if b != current_b:
                current_b, text_b = b, archive_b.text(int(b))
            if a not in texts_a:
                texts_a[a] = archive_a.text(int(a))
            result = compare(text_b, texts_a[a], a_name="b", b_name="a")
            if result["copy_ratio"] < min_ratio:
                continue
            source = result["sources"][0] if result["sources"] else {}
            rows.append((b, a, shared, result["copy_ratio"], result["copy_ratio_excluding_boilerplate"],
                         len(result["passages"]), source.get("jaccard", 0.0)))
    if not rows:
        return _empty(_MATCH_COLUMNS)
    return pandas.DataFrame.from_records(rows, columns=list(_MATCH_COLUMNS)).astype(_MATCH_COLUMNS)


def matches(
    corpus_a: PathLike,
    corpus_b: PathLike,
    *,
    client: Any = None,
    min_ratio: float = 0.2,
    min_shared: int = 3,
    min_containment: Optional[float] = None,
    max_holders: int = 1024,
    sample: int = 1,
    partitions: Optional[int] = None,
    stats: Optional[dict] = None,
) -> dict:
    """Which documents of archive `corpus_b` copy from archive `corpus_a`, on a dask.distributed
    cluster.

    Every document of both archives is sketched on the workers (its winnowed fingerprints, with its
    archive's parameters); the fingerprints are shuffled on their hash so that the holders of one
    fingerprint meet; pairs (b, a) sharing at least `min_shared` fingerprints, and at least
    `min_containment` of b's (default min_ratio / 2: a passage holding a share r of b's text holds
    about that share of its winnowed fingerprints), fingerprints held by more than `max_holders`
    documents of A (boilerplate) left out, are compared with
    ``leitong.compare(b, a)``, the library's compare, on the workers. Pairs whose copy_ratio (the
    share of b's characters inside passages also found in a) reaches `min_ratio` are kept.
    `sample` > 1 keeps only fingerprints whose hash is 0 modulo `sample` (a smaller shuffle; pairs
    sharing little text may then be missed: lower min_shared with it).

    Returns {"schema": "leitong.matches/1", "candidate_pairs": pairs compared, "matches": [...]}
    where each match has "document" (of B) and "source" (of A), each {id, file, agency, year,
    kind}, and compare's "copy_ratio", "copy_ratio_excluding_boilerplate", "passages" (their count)
    and "jaccard", with "shared_fingerprints"; sorted by copy_ratio (descending), then B's id, then
    A's id. Both archives must be readable by the workers at the same paths.
    """
    import dask
    import dask.dataframe as dd

    if not 0 <= min_ratio <= 1:
        raise _leitong.UsageError(f"min_ratio must be in [0, 1], not {min_ratio}")
    if min_containment is None:
        min_containment = min_ratio / 2
    if min_shared < 1 or max_holders < 1 or sample < 1:
        raise _leitong.UsageError("min_shared, max_holders and sample must be at least 1")
    path_a = os.path.abspath(os.fspath(corpus_a))
    path_b = os.path.abspath(os.fspath(corpus_b))
    with Archive(path_a) as archive_a, Archive(path_b) as archive_b:
        documents_a = {d["id"]: d for d in archive_a.documents()}
        documents_b = {d["id"]: d for d in archive_b.documents()}
        if archive_a._archive.sketch_parameters() != archive_b._archive.sketch_parameters():
            raise _leitong.UsageError(f"{path_a} and {path_b} are sketched with different parameters")
    stages = _Stages(stats)

    with _client_for(client) as client:
        workers = _worker_count(client)
        count = max(1, partitions or 4 * workers)
        stages.out.update(workers=workers, partitions=count, documents_a=len(documents_a),
                          documents_b=len(documents_b))
        result: Dict[str, Any] = {"schema": "leitong.matches/1", "candidate_pairs": 0, "matches": []}
        if not documents_a or not documents_b:
            return result

        with stages.stage("fingerprints") as info:
            parts = [dask.delayed(fingerprints_partition)(path, chunk, side, sample)
                     for side, (path, docs) in enumerate(((path_a, documents_a), (path_b, documents_b)))
                     for chunk in _chunks(sorted(docs), count)]
            rows = _persist(client, dd.from_delayed(parts, meta=_empty(_FINGERPRINT_COLUMNS), verify_meta=False))
            info["rows"] = _rows(client, rows)

        with stages.stage("shared_fingerprints") as info:
            shuffled = _shuffle(rows, "hash", count)
            shared = _persist(client, shuffled.map_partitions(
                shared_fingerprints_partition, max_holders, meta=_empty(_CANDIDATE_COLUMNS)))
            del rows, shuffled
            info["rows"] = _rows(client, shared)

        with stages.stage("candidate_pairs") as info:
            shuffled = _shuffle(shared, "b", count)
            candidates = _persist(client, shuffled.map_partitions(
                sum_shared_partition, min_shared, min_containment, meta=_empty(_CANDIDATE_COLUMNS)))
            del shared, shuffled
            info["rows"] = _rows(client, candidates)
            result["candidate_pairs"] = info["rows"]

        with stages.stage("compared_pairs") as info:
            kept = client.compute(candidates.map_partitions(
                compare_pairs_partition, path_a, path_b, min_ratio, meta=_empty(_MATCH_COLUMNS))).result()
            del candidates
            info["rows"] = len(kept)

        kept = kept.sort_values(["copy_ratio", "b", "a"], ascending=[False, True, True], kind="stable")
        for row in kept.itertuples(index=False):
            result["matches"].append({
                "document": documents_b[int(row.b)],
                "source": documents_a[int(row.a)],
                "copy_ratio": float(row.copy_ratio),
                "copy_ratio_excluding_boilerplate": float(row.copy_ratio_excluding_boilerplate),
                "passages": int(row.passages),
                "jaccard": float(row.jaccard),
                "shared_fingerprints": int(row.shared),
            })
        return result
