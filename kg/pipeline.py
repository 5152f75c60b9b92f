"""The stages in order: read → structure → metrics/entities → link, giving one :class:`Extraction`.

Each stage is a module with a plain function in and out; this module only
calls them in turn, so a newcomer can follow a report through the pipeline here.
"""
from __future__ import annotations

from pathlib import Path

from .entities import extract_entities
from .link import link_items
from .metrics import attach_entities, extract_metrics
from .model import Extraction, ReportMeta
from .read import read_report, report_metadata
from .structure import segment

__all__ = ["extract", "extract_text"]


def extract(path: str | Path) -> Extraction:
    """Run the whole extraction on one report file.

    >>> from kg.resources import bundled_report
    >>> x = extract(bundled_report())
    >>> len(x.problems), len(x.plans)
    (8, 5)
    """
    meta, text = read_report(path)
    return extract_text(text, meta)


def extract_text(text: str, meta: ReportMeta | None = None) -> Extraction:
    """Run the extraction on text already decoded (``meta`` defaults to what the text says)."""
    if meta is None:
        meta = report_metadata(text)
        meta.id, meta.source, meta.encoding = meta.id or "report", meta.source or "<text>", "utf-8"
    structure = segment(text)
    extraction = Extraction(report=meta, text=text, sections=structure.sections, items=structure.items)
    if not structure.sections:
        extraction.warnings.append("no sections recognised: metrics and entities extracted without structure")
    extraction.metrics, extraction.checks = extract_metrics(text, extraction.items)
    extraction.entities, extraction.relations = extract_entities(text, extraction.items, meta)
    attach_entities(extraction.metrics, extraction.entities, extraction.relations)
    extraction.links, extraction.gaps = link_items(extraction)
    return extraction
