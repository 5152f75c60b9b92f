"""Files: finding the reports to build, and writing outputs so that a failure never leaves half a file.

Every output is written to a temporary name beside its target and renamed
onto it (:func:`atomic_path`, :func:`atomic_write`): a reader sees the old
file or the new one, never a mixture.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kg.errors import InputError, OutputError

__all__ = ["find_reports", "atomic_path", "atomic_write", "check_writable", "REPORT_SUFFIXES"]

REPORT_SUFFIXES = (".txt", ".text")


def find_reports(paths: Iterable[str | Path], suffixes: tuple[str, ...] = REPORT_SUFFIXES
                 ) -> tuple[list[Path], list[Path]]:
    """Expand folders into the report files they hold (sorted); keep files as given.

    Returns the reports and the files of the folders that were skipped (an
    unknown suffix or a hidden name), so that the caller can say so. A missing
    file given by name is kept: the reader reports it, and the others are built.
    """
    found: list[Path] = []
    skipped: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            found.append(path)
            continue
        inside = []
        for candidate in sorted(path.rglob("*")):
            if not candidate.is_file() or any(part.startswith(".") for part in candidate.relative_to(path).parts):
                continue
            (inside if candidate.suffix.lower() in suffixes else skipped).append(candidate)
        if not inside:
            raise InputError(f"{path}: folder holds no reports ({', '.join('*' + s for s in suffixes)})")
        found.extend(inside)
    return found, skipped


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: setting it is process-wide


def make_ordinary(path: str | Path) -> None:
    """Give a file made by ``mkstemp`` (mode 0600) the mode of an ordinary new file."""
    os.chmod(path, 0o666 & ~_UMASK)


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        make_ordinary(tmp)
    except OSError as err:
        raise OutputError(f"{target.parent}: cannot write output here ({err.strerror or err})") from None
    try:
        yield Path(tmp)
        try:
            os.replace(tmp, target)
        except OSError as err:  # say which file (a folder in its place, a vanished parent)
            raise OutputError(f"{target}: cannot write ({err.strerror or err})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(target: str | Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8 with ``\\n`` line ends) to ``target`` through a temporary file."""
    with atomic_path(target) as tmp:
        try:
            if isinstance(data, str):
                tmp.write_text(data, encoding="utf-8", newline="\n")
            else:
                tmp.write_bytes(data)
        except OSError as err:
            raise OutputError(f"{target}: cannot write ({err.strerror or err})") from None


def check_writable(out: Path) -> None:
    """Create the output folder if needed; raise :class:`OutputError` if it cannot be written."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out}: cannot create output folder ({err.strerror or err})") from None
    if not os.access(out, os.W_OK):
        raise OutputError(f"{out}: output folder is not writable")
