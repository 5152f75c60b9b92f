"""Stage 1, read: bytes on disk → decoded text and the report's own metadata.

The text is kept exactly as decoded (a BOM removed, line endings kept) because
every offset in the graph points into it.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from .errors import InputError
from .model import ReportMeta, Span

__all__ = ["read_report", "decode", "report_metadata", "report_id"]

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
    >>> meta.year, meta.jurisdiction
    (2024, '濮阳县')
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
    meta = report_metadata(text)
    meta.id = report_id(path)
    meta.source = path.name
    meta.encoding = encoding
    meta.sha256 = hashlib.sha256(data).hexdigest()
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


# --- metadata -------------------------------------------------------------

_DIGITS = str.maketrans("０１２３４５６７８９〇零一二三四五六七八九", "01234567890012345678" + "9")
_TITLE = re.compile(r"(法治政府|依法行政|法治建设).{0,30}(报告|情况)")
_TITLE_YEAR = re.compile(r"([0-9０-９]{4})\s*年")
# A jurisdiction is a chain of administrative names (临江市云岭区, 某省某市): each link is
# a short name ending in an administrative suffix; an agency name (…局) ends the chain.
_ADMIN_UNIT = r"[^0-9０-９省市州盟县区旗乡镇局委厅院办]{1,8}?(?:自治州|自治县|自治旗|特别行政区|街道|省|市|州|盟|县|区|旗|乡|镇)"
_ADMIN_CHAIN = re.compile(rf"^(?:{_ADMIN_UNIT})+")
_DATE = (
    r"(?P<y>[0-9０-９〇零一二三四五六七八九]{4})\s*(?:年|[-/.])\s*(?P<m>[0-9０-９一二三四五六七八九十]{1,3})\s*(?:月|[-/.])"
    r"\s*(?P<d>[0-9０-９一二三四五六七八九十]{1,3})(?:\s*日)?(?:\s*(?P<H>[0-9０-９]{1,2})[:：](?P<M>[0-9０-９]{2}))?"
)
_PUBLISHED = re.compile(r"(?:发布于|发布时间|发布日期|发文日期|日期|时间)\s*[:：]?\s*" + _DATE)
_BARE_DATE = re.compile(r"^\s*" + _DATE + r"\s*$", re.M)


def _number(token: str) -> int:
    token = token.translate(_DIGITS)
    if token.isdigit():
        return int(token)
    # 十, 十二, 二十, 二十一 (months and days)
    tens, _, units = token.partition("十")
    if "十" in token:
        return (int(tens) if tens else 1) * 10 + (int(units) if units else 0)
    raise ValueError(token)


def _iso(match: re.Match) -> str | None:
    try:
        year, month, day = _number(match["y"]), _number(match["m"]), _number(match["d"])
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1949 <= year <= 2100):
        return None
    out = f"{year:04d}-{month:02d}-{day:02d}"
    if match["H"]:
        out += f"T{int(match['H']):02d}:{int(match['M'].translate(_DIGITS)):02d}"
    return out


def report_metadata(text: str) -> ReportMeta:
    """Title, jurisdiction, year and publication date, when the report states them."""
    meta = ReportMeta(id="", source="", encoding="", sha256="")
    head = text[:2000]
    for line in re.finditer(r"[^\r\n]+", head):
        candidate = line.group().strip()
        if not candidate:
            continue
        if _TITLE.search(candidate) and len(candidate) <= 80:
            start = line.start() + line.group().index(candidate)
            meta.title = candidate
            meta.title_span = Span(start, start + len(candidate), candidate)
        break
    if meta.title:
        year = _TITLE_YEAR.search(meta.title)
        if year:
            meta.year = int(year.group(1).translate(_DIGITS))
        meta.jurisdiction = _jurisdiction(meta.title)
        meta.author = _author(meta.title)
    published = _PUBLISHED.search(head)
    if published is None:
        # Some reports end with the issuing body and a date instead of a metadata line.
        tail_start = max(0, len(text) - 400)
        dates = list(_BARE_DATE.finditer(text, tail_start))
        published = dates[-1] if dates else None
    if published is not None:
        iso = _iso(published)
        if iso:
            meta.published = iso
            meta.published_span = Span(published.start("y"), published.end(), text[published.start("y"):published.end()])
    return meta


_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|厅|院|中心|署|所|队)$")


def _title_subject(title: str) -> str:
    """The part of a title that names who reports (before the year, 关于 or the topic)."""
    body = re.sub(r"^关于", "", title)
    return re.split(r"[0-9０-９]{4}|关于|法治政府|依法行政", body)[0].strip()


def _author(title: str) -> str | None:
    """A department that reports on itself, as the title names it; None for a government.

    >>> _author("石门市市场监督管理局2023年度法治政府建设工作报告"), _author("云岭市人民政府关于2022年度法治政府建设情况的报告")
    ('石门市市场监督管理局', None)
    """
    subject = _title_subject(title)
    return subject if _DEPARTMENT.search(subject) and not subject.endswith("政府") else None


def _jurisdiction(title: str) -> str | None:
    """The place a report is about, from its title.

    >>> _jurisdiction("临江市云岭区2023年法治政府建设年度报告"), _jurisdiction("石门市市场监督管理局2023年度法治政府建设工作报告")
    ('临江市云岭区', '石门市')
    >>> _jurisdiction("某某集团2023年度法治建设工作报告") is None
    True
    """
    body = _title_subject(title).replace("人民政府", "")
    match = _ADMIN_CHAIN.match(body)
    return match.group(0) if match else None  # a title without a place names no jurisdiction
