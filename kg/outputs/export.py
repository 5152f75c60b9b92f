"""``kg export``: the graph for Gephi, Cytoscape, yEd, Neo4j, Graphviz and a browser.

The property-graph view (:mod:`kg.outputs.property_graph`) is built once and
every writer (:mod:`kg.outputs.writers`, :mod:`kg.outputs.viewer`) reads it, so
node and edge counts agree across formats. The JSON-LD export is the RDF graph
itself, not this view.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kg.errors import InputError, KgError, OutputError
from kg.outputs.property_graph import property_graph
from kg.outputs.writers import (DEFAULT_DOT_FONT, write_cytoscape, write_dot, write_gexf, write_graphml,
                                write_jsonld, write_neo4j)
from kg.rdf.load import resolve_graph

__all__ = ["FORMATS", "export", "export_all"]

FORMATS = {
    "graphml": "graph.graphml",
    "gexf": "graph.gexf",
    "cytoscape": "graph.cytoscape.json",
    "jsonld": "graph.jsonld",
    "neo4j": "neo4j",
    "dot": "graph.dot",
    "html": "viewer.html",
}


def _write(fmt: str, graph_path, graph, target: Path, font: str) -> list[Path]:
    if fmt == "jsonld":
        return [write_jsonld(graph_path, target)]
    if fmt == "graphml":
        return [write_graphml(graph, target)]
    if fmt == "gexf":
        return [write_gexf(graph, target)]
    if fmt == "cytoscape":
        return write_cytoscape(graph, target)
    if fmt == "neo4j":
        return write_neo4j(graph, target)
    if fmt == "dot":
        return [write_dot(graph, target, font=font)]
    from kg.outputs.viewer import write_viewer

    return [write_viewer(graph, target)]


def export(graph_path: str | Path, fmt: str, output: str | Path | None = None, *,
           font: str = DEFAULT_DOT_FONT) -> Path:
    """Write one export of a built graph; returns the file (or, for neo4j, the folder) written.

    Without ``output``, writes beside the graph under the name ``kg build`` uses.
    """
    fmt = fmt.lower().replace("-", "")  # json-ld, JSON-LD → jsonld
    fmt = {"viewer": "html", "graphviz": "dot"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r} (expected one of: {', '.join(FORMATS)})")
    source = resolve_graph(graph_path)
    target = Path(output) if output is not None else source.parent / FORMATS[fmt]
    if target.is_dir() and fmt != "neo4j":
        target = target / FORMATS[fmt]
    if fmt == "neo4j" and target.exists() and not target.is_dir():
        raise OutputError(f"{target}: neo4j export writes a folder, and this is a file")
    graph = None if fmt == "jsonld" else property_graph(source)
    _write(fmt, source, graph, target, font)
    return target


def export_all(graph_path: str | Path, out: str | Path, *, font: str = DEFAULT_DOT_FONT,
               formats: Iterable[str] | None = None) -> list[Path]:
    """Write every export format (or those of ``formats``) into ``out`` under the names of :data:`FORMATS`.

    A format that cannot be written does not stop the others; the errors are raised together at the end.
    """
    out = Path(out)
    source = resolve_graph(graph_path)
    chosen = [fmt for fmt in FORMATS if formats is None or fmt in formats]
    graph = property_graph(source) if any(fmt != "jsonld" for fmt in chosen) else None
    written: list[Path] = []
    errors: list[str] = []
    for fmt in chosen:
        try:
            written.extend(_write(fmt, source, graph, out / FORMATS[fmt], font))
        except KgError as err:
            errors.append(str(err))
    if errors:
        raise OutputError("; ".join(errors))
    return written
