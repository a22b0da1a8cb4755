"""leitong from Python: find copied and recycled text in Chinese government reports.

The C++ library does the work (leitong._leitong, with the GIL released); this package adds what
is Python's: dicts in the shapes of the command line's JSON (``leitong ... --format json``), pandas
DataFrames of the tables, and paths or texts where the CLI takes files. docs/python.md has the
guide.

    >>> import leitong
    >>> result = leitong.compare("reports/2025.txt", "reports/2024.txt")
    >>> result["copy_ratio"]
    >>> with leitong.Archive("reports.db", mode="a") as archive:
    ...     archive.add("reports/", agency="深圳市罗湖区民政局", year=2024)
    ...     archive.yoy_frame()
"""

from __future__ import annotations

import io
import json
import os
from typing import TYPE_CHECKING, Any, Iterable, Optional, Sequence, Tuple, Union

from . import _leitong
from ._leitong import (
    ArchiveWriteError,
    Error,
    Sketch,
    UsageError,
    jaccard,
    normalize,
    signatures,
    simhash_distance,
)

if TYPE_CHECKING:  # pandas is needed only by the *_frame helpers
    import pandas

__all__ = [
    "Archive",
    "ArchiveWriteError",
    "Error",
    "Sketch",
    "UsageError",
    "compare",
    "extract",
    "jaccard",
    "normalize",
    "passages_frame",
    "signatures",
    "simhash_distance",
    "sources_frame",
]

__version__: str = _leitong.__version__

PathLike = Union[str, "os.PathLike[str]"]
TextOrPath = Union[str, "os.PathLike[str]"]

# The longest string taken for a path (Linux's PATH_MAX): longer ones are texts.
_LONGEST_PATH = 4096


def _is_path(value: TextOrPath) -> bool:
    """Whether `value` names a file rather than being a text.

    A path object is a path. A str is a path when it names an existing file, or when it is one short
    line ending in a document extension (.txt, .pdf, ...): a misspelt file name is then refused as a
    missing file rather than compared as a text of a dozen characters. Any other str is a text.
    """
    if isinstance(value, os.PathLike):
        return True
    if not isinstance(value, str):
        raise TypeError(f"expected a text (str) or a path (str or os.PathLike), not {type(value).__name__}")
    if "\n" in value or len(value) > _LONGEST_PATH:
        return False
    if os.path.isfile(value):
        return True
    return _leitong.is_document_extension(os.path.splitext(value)[1].lower())


def _input(value: TextOrPath, name: str) -> Any:
    if _is_path(value):
        return _leitong._input(os.fspath(value), None, "")
    return _leitong._input(None, value, name)


def extract(path: PathLike, *, keep_chrome: bool = False, max_file_mb: int = 64) -> dict:
    """Extracts a file as leitong reads it: ``leitong extract --format json PATH`` as a dict.

    Keys: schema ("leitong.extract/1"), file, format ("text/utf-8", "html/gb18030", "docx", "pdf",
    ...), pages, code_points, chars (whitespace excluded), metadata (title, agency, year, date the
    file names, and where each came from), removed (page-chrome lines left out) and text (the
    extracted text, which every offset of a check points into). Raises leitong.Error for a file
    leitong refuses (missing, empty, binary, scanned PDF, ...).
    """
    return json.loads(_leitong.extract_json(os.fspath(path), keep_chrome, max_file_mb))


def compare(
    a: TextOrPath,
    b: TextOrPath,
    *,
    shingle: int = 5,
    min_passage: Optional[int] = None,
    max_gap: Optional[int] = None,
    a_name: str = "a",
    b_name: str = "b",
) -> dict:
    """Which passages of `a` also appear in `b`: ``leitong compare --format json A B`` as a dict.

    `a` and `b` are each a path (a path object, or a str naming a file, see below) or a text. The
    result has the schema "leitong.check/1" (docs/json.md): copy_ratio, sources (`b`, when it shares
    anything), passages with code-point offsets into `a`'s extracted text and `b`'s. A str is taken
    for a path when it names an existing file or is one line ending in a document extension
    (a missing "report.txt" raises leitong.Error); wrap a path in pathlib.Path to be explicit.
    `a_name` and `b_name` are the `file` the result gives a text.
    """
    return json.loads(
        _leitong.compare_json(
            _input(a, a_name), _input(b, b_name), shingle=shingle, min_passage=min_passage, max_gap=max_gap
        )
    )


def _frame(records: list, columns: Sequence[str]) -> "pandas.DataFrame":
    import pandas

    return pandas.DataFrame.from_records(records, columns=list(columns))


def sources_frame(result: dict) -> "pandas.DataFrame":
    """A check's or comparison's `sources` as a DataFrame, one row per source, in the JSON's order."""
    columns = [
        "id", "file", "agency", "year", "kind", "relation", "copy_ratio",
        "copy_ratio_excluding_boilerplate", "jaccard", "simhash_distance", "passages",
    ]
    return _frame([{c: s.get(c) for c in columns} for s in result["sources"]], columns)


def passages_frame(result: dict) -> "pandas.DataFrame":
    """A check's or comparison's `passages` as a DataFrame, with each passage's source file added."""
    columns = [
        "start", "end", "source", "source_file", "source_start", "source_end", "boilerplate", "similarity", "text",
    ]
    sources = result["sources"]
    records = []
    for p in result["passages"]:
        record = {c: p.get(c) for c in columns}
        record["source_file"] = None if p.get("source") is None else sources[p["source"]]["file"]
        records.append(record)
    return _frame(records, columns)


def _document_paths(paths: Union[PathLike, Iterable[PathLike]]) -> list:
    """The files an add covers, as `leitong add` finds them: a folder stands for its documents
    (by extension, recursively, hidden entries skipped, in name order)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = []
    for path in paths:
        path = os.fspath(path)
        if not os.path.isdir(path):
            files.append(path)
            continue
        found = []
        for folder, subfolders, names in os.walk(path):
            subfolders[:] = [d for d in subfolders if not d.startswith(".")]
            for name in names:
                extension = os.path.splitext(name)[1].lower()
                if not name.startswith(".") and (extension == "" or _leitong.is_document_extension(extension)):
                    found.append(os.path.join(folder, name))
        if not found:
            raise Error(f"{path}: a folder without documents (.txt .md .html .docx .pdf .doc)")
        files.extend(sorted(found))
    return files


class Archive:
    """A leitong archive file: add reports, check one, run the year-over-year inspection.

    ``Archive(path)`` opens an existing archive for reading; ``Archive(path, mode="a")`` also adds
    to it, creating it if missing (the CLI's ``leitong add`` makes the same file). Every result is
    the dict the CLI's ``--format json`` gives. Use it as a context manager, or call close(), to
    release the file. One call runs at a time on an Archive; calls release the GIL, so other Python
    threads run meanwhile.
    """

    def __init__(self, path: PathLike, mode: str = "r") -> None:
        self._archive = _leitong.Archive(os.fspath(path), mode)

    @property
    def path(self) -> str:
        return self._archive.path

    @property
    def writable(self) -> bool:
        return self._archive.writable

    def close(self) -> None:
        """Commits what is pending and closes the file; later calls raise leitong.Error."""
        self._archive.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._archive)

    def __repr__(self) -> str:
        state = "closed" if self._archive.closed else ("a" if self.writable else "r")
        return f"<leitong.Archive {self.path!r} ({state})>"

    def add(
        self,
        paths: Union[PathLike, Iterable[PathLike]],
        agency: Optional[str] = None,
        year: Optional[int] = None,
        kind: str = "report",
        *,
        on_error: str = "raise",
        keep_chrome: bool = False,
        max_file_mb: int = 64,
        batch: int = 1,
    ) -> list:
        """Adds files (or folders of them) as ``leitong add`` does; returns one dict per file.

        Each file is its own transaction (``batch`` > 1 groups that many, for bulk loads). Without
        `agency` or `year`, each file must name them itself (portal header, title or signature).
        A text the archive already holds for that agency and year is left "unchanged".
        Each dict: file, status ("added", "unchanged" or "refused"), id, agency, year, kind
        (or reason, when refused) and note (where a missing agency or year came from).
        on_error="raise" raises leitong.Error at the first refused file, after committing the
        files before it; on_error="skip" adds the rest and lists the refusal.
        """
        if on_error not in ("raise", "skip"):
            raise UsageError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
        return self._archive.add_files(
            _document_paths(paths), agency or "", year or 0, kind, keep_chrome, max_file_mb, batch, on_error == "raise"
        )

    def add_manifest(
        self, csv: PathLike, *, on_error: str = "raise", keep_chrome: bool = False, max_file_mb: int = 64,
        batch: int = 1,
    ) -> list:
        """Adds the files a CSV manifest lists (header path,agency,year[,kind]; paths relative to the
        CSV), as ``leitong add --manifest CSV``; returns one dict per row, as add() does."""
        if on_error not in ("raise", "skip"):
            raise UsageError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
        return self._archive.add_manifest(os.fspath(csv), keep_chrome, max_file_mb, batch, on_error == "raise")

    def add_text(self, text: str, *, agency: str, year: int, kind: str = "report", file: str = "") -> dict:
        """Adds a text that is already extracted, filed as `file` (a name for display)."""
        return self._archive.add_text(text, file, agency, year, kind)

    def check(
        self,
        report: TextOrPath,
        agency: Optional[str] = None,
        year: Optional[int] = None,
        *,
        name: str = "",
        keep_chrome: bool = False,
        max_file_mb: int = 64,
        min_passage: Optional[int] = None,
        max_gap: Optional[int] = None,
        boilerplate_agencies: Optional[int] = None,
        max_candidates: Optional[int] = None,
    ) -> dict:
        """Checks a report against the archive: ``leitong check --format json`` as a dict.

        `report` is a path or a text (as in compare()); a file may name its own agency and year, a
        text needs both. The agency is taken as the archive names it (罗湖区民政局 is
        深圳市罗湖区民政局 when the archive holds that). The report is not added.
        Schema "leitong.check/1" (docs/json.md).
        """
        return json.loads(
            self._archive.check_json(
                _input(report, name), agency or "", year or 0, keep_chrome, max_file_mb, min_passage, max_gap,
                boilerplate_agencies, max_candidates,
            )
        )

    def yoy(
        self,
        year: Optional[int] = None,
        *,
        threshold: float = 0.4,
        all_prior: bool = False,
        threads: int = 0,
        min_passage: Optional[int] = None,
        max_gap: Optional[int] = None,
        boilerplate_agencies: Optional[int] = None,
        max_candidates: Optional[int] = None,
    ) -> dict:
        """The year-over-year inspection: ``leitong yoy --format json`` as a dict (schema
        "leitong.yoy/1"): one row per report that has an earlier report of its agency, ranked by
        copy_ratio_excluding_boilerplate; `flagged` at or above `threshold`. `threads`: reports
        checked in parallel (0: one per core)."""
        return json.loads(
            self._archive.yoy_text(
                "json", year or 0, threshold, all_prior, threads, min_passage, max_gap, boilerplate_agencies,
                max_candidates,
            )
        )

    def yoy_frame(
        self,
        year: Optional[int] = None,
        *,
        threshold: float = 0.4,
        all_prior: bool = False,
        threads: int = 0,
        min_passage: Optional[int] = None,
        max_gap: Optional[int] = None,
        boilerplate_agencies: Optional[int] = None,
        max_candidates: Optional[int] = None,
    ) -> "pandas.DataFrame":
        """The year-over-year table as a DataFrame: ``leitong yoy --format csv`` read by pandas, so
        its columns are the CSV's (agency, year, file, prior_year, prior_file, copy_ratio,
        copy_ratio_excluding_boilerplate, flagged, max_source_*, ...), one row per yoy() row, in the
        same order. Ratios have 4 decimals; a row without a source has NaN in max_source_*."""
        import pandas

        csv = self._archive.yoy_text(
            "csv", year or 0, threshold, all_prior, threads, min_passage, max_gap, boilerplate_agencies,
            max_candidates,
        )
        # Only empty fields are missing: an agency or file named "NA" stays a name.
        return pandas.read_csv(io.StringIO(csv), keep_default_na=False, na_values=[""])

    def clusters(self, year: Optional[int] = None, *, across_years: bool = False, min_ratio: float = 0.5) -> dict:
        """Groups of near-duplicate reports: ``leitong clusters --format json`` as a dict (schema
        "leitong.clusters/1"). Reports of one year are grouped unless `across_years`; a pair is
        confirmed when each shares at least `min_ratio` of its text with the other."""
        return json.loads(self._archive.clusters_json(year or 0, across_years, min_ratio))

    def clusters_frame(self, year: Optional[int] = None, **options: Any) -> "pandas.DataFrame":
        """clusters() as a DataFrame, one row per member: cluster (its index, largest first), id,
        file, agency, year, kind."""
        columns = ["cluster", "id", "file", "agency", "year", "kind"]
        records = []
        for index, cluster in enumerate(self.clusters(year, **options)["clusters"]):
            for member in cluster["members"]:
                records.append({"cluster": index, **{c: member.get(c) for c in columns[1:]}})
        return _frame(records, columns)

    def boilerplate(self, *, top: int = 50, boilerplate_agencies: int = 3) -> dict:
        """The passages the most distinct agencies share: ``leitong boilerplate --format json`` as a
        dict (schema "leitong.boilerplate/1")."""
        return json.loads(self._archive.boilerplate_json(top, boilerplate_agencies))

    def stats(self) -> dict:
        """What the archive holds and its sizes: ``leitong stats --format json`` as a dict (schema
        "leitong.stats/1")."""
        return json.loads(self._archive.stats_json())

    def agencies(self) -> list:
        """The archive's agency names, sorted."""
        return self._archive.agencies()

    def documents(self) -> list:
        """Every document's id, file, agency, year and kind (dicts), in id order."""
        return self._archive.documents()

    def documents_frame(self) -> "pandas.DataFrame":
        """documents() as a DataFrame."""
        return _frame(self.documents(), ["id", "file", "agency", "year", "kind"])

    def text(self, id: int) -> str:
        """The extracted text of document `id`."""
        return self._archive.text(id)

    def sketch(self, id: int) -> Sketch:
        """The Sketch of document `id`, made with the archive's shingle size, k and seed."""
        return Sketch(self.text(id), **self._archive.sketch_parameters())
