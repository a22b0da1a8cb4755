"""leitong.Archive against the leitong tool on the same archives of the bundled corpora."""

from __future__ import annotations

import io
import sqlite3
import warnings

import pandas
import pytest

import leitong
from conftest import CORPORA

RECYCLED = CORPORA / "cases" / "luohu-minzheng-2025.txt"


def without_file_bytes(stats: dict) -> dict:
    # The file's size depends on SQLite's pages and write-ahead log, not on what it holds.
    return {k: v for k, v in stats.items() if k != "file_bytes"}


def test_stats_equal_the_cli(cli, corpora_archive):
    with leitong.Archive(corpora_archive) as archive:
        assert archive.stats() == cli.json("stats", "--archive", str(corpora_archive))
        assert len(archive) == archive.stats()["documents"] == 12


def test_an_archive_added_through_the_module_is_the_clis(cli, corpora_archive, python_corpora_archive):
    assert without_file_bytes(cli.json("stats", "--archive", str(python_corpora_archive))) == without_file_bytes(
        cli.json("stats", "--archive", str(corpora_archive))
    )
    with leitong.Archive(corpora_archive) as a, leitong.Archive(python_corpora_archive) as b:
        assert a.documents() == b.documents()
        assert a.agencies() == b.agencies()
        assert a.text(1) == b.text(1)


def test_check_equals_the_cli(cli, corpora_archive):
    expected = cli.json("check", "--archive", str(corpora_archive), "--agency", "深圳市罗湖区民政局", "--year",
                        "2025", str(RECYCLED))
    with leitong.Archive(corpora_archive) as archive:
        result = archive.check(str(RECYCLED), agency="深圳市罗湖区民政局", year=2025)
    assert result == expected
    assert result["sources"][0]["relation"] == "same_agency" and result["copy_ratio"] > 0.5


def test_check_takes_the_short_name_of_an_agency_as_the_cli_does(cli, corpora_archive):
    expected = cli.json("check", "--archive", str(corpora_archive), "--agency", "罗湖区民政局", "--year", "2025",
                        str(RECYCLED))
    with leitong.Archive(corpora_archive) as archive:
        result = archive.check(RECYCLED, agency="罗湖区民政局", year=2025)
    assert result == expected
    assert result["document"]["agency"] == "深圳市罗湖区民政局"


def test_check_of_a_text(corpora_archive):
    with leitong.Archive(corpora_archive) as archive:
        by_path = archive.check(RECYCLED, agency="深圳市罗湖区民政局", year=2025)
        by_text = archive.check(leitong.extract(RECYCLED)["text"], agency="深圳市罗湖区民政局", year=2025,
                                name=str(RECYCLED))
        assert by_text == by_path
        with pytest.raises(leitong.UsageError, match="agency"):
            archive.check(leitong.extract(RECYCLED)["text"], year=2025)


def test_yoy_equals_the_cli(cli, corpora_archive):
    with leitong.Archive(corpora_archive) as archive:
        assert archive.yoy() == cli.json("yoy", "--quiet", "--archive", str(corpora_archive))
        assert archive.yoy(2025, threshold=0.9) == cli.json(
            "yoy", "--quiet", "--archive", str(corpora_archive), "--year", "2025", "--threshold", "0.9")
        rows = archive.yoy(2025)["rows"]
    assert [(r["agency"], r["prior_year"], r["flagged"]) for r in rows] == [("深圳市罗湖区民政局", 2024, True)]


def test_yoy_frame_is_the_clis_csv(cli, corpora_archive):
    csv = cli.run("yoy", "--quiet", "--archive", str(corpora_archive), "--format", "csv").stdout
    expected = pandas.read_csv(io.StringIO(csv), keep_default_na=False, na_values=[""])
    with leitong.Archive(corpora_archive) as archive:
        frame = archive.yoy_frame()
    pandas.testing.assert_frame_equal(frame, expected)
    assert list(frame.columns[:8]) == ["agency", "year", "file", "prior_year", "prior_file", "copy_ratio",
                                       "copy_ratio_excluding_boilerplate", "flagged"]
    assert frame["flagged"].dtype == bool and frame["year"].dtype.kind == "i"
    with leitong.Archive(corpora_archive) as archive:
        rows = archive.yoy()["rows"]
    assert list(frame["agency"]) == [r["agency"] for r in rows]
    assert list(frame["copy_ratio"]) == [r["copy_ratio"] for r in rows]


def test_yoy_of_the_national_reports_equals_the_cli(cli, national_archive):
    with leitong.Archive(national_archive) as archive:
        result = archive.yoy()
    assert result == cli.json("yoy", "--quiet", "--archive", str(national_archive))
    assert len(result["rows"]) == 53  # 54 years, each after the first compared with the one before
    assert not any(r["flagged"] for r in result["rows"])


def test_clusters_and_boilerplate_equal_the_cli(cli, corpora_archive):
    with leitong.Archive(corpora_archive) as archive:
        assert archive.clusters() == cli.json("clusters", "--archive", str(corpora_archive))
        across = archive.clusters(across_years=True)
        assert across == cli.json("clusters", "--archive", str(corpora_archive), "--across-years")
        assert archive.boilerplate(top=10) == cli.json("boilerplate", "--archive", str(corpora_archive),
                                                       "--top", "10")
        frame = archive.clusters_frame(across_years=True)
    assert len(frame) == sum(c["size"] for c in across["clusters"])
    assert set(frame["file"]) >= {str(RECYCLED)}


def test_add_reports_each_file_and_is_idempotent(tmp_path):
    path = tmp_path / "a.db"
    with leitong.Archive(path, mode="a") as archive:
        first = archive.add([CORPORA / "reports" / "luohu-minzheng-2024.txt", RECYCLED], agency="罗湖",
                            year=2024)
        again = archive.add(CORPORA / "reports" / "luohu-minzheng-2024.txt", agency="罗湖", year=2024)
        assert [r["status"] for r in first] == ["added", "added"]
        assert again == [dict(first[0], status="unchanged")]
        assert len(archive) == 2
        added = archive.add_text("坚持以习近平新时代中国特色社会主义思想为指导，全面推进依法行政。" * 10,
                                 agency="罗湖", year=2023, file="inline")
        assert added["status"] == "added" and archive.text(added["id"]).startswith("坚持")


def test_a_merge_that_fails_after_the_records_are_committed_is_a_warning(cli, tmp_path):
    # 750 synthetic reports (and their 范文) in one group: enough postings for the group to be written as a posting
    # run, whose merge into `postings` afterwards is made to fail the way a full disk would.
    synth = tmp_path / "synth"
    cli.run("synth", "--agencies", "250", "--years", "3", "--seed", "3", "--quiet", "--corpora", str(CORPORA),
            "--out", str(synth))
    path = tmp_path / "a.db"
    cli.run("add", "--quiet", "--archive", str(path), "--agency", "深圳市罗湖区民政局", "--year", "2024",
            str(CORPORA / "reports" / "luohu-minzheng-2024.txt"))

    def sql(statement: str):
        db = sqlite3.connect(path)
        try:
            return db.execute(statement).fetchone()
        finally:
            db.commit()
            db.close()

    sql("CREATE TRIGGER full BEFORE INSERT ON postings "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full (injected)'); END")
    with leitong.Archive(path, mode="a") as archive:
        with pytest.warns(RuntimeWarning, match="every file added is committed;.*posting runs could not be merged"):
            records = archive.add_manifest(synth / "manifest.csv", batch=1000)
        assert len(records) >= 750 and {r["status"] for r in records} == {"added"}
        assert len(archive) == len(records) + 1
    assert sql("SELECT count(*) FROM posting_runs")[0] > 0
    sql("DROP TRIGGER full")
    with leitong.Archive(path, mode="a") as archive:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            archive.add(RECYCLED, agency="深圳市罗湖区民政局", year=2025)
        assert len(archive) == len(records) + 2
    assert sql("SELECT count(*) FROM posting_runs")[0] == 0
    assert cli.run("verify", "--archive", str(path)).returncode == 0


def test_add_a_folder_as_the_cli_does(cli, tmp_path):
    folder = CORPORA / "gov-work-reports"
    with leitong.Archive(tmp_path / "py.db", mode="a") as archive:
        records = archive.add(folder, agency="国务院", year=2000, batch=16)
    cli.run("add", "--quiet", "--archive", str(tmp_path / "cli.db"), "--agency", "国务院", "--year", "2000",
            str(folder))
    with leitong.Archive(tmp_path / "py.db") as a, leitong.Archive(tmp_path / "cli.db") as b:
        assert a.documents() == b.documents()
    assert len(records) == 54 and {r["status"] for r in records} == {"added"}


def test_errors(tmp_path, corpora_archive):
    with pytest.raises(leitong.Error, match="no such archive"):
        leitong.Archive(tmp_path / "none.db")
    with pytest.raises(leitong.UsageError, match="mode"):
        leitong.Archive(tmp_path / "none.db", mode="w")
    with leitong.Archive(corpora_archive) as archive:
        with pytest.raises(leitong.Error, match="mode='a'"):
            archive.add(RECYCLED, agency="罗湖", year=2025)
        with pytest.raises(leitong.UsageError, match=r"year must be in \[1900, 2200\], not 1800"):
            archive.check(RECYCLED, agency="深圳市罗湖区民政局", year=1800)
        with pytest.raises(ValueError, match="year"):
            archive.yoy(3000)
        with pytest.raises(leitong.Error, match=r"absent\.txt: no such file"):
            archive.check(str(tmp_path / "absent.txt"), agency="深圳市罗湖区民政局", year=2025)
    with leitong.Archive(tmp_path / "new.db", mode="a") as archive:
        with pytest.raises(leitong.UsageError, match="kind"):
            archive.add(RECYCLED, agency="罗湖", year=2025, kind="memo")
        with pytest.raises(leitong.Error, match=r"gone\.txt: no such file"):
            archive.add([RECYCLED, tmp_path / "gone.txt"], agency="罗湖", year=2025)
        assert len(archive) == 1  # the file before the refusal is added
        records = archive.add([tmp_path / "gone.txt", CORPORA / "reports" / "luohu-minzheng-2024.txt"],
                              agency="罗湖", year=2024, on_error="skip")
        assert [r["status"] for r in records] == ["refused", "added"]
        assert "gone.txt: no such file" in records[0]["reason"]
    archive.close()
    with pytest.raises(leitong.Error, match="closed"):
        archive.stats()
