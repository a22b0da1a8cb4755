"""The library's work runs without the GIL: other Python threads run meanwhile, and one Archive
serves calls from several threads one at a time."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import leitong
from conftest import CORPORA

NATIONAL = CORPORA / "gov-work-reports"


def python_steps_while(work) -> tuple[int, float]:
    """Runs `work` on another thread; returns how many loop steps this thread made meanwhile, and
    the seconds it took."""
    thread = threading.Thread(target=work)
    start = time.perf_counter()
    thread.start()
    steps = 0
    while thread.is_alive():
        steps += 1
    return steps, time.perf_counter() - start


def test_signatures_release_the_gil():
    texts = [leitong.extract(path)["text"] for path in sorted(NATIONAL.glob("*.txt"))] * 4
    steps, seconds = python_steps_while(lambda: leitong.signatures(texts))
    assert seconds > 0.05
    # Holding the GIL, the call would leave this thread a few 5 ms switch intervals at most.
    assert steps > 100_000 * seconds


def test_yoy_releases_the_gil_and_threads_share_an_archive(national_archive):
    with leitong.Archive(national_archive) as archive:
        expected = archive.yoy(threads=1)
        steps, seconds = python_steps_while(lambda: archive.yoy(threads=1))
        assert steps > 100_000 * seconds
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda year: archive.yoy(year, threads=1), [None, 2022, None, 2021]))
    assert results[0] == results[2] == expected
    assert [r["year"] for r in results[1]["rows"]] == [2022]
    assert [r["year"] for r in results[3]["rows"]] == [2021]
