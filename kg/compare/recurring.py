"""Recurring problems: a shortcoming admitted in year N and again, in other words, in year N+1.

The problems of two consecutive reports of a series are scored pairwise
(:func:`kg.compare.similarity.similarity`); pairs at or above ``recurring_threshold``
(``data/rules/comparisons.json``) are matched one to one, best first, so that one
problem of a year is never said to recur as several of the next.
"""
from __future__ import annotations

from kg.compare.rules import comparison_rules
from kg.compare.similarity import Features, SeriesIdf, shared_reason, similarity

__all__ = ["recurring_problems"]


def _ref(extraction: dict, problem: dict) -> dict:
    return {"report": extraction["report"]["id"], "problem": problem["id"], "start": problem["start"],
            "end": problem["end"], "text": problem.get("title") or problem["text"]}


def recurring_problems(earlier: dict, later: dict, features: dict[str, dict[str, Features]],
                       idf: SeriesIdf) -> list[dict]:
    """Pairs (problem of ``earlier``, problem of ``later``) that state the same shortcoming, best first."""
    rules = comparison_rules()
    earlier_features = features[earlier["report"]["id"]]
    later_features = features[later["report"]["id"]]
    candidates = []
    for old in earlier.get("problems", []):
        for new in later.get("problems", []):
            score = similarity(earlier_features[old["id"]], later_features[new["id"]], idf)
            if score >= rules["recurring_threshold"]:
                candidates.append((score, old, new))
    candidates.sort(key=lambda c: (-c[0], c[1]["start"], c[2]["start"]))
    used_old, used_new, rows = set(), set(), []
    for score, old, new in candidates:
        if old["id"] in used_old or new["id"] in used_new:
            continue
        used_old.add(old["id"])
        used_new.add(new["id"])
        terms, entities = shared_reason(earlier_features[old["id"]], later_features[new["id"]], idf)
        rows.append({"earlier": _ref(earlier, old), "later": _ref(later, new), "score": round(score, 4),
                     "terms": terms[:rules["reason_terms"]], "entities": entities})
    rows.sort(key=lambda r: (r["earlier"]["start"], r["later"]["start"]))
    return rows
