"""Stage 6 of one report: bring it into the corpus's identity space (division, shared keys, indicators).

Each step is deterministic and needs nothing but this report and the package data,
so a worker can run it alone:

* ``report.division``: the jurisdiction as a GB/T 2260 division (:mod:`kg.identity.divisions`);
* ``entity.shared_key`` (and ``implements`` for a local plan of a national document):
  who or what the entity is across reports (:mod:`kg.identity.identity`);
* ``metric.indicator``, ``indicator_method``, ``indicator_confidence``: the comparable
  indicator a metric states (:mod:`kg.identity.indicators`).
"""
from __future__ import annotations

from kg.identity.divisions import resolve_division
from kg.identity.identity import identities
from kg.identity.indicators import map_metrics
from kg.model import Extraction

__all__ = ["resolve_report"]


def resolve_report(extraction: Extraction) -> None:
    """Set the report's division, its entities' shared keys and its metrics' indicators, in place."""
    meta = extraction.report
    if meta.division is None:
        meta.division = resolve_division(meta, extraction.text)
    found = identities(extraction.entities, meta.division)
    by_key = {identity.key: entity_id for entity_id, identity in found.items()}
    for entity in extraction.entities:
        identity = found.get(entity.id)
        if identity is None:
            continue
        entity.shared_key = identity.key
        if identity.implements:
            entity.implements = by_key.get(identity.implements)
    map_metrics(extraction.metrics, extraction.text)
