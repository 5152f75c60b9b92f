"""Plan follow-through: which measures of year N+1 carry out a plan of year N.

Every plan of a report is scored against every measure of the same series' report
of the next year (:func:`kg.compare.similarity.similarity`: shared content words and
entities, idf-weighted over the series); the measures scoring at least
``follow_threshold`` (``data/rules/comparisons.json``), best first and at most
``follow_max_measures``, carry it out, and the shared terms and entities are the
reason. A plan with none is ``not_followed``: the next report says nothing that
shares enough of its content.
"""
from __future__ import annotations

from kg.compare.rules import comparison_rules
from kg.compare.similarity import Features, SeriesIdf, shared_reason, similarity

__all__ = ["follow_through"]


def _ref(extraction: dict, item: dict, key: str) -> dict:
    return {"report": extraction["report"]["id"], key: item["id"], "start": item["start"], "end": item["end"]}


def follow_through(earlier: dict, later: dict, features: dict[str, dict[str, Features]], idf: SeriesIdf) -> list[dict]:
    """One row per plan of ``earlier`` with the measures of ``later`` (next year) that carry it out.

    ``features`` maps report id → item id → :class:`Features` (``item_features``).
    """
    rules = comparison_rules()
    earlier_features = features[earlier["report"]["id"]]
    later_features = features[later["report"]["id"]]
    rows = []
    for plan in earlier.get("plans", []):
        plan_features = earlier_features[plan["id"]]
        scored = []
        for measure in later.get("measures", []):
            score = similarity(plan_features, later_features[measure["id"]], idf)
            if score >= rules["follow_threshold"]:
                scored.append((score, measure))
        scored.sort(key=lambda s: (-s[0], s[1]["start"]))
        kept = [(score, m, *shared_reason(plan_features, later_features[m["id"]], idf))
                for score, m in scored[:rules["follow_max_measures"]]]
        rows.append({
            "plan": {**_ref(earlier, plan, "plan"), "text": plan.get("title") or plan["text"]},
            "measures": [{**_ref(later, m, "measure"), "text": m.get("title") or m["text"], "score": round(score, 4),
                          "terms": terms[:rules["reason_terms"]], "entities": entities}
                         for score, m, terms, entities in kept],
            "status": "followed" if kept else "not_followed",
        })
    return rows
