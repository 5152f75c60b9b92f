"""Series: the reports of one jurisdiction (and one department) ordered by year.

A report's series is keyed by its division code when it has one (``report.division``,
set by :mod:`kg.identity.divisions`), else by its jurisdiction's name; a department's
report adds the department, with the jurisdiction's name taken off its front so that
``云溪区司法局`` and ``区司法局`` are one department. Comparisons run only between
reports of one series whose years follow each other, so the work grows with the
number of reports, never with their pairs.
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["series_key", "group_series", "year_pairs", "report_order"]

_LEVEL_PREFIX = re.compile(r"^(?:省|市|州|县|区|旗|镇|乡)(?=.{2,})")


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _department(report: dict) -> str:
    """The department's name without its government's place: 云溪区司法局 → 司法局."""
    department = report.get("department")
    if not department:
        return ""
    name = _fold(department)
    division = report.get("division") or {}
    places = [_fold(p) for p in [*(division.get("path") or []), division.get("name") or "",
                                 report.get("jurisdiction") or ""] if p]
    for place in sorted(set(places), key=len, reverse=True):
        if name.startswith(place) and len(name) > len(place):
            name = name[len(place):]
            break
    return _LEVEL_PREFIX.sub("", name)


def series_key(report: dict) -> tuple[str, str] | None:
    """The key of the series an extraction's ``report`` belongs to, or None (no place at all).

    >>> series_key({"jurisdiction": "云溪区", "department": "云溪区司法局", "division": None})
    ('name:云溪区', '司法局')
    >>> series_key({"jurisdiction": "西湖区", "division": {"code": "330106000000", "name": "西湖区"}})
    ('code:330106000000', '')
    """
    division = report.get("division") or {}
    if division.get("code"):
        place = f"code:{division['code']}"
    elif report.get("jurisdiction"):
        place = f"name:{_fold(report['jurisdiction'])}"
    else:
        return None
    return place, _department(report)


def report_order(report: dict) -> tuple:
    """Oldest first: by year (unknown last), then publication date, then id."""
    year = report.get("year")
    return (year is None, year or 0, report.get("published") or "", report.get("id") or "")


def group_series(extractions: list[dict]) -> list[dict]:
    """Series of extraction JSONs: ``{"key", "jurisdiction", "division_code", "department", "members"}``.

    ``members`` are the extractions oldest first; the series come in a stable order
    (division code or name, department). Reports without any place form no series.
    """
    groups: dict[tuple[str, str], list[dict]] = {}
    for extraction in extractions:
        key = series_key(extraction["report"])
        if key is not None:
            groups.setdefault(key, []).append(extraction)
    out = []
    for key in sorted(groups):
        members = sorted(groups[key], key=lambda x: report_order(x["report"]))
        latest = members[-1]["report"]
        division = latest.get("division") or {}
        out.append({
            "key": key,
            "jurisdiction": latest.get("jurisdiction") or division.get("name") or "",
            "division_code": division.get("code"),
            "department": latest.get("department"),
            "members": members,
        })
    return out


def year_pairs(members: list[dict]) -> list[tuple[dict, dict]]:
    """(year N−1, year N) pairs of a series' members (oldest first); years that skip one pair with nothing."""
    by_year: dict[int, list[dict]] = {}
    for member in members:
        year = member["report"].get("year")
        if isinstance(year, int):
            by_year.setdefault(year, []).append(member)
    return [(earlier, later) for year in sorted(by_year) if year - 1 in by_year
            for earlier in by_year[year - 1] for later in by_year[year]]
