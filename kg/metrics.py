"""Stage 3a, metrics: every quantity a report states (first cut; see issue 3)."""
from __future__ import annotations

import re

from .model import Check, Entity, Item, Metric, Relation, Span

__all__ = ["extract_metrics", "attach_entities"]

_NUMBER = re.compile(
    r"(?P<approx1>近|约|逾)?(?P<num>[0-9０-９]+(?:\.[0-9]+)?)\s*(?P<scale>万|亿)?(?P<approx2>余|多)?"
    r"(?P<unit>%|个百分点|人次|件次|家次|场次|件|次|场|名|家|项|个|人|条|份|户|所|部|批|起|轮|期|天|元)"
)
_SCALE = {"万": 1e4, "亿": 1e8}


def extract_metrics(text: str, items: list[Item]) -> tuple[list[Metric], list[Check]]:
    metrics = []
    for match in _NUMBER.finditer(text):
        value = float(match["num"].translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        value *= _SCALE.get(match["scale"] or "", 1)
        unit = "百分点" if match["unit"] == "个百分点" else match["unit"]
        start, end = match.start(), match.end()
        clause_start = max(text.rfind(c, 0, start) for c in ",，;；。\n") + 1
        subject = text[clause_start:start].strip() or unit
        item = next((i.id for i in items if i.span.start <= start < i.span.end), None)
        metrics.append(Metric(
            id=f"metric-{len(metrics) + 1}", span=Span.of(text, start, end), value=value, unit=unit,
            approx=bool(match["approx1"] or match["approx2"]), kind="rate" if unit == "%" else "count",
            subject=subject, item=item,
        ))
    return metrics, []


def attach_entities(metrics: list[Metric], entities: list[Entity], relations: list[Relation]) -> None:
    """Link each metric to the entities named in its clause (first cut: none)."""
