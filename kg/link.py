"""Stage 3c, link: plans and measures scored against the problems they answer (first cut; see issue 5)."""
from __future__ import annotations

from .model import Extraction, Gaps, Link

__all__ = ["link_items"]


def link_items(extraction: Extraction) -> tuple[list[Link], Gaps]:
    gaps = Gaps(problems_without_plan=[p.id for p in extraction.problems],
                plans_without_problem=[p.id for p in extraction.plans])
    return [], gaps
