"""Builds the extension leitong._leitong with the repository's CMake build (python/CMakeLists.txt).

pip runs this from python/ (in-tree). The CMake build directory is <repository>/build-pip (or
$LEITONG_PIP_BUILD_DIR), kept between installs so that a reinstall only rebuilds what changed; extra
CMake arguments come from $LEITONG_CMAKE_ARGS (e.g. -DLEITONG_NATIVE=ON for a module built for this
CPU only), parallel jobs from $CMAKE_BUILD_PARALLEL_LEVEL.
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def project_version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\(leitong VERSION ([0-9.]+)", text)
    if not match:
        raise RuntimeError(f"no project version in {ROOT / 'CMakeLists.txt'}")
    return match.group(1)


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build_dir = Path(os.environ.get("LEITONG_PIP_BUILD_DIR", ROOT / "build-pip")).resolve()
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DLEITONG_BUILD_TOOLS=OFF", "-DLEITONG_BUILD_TESTS=OFF", "-DLEITONG_BUILD_BENCH=OFF",
            "-DLEITONG_BUILD_PYTHON=ON",
            # The interpreter pip runs under, not the first python3 on PATH.
            f"-DPYTHON_EXECUTABLE={sys.executable}",
        ]
        if shutil.which("ninja") and not (build_dir / "CMakeCache.txt").exists():
            configure += ["-G", "Ninja"]
        configure += shlex.split(os.environ.get("LEITONG_CMAKE_ARGS", ""))
        subprocess.run(configure, check=True)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 1)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "leitong_python", "-j", jobs], check=True)
        built = build_dir / "python" / "leitong" / ("_leitong" + sysconfig.get_config_var("EXT_SUFFIX"))
        if not built.is_file():
            raise RuntimeError(f"CMake built no {built}")
        destination = Path(self.get_ext_fullpath(ext.name))
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, destination)


setup(
    version=project_version(),
    ext_modules=[CMakeExtension("leitong._leitong")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
