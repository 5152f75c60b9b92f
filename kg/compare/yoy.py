"""Year-on-year checks: a change stated in year N against the value stated in year N−1's report.

``受理行政复议申请146件，同比增长9.8%`` implies about 133 cases the year before; the
same jurisdiction's report of that year says how many it received. The check is

* **consistent** when the implied and the stated previous value agree within the
  precision the figures are stated to (half a unit of the last digit of the value,
  of the change and of the earlier value, carried through the arithmetic);
* **inconsistent** when they do not — both spans, the implied and the stated value;
* **cannot_check** when there is no report of year N−1, no counterpart of the same
  indicator (whose subject shares two characters in a row with this one's: an indicator
  names a matter, 法治讲座 and 普法活动 are both 普法 events but not one quantity) or,
  without indicators, of exactly the same normalised subject, in the same unit and for
  the same period, several different counterparts, or a figure
  stated only approximately (余, 多, 约 …) that does not agree.

No false alarms comes first: a pair is compared only when the subject, the unit and
the period all agree (``1-10月`` is never compared with a whole year), a derived value
(the previous year's value we computed) is never a counterpart, and an approximate
figure can confirm but never accuse.

Percentage points are additive (``败诉率6.2%，同比下降1.5个百分点`` → 7.7 %); a change in %
of a rate is ambiguous (points or relative): both readings are tried against the
earlier report and the row says which one holds (``reading``).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kg.compare.rules import comparison_rules

__all__ = ["yoy_checks", "check_change", "is_year_on_year", "period_key", "subject_key", "half_step"]

_QUOTES = re.compile(r"[“”\"'‘’「」『』《》〈〉()（）\[\]【】\s]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_MONTHS = re.compile(r"(\d{1,2})\s*[-—–~至到]\s*(\d{1,2})\s*月")
_UNTIL = re.compile(r"截至\s*(\d{1,2})\s*月")
_EPSILON = 1e-9
_SCALES = (1.0, 1e4, 1e8, 1e12)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "")


def is_year_on_year(change: dict, derived_from: set[str]) -> bool:
    """A change is year-on-year when extraction derived a previous-year value from it or its words say so."""
    return change["id"] in derived_from or any(cue in change.get("text", "") for cue in comparison_rules()["yoy_cues"])


@lru_cache(maxsize=4096)
def period_key(period: str | None) -> str:
    """What a period covers, comparable across reports: ``year``, ``1-10`` (months), or the words.

    >>> period_key(None), period_key("全年"), period_key("今年1-10月"), period_key("上半年"), period_key("1-12月")
    ('year', 'year', '1-10', '1-6', 'year')
    """
    if not period:
        return "year"
    text = re.sub(r"\s+", "", _fold(period))
    rules = comparison_rules()
    if text in rules["full_year_periods"]:
        return "year"
    months = _MONTHS.search(text)
    until = _UNTIL.search(text)
    span = ((int(months[1]), int(months[2])) if months else (1, int(until[1])) if until else
            next((tuple(v) for name, v in rules["period_months"].items() if name in text), None))
    if span is None:
        return text
    return "year" if span == (1, 12) else f"{span[0]}-{span[1]}"


def subject_key(subject: str, places: list[str]) -> str:
    """A subject folded for strict comparison: width, quotes, brackets, the place and ``全县``-like fronts.

    >>> subject_key("全县“行政复议”申请", ["丰禾县"]) == subject_key("丰禾县行政复议申请", ["丰禾县"])
    True
    """
    return _subject_key(subject, tuple(places))


@lru_cache(maxsize=1 << 16)
def _subject_key(subject: str, places: tuple[str, ...]) -> str:
    text = _QUOTES.sub("", _fold(subject))
    for place in sorted((_fold(p) for p in places if p), key=len, reverse=True):
        if text.startswith(place) and len(text) > len(place) + 1:
            text = text[len(place):]
            break
    prefixes = comparison_rules()["subject_prefixes"]
    stripped = True
    while stripped:
        stripped = False
        for prefix in prefixes:
            if text.startswith(prefix) and len(text) >= len(prefix) + 2:
                text, stripped = text[len(prefix):], True
                break
    return text


def half_step(metric: dict) -> float:
    """Half a unit of the last digit the figure is stated to, in the unit of its ``value``.

    >>> half_step({"text": "146件", "value": 146}), half_step({"text": "3.6万人次", "value": 36000})
    (0.5, 500.0)
    >>> half_step({"text": "同比下降1.5个百分点", "value": -1.5}), half_step({"text": "三个", "value": 3})
    (0.05, 0.5)
    """
    value = abs(float(metric["value"]))
    for literal in _NUMBER.findall(_fold(metric.get("text", ""))):
        number = float(literal)
        decimals = len(literal.partition(".")[2])
        for scale in _SCALES:
            if abs(number * scale - value) <= 1e-6 * max(1.0, value):
                return 0.5 * 10 ** -decimals * scale
    return 0.5  # a Chinese numeral (三个) or a number we cannot find: stated as a whole number


def _readings(change: dict, base: dict) -> dict[str, tuple[float, float]]:
    """The previous value each reading of the change implies, with its tolerance from rounding."""
    x, v = float(base["value"]), float(change["value"])
    hx, hv = half_step(base), half_step(change)
    out: dict[str, tuple[float, float]] = {}
    if change["unit"] == "百分点" and base["unit"] == "%" or change["unit"] == base["unit"] != "%":
        out["points" if change["unit"] == "百分点" else "absolute"] = (x - v, hx + hv)
    elif change["unit"] == "%":
        if base["unit"] == "%":
            out["points"] = (x - v, hx + hv)
        if v > -100:
            centre = x / (1 + v / 100)
            corners = [(x + a) / (1 + (v + b) / 100) for a in (-hx, hx) for b in (-hv, hv) if v + b > -100]
            out["relative"] = (centre, max(abs(c - centre) for c in corners))
    return out


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def _ref(extraction: dict, metric: dict) -> dict:
    return {"report": extraction["report"]["id"], "metric": metric["id"], "start": metric["start"],
            "end": metric["end"], "text": metric["text"]}


def _places(extraction: dict) -> list[str]:
    report = extraction["report"]
    division = report.get("division") or {}
    return [p for p in [report.get("jurisdiction"), division.get("name"), *(division.get("path") or [])] if p]


def _counterparts(base: dict, later: dict, earlier: dict) -> tuple[list[dict], list[dict]]:
    """Metrics of ``earlier`` stated (not derived) for the same indicator or subject and unit:
    those of the same period, and those of another period (never compared, named in the reason)."""
    subject = subject_key(base.get("subject", ""), _places(later))
    period = period_key(base.get("period"))
    earlier_places = _places(earlier)
    same_period, other_period = [], []
    for metric in earlier["metrics"]:
        if metric.get("derived") or metric.get("kind") in ("change", "previous") or metric["unit"] != base["unit"]:
            continue
        other = subject_key(metric.get("subject", ""), earlier_places)
        if base.get("indicator") and metric.get("indicator"):
            # One indicator covers a matter (普法 events), not always one quantity (lectures are a part of
            # the events): the subjects must also share a word's worth of characters.
            same = metric["indicator"] == base["indicator"] and (other == subject or bool(_bigrams(other)
                                                                                          & _bigrams(subject)))
        else:
            same = other == subject
        if same:
            (same_period if period_key(metric.get("period")) == period else other_period).append(metric)
    return same_period, other_period


def check_change(change: dict, base: dict, later: dict, earlier: dict | None) -> dict:
    """The check of one stated change (``change``, a change of ``base``) against ``earlier`` (year N−1, or None)."""
    row = {"later": _ref(later, change), "later_value": {**_ref(later, base), "value": base["value"]},
           "earlier": None, "indicator": base.get("indicator"), "subject": base.get("subject"),
           "period": base.get("period"), "stated_change": change["value"], "change_unit": change["unit"],
           "implied_previous": None, "stated_previous": None, "readings": {}, "reading": None,
           "status": "cannot_check", "reason": ""}
    readings = _readings(change, base)
    if not readings:
        row["reason"] = f"a change in {change['unit']} of a value in {base['unit']}: no previous value follows"
        return row
    row["readings"] = {name: round(value, 4) for name, (value, _) in readings.items()}
    row["implied_previous"] = round(next(iter(readings.values()))[0], 4)
    if earlier is None:
        row["reason"] = "no report of the year before in this series"
        return row
    candidates, other_periods = _counterparts(base, later, earlier)
    if not candidates:
        row["reason"] = ("the report of the year before states it only for another period ("
                         + "、".join(sorted({m.get("period") or "全年" for m in other_periods})) + ")"
                         if other_periods else
                         "the report of the year before states no value of the same subject and unit")
        return row
    if len({float(c["value"]) for c in candidates}) > 1:
        # One indicator may cover 收到 and 受理 applications: the same words, when only one has them, decide.
        subject = subject_key(base.get("subject", ""), _places(later))
        exact = [c for c in candidates if subject_key(c.get("subject", ""), _places(earlier)) == subject]
        if exact and len({float(c["value"]) for c in exact}) == 1:
            candidates = exact
        else:
            row["reason"] = "the report of the year before states several different values for it"
            return row
    previous = candidates[0]
    row["earlier"], row["stated_previous"] = _ref(earlier, previous), previous["value"]
    return _judge(row, readings, previous, approximate=bool(change.get("approx") or base.get("approx")
                                                            or previous.get("approx")))


def _judge(row: dict, readings: dict[str, tuple[float, float]], previous: dict, *, approximate: bool) -> dict:
    p, hp = float(previous["value"]), half_step(previous)
    fits = [name for name, (value, tolerance) in readings.items() if abs(value - p) <= tolerance + hp + _EPSILON]
    closest = min(readings, key=lambda name: abs(readings[name][0] - p))
    chosen = fits[0] if fits else closest
    row["implied_previous"] = round(readings[chosen][0], 4)
    tolerance = readings[chosen][1] + hp
    if fits:
        row["status"], row["reading"] = "consistent", " or ".join(fits)
        row["reason"] = (f"{chosen} reading: {row['implied_previous']:g} implied, {p:g} stated "
                         f"(within ±{tolerance:.4g})")
        if len(readings) > 1 and len(fits) == 1:
            other = next(name for name in readings if name != chosen)
            row["reason"] += f"; the {other} reading ({readings[other][0]:.4g}) does not fit"
    elif approximate:
        row["reason"] = f"an approximate figure: {readings[closest][0]:.4g} implied, {p:g} stated, precision unknown"
    else:
        row["status"], row["reading"] = "inconsistent", closest if len(readings) == 1 else "neither"
        row["reason"] = (f"{' and '.join(f'{n} reading {v:.4g}' for n, (v, _) in readings.items())} implied, "
                         f"{p:g} stated (tolerance ±{tolerance:.4g})")
    return row


def yoy_checks(later: dict, earlier: dict | None) -> list[dict]:
    """One row per year-on-year change stated in ``later`` (with the value it changes), checked against ``earlier``.

    ``earlier`` is the series' report of the year before, or None when the corpus has none.
    """
    metrics = {m["id"]: m for m in later["metrics"]}
    derived_from = {m.get("derived_from") for m in later["metrics"] if m.get("derived") and m.get("derived_from")}
    rows = []
    for change in later["metrics"]:
        if change.get("kind") != "change" or change.get("derived"):
            continue
        base = metrics.get(change.get("change_of") or "")
        if base is None or base.get("derived") or not is_year_on_year(change, derived_from):
            continue
        rows.append(check_change(change, base, later, earlier))
    return rows
