"""What a report says about itself in its text: title, jurisdiction, reporting department, year, date."""
from __future__ import annotations

import re

from kg.model import ReportMeta, Span

__all__ = ["report_metadata"]

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


def report_metadata(text: str, meta: ReportMeta | None = None) -> ReportMeta:
    """Title, jurisdiction, year and publication date, when the report states them.

    Fields that ``meta`` already holds (what the file itself said) are kept;
    the others are read from the text.
    """
    meta = meta or ReportMeta(id="", source="", encoding="", sha256="")
    found = _from_text(text)
    for name in ("title", "title_span", "jurisdiction", "department", "year", "published", "published_span"):
        if getattr(meta, name) is None:
            setattr(meta, name, getattr(found, name))
    return meta


def _from_text(text: str) -> ReportMeta:
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
        meta.department = _department(meta.title)
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


def _department(title: str) -> str | None:
    """A department that reports on itself, as the title names it; None for a government.

    >>> _department("石门市市场监督管理局2023年度法治政府建设工作报告"), _department("云岭市人民政府关于2022年度法治政府建设情况的报告")
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
