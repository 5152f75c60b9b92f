"""Score an extraction against a hand-made annotation (a gold file, see ``../shared/contract.md``).

Categories and how each is matched:

``metrics``   a prediction matches a gold metric when their spans overlap and their
              normalised (value, unit) agree; each side matches once. Predictions that
              share a matched prediction's exact span (one value, two subjects) or overlap
              an ``optional_metrics`` entry are not counted against precision. Over matched
              pairs: approximate-flag accuracy and subject character F1.
``entities``  per type; a predicted label that contains a gold label of that type counts
              (gold ``agencies`` → Agency, ``documents`` → PolicyDocument, …).
``problems``, ``plans``  a gold text contained in a predicted item, each item used once.

>>> from kg.resources import bundled_report, bundled_gold
>>> scores = evaluate(bundled_report(), bundled_gold())
>>> scores["metrics"]["recall"] >= 0.98
True
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.extraction.text import fold

__all__ = ["evaluate", "format_scores", "score_metrics", "GOLD_ENTITY_KEYS"]

GOLD_ENTITY_KEYS = {
    "agencies": "Agency", "mechanisms": "Mechanism", "activities": "Activity",
    "documents": "PolicyDocument", "places": "Place",
}
_SCALE = {"万": 1e4, "亿": 1e8, "千": 1e3, "百": 1e2}
_UNIT_ALIASES = {"个百分点": "百分点", "pp": "百分点", "percent": "%", "％": "%"}


def evaluate(prediction_path: str | Path, gold_path: str | Path) -> dict[str, Any]:
    """Precision, recall and F1 per category of one extraction against one gold file.

    ``prediction_path`` is a report (it is extracted first) or the JSON ``kg extract`` printed; gold
    metrics given without offsets are then found in the text the JSON quotes.
    """
    gold = _load_json(Path(gold_path), "gold file")
    _check_gold(gold, Path(gold_path))
    prediction, text, whole = _prediction(Path(prediction_path))
    gold_metrics = _located(gold.get("metrics", []), text, whole, gold_path)
    optional = _located(gold.get("optional_metrics", []), text, whole, gold_path)
    scores: dict[str, Any] = {"metrics": score_metrics(prediction.get("metrics", []), gold_metrics, optional)}
    scores["entities"] = _score_entities(prediction.get("entities", []), gold)
    gold_problems = [p["text"] if isinstance(p, dict) else p for p in gold.get("problems", [])]
    gold_plans = [p["text"] if isinstance(p, dict) else p for p in gold.get("plans", [])]
    scores["problems"] = _score_contained(prediction.get("problems", []), gold_problems)
    scores["plans"] = _score_contained(prediction.get("plans", []), gold_plans)
    return scores


_GOLD_LISTS = ("metrics", "optional_metrics", "not_metrics", "documents", "agencies", "mechanisms",
               "activities", "places", "measure_groups", "problem_areas", "problems", "plans")


def _check_gold(gold: dict, path: Path) -> None:
    """One clear line for a gold file of the wrong shape, before any scoring trips on it."""
    for key in _GOLD_LISTS:
        value = gold.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, (str, dict)) for v in value):
            raise InputError(f"{path}: gold key {key!r} must be a list of strings or objects")
    for index, metric in enumerate(gold.get("metrics", [])):
        if not isinstance(metric, dict) or not {"text", "value", "unit"} <= metric.keys():
            raise InputError(f"{path}: gold metric {index} needs 'text', 'value' and 'unit'")


def _load_json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: {what} is not valid UTF-8 JSON ({err})") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read {what} ({err.strerror})") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: {what} must be a JSON object")
    return data


def _prediction(path: Path) -> tuple[dict, str, bool]:
    """The extraction as JSON, the report's text (or what the JSON quotes of it), and whether it is whole."""
    if path.suffix.lower() == ".json":
        data = _load_json(path, "extraction")
        if not isinstance(data.get("metrics"), list):
            raise InputError(f"{path}: not the JSON of `kg extract` (no 'metrics' list)")
        return data, _known_text(data), False
    from kg.pipeline import extract  # only when a report must be read: spaCy loads slowly

    extraction = extract(path)
    return extraction.to_contract(), extraction.text, True


_UNKNOWN = "\0"  # a character of the report that the extraction JSON does not quote


def _known_text(data: dict) -> str:
    """As much of the report's text as the extraction JSON quotes, at its offsets (the rest unknown).

    Every quoted span (metrics, measures, problems, plans) is put back in
    place, so a gold metric given only by its text is found wherever a
    predicted metric could overlap it.
    """
    spans = []
    for key in ("metrics", "measures", "problems", "plans"):
        for item in data.get(key) or []:
            if isinstance(item, dict) and isinstance(item.get("text"), str) and _span(item):
                spans.append((_span(item)[0], item["text"]))
    length = max((start + len(text) for start, text in spans), default=0)
    chars = [_UNKNOWN] * length
    for start, text in spans:
        if start >= 0:
            chars[start:start + len(text)] = text
    return "".join(chars)


def _located(items: list[dict], text: str, whole: bool, gold_path) -> list[dict]:
    """Gold items with offsets; those given only by text are found in order of appearance.

    In a text known only in part (the JSON's quotes), a gold text is found where
    its known characters agree, the place agreeing on most of them winning; one
    that is nowhere is missed (no prediction lies there).
    """
    out, cursor = [], 0
    for item in items:
        if "start" in item and "end" in item:
            out.append(item)
            continue
        start = _find(text, item["text"], cursor, whole)
        if start < 0:
            start = _find(text, item["text"], 0, whole)
        if start < 0 and not whole:
            out.append(dict(item, start=-1, end=-1))
            continue
        if start < 0:
            raise InputError(f"{gold_path}: gold text not in the report: {item['text']!r}")
        out.append(dict(item, start=start, end=start + len(item["text"])))
        cursor = start + 1
    return out


def _find(text: str, needle: str, cursor: int, whole: bool) -> int:
    if whole or not needle:
        return text.find(needle, cursor)
    import re

    pattern = re.compile("(?=(" + "".join(f"[{re.escape(c)}{_UNKNOWN}]" for c in needle) + "))")
    best, best_known = -1, 0
    for match in pattern.finditer(text, cursor):
        known = len(needle) - match.group(1).count(_UNKNOWN)
        if known > best_known:
            best, best_known = match.start(), known
            if known == len(needle):
                break
    return best


# --- metrics: the contract's scoring -----------------------------------------------------------

def _norm(value, unit) -> tuple[float, str]:
    unit = _UNIT_ALIASES.get((unit or "").strip(), (unit or "").strip())
    number = float(value)
    if len(unit) > 1 and unit[0] in _SCALE and unit != "百分点":
        number *= _SCALE[unit[0]]
        unit = unit[1:]
    return number, unit


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _char_f1(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    pool: dict[str, int] = {}
    for ch in b:
        pool[ch] = pool.get(ch, 0) + 1
    common = 0
    for ch in a:
        if pool.get(ch):
            pool[ch] -= 1
            common += 1
    if not common:
        return 0.0
    precision, recall = common / len(a), common / len(b)
    return 2 * precision * recall / (precision + recall)


def _span(item: dict) -> tuple[int, int] | None:
    try:
        return int(item["start"]), int(item["end"])
    except (KeyError, TypeError, ValueError):
        return None


def score_metrics(predicted: list[dict], gold: list[dict], optional: list[dict] = ()) -> dict[str, Any]:
    """The contract's metric scoring: counts, P/R/F1, approx accuracy, subject F1, extras, misses."""
    used: set[int] = set()
    matched: list[tuple[dict, dict]] = []
    for g in gold:
        gold_value, gold_unit = _norm(g["value"], g["unit"])
        for i, p in enumerate(predicted):
            if i in used:
                continue
            span = _span(p)
            try:
                value, unit = _norm(p["value"], p["unit"])
            except (KeyError, TypeError, ValueError):
                continue
            if span and _overlap(*span, g["start"], g["end"]) and _close(value, gold_value) and unit == gold_unit:
                used.add(i)
                matched.append((g, p))
                break
    matched_spans = {_span(p) for _, p in matched}
    extra = []
    for i, p in enumerate(predicted):
        if i in used:
            continue
        span = _span(p)
        if span is not None and (span in matched_spans
                                 or any(_overlap(*span, o["start"], o["end"]) for o in optional)):
            continue
        extra.append(p)
    matched_gold = {id(g) for g, _ in matched}
    missing = [g for g in gold if id(g) not in matched_gold]
    tp = len(matched)
    out = _prf(tp, len(extra), len(missing))
    out["approx_accuracy"] = (sum(bool(p.get("approx")) == bool(g.get("approx")) for g, p in matched) / tp
                              if tp else 0.0)
    subject = [_char_f1(str(p.get("subject") or ""), g.get("subject") or "") for g, p in matched]
    out["subject_f1"] = sum(subject) / len(subject) if subject else 0.0
    out["extra"] = [_brief(p) for p in extra]
    out["missing"] = [_brief(g) for g in missing]
    out["approx_wrong"] = [_brief(p) for g, p in matched if bool(p.get("approx")) != bool(g.get("approx"))]
    return out


def _brief(metric: dict) -> dict:
    return {key: metric.get(key) for key in ("text", "start", "end", "value", "unit", "approx", "subject")}


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


# --- entities, problems, plans -----------------------------------------------------------------

def _score_entities(predicted: list[dict], gold: dict) -> dict[str, Any]:
    by_type: dict[str, Any] = {}
    total_tp_p = total_p = total_found = total_gold = 0
    for key, entity_type in GOLD_ENTITY_KEYS.items():
        labels = [fold(label) for label in gold.get(key, [])]
        mine = [fold(str(e.get("label") or "")) for e in predicted if e.get("type") == entity_type]
        correct = sum(any(label in m for label in labels) for m in mine)
        found = sum(any(label in m for m in mine) for label in labels)
        precision = correct / len(mine) if mine else 0.0
        recall = found / len(labels) if labels else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        by_type[entity_type] = {"predicted": len(mine), "correct": correct, "gold": len(labels), "found": found,
                                "precision": precision, "recall": recall, "f1": f1,
                                "missing": [g for g in gold.get(key, []) if not any(fold(g) in m for m in mine)]}
        total_tp_p, total_p = total_tp_p + correct, total_p + len(mine)
        total_found, total_gold = total_found + found, total_gold + len(labels)
    precision = total_tp_p / total_p if total_p else 0.0
    recall = total_found / total_gold if total_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "by_type": by_type}


def _score_contained(predicted: list[dict], gold: list[str]) -> dict[str, Any]:
    """A gold text counts as found in the first unused predicted item that contains it."""
    texts = [fold(str(p.get("text") or "")) for p in predicted]
    used: set[int] = set()
    missing = []
    for g in gold:
        hit = next((i for i, t in enumerate(texts) if i not in used and fold(g) in t), None)
        if hit is None:
            missing.append(g)
        else:
            used.add(hit)
    out = _prf(len(used), len(texts) - len(used), len(missing))
    out["missing"] = missing
    return out


# --- report --------------------------------------------------------------------------------------

def format_scores(scores: dict[str, Any]) -> str:
    """A plain-text table of :func:`evaluate`'s scores, then what the metrics missed or added."""
    rows = [f"{'category':<16}{'P':>7}{'R':>7}{'F1':>7}"]

    def row(name: str, s: dict) -> None:
        rows.append(f"{name:<16}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}")

    m = scores["metrics"]
    row("metrics", m)
    rows.append(f"  matched {m['tp']}, extra {m['fp']}, missing {m['fn']}; "
                f"approx-flag accuracy {m['approx_accuracy']:.3f}, subject F1 {m['subject_f1']:.3f}")
    row("entities", scores["entities"])
    for entity_type, s in scores["entities"]["by_type"].items():
        row(f"  {entity_type}", s)
    row("problems", scores["problems"])
    row("plans", scores["plans"])
    for label, key in (("extra metric", "extra"), ("missing metric", "missing"), ("approx wrong", "approx_wrong")):
        for item in m[key]:
            rows.append(f"  {label}: {item['text']} = {item['value']} {item['unit']}")
    return "\n".join(rows)
