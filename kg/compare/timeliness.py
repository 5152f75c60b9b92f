"""Timeliness: the publication date against the deadline of the 2019 督察工作规定.

The report on year N is due, published, by 1 April of year N+1 at every level
(``data/rules/supervision-2019.json`` records the rule, where it was found and how it
is applied; a level's own date can be set there). ``days_after_deadline`` is the
publication date minus the deadline: 0 or less is on time, more is late; None when
the report states no year or no date.
"""
from __future__ import annotations

import datetime as dt
import re

from kg.compare.rules import supervision_rules

__all__ = ["report_level", "publication_deadline", "days_after_deadline"]

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_SUFFIX_LEVELS = (("自治区", "province"), ("省", "province"), ("自治州", "city"), ("地区", "city"),
                  ("盟", "city"), ("州", "city"), ("自治县", "county"), ("自治旗", "county"), ("县", "county"),
                  ("旗", "county"), ("区", "county"), ("街道", "township"), ("乡", "township"), ("镇", "township"))


def report_level(report: dict) -> str:
    """The level whose deadline applies: a department's, else the division's, else one read off the name.

    >>> report_level({"jurisdiction": "丰禾县"}), report_level({"jurisdiction": "云溪区", "department": "云溪区司法局"})
    ('county', 'department')
    """
    if report.get("department"):
        return "department"
    division = report.get("division") or {}
    if division.get("level"):
        return division["level"]
    name = report.get("jurisdiction") or ""
    if name.endswith("市"):
        return "city"  # a county-level city has the same deadline; the division table tells them apart
    return next((level for suffix, level in _SUFFIX_LEVELS if name.endswith(suffix)), "default")


def publication_deadline(report: dict) -> dt.date | None:
    """The last day (per our reading of the rule) to publish the report on ``report["year"]``.

    >>> publication_deadline({"year": 2023, "jurisdiction": "德清县"})
    datetime.date(2024, 4, 1)
    """
    year = report.get("year")
    if not isinstance(year, int):
        return None
    deadlines = supervision_rules()["deadlines"]
    month, day = deadlines.get(report_level(report), deadlines["default"])
    return dt.date(year + 1, month, day)


def days_after_deadline(report: dict) -> int | None:
    """Days between the deadline and the publication date (positive: late), or None.

    >>> days_after_deadline({"year": 2023, "jurisdiction": "德清县", "published": "2024-05-16T15:20"})
    45
    >>> days_after_deadline({"year": 2024, "jurisdiction": "丰禾县", "published": "2025-02-26"})
    -34
    """
    deadline = publication_deadline(report)
    match = _DATE.match(report.get("published") or "")
    if deadline is None or match is None:
        return None
    try:
        published = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return (published - deadline).days
