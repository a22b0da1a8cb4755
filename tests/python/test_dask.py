"""leitong.dask: near-duplicate clusters on a dask.distributed LocalCluster equal the CLI's."""

from __future__ import annotations

import pytest

distributed = pytest.importorskip("distributed")

import leitong  # noqa: E402
import leitong.dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_clusters_equal_the_cli(cli, client, corpora_archive, tmp_path):
    across = leitong.dask.clusters(corpora_archive, client=client, across_years=True, workdir=tmp_path)
    assert across == cli.json("clusters", "--archive", str(corpora_archive), "--across-years")
    assert across["confirmed_pairs"] >= 1 and across["clusters"]
    assert leitong.dask.clusters(corpora_archive, client=client) == cli.json(
        "clusters", "--archive", str(corpora_archive))
    assert leitong.dask.clusters(corpora_archive, client=client, across_years=True, min_ratio=0.9,
                                 partitions=3) == cli.json(
        "clusters", "--archive", str(corpora_archive), "--across-years", "--min-ratio", "0.9")
    # Every stage left its output on disk.
    assert {p.name for p in tmp_path.iterdir()} == {"1-band-keys", "2-candidate-pairs", "3-verified-pairs"}
    assert list((tmp_path / "3-verified-pairs").glob("part-*.npz"))


def test_clusters_of_the_national_reports_equal_the_cli(cli, client, national_archive):
    assert leitong.dask.clusters(national_archive, client=client, across_years=True) == cli.json(
        "clusters", "--archive", str(national_archive), "--across-years")


def test_clusters_refuse_what_the_cli_refuses(client, tmp_path):
    with pytest.raises(leitong.Error, match="no such archive"):
        leitong.dask.clusters(tmp_path / "none.db", client=client)
    with pytest.raises(leitong.UsageError):
        leitong.dask.clusters(tmp_path / "none.db", client=client, year=1800)
