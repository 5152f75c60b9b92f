"""``kg compare A B``: two reports side by side.

:func:`compare_reports` takes two extraction JSONs and says what changed from the
earlier to the later one (by year; A is the earlier when the years do not tell):

* **indicators** stated in both for the same indicator (or the same normalised
  subject), unit and period, with both values and the change;
* **mechanisms and activities** new in the later report or gone from it;
* **promises kept**: the earlier report's plans and the later measures that carry
  them out (:mod:`kg.compare.follow`), **problems repeated** (:mod:`kg.compare.recurring`);
* the **year-on-year checks** of the later report against the earlier one, when the
  two are consecutive years of one series.

:func:`format_comparison` lays the result out for a terminal, CJK characters
counting double.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from kg.compare.follow import follow_through
from kg.compare.recurring import recurring_problems
from kg.compare.series import report_order, series_key
from kg.compare.similarity import SeriesIdf, item_features
from kg.compare.yoy import period_key, subject_key, yoy_checks

__all__ = ["compare_reports", "format_comparison", "read_extraction_json"]

_CONCEPT_TYPES = ("Mechanism", "Activity")


def read_extraction_json(path: str | Path) -> dict:
    """An extraction JSON file (``kg extract`` output, ``OUT/extractions/<id>.json``), checked.

    Raises :class:`~kg.errors.InputError` naming the file and what is wrong.
    """
    from kg.errors import InputError

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot be read ({err.strerror or err})") from None
    except ValueError as err:
        raise InputError(f"{path}: not an extraction JSON (not valid JSON: {err})") from None
    report = data.get("report") if isinstance(data, dict) else None
    if not (isinstance(report, dict) and isinstance(report.get("id"), str)):
        raise InputError(f"{path}: not an extraction JSON (no report id; write one with `kg extract REPORT`)")
    for key in ("metrics", "measures", "problems", "plans"):
        if not isinstance(data.get(key, []), list):
            raise InputError(f"{path}: not an extraction JSON ({key!r} should be a list)")
        data.setdefault(key, [])
    return data


def _label(report: dict) -> str:
    return report.get("title") or report["id"]


def _metric_key(metric: dict, places: list[str]) -> tuple | None:
    if metric.get("derived") or metric.get("kind") in ("change", "previous"):
        return None
    what = metric.get("indicator") or "subject:" + subject_key(metric.get("subject", ""), places)
    return what, metric["unit"], period_key(metric.get("period"))


def _places(extraction: dict) -> list[str]:
    report = extraction["report"]
    division = report.get("division") or {}
    return [p for p in [report.get("jurisdiction"), division.get("name"), *(division.get("path") or [])] if p]


def _indicators(earlier: dict, later: dict) -> list[dict]:
    """Figures both reports state for one indicator/subject, unit and period (the first of each side)."""
    def index(extraction):
        out: dict[tuple, dict] = {}
        for metric in extraction["metrics"]:
            key = _metric_key(metric, _places(extraction))
            if key and key[0] != "subject:":
                out.setdefault(key, metric)
        return out

    old, new = index(earlier), index(later)
    rows = []
    for key in sorted(old.keys() & new.keys(), key=lambda k: new[k]["start"]):
        a, b = old[key], new[key]
        change = b["value"] - a["value"]
        rows.append({"indicator": a.get("indicator") if a.get("indicator") == b.get("indicator") else None,
                     "subject": b.get("subject"), "unit": b["unit"], "period": b.get("period"),
                     "earlier": {"metric": a["id"], "value": a["value"], "text": a["text"], "start": a["start"],
                                 "end": a["end"]},
                     "later": {"metric": b["id"], "value": b["value"], "text": b["text"], "start": b["start"],
                               "end": b["end"]},
                     "change": round(change, 4),
                     "change_percent": round(100 * change / a["value"], 2) if a["value"] else None,
                     "changed": change != 0})
    return rows


def _concepts(extraction: dict) -> dict[str, dict]:
    out = {}
    for entity in extraction.get("entities", []):
        if entity["type"] in _CONCEPT_TYPES:
            key = entity.get("shared_key") or f"{entity['type']}:{unicodedata.normalize('NFKC', entity['label'])}"
            out.setdefault(key, {"type": entity["type"], "label": entity["label"], "entity": entity["id"]})
    return out


def compare_reports(a: dict, b: dict) -> dict:
    """Two extraction JSONs side by side (see the module docstring); a plain JSON-ready dict."""
    earlier, later = (b, a) if report_order(b["report"])[:2] < report_order(a["report"])[:2] else (a, b)
    features = {x["report"]["id"]: item_features(x) for x in (earlier, later)}
    idf = SeriesIdf(f for by_item in features.values() for f in by_item.values())
    old, new = _concepts(earlier), _concepts(later)
    consecutive = (isinstance(earlier["report"].get("year"), int) and isinstance(later["report"].get("year"), int)
                   and later["report"]["year"] == earlier["report"]["year"] + 1
                   and series_key(earlier["report"]) == series_key(later["report"]))
    follow = follow_through(earlier, later, features, idf)
    return {
        "earlier": {k: earlier["report"].get(k) for k in ("id", "title", "jurisdiction", "department", "year")},
        "later": {k: later["report"].get(k) for k in ("id", "title", "jurisdiction", "department", "year")},
        "same_series": series_key(earlier["report"]) == series_key(later["report"]),
        "indicators": _indicators(earlier, later),
        "concepts_new": [new[k] for k in sorted(new.keys() - old.keys(), key=lambda k: (new[k]["type"], k))],
        "concepts_gone": [old[k] for k in sorted(old.keys() - new.keys(), key=lambda k: (old[k]["type"], k))],
        "concepts_kept": len(old.keys() & new.keys()),
        "promises": follow,
        "promises_kept": sum(row["status"] == "followed" for row in follow),
        "problems_repeated": recurring_problems(earlier, later, features, idf),
        "yoy_checks": yoy_checks(later, earlier) if consecutive else [],
    }


# ---------------------------------------------------------------------------
# The terminal view


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    if _width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > limit - 1:
            break
        out, used = out + ch, used + w
    return out + "…"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    pad = lambda text, w: text + " " * (w - _width(text))  # noqa: E731
    lines = ["  " + "  ".join(pad(h, w) for h, w in zip(header, widths)).rstrip(),
             "  " + "  ".join("-" * w for w in widths)]
    lines += ["  " + "  ".join(pad(c, w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return lines


def _number(value) -> str:
    return f"{round(value, 2):g}" if isinstance(value, float) else str(value)


def format_comparison(result: dict) -> str:
    """The comparison as aligned text for a terminal."""
    earlier, later = result["earlier"], result["later"]
    lines = [f"A (earlier): {_label(earlier)}", f"B (later):   {_label(later)}"]
    if not result["same_series"]:
        lines.append("(not one jurisdiction's series: promises and problems are compared all the same)")
    lines.append("")
    changed = [r for r in result["indicators"] if r["changed"]]
    lines.append(f"Indicators stated in both: {len(result['indicators'])}, changed: {len(changed)}")
    if changed:
        lines += _table(["subject", "unit", "A", "B", "change"], [
            [_clip(r["subject"], 24), r["unit"], _number(r["earlier"]["value"]), _number(r["later"]["value"]),
             f"{r['change']:+g}" + (f" ({r['change_percent']:+g}%)" if r["change_percent"] is not None else "")]
            for r in changed])
    lines += ["", f"Mechanisms and activities: {len(result['concepts_new'])} new, "
                  f"{len(result['concepts_gone'])} gone, {result['concepts_kept']} in both"]
    rows = [["new", c["type"], _clip(c["label"], 30)] for c in result["concepts_new"]]
    rows += [["gone", c["type"], _clip(c["label"], 30)] for c in result["concepts_gone"]]
    if rows:
        lines += _table(["", "type", "label"], rows)
    lines += ["", f"Promises of A kept in B: {result['promises_kept']} of {len(result['promises'])}"]
    if result["promises"]:
        lines += _table(["plan of A", "status", "best measure of B", "score"], [
            [_clip(p["plan"]["text"], 24), p["status"].replace("_", " "),
             _clip(p["measures"][0]["text"], 30) if p["measures"] else "", f"{p['measures'][0]['score']:.2f}"
             if p["measures"] else ""] for p in result["promises"]])
    lines += ["", f"Problems repeated: {len(result['problems_repeated'])}"]
    if result["problems_repeated"]:
        lines += _table(["problem of A", "again in B", "score"], [
            [_clip(r["earlier"]["text"], 24), _clip(r["later"]["text"], 24), f"{r['score']:.2f}"]
            for r in result["problems_repeated"]])
    if result["yoy_checks"]:
        lines += ["", "Year-on-year checks of B against A:"]
        lines += _table(["B states", "change", "implied", "A states", "status"], [
            [_clip(r["later_value"]["text"], 14), r["later"]["text"], _number(r["implied_previous"]),
             r["earlier"]["text"] if r["earlier"] else "—", r["status"].replace("_", " ")]
            for r in result["yoy_checks"]])
    return "\n".join(lines) + "\n"
