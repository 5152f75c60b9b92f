"""Stage 5, analyse: links, gaps and importance read from the built graph (placeholder; see issue 5)."""
from __future__ import annotations

from pathlib import Path

__all__ = ["analyze"]


def analyze(graph_path: str | Path, out: str | Path) -> dict:
    """Write ``OUT/analysis.json`` and ``OUT/analysis.html`` (to be built)."""
    return {}
