"""The plain-text reader: bytes on disk → decoded text and what the file says about itself.

The text is kept exactly as decoded (a BOM removed, line endings kept) because
every offset in the graph points into it. What the text says about the report
(title, jurisdiction, year …) is read by :mod:`kg.extraction.metadata`.

Encodings are told apart by cheap rules first: a BOM; UTF-16 without a BOM by
where its zero bytes fall; UTF-8 when the bytes are valid UTF-8; GB18030 (a
superset of GBK and GB2312) when Big5 cannot decode them. Only when both
GB18030 and Big5 decode the bytes (as they do nearly every Big5 file, since
the two byte ranges overlap) does charset-normalizer choose between them.
"""
from __future__ import annotations

import re
from pathlib import Path

from kg.errors import InputError
from kg.model import ReportMeta
from kg.readers.files import apply_sidecar, new_meta, read_file, report_id, shown

__all__ = ["read_report", "read_text", "decode", "report_id"]

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Control characters other than tab and line breaks mark a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BIG5 = ("big5", "cp950", "big5hkscs")  # plain Big5 first: the name says the least it needs


def read_report(path: str | Path) -> tuple[ReportMeta, str]:
    """Read one plain-text report; raise :class:`InputError` naming the file if it cannot be used.

    >>> from kg.resources import bundled_report
    >>> meta, text = read_report(bundled_report())
    >>> meta.id, meta.encoding, text[:6]
    ('puyang-2024', 'utf-8', '濮阳县202')
    """
    data = read_file(path)
    meta = new_meta(Path(path), data, "text")
    text = read_text(data, meta, shown(path))
    apply_sidecar(Path(path), meta)
    return meta, text


def read_text(data: bytes, meta: ReportMeta, name: str) -> str:
    """Decode ``data`` into ``meta.encoding`` and the text (the reader of :func:`kg.readers.read_document`)."""
    text, meta.encoding = decode(data, name)
    return text


def decode(data: bytes, path: str | Path = "<bytes>", declared: str | None = None) -> tuple[str, str]:
    """Decode report bytes; return the text and the encoding's name.

    ``declared`` is an encoding the file itself names (a web page's charset);
    it is tried right after a BOM.

    >>> decode("法治".encode("big5"))
    ('法治', 'big5')
    >>> decode("法治政府\\n".encode("utf-16-le"))[1]
    'utf-16-le'
    """
    if not data.strip():
        raise InputError(f"{path}: the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data[len(bom):].decode(encoding), path), encoding + "-sig"
            except UnicodeDecodeError as err:
                raise InputError(f"{path}: undecodable bytes at offset {err.start} ({encoding})") from None
    if declared:
        try:
            return _checked(data.decode(declared), path), declared
        except UnicodeDecodeError:
            pass  # pages often lie about their charset: detect instead
    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            return _checked(data.decode(utf16), path), utf16
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: looks like a binary file, not a text report")
    try:
        return _checked(data.decode("utf-8"), path), "utf-8"
    except UnicodeDecodeError as utf8_err:
        _refuse_mixed(data, path, utf8_err.start)
        return _decode_chinese(data, path, utf8_err.start)


_MIXED_PREFIX_CHARACTERS = 8  # UTF-8 letters before the first bad byte that no GBK text gives by chance


def _refuse_mixed(data: bytes, path: str | Path, bad: int) -> None:
    """UTF-8 for a stretch, then another encoding: two files pasted together, which no single decoding reads.

    GBK or Big5 bytes form valid UTF-8 for a character or two at most; a run of
    Chinese letters in valid UTF-8 before the first bad byte says the file
    starts as UTF-8, and decoding it all as GB18030 would garble that part.
    """
    prefix = data[:bad].decode("utf-8", errors="ignore")
    if sum(1 for ch in prefix if "\u4e00" <= ch <= "\u9fff") >= _MIXED_PREFIX_CHARACTERS:
        raise InputError(f"{path}: mixed encodings: UTF-8 up to byte {bad}, then something else; "
                         "convert the whole file to one encoding (UTF-8)")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: its ASCII characters (digits, line ends) put zero bytes on one side only."""
    sample = data[:65536]
    if len(sample) < 4 or len(data) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if even + odd < max(1, len(sample) // 400):
        return None
    if odd >= 0.7 * (even + odd):  # 一 (U+4E00) puts its zero on the other side
        return "utf-16-le"
    if even >= 0.7 * (even + odd):
        return "utf-16-be"
    return None


def _decode_chinese(data: bytes, path: str | Path, utf8_error_at: int) -> tuple[str, str]:
    candidates: dict[str, str] = {}
    for encoding in ("gb18030",) + _BIG5:
        try:
            candidates[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    big5 = _big5_family(candidates)
    options = {name: text for name, text in candidates.items() if name == "gb18030" or name == big5}
    if not options:
        raise InputError(f"{path}: undecodable bytes at offset {utf8_error_at} (neither UTF-8, GB18030 nor Big5)")
    encoding = _normalizer_choice(data, list(options)) if len(options) > 1 else next(iter(options))
    return _checked(options[encoding], path), encoding


def _big5_family(candidates: dict[str, str]) -> str | None:
    """The Big5 variant to name: Big5-HKSCS's reading wins (its extra area is kana in plain Big5),
    called plain Big5 or cp950 when that reads the same."""
    if "big5hkscs" not in candidates:
        return "cp950" if "cp950" in candidates else ("big5" if "big5" in candidates else None)
    for name in ("big5", "cp950"):
        if candidates.get(name) == candidates["big5hkscs"]:
            return name
    return "big5hkscs"


def _normalizer_choice(data: bytes, encodings: list[str]) -> str:
    """charset-normalizer's pick among encodings that all decode ``data`` (GB18030 if it cannot tell)."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=encodings).best()
    found = best.encoding.replace("_", "") if best else ""
    for encoding in encodings:
        if encoding.replace("-", "").replace("_", "") == found:
            return encoding
    return encodings[0]


def _checked(text: str, path: str | Path) -> str:
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(2, len(sample) // 1000):
        raise InputError(f"{path}: looks like a binary file, not a text report")
    if not text.strip():
        raise InputError(f"{path}: the file holds only white space")
    return text
