"""Loading a built graph (a file or an ``OUT/`` folder) into rdflib or pyoxigraph."""
from __future__ import annotations

from pathlib import Path

from kg.errors import InputError

__all__ = ["resolve_graph", "load_rdflib", "load_store", "FORMATS"]

FORMATS = {".trig": "trig", ".ttl": "turtle", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld"}


def resolve_graph(path: str | Path) -> Path:
    """A graph file, or the ``graph.trig`` of a build folder."""
    path = Path(path)
    if path.is_dir():
        for name in ("graph.trig", "graph.nq", "graph.ttl"):
            if (path / name).is_file():
                return path / name
        raise InputError(f"{path}: folder holds no graph (graph.trig, graph.nq or graph.ttl); run kg build first")
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"{path}: unknown graph format {path.suffix!r} (expected one of {', '.join(FORMATS)})")
    return path


def load_rdflib(path: str | Path):
    """An rdflib ``Dataset``: named graphs kept, the default graph their union."""
    from rdflib import Dataset

    path = resolve_graph(path)
    dataset = Dataset(default_union=True)  # queries see every report's named graph
    try:
        dataset.parse(str(path), format=FORMATS[path.suffix.lower()])
    except Exception as err:  # rdflib raises many types for bad syntax
        raise InputError(f"{path}: not a readable RDF file ({_first_line(err)})") from None
    return dataset


def load_store(path: str | Path):
    """A pyoxigraph in-memory ``Store`` holding the graph."""
    import pyoxigraph as ox

    path = resolve_graph(path)
    formats = {".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
               ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=formats[path.suffix.lower()])
    except (SyntaxError, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable RDF file ({_first_line(err)})") from None
    return store


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
