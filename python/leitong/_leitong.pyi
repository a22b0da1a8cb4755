"""Type stubs of leitong._leitong, the binding over the C++ library (python/src/leitong_module.cpp).

Use the package leitong; this module is its engine. Functions whose names end in _json or _text
return the command-line tool's output, which leitong parses.
"""

from typing import Any, Literal, Optional, Sequence, Tuple, Union, overload

import numpy as np
import numpy.typing as npt

__version__: str

class Error(Exception):
    """An input, user or I/O error of leitong; str(e) is the library's message ("FILE: reason")."""

class ArchiveWriteError(Error):
    """The archive could not be written (disk full, read-only, damaged): the add did not happen."""

class UsageError(Error, ValueError):
    """An argument leitong refuses (a year out of range, an unknown kind)."""

def extract_json(path: str, keep_chrome: bool = False, max_file_mb: int = 64) -> str: ...
@overload
def normalize(
    text: str,
    *,
    offsets: Literal[False] = ...,
    nfkc: bool = True,
    fold_case: bool = True,
    canonical_punctuation: bool = True,
    drop_whitespace: bool = True,
    mask_digits: bool = True,
    traditional_to_simplified: bool = True,
    mask_chinese_numerals: bool = True,
) -> str: ...
@overload
def normalize(
    text: str,
    *,
    offsets: Literal[True],
    nfkc: bool = True,
    fold_case: bool = True,
    canonical_punctuation: bool = True,
    drop_whitespace: bool = True,
    mask_digits: bool = True,
    traditional_to_simplified: bool = True,
    mask_chinese_numerals: bool = True,
) -> Tuple[str, npt.NDArray[np.uint32], npt.NDArray[np.uint32]]: ...

class Sketch:
    """Everything leitong computes from one text before indexing or comparing it."""

    def __init__(self, text: str, *, shingle: int = 5, k: int = 128, seed: int = 0x9E3779B97F4A7C15) -> None: ...
    @property
    def shingle(self) -> int: ...
    @property
    def k(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def normalized(self) -> str: ...
    @property
    def minhash(self) -> npt.NDArray[np.uint32]:
        """The MinHash signature: a read-only array of k values."""
    @property
    def simhash(self) -> int: ...
    @property
    def shingles(self) -> npt.NDArray[np.uint64]: ...
    @property
    def fingerprint_hashes(self) -> npt.NDArray[np.uint64]: ...
    @property
    def fingerprint_positions(self) -> npt.NDArray[np.uint32]: ...
    def jaccard(self, other: "Sketch") -> float: ...
    def exact_jaccard(self, other: "Sketch") -> float: ...
    def simhash_distance(self, other: "Sketch") -> int: ...
    def __len__(self) -> int: ...

SignatureLike = Union[Sketch, npt.ArrayLike]

def jaccard(a: SignatureLike, b: SignatureLike) -> float: ...
def simhash_distance(a: Union[Sketch, int], b: Union[Sketch, int]) -> int: ...
def signatures(
    texts: Sequence[str], *, shingle: int = 5, k: int = 128, seed: int = 0x9E3779B97F4A7C15, threads: int = 1
) -> Tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint64]]: ...

class _Input: ...

def _input(path: Optional[str], text: Optional[str], name: str) -> _Input: ...
def compare_json(
    a: _Input,
    b: _Input,
    shingle: int = 5,
    min_passage: Optional[int] = None,
    max_gap: Optional[int] = None,
    boilerplate_agencies: Optional[int] = None,
    max_candidates: Optional[int] = None,
) -> str: ...
def is_document_extension(extension: str) -> bool: ...
def canonical_agency(name: str) -> str: ...

class Archive:
    def __init__(self, path: str, mode: str = "r") -> None: ...
    @property
    def path(self) -> str: ...
    @property
    def writable(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    def close(self) -> None: ...
    def add_files(
        self,
        paths: Sequence[str],
        agency: str,
        year: int,
        kind: str,
        keep_chrome: bool,
        max_file_mb: int,
        batch: int,
        stop_at_refusal: bool,
    ) -> list[dict[str, Any]]: ...
    def add_manifest(
        self, csv: str, keep_chrome: bool, max_file_mb: int, batch: int, stop_at_refusal: bool
    ) -> list[dict[str, Any]]: ...
    def add_text(self, text: str, file: str, agency: str, year: int, kind: str) -> dict[str, Any]: ...
    def check_json(
        self,
        input: _Input,
        agency: str,
        year: int,
        keep_chrome: bool,
        max_file_mb: int,
        min_passage: Optional[int],
        max_gap: Optional[int],
        boilerplate_agencies: Optional[int],
        max_candidates: Optional[int],
    ) -> str: ...
    def yoy_text(
        self,
        format: str,
        year: int,
        threshold: float,
        all_prior: bool,
        threads: int,
        min_passage: Optional[int],
        max_gap: Optional[int],
        boilerplate_agencies: Optional[int],
        max_candidates: Optional[int],
    ) -> str: ...
    def clusters_json(self, year: int, across_years: bool, min_ratio: float) -> str: ...
    def boilerplate_json(self, top: int, boilerplate_agencies: int) -> str: ...
    def stats_json(self) -> str: ...
    def agencies(self) -> list[str]: ...
    def documents(self) -> list[dict[str, Any]]: ...
    def text(self, id: int) -> str: ...
    def sketch_parameters(self) -> dict[str, int]: ...
    def report_band_keys(
        self, ids: Sequence[int], year: int = 0
    ) -> Tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.uint64]]: ...
    def pair_scores(
        self, a: Sequence[int], b: Sequence[int], min_jaccard: float = 0.3
    ) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def __len__(self) -> int: ...
