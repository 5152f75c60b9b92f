"""What a report says about itself in its text: title, jurisdiction, reporting department, year, date.

Where each comes from, first found wins:

* **title**: what the file stated (a web page's ``ArticleTitle``, a Word
  document's properties); else the first lines of the text (a title may be
  split over two lines, or follow a 发布时间 line); else the file's name when it
  reads as a report's title.
* **jurisdiction, department, year**: the title (``XX市司法局2023年度…报告``:
  department ``XX市司法局``, jurisdiction ``XX市``); else the opening
  sentences (``2022年,延庆区深入学习…``, ``现将XX县2023年度…情况报告如下``); a
  department that reports without a title says ``我局``/``本委`` of itself.
* **published**: a 发布时间/发布于 line, else the date that closes the report.

The words these rules look for are in ``data/lexicon/metadata-cues.json``;
the last words of a body's name are ``data/lexicon/agency-suffixes.txt``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import PurePath

from kg.extraction.text import digits, numeral
from kg.model import ReportMeta, Span

__all__ = ["report_metadata"]

_DATE = (
    r"(?P<y>[0-9０-９〇零一二三四五六七八九]{4})\s*(?:年|[-/.])\s*(?P<m>[0-9０-９一二三四五六七八九十]{1,3})\s*(?:月|[-/.])"
    r"\s*(?P<d>[0-9０-９一二三四五六七八九十]{1,3})(?:\s*日)?(?:\s*(?P<H>[0-9０-９]{1,2})[:：](?P<M>[0-9０-９]{2}))?"
)
_BARE_DATE = re.compile(r"^\s*" + _DATE + r"\s*$", re.M)
_HAN = "\u4e00-\u9fff"
_OPENING_CHARS = 600  # how far into the body the opening sentences are read


@dataclass(frozen=True)
class _Cues:
    title: re.Pattern
    published: re.Pattern
    place_unit: re.Pattern  # one administrative name at the start of a string
    place_anywhere: re.Pattern
    governments: tuple[str, ...]
    not_place_stems: frozenset[str]
    place_pronouns: frozenset[str]
    before_places: tuple[str, ...]
    self_references: tuple[str, ...]
    years: tuple[re.Pattern, ...]
    agency: re.Pattern  # a department's name after its place
    not_title: tuple[str, ...]


@cache
def _cues() -> _Cues:
    from kg.errors import DataError
    from kg.resources import agency_suffixes, alternation, lexicon_file, load_json

    path = lexicon_file("metadata-cues.json")
    data = load_json(path, {key: list for key in (
        "title_topics", "title_ends", "published_labels", "place_suffixes", "governments", "not_place_stems",
        "place_pronouns", "not_title_words",
        "words_before_places", "self_references", "year_patterns")})
    never = "局委厅院办年的"  # never inside a place name
    first = never + "市县区省"  # 市政府, 县委, 区司法局: a level word opens no name
    stem = rf"(?![{first}])[{_HAN}](?:(?![{never}])[{_HAN}])"
    long_suffixes = alternation([s for s in data["place_suffixes"] if len(s) > 1])
    # 州 followed by another level (苏州市, 通州区) is part of the name, not its end.
    short_suffixes = "|".join(re.escape(s) + ("(?![市县区盟])" if s == "州" else "")
                              for s in data["place_suffixes"] if len(s) == 1)
    # Names before 市/县/区 have at most five characters; 自治州 and 街道 names may be longer.
    unit = rf"(?:{stem}{{0,7}}?(?:{long_suffixes})|{stem}{{0,4}}?(?:{short_suffixes}))"
    try:
        years = tuple(re.compile(p) for p in data["year_patterns"])
    except re.error as err:
        raise DataError(f"data/lexicon/metadata-cues.json: bad year pattern ({err})") from None
    departments = [s for s in agency_suffixes() if s not in data["governments"]]
    return _Cues(
        title=re.compile(rf"(?:{alternation(data['title_topics'])}).{{0,30}}(?:{alternation(data['title_ends'])})"),
        published=re.compile(rf"(?:{alternation(data['published_labels'])})\s*[:：]?\s*" + _DATE),
        place_unit=re.compile(unit),  # used with .match(text, pos)
        place_anywhere=re.compile(rf"(?:{unit})+"),
        governments=tuple(data["governments"]),
        not_place_stems=frozenset(data["not_place_stems"]),
        place_pronouns=frozenset(data["place_pronouns"]),
        before_places=tuple(sorted(data["words_before_places"], key=len, reverse=True)),
        self_references=tuple(data["self_references"]),
        years=years,
        agency=re.compile(rf"^[{_HAN}]{{1,12}}?(?:{alternation(departments)})"),
        not_title=tuple(data["not_title_words"]),
    )


def _number(token: str) -> int:
    """A whole number in Arabic, full-width or Chinese numerals (二〇二四, 十二); ValueError otherwise."""
    value = numeral(token)
    if value is None or not value.is_integer():
        raise ValueError(token)
    return int(value)


def _iso(match: re.Match) -> str | None:
    try:
        year, month, day = _number(match["y"]), _number(match["m"]), _number(match["d"])
    except ValueError:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1949 <= year <= 2100):
        return None
    out = f"{year:04d}-{month:02d}-{day:02d}"
    if match["H"]:
        out += f"T{int(digits(match['H'])):02d}:{int(digits(match['M'])):02d}"
    return out


def report_metadata(text: str, meta: ReportMeta | None = None) -> ReportMeta:
    """Title, jurisdiction, department, year and publication date, when the report states them.

    Fields that ``meta`` already holds (what the file itself said) are kept;
    the others are read from the text, then from the file's name.

    >>> m = report_metadata("2022年,延庆区深入学习贯彻习近平法治思想,各项工作取得新进展。")
    >>> m.title, m.jurisdiction, m.year
    (None, '延庆区', 2022)
    """
    meta = meta or ReportMeta(id="", source="", encoding="", sha256="")
    title, title_span, body_start = _title(text)
    if meta.title is None:
        meta.title, meta.title_span = title, title_span
    elif title_span is not None and _squeeze(title) == _squeeze(meta.title):
        meta.title_span = title_span
    if meta.title is None and meta.source:
        stem = PurePath(meta.source).stem.strip()
        if _cues().title.search(stem) and len(stem) <= 80:
            meta.title = stem  # users name their files after the report
    about = _about_title(meta.title) if meta.title else {}
    if not about.get("jurisdiction") or not about.get("year"):
        opening = _about_opening(text, body_start)
        about = {key: about.get(key) or opening.get(key) for key in ("jurisdiction", "department", "year")}
    for name in ("jurisdiction", "department", "year"):
        if getattr(meta, name) is None:
            setattr(meta, name, about.get(name))
    if meta.published is None:
        meta.published, meta.published_span = _published(text)
    return meta


def _squeeze(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _title(text: str) -> tuple[str | None, Span | None, int]:
    """The title of the first lines (one line, or two that only together read as a title) and where the body starts."""
    cues = _cues()
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\r\n]+", text[:2000]) if m.group().strip()][:4]
    index = 0
    if lines and cues.published.search(lines[0][1]) and not cues.title.search(lines[0][1]):
        index = 1  # a 发布时间 line before the title
    if index >= len(lines):
        return None, None, 0
    start, first = lines[index]
    first_stripped = first.strip()
    begin = start + first.index(first_stripped)
    if _title_like(first_stripped) and cues.title.search(first_stripped):
        return first_stripped, Span(begin, begin + len(first_stripped), first_stripped), start + len(first)
    if index + 1 < len(lines) and _title_like(first_stripped):
        second_start, second = lines[index + 1]
        second_stripped = second.strip()
        joined = first_stripped + second_stripped
        if _title_like(second_stripped) and _title_like(joined) and cues.title.search(joined) \
                and not cues.title.search(second_stripped[:4]):
            end = second_start + second.index(second_stripped) + len(second_stripped)
            return joined, Span(begin, end, text[begin:end]), second_start + len(second)
    return None, None, start if index else 0


def _title_like(line: str) -> bool:
    return (0 < len(line) <= 80 and not re.search(r"[。！？；;]|[，,].*[，,]|[:：]$", line)
            and not any(word in line for word in _cues().not_title))


def _title_subject(title: str) -> str:
    """The part of a title that names who reports (before the year, 关于 or the topic)."""
    body = re.sub(r"^关于", "", title)
    return re.split(r"[0-9０-９]{4}|关于|法治政府|依法行政|法治建设", body)[0].strip()


def _about_title(title: str) -> dict:
    """Year, jurisdiction and department a title names.

    >>> _about_title("石门市市场监督管理局2023年度法治政府建设工作报告")
    {'year': 2023, 'jurisdiction': '石门市', 'department': '石门市市场监督管理局'}
    >>> _about_title("兰州市人民政府关于2022年度法治政府建设情况的报告")
    {'year': 2022, 'jurisdiction': '兰州市', 'department': None}
    """
    year = re.search(r"([0-9０-９]{4})\s*年", title)
    subject = _title_subject(title)
    return {"year": _year(year.group(1)) if year else None, "jurisdiction": _jurisdiction(subject),
            "department": _department(subject)}


def _year(token: str) -> int | None:
    year = int(digits(token))
    return year if 2000 <= year <= 2100 else None


def _department(subject: str) -> str | None:
    """The subject of a title when it is a department (…局, …委员会), not a government (…人民政府, 街道办事处)."""
    cues = _cues()
    if not subject or subject.endswith(cues.governments):
        return None
    place = _chain(subject)
    rest = subject[len(place):] if place else subject
    return subject if rest and cues.agency.fullmatch(rest) else None


def _jurisdiction(subject: str) -> str | None:
    """The chain of place names that opens a title's subject (a government's name less 人民政府)."""
    cues = _cues()
    place = _chain(subject.replace("人民政府", ""))
    return place if place and _is_place(place) else None


_LEVELS = (("省", "特别行政区"), ("自治州", "州", "盟", "市"), ("自治县", "自治旗", "县", "区", "旗"), ("街道", "乡", "镇"))


def _level(name: str) -> int:
    return next((rank for rank, ends in enumerate(_LEVELS) if name.endswith(ends)), len(_LEVELS))


def _chain(text: str) -> str | None:
    """The administrative names that open ``text``, each of a lower level than the one before.

    >>> _chain("临江市云岭区2023年"), _chain("凤凰镇以法治乡镇建设为抓手"), _chain("全年")
    ('临江市云岭区', '凤凰镇', None)
    """
    unit = _cues().place_unit
    end, level = 0, -1
    while (match := unit.match(text, end)) is not None:
        rank = _level(match.group())
        if rank <= level:
            break
        end, level = match.end(), rank
    return text[:end] or None


def _is_place(name: str) -> bool:
    """Not a generic reference (全县, 我区, 该镇) nor a verb run that happens to end in 区/县."""
    cues = _cues()
    for suffix in ("街道", "自治州", "自治县", "自治旗", "特别行政区", ""):
        if suffix and name.endswith(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        stem = name[:-1]
    return bool(stem) and stem[-1] not in cues.place_pronouns and stem not in cues.not_place_stems


def _about_opening(text: str, body_start: int) -> dict:
    """Jurisdiction, department and year from the first sentences of a report that has no usable title."""
    cues = _cues()
    opening = _outside_titles(text[body_start:body_start + _OPENING_CHARS])
    place, department = None, None
    for match in cues.place_anywhere.finditer(opening):
        name, start = _strip_leading(match.group(), match.start())
        if name and _is_place(name) and _at_boundary(opening, start):
            place = _chain(name) or name
            agency = cues.agency.match(opening[start + len(place):])
            if agency and any(word in opening for word in cues.self_references):
                department = place + agency.group()
            break
    year = None
    sentences = opening.lstrip()
    for pattern in cues.years:
        found = pattern.search(sentences)
        if found and _year(found["y"]):
            year = _year(found["y"])
            break
    return {"jurisdiction": place, "department": department, "year": year}


def _strip_leading(name: str, start: int) -> tuple[str, int]:
    """Drop words that precede place names (在, 现将, 年来 …) from the front of a candidate."""
    cues = _cues()
    changed = True
    while changed and name:
        changed = False
        for word in cues.before_places:
            if name.startswith(word) and len(name) > len(word):
                name, start, changed = name[len(word):], start + len(word), True
                break
    return _chain(name) or "", start


def _at_boundary(text: str, start: int) -> bool:
    """A place name starts a clause or follows a word that introduces one."""
    if start == 0 or not re.match(rf"[{_HAN}]", text[start - 1]):
        return True
    return text[:start].endswith(_cues().before_places)


def _outside_titles(text: str) -> str:
    """The text with 《…》 titles blanked (same length): a year inside a document title is not the report's."""
    return re.sub(r"《[^《》]*》", lambda m: " " * len(m.group()), text)


def _published(text: str) -> tuple[str | None, Span | None]:
    published = _cues().published.search(text[:2000])
    if published is None:
        # Some reports end with the issuing body and a date instead of a metadata line.
        dates = list(_BARE_DATE.finditer(text, max(0, len(text) - 400)))
        published = dates[-1] if dates else None
    if published is None:
        return None, None
    iso = _iso(published)
    if not iso:
        return None, None
    return iso, Span(published.start("y"), published.end(), text[published.start("y"):published.end()])
