"""leitong's functions without an archive: extract, normalize, sketches, compare."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import leitong
from conftest import CORPORA, REPO

NATIONAL = CORPORA / "gov-work-reports"
RECYCLED = CORPORA / "cases" / "luohu-minzheng-2025.txt"
PRIOR = CORPORA / "reports" / "luohu-minzheng-2024.txt"


def read(path: pathlib.Path) -> str:
    return leitong.extract(path)["text"]


@pytest.mark.parametrize("path", [RECYCLED, NATIONAL / "1954.txt", CORPORA / "reports" / "fanwen-page-2023.txt"])
def test_extract_equals_the_cli(cli, path):
    assert leitong.extract(str(path)) == cli.json("extract", str(path))


def test_extract_keep_chrome_is_the_clis(cli):
    path = CORPORA / "reports" / "fanwen-page-2023.txt"
    assert leitong.extract(str(path), keep_chrome=True) == cli.json("extract", "--keep-chrome", str(path))


def test_extract_refuses_a_missing_file_with_the_librarys_message(tmp_path):
    missing = tmp_path / "missing.txt"
    with pytest.raises(leitong.Error, match=r"missing\.txt: no such file"):
        leitong.extract(missing)


def test_extract_refuses_an_encrypted_pdf():
    with pytest.raises(leitong.Error, match="encrypted.pdf"):
        leitong.extract(REPO / "tests" / "fixtures" / "encrypted.pdf")


def test_extract_refuses_an_empty_file(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(leitong.Error, match="empty.txt"):
        leitong.extract(empty)


def test_normalize_folds_widths_punctuation_whitespace_and_numbers():
    assert leitong.normalize("２０２４年，我们　坚持\n依法行政。") == "#年,我们坚持依法行政."
    assert leitong.normalize("二〇二三年") == leitong.normalize("2024年") == "#年"
    assert leitong.normalize("ABC", fold_case=False) == "ABC"
    assert leitong.normalize("a b", drop_whitespace=False) == "a b"


def test_normalize_offsets_map_back_to_the_text():
    text = "２０２４年，我们 坚持"
    chars, begin, end = leitong.normalize(text, offsets=True)
    assert begin.dtype == end.dtype == np.uint32
    assert len(chars) == len(begin) == len(end)
    assert text[begin[0]:end[0]] == "２０２４"  # a masked number maps to the whole run
    assert [text[b:e] for b, e in zip(begin[1:], end[1:])] == ["年", "，", "我", "们", "坚", "持"]


def test_sketch_arrays_have_the_librarys_types_and_sizes():
    sketch = leitong.Sketch(read(NATIONAL / "2020.txt"))
    assert sketch.minhash.dtype == np.uint32 and sketch.minhash.shape == (128,)
    assert sketch.shingles.dtype == np.uint64 and sketch.shingles.shape == (len(sketch) - 4,)
    assert sketch.fingerprint_hashes.dtype == np.uint64
    assert sketch.fingerprint_positions.dtype == np.uint32
    assert sketch.fingerprint_hashes.shape == sketch.fingerprint_positions.shape
    assert isinstance(sketch.simhash, int) and 0 <= sketch.simhash < 2**64
    assert len(sketch) == len(leitong.normalize(read(NATIONAL / "2020.txt")))
    with pytest.raises(ValueError):
        sketch.minhash[0] = 1  # a view of the Sketch's own signature
    wide = leitong.Sketch("坚持以习近平新时代中国特色社会主义思想为指导", k=256, shingle=3)
    assert wide.minhash.shape == (256,) and (wide.k, wide.shingle) == (256, 3)


def test_sketch_arrays_outlive_their_sketch():
    signature = leitong.Sketch(read(NATIONAL / "2020.txt")).minhash
    assert signature.base is not None
    assert signature.shape == (128,) and int(signature.max()) > 0


def test_sketch_refuses_parameters_the_library_refuses():
    with pytest.raises(leitong.UsageError):
        leitong.Sketch("text", k=100)  # one-permutation MinHash needs a power of two
    with pytest.raises(ValueError):
        leitong.Sketch("text", shingle=0)


def test_sketch_reads_every_width_of_str_alike():
    # Python keeps a str in one, two or four bytes a character, by its widest character; the
    # module reads that storage directly. The same words must hash alike in each.
    ascii_text = "Law-based government annual report 2024, section one: measures and results. " * 3
    one_byte = ascii_text  # every character below U+0100
    two_bytes = ascii_text + "报"  # a BMP character widens the whole string
    four_bytes = ascii_text + "𠀀"  # an astral character (CJK Extension B)
    shingles = [leitong.Sketch(t, shingle=5).shingles for t in (one_byte, two_bytes, four_bytes)]
    assert (shingles[1][:len(shingles[0])] == shingles[0]).all()
    assert (shingles[2][:len(shingles[0])] == shingles[0]).all()
    assert leitong.Sketch(four_bytes).normalized.endswith("𠀀")
    minhashes, _ = leitong.signatures([two_bytes, four_bytes])
    assert (minhashes[0] == leitong.Sketch(two_bytes).minhash).all()
    assert (minhashes[1] == leitong.Sketch(four_bytes).minhash).all()


def test_sketch_refuses_a_lone_surrogate_naming_where_it_is():
    with pytest.raises(leitong.UsageError, match=r"U\+D800.*index 2"):
        leitong.Sketch("报告\ud800告")
    with pytest.raises(leitong.UsageError, match="surrogate"):
        leitong.signatures(["fine", "bad \udfff"])


def test_similarity_of_identical_related_and_unrelated_texts():
    a = leitong.Sketch(read(NATIONAL / "2021.txt"))
    same = leitong.Sketch(read(NATIONAL / "2021.txt"))
    next_year = leitong.Sketch(read(NATIONAL / "2022.txt"))
    assert leitong.jaccard(a, same) == 1.0 and leitong.simhash_distance(a, same) == 0
    assert a.jaccard(next_year) == leitong.jaccard(a.minhash, next_year.minhash) == leitong.jaccard(next_year, a)
    # The estimate's standard error at k = 128 is below 0.045.
    assert abs(a.jaccard(next_year) - a.exact_jaccard(next_year)) < 0.15
    assert leitong.simhash_distance(a.simhash, next_year.simhash) == a.simhash_distance(next_year) > 0
    with pytest.raises(leitong.UsageError):
        leitong.jaccard(a, leitong.Sketch("坚持以习近平新时代中国特色社会主义思想为指导", k=64))


def test_signatures_equal_the_sketches_in_any_thread_count():
    texts = [read(NATIONAL / f"{year}.txt") for year in (1954, 1978, 2000, 2022)] + ["短"]
    minhashes, simhashes = leitong.signatures(texts)
    assert minhashes.dtype == np.uint32 and minhashes.shape == (5, 128)
    assert simhashes.dtype == np.uint64 and simhashes.shape == (5,)
    for i, text in enumerate(texts):
        sketch = leitong.Sketch(text)
        assert (minhashes[i] == sketch.minhash).all() and simhashes[i] == sketch.simhash
    assert (minhashes[4] == 0xFFFFFFFF).all()  # too short for one shingle: the empty-set signature
    threaded, threaded_simhashes = leitong.signatures(texts, threads=3)
    assert (threaded == minhashes).all() and (threaded_simhashes == simhashes).all()
    assert leitong.signatures([])[0].shape == (0, 128)


def test_compare_equals_the_cli_on_the_recycled_report(cli):
    result = leitong.compare(str(RECYCLED), str(PRIOR))
    assert result == cli.json("compare", str(RECYCLED), str(PRIOR))
    assert result["schema"] == "leitong.check/1"
    assert result["copy_ratio"] > 0.5 and result["sources"][0]["file"] == str(PRIOR)


def test_compare_equals_the_cli_on_consecutive_national_reports(cli):
    a, b = NATIONAL / "2021.txt", NATIONAL / "2020.txt"
    assert leitong.compare(a, b, min_passage=30) == cli.json("compare", "--min-passage", "30", str(a), str(b))
    assert leitong.compare(a, b, shingle=8) == cli.json("compare", "--shingle", "8", str(a), str(b))


def test_compare_of_texts_equals_compare_of_their_files():
    by_path = leitong.compare(RECYCLED, PRIOR)
    by_text = leitong.compare(read(RECYCLED), read(PRIOR), a_name=str(RECYCLED), b_name=str(PRIOR))
    assert by_text == by_path


def test_compare_refuses_a_missing_file(tmp_path):
    with pytest.raises(leitong.Error, match=r"nowhere\.txt: no such file"):
        leitong.compare(str(tmp_path / "nowhere.txt"), PRIOR)
    with pytest.raises(leitong.Error, match="no such file"):
        leitong.compare(RECYCLED, pathlib.Path("nowhere"))


def test_frames_of_a_comparison():
    result = leitong.compare(RECYCLED, PRIOR)
    sources = leitong.sources_frame(result)
    passages = leitong.passages_frame(result)
    assert list(sources["file"]) == [s["file"] for s in result["sources"]]
    assert len(passages) == len(result["passages"])
    assert (passages["end"] > passages["start"]).all()
    text = read(RECYCLED)
    first = result["passages"][0]
    assert passages.loc[0, "text"] == text[first["start"]:first["end"]]


def test_errors_are_exceptions_of_one_family():
    assert issubclass(leitong.Error, Exception)
    assert issubclass(leitong.ArchiveWriteError, leitong.Error)
    assert issubclass(leitong.UsageError, leitong.Error) and issubclass(leitong.UsageError, ValueError)
