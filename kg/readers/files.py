"""Opening a report file: one clear line for every way a path can fail to be a readable file.

Every message names the path as the user gave it (control characters escaped,
so a hostile file name cannot write to the terminal).
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from pathlib import Path

from kg.errors import InputError
from kg.model import ReportMeta

__all__ = ["shown", "read_file", "new_meta", "report_id", "sidecar_path", "apply_sidecar"]

_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def shown(path: str | os.PathLike) -> str:
    r"""The path as given, with control and bidi characters escaped.

    >>> shown("a\nb.txt")
    'a\\nb.txt'
    """
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), os.fspath(path))


def read_file(path: str | os.PathLike) -> bytes:
    """The bytes of a regular file; :class:`InputError` for anything else (never blocks on a FIFO)."""
    name = shown(path)
    try:
        info = os.stat(path)  # follows links: a loop or a dangling link fails here
    except OSError as err:
        raise InputError(f"{name}: {_stat_problem(path, err)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{name}: is a folder, not a report file")
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise InputError(f"{name}: is {kind}, not a regular file")
    try:
        # O_NONBLOCK: should the file have become a FIFO since stat, open() returns at once.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read()
    except OSError as err:
        raise InputError(f"{name}: cannot be read ({err.strerror or err})") from None


def _stat_problem(path: str | os.PathLike, err: OSError) -> str:
    if err.errno == errno.ELOOP:
        return "a symbolic link loop (the link points back to itself)"
    if err.errno == errno.ENOENT:
        return "a broken symbolic link (its target does not exist)" if os.path.islink(path) else "no such file"
    if err.errno == errno.ENOTDIR:
        return "no such file (a part of the path is not a folder)"
    if err.errno == errno.EACCES:
        return "permission denied"
    if err.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return f"cannot be read ({err.strerror or err})"


def report_id(path: Path) -> str:
    """A stable id from the file name: ASCII stems are kept, others are hashed.

    >>> report_id(Path("reports/puyang-2024.txt"))
    'puyang-2024'
    """
    stem = unicodedata.normalize("NFKC", path.stem)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")
    if slug and slug == stem:
        return slug
    return (slug + "-" if slug else "r-") + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:10]


def new_meta(path: Path, data: bytes, fmt: str) -> ReportMeta:
    """The file's identity: id, name, sha256 of the bytes, format (the reader fills the rest)."""
    return ReportMeta(id=report_id(path), source=path.name, encoding="", format=fmt,
                      sha256=hashlib.sha256(data).hexdigest())


def sidecar_path(path: Path) -> Path:
    """Where :mod:`kg.readers.fetch` records where a fetched file came from (a hidden file beside it)."""
    return path.with_name(f".{path.name}.fetch.json")


def apply_sidecar(path: Path, meta: ReportMeta) -> dict:
    """Set ``meta.url`` and ``meta.fetched`` from a fetch record beside ``path``; return the record ({} if none)."""
    record_file = sidecar_path(path)
    try:
        if not record_file.is_file():
            return {}
    except OSError:  # the record's name would be too long for the file system: there is none
        return {}
    try:
        record = json.loads(record_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"{shown(record_file)}: unreadable fetch record ({err})") from None
    if not isinstance(record, dict):
        raise InputError(f"{shown(record_file)}: unreadable fetch record (not a JSON object)")
    meta.url = record.get("final_url") or record.get("url")
    meta.fetched = record.get("fetched")
    return record
