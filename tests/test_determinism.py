"""The same input gives byte-identical output whatever the time zone, date, locale, hash seed and working directory.

Two ``kg build`` runs of the same reports into the same folder, in separate
processes: one in UTC, a UTF-8 locale and hash seed 0; the other fourteen
hours ahead, in an ASCII locale (Python's UTF-8 mode and locale coercion off,
so any file opened without an explicit encoding would show), another hash
seed, another working directory and, with ``faketime``, on New Year's Eve
2031 a few seconds before midnight. Every file of the two outputs is compared,
except the files of the RocksDB store (``store/``), which carry session ids,
a log with times and paths: its statements are compared instead.
"""
from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES

REPORTS = ["query-a-county.txt", "query-b-city.txt"]
BASELINE = {"TZ": "UTC", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0"}
HOSTILE = {"TZ": "Pacific/Kiritimati", "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0",
           "PYTHONHASHSEED": "4242"}


def build(reports: list[Path], out: Path, cwd: Path, env: dict[str, str], prefix: list[str] = ()) -> None:
    cwd.mkdir(parents=True, exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHON")) and k not in ("TZ", "LANG")}
    done = subprocess.run([*prefix, sys.executable, "-m", "kg", "build", *map(str, reports), "-o", str(out)],
                          cwd=cwd, env={**clean, **env}, capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")


def files(root: Path) -> dict[str, bytes]:
    found = {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
             if p.is_file() and p.relative_to(root).parts[0] != "store"}
    if (root / "store").is_dir():
        import pyoxigraph as ox

        store = ox.Store.read_only(str(root / "store"))
        found["store (its statements)"] = b"".join(sorted(store.dump(format=ox.RdfFormat.N_QUADS).splitlines(True)))
        del store
    return found


def first_difference(name: str, a: bytes, b: bytes) -> str:
    lines = difflib.unified_diff(a.decode("utf-8", "replace").splitlines(), b.decode("utf-8", "replace").splitlines(),
                                 lineterm="", n=0)
    return name + ":\n" + "\n".join(line[:200] for line in list(lines)[2:8])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> tuple[Path, list[Path], dict[str, bytes]]:
    root = tmp_path_factory.mktemp("determinism")
    reports = []
    for name in REPORTS:
        shutil.copy(FIXTURES / name, root / name)
        reports.append(root / name)
    build(reports, root / "out", root / "here", BASELINE)
    first = files(root / "out")
    shutil.rmtree(root / "out")
    return root, reports, first


@pytest.mark.parametrize("variant", ["zone-locale-seed-cwd", "date"])
def test_a_build_is_byte_identical_in_another_environment(baseline, variant):
    root, reports, first = baseline
    prefix: list[str] = []
    if variant == "date":
        faketime = shutil.which("faketime")
        if faketime is None:
            pytest.skip("faketime is not installed (apt-get install faketime): the date is not varied")
        prefix = [faketime, "2031-12-31 23:59:50"]
    build(reports, root / "out", root / "elsewhere" / variant, HOSTILE, prefix)
    second = files(root / "out")
    shutil.rmtree(root / "out")
    assert sorted(second) == sorted(first)
    differing = [first_difference(name, first[name], second[name]) for name in first if first[name] != second[name]]
    assert not differing, "\n\n".join(differing)
