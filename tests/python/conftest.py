"""The Python module's tests: they import leitong from a build (or an installed copy) and compare
its results with the leitong command-line tool's JSON on the bundled corpora.

Environment (all optional):
  LEITONG_PYTHON_DIR  a folder holding the package leitong/ to test, or "installed" for the one
                      Python imports (default: <build>/python of the first of build/, build-py/ that
                      has the module built; else the installed one)
  LEITONG_BIN         the leitong tool to compare with (default: <that build>/leitong, else build/leitong)
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO / "corpora"


def _built_module_dir() -> Path | None:
    chosen = os.environ.get("LEITONG_PYTHON_DIR")
    if chosen == "installed":
        return None
    if chosen:
        return Path(chosen)
    for build in ("build", "build-py"):
        folder = REPO / build / "python"
        if glob.glob(str(folder / "leitong" / "_leitong*.so")):
            return folder
    return None


MODULE_DIR = _built_module_dir()
if MODULE_DIR is not None:
    sys.path.insert(0, str(MODULE_DIR))
    # Worker processes (leitong.dask's LocalCluster) import the same build.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(MODULE_DIR), os.environ.get("PYTHONPATH")]))

import leitong  # noqa: E402  (after the build's folder is on the path)


def _cli_path() -> Path:
    if os.environ.get("LEITONG_BIN"):
        return Path(os.environ["LEITONG_BIN"])
    candidates = []
    if MODULE_DIR is not None:
        candidates.append(MODULE_DIR.parent / "leitong")
    candidates.append(REPO / "build" / "leitong")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("leitong")
    if found:
        return Path(found)
    pytest.exit("no leitong tool to compare with: build it or set LEITONG_BIN", returncode=2)


class Cli:
    """Runs the leitong tool and parses its JSON."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def run(self, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([str(self.path), *args], cwd=cwd, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"leitong {' '.join(args)} failed ({result.returncode}): {result.stderr}")
        return result

    def json(self, *args: str, cwd: Path | None = None) -> dict:
        return json.loads(self.run(*args, "--format", "json", cwd=cwd).stdout)


@pytest.fixture(scope="session")
def cli() -> Cli:
    return Cli(_cli_path())


@pytest.fixture(scope="session")
def corpora_archive(tmp_path_factory, cli) -> Path:
    """corpora/manifest.csv added by the CLI, then the recycled 2025 report, as scripts/demo.sh does."""
    path = tmp_path_factory.mktemp("cli") / "corpora.db"
    cli.run("add", "--quiet", "--archive", str(path), "--manifest", str(CORPORA / "manifest.csv"))
    cli.run("add", "--quiet", "--archive", str(path), "--agency", "深圳市罗湖区民政局", "--year", "2025",
            str(CORPORA / "cases" / "luohu-minzheng-2025.txt"))
    return path


@pytest.fixture(scope="session")
def python_corpora_archive(tmp_path_factory) -> Path:
    """The same archive made through the module."""
    path = tmp_path_factory.mktemp("py") / "corpora.db"
    with leitong.Archive(path, mode="a") as archive:
        archive.add_manifest(CORPORA / "manifest.csv")
        archive.add(CORPORA / "cases" / "luohu-minzheng-2025.txt", agency="深圳市罗湖区民政局", year=2025)
    return path


@pytest.fixture(scope="session")
def national_archive(tmp_path_factory) -> Path:
    """The national government work reports 1954–2022, added through the module."""
    path = tmp_path_factory.mktemp("national") / "national.db"
    with leitong.Archive(path, mode="a") as archive:
        archive.add_manifest(CORPORA / "gov-work-reports" / "manifest.csv", batch=100)
    return path
