"""Stage 6, export: the graph for Gephi, Cytoscape, yEd, Neo4j, Graphviz and a browser (placeholder; see issue 6)."""
from __future__ import annotations

from pathlib import Path

__all__ = ["export_all"]


def export_all(graph_path: str | Path, out: str | Path) -> list[Path]:
    """Write every export format into ``out`` (to be built)."""
    return []
