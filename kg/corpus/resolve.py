"""Stage 6 of one report: bring it into the corpus's identity space (division, shared keys, indicators)."""
from __future__ import annotations

from kg.model import Extraction

__all__ = ["resolve_report"]


def resolve_report(extraction: Extraction) -> None:
    """Set the report's division, its entities' shared keys and its metrics' indicators, in place."""
