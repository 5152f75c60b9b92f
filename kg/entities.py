"""Stage 3b, entities: agencies, mechanisms, activities, documents and places (first cut; see issue 4)."""
from __future__ import annotations

import re

from .model import Entity, Item, Mention, ReportMeta, Relation

__all__ = ["extract_entities"]

_DOCUMENT = re.compile(r"《([^《》]+)》")


def extract_entities(text: str, items: list[Item], meta: ReportMeta) -> tuple[list[Entity], list[Relation]]:
    by_label: dict[str, Entity] = {}
    for match in _DOCUMENT.finditer(text):
        label = match.group(1)
        entity = by_label.setdefault(label, Entity(id=f"document/{label}", type="PolicyDocument", label=label))
        entity.mentions.append(Mention(match.start(1), match.end(1), label))
    entities = list(by_label.values())
    relations = []
    for item in items:
        for entity in entities:
            if any(item.span.start <= m.start < item.span.end for m in entity.mentions):
                relations.append(Relation(item.id, "mentions", entity.id))
    return entities, relations
