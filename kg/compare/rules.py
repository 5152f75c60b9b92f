"""The rules the comparisons apply, read once from ``data/rules/`` and checked.

``supervision-2019.json`` records what the 2019 《法治政府建设与责任落实督察工作规定》
asks of an annual report (its parts, its publication deadline) with the article,
where it was found and how it is applied; ``comparisons.json`` holds the cue words
and thresholds of the year-on-year, follow-through and recurrence checks.
A wrong file stops with one line naming it (:class:`~kg.errors.DataError`).
"""
from __future__ import annotations

from functools import cache

from kg.errors import DataError
from kg.resources import data_dir, load_json

__all__ = ["PARTS", "supervision_rules", "comparison_rules", "rules_file"]

PARTS = ("measures", "problems", "first_responsible", "plans")
LEVELS = ("province", "city", "county", "township", "department", "default")


def rules_file(name: str):
    return data_dir() / "rules" / name


@cache
def supervision_rules() -> dict:
    """The parts and deadlines of the 2019 规定, as ``{"parts": {part: rule}, "deadlines": {level: (month, day)}, …}``.

    >>> rules = supervision_rules()
    >>> sorted(rules["parts"]) == sorted(PARTS), rules["deadlines"]["county"]
    (True, (4, 1))
    """
    path = rules_file("supervision-2019.json")
    data = load_json(path, {"regulation": dict, "parts": list, "deadlines": list, "deadline_rule": dict})
    where = f"data/rules/{path.name}"
    parts = {}
    for number, rule in enumerate(data["parts"]):
        if not isinstance(rule, dict) or rule.get("part") not in PARTS:
            raise DataError(f"{where}: parts[{number}] should name one of {', '.join(PARTS)}")
        for key in ("heading_cues", "text_cues"):
            if not isinstance(rule.get(key), list) or not all(isinstance(w, str) and w for w in rule[key]):
                raise DataError(f"{where}: parts[{number}] ({rule['part']}): {key!r} should be a list of words")
        for key in ("article", "requirement", "applied_as"):
            if not isinstance(rule.get(key), str):
                raise DataError(f"{where}: parts[{number}] ({rule['part']}): {key!r} is missing")
        parts[rule["part"]] = rule
    missing = [p for p in PARTS if p not in parts]
    if missing:
        raise DataError(f"{where}: no rule for part(s) {', '.join(missing)}")
    deadlines = {}
    for number, rule in enumerate(data["deadlines"]):
        month, day = (rule.get("month"), rule.get("day")) if isinstance(rule, dict) else (None, None)
        if not (isinstance(rule, dict) and rule.get("level") in LEVELS and isinstance(month, int)
                and isinstance(day, int) and 1 <= month <= 12 and 1 <= day <= 31):
            raise DataError(f"{where}: deadlines[{number}] should be {{\"level\": one of {', '.join(LEVELS)}, "
                            f"\"month\": 1-12, \"day\": 1-31}}")
        deadlines[rule["level"]] = (month, day)
    if "default" not in deadlines:
        raise DataError(f"{where}: deadlines need a \"default\" level")
    return {"regulation": data["regulation"], "parts": parts, "deadlines": deadlines,
            "deadline_rule": data["deadline_rule"]}


@cache
def comparison_rules() -> dict:
    """Cue words and thresholds of the comparisons (``data/rules/comparisons.json``)."""
    path = rules_file("comparisons.json")
    data = load_json(path, {"yoy_cues": list, "full_year_periods": list, "period_months": dict,
                            "subject_prefixes": list, "follow_threshold": float, "follow_max_measures": int,
                            "recurring_threshold": float, "reason_terms": int})
    where = f"data/rules/{path.name}"
    for key in ("yoy_cues", "full_year_periods", "subject_prefixes"):
        if not all(isinstance(w, str) and w for w in data[key]):
            raise DataError(f"{where}: {key!r} should be a list of words")
    for name, months in data["period_months"].items():
        if not (isinstance(months, list) and len(months) == 2 and all(isinstance(m, int) and 1 <= m <= 12
                                                                       for m in months)):
            raise DataError(f"{where}: period_months[{name!r}] should be [first month, last month]")
    for key in ("follow_threshold", "recurring_threshold"):
        if not 0 < data[key] < 1:
            raise DataError(f"{where}: {key!r} should be between 0 and 1")
    # Longest first, so that 全县 is stripped before 全.
    data["subject_prefixes"] = sorted(data["subject_prefixes"], key=lambda w: (-len(w), w))
    return data
