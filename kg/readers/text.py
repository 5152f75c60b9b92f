"""The plain-text reader: bytes on disk → decoded text and what the file says about itself.

The text is kept exactly as decoded (a BOM removed, line endings kept) because
every offset in the graph points into it. What the text says about the report
(title, jurisdiction, year …) is read by :mod:`kg.extraction.metadata`.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from kg.errors import InputError
from kg.model import ReportMeta

__all__ = ["read_report", "decode", "report_id"]

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Control characters other than tab and line breaks mark a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_report(path: str | Path) -> tuple[ReportMeta, str]:
    """Read one report; raise :class:`InputError` naming the file if it cannot be used.

    >>> from kg.resources import bundled_report
    >>> meta, text = read_report(bundled_report())
    >>> meta.id, meta.encoding, text[:6]
    ('puyang-2024', 'utf-8', '濮阳县202')
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a report file")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from None
    text, encoding = decode(data, path)
    meta = ReportMeta(id=report_id(path), source=path.name, encoding=encoding,
                      sha256=hashlib.sha256(data).hexdigest())
    return meta, text


def decode(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str]:
    """Decode report bytes: BOM-marked UTF-8/16, else UTF-8, else GB18030 (a superset of GBK)."""
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom):].decode(encoding), path), encoding + "-sig"
            except UnicodeDecodeError as err:
                raise InputError(f"{path}: undecodable bytes at offset {err.start} ({encoding})") from None
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: looks like a binary file, not a text report")
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError as utf8_err:
        try:
            return _checked(data.decode("gb18030"), path), "gb18030"
        except UnicodeDecodeError:
            raise InputError(
                f"{path}: undecodable bytes at offset {utf8_err.start} (neither UTF-8 nor GB18030)"
            ) from None


def _checked(text: str, path: str | Path) -> str:
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 1000):
        raise InputError(f"{path}: looks like a binary file, not a text report")
    if not text.strip():
        raise InputError(f"{path}: the file holds only white space")
    return text


def report_id(path: Path) -> str:
    """A stable id from the file name: ASCII stems are kept, others are hashed."""
    stem = unicodedata.normalize("NFKC", path.stem)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.")
    if slug and slug == stem:
        return slug
    return (slug + "-" if slug else "r-") + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:10]
