"""leitong.dask: near-duplicate clusters on a dask.distributed LocalCluster equal the CLI's, member
order included, whatever the partitions; cross-corpus matches equal the library's compare."""

from __future__ import annotations

import random

import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")

import leitong  # noqa: E402
import leitong.dask  # noqa: E402

from conftest import CORPORA  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_clusters_equal_the_cli(cli, client, corpora_archive):
    stats: dict = {}
    across = leitong.dask.clusters(corpora_archive, client=client, across_years=True, stats=stats)
    assert across == cli.json("clusters", "--archive", str(corpora_archive), "--across-years")
    assert across["confirmed_pairs"] >= 1 and across["clusters"]
    assert leitong.dask.clusters(corpora_archive, client=client) == cli.json(
        "clusters", "--archive", str(corpora_archive))
    assert leitong.dask.clusters(corpora_archive, client=client, across_years=True, min_ratio=0.9,
                                 partitions=3) == cli.json(
        "clusters", "--archive", str(corpora_archive), "--across-years", "--min-ratio", "0.9")
    assert leitong.dask.clusters(corpora_archive, client=client, year=2024) == cli.json(
        "clusters", "--archive", str(corpora_archive), "--year", "2024")
    # Every stage ran on the workers and was timed; the rows shrink from keys to confirmed pairs.
    assert list(stats["stages"]) == ["band_keys", "candidate_pairs", "unique_pairs", "verified_pairs", "components"]
    assert stats["workers"] == 2 and stats["partitions"] == 8
    assert stats["stages"]["band_keys"]["rows"] == 32 * stats["reports"]
    assert stats["stages"]["unique_pairs"]["rows"] == across["candidate_pairs"]
    assert stats["stages"]["verified_pairs"]["confirmed"] == across["confirmed_pairs"]
    assert all(s["seconds"] >= 0 for s in stats["stages"].values())


def test_clusters_of_the_national_reports_equal_the_cli(cli, client, national_archive):
    assert leitong.dask.clusters(national_archive, client=client, across_years=True) == cli.json(
        "clusters", "--archive", str(national_archive), "--across-years")


@pytest.fixture(scope="module")
def twins_archive(tmp_path_factory):
    """40 near-copies of one report under three agencies and two years (so that many members share
    agency and year, more than the 16 that std::sort orders by insertion alone), and a second
    cluster of 18 copies of another report under one agency and year."""
    path = tmp_path_factory.mktemp("twins") / "twins.db"
    base = leitong.extract(CORPORA / "reports" / "hechuan-sifa-2024.txt")["text"]
    other = leitong.extract(CORPORA / "reports" / "shapingba-minzheng-2024.txt")["text"]
    shuffled = random.Random(7)
    rows = [(base, f"局{shuffled.choice('甲乙丙')}", shuffled.choice((2023, 2024)), i) for i in range(40)]
    rows += [(other, "区丁", 2024, 100 + i) for i in range(18)]
    shuffled.shuffle(rows)  # ids not in agency order
    with leitong.Archive(path, mode="a") as archive:
        for text, agency, year, i in rows:
            archive.add_text(f"{text}\n附：第{i}号。", agency=agency, year=year, file=f"copy-{i}.txt")
    return path


def test_member_order_of_equal_agency_and_year_is_the_clis(cli, client, twins_archive):
    expected = cli.json("clusters", "--archive", str(twins_archive), "--across-years")
    assert [c["size"] for c in expected["clusters"]] == [40, 18]
    got = leitong.dask.clusters(twins_archive, client=client, across_years=True, partitions=5)
    assert got == expected
    # The CLI's order of members sharing agency and year is std::sort's, not the id order a stable
    # sort would keep: the port is what makes them equal.
    ids = [m["id"] for m in expected["clusters"][0]["members"]]
    stable = sorted(expected["clusters"][0]["members"], key=lambda m: (m["agency"], m["year"], m["id"]))
    assert ids != [m["id"] for m in stable]
    same_year = cli.json("clusters", "--archive", str(twins_archive))
    assert leitong.dask.clusters(twins_archive, client=client, partitions=1) == same_year


def test_clusters_do_not_depend_on_partitions_or_workers(client, twins_archive, corpora_archive):
    first = leitong.dask.clusters(twins_archive, client=client, across_years=True, partitions=1)
    assert leitong.dask.clusters(twins_archive, client=client, across_years=True, partitions=13) == first
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as one:
        assert leitong.dask.clusters(twins_archive, client=one, across_years=True, partitions=4) == first


def test_cpp_sort_sorts_and_keeps_insertion_order_up_to_16():
    rng = random.Random(1)
    for n in list(range(0, 40)) + [100, 1000, 5000]:
        items = [(rng.randrange(5), i) for i in range(n)]
        ordered = list(items)
        leitong.dask.cpp_sort(ordered, lambda x, y: x[0] < y[0])
        assert sorted(ordered) == sorted(items)
        assert [x[0] for x in ordered] == sorted(x[0] for x in items)
        if n <= 16:  # insertion sort only: stable
            assert ordered == sorted(items, key=lambda x: x[0])
    heap = [rng.randrange(100) for _ in range(501)]
    leitong.dask._heap_sort(heap, 0, len(heap), lambda x, y: x < y)
    assert heap == sorted(heap)


def test_clusters_refuse_what_the_cli_refuses(client, tmp_path):
    with pytest.raises(leitong.Error, match="no such archive"):
        leitong.dask.clusters(tmp_path / "none.db", client=client)
    with pytest.raises(leitong.UsageError):
        leitong.dask.clusters(tmp_path / "none.db", client=client, year=1800)


# Cross-corpus matches


@pytest.fixture(scope="module")
def two_corpora(tmp_path_factory):
    """A: the bundled reports and national reports (corpora/manifest.csv). B: the recycled 2025
    report of 罗湖, a report made of the second half of 合川's and as much of the 1998 national report, the 2016
    national report (a few sentences in common with 2017) and the 1998 one (nothing)."""
    folder = tmp_path_factory.mktemp("corpora-ab")
    with leitong.Archive(folder / "a.db", mode="a") as a:
        a.add_manifest(CORPORA / "manifest.csv")
    hechuan = leitong.extract(CORPORA / "reports" / "hechuan-sifa-2024.txt")["text"]
    filler = leitong.extract(CORPORA / "fixtures" / "filler-gov-1998.txt")["text"]
    with leitong.Archive(folder / "b.db", mode="a") as b:
        b.add(CORPORA / "cases" / "luohu-minzheng-2025.txt", agency="深圳市罗湖区民政局", year=2025)
        b.add_text(filler[:len(hechuan) // 2] + "\n" + hechuan[len(hechuan) // 2:], agency="某县司法局", year=2025,
                   file="half.txt")
        b.add(CORPORA / "gov-work-reports" / "2016.txt", agency="国务院", year=2016)
        b.add_text(filler, agency="某县政府", year=2025, file="filler.txt")
    return folder / "a.db", folder / "b.db"


def test_matches_equal_the_library_compare(client, two_corpora):
    path_a, path_b = two_corpora
    stats: dict = {}
    result = leitong.dask.matches(path_a, path_b, client=client, min_ratio=0.2, stats=stats)
    assert result["schema"] == "leitong.matches/1"
    # Every pair of the two archives, compared by the library.
    with leitong.Archive(path_a) as a, leitong.Archive(path_b) as b:
        expected = {}
        for doc_b in b.documents():
            for doc_a in a.documents():
                r = leitong.compare(b.text(doc_b["id"]), a.text(doc_a["id"]), a_name="b", b_name="a")
                if r["copy_ratio"] >= 0.2:
                    expected[(doc_b["id"], doc_a["id"])] = r
        check = a.check(b.text(1), agency="深圳市罗湖区民政局", year=2025)
    got = {(m["document"]["id"], m["source"]["id"]): m for m in result["matches"]}
    assert set(got) == set(expected) and len(got) >= 2
    for key, m in got.items():
        assert m["copy_ratio"] == expected[key]["copy_ratio"]
        assert m["copy_ratio_excluding_boilerplate"] == expected[key]["copy_ratio_excluding_boilerplate"]
        assert m["passages"] == len(expected[key]["passages"])
        assert m["shared_fingerprints"] >= 3
    ratios = [m["copy_ratio"] for m in result["matches"]]
    assert ratios == sorted(ratios, reverse=True)
    # The recycled report copies most from 罗湖's 2024 report, as check says; the half copy from 合川.
    top = result["matches"][0]
    assert (top["document"]["file"].endswith("luohu-minzheng-2025.txt")
            and top["source"]["id"] == check["sources"][0]["id"])
    assert any(m["document"]["file"] == "half.txt" and m["source"]["agency"] == "重庆市合川区司法局"
               for m in result["matches"])
    assert not any(m["document"]["file"] == "filler.txt" for m in result["matches"])
    assert list(stats["stages"]) == ["fingerprints", "shared_fingerprints", "candidate_pairs", "compared_pairs"]
    # The same with other partitions, and with every other pair left to a lower threshold.
    assert leitong.dask.matches(path_a, path_b, client=client, min_ratio=0.2, partitions=1) == result
    lower = leitong.dask.matches(path_a, path_b, client=client, min_ratio=0.05, partitions=3)
    assert len(lower["matches"]) >= len(result["matches"])


def test_matches_refuse_bad_arguments(client, two_corpora, tmp_path):
    path_a, path_b = two_corpora
    with pytest.raises(leitong.UsageError):
        leitong.dask.matches(path_a, path_b, client=client, min_ratio=2)
    with pytest.raises(leitong.Error, match="no such archive"):
        leitong.dask.matches(path_a, tmp_path / "none.db", client=client)
