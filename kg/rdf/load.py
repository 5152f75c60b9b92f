"""Loading a built graph (a file or an ``OUT/`` folder) into rdflib or pyoxigraph."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError

__all__ = ["resolve_graph", "load_rdflib", "load_store", "has_store", "named_graphs", "FORMATS"]

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


def has_store(path: str | Path) -> bool:
    """Is ``path`` a build folder with its on-disk store (``OUT/store/``)?"""
    from kg.store.graphs import STORE

    return Path(path).is_dir() and (Path(path) / STORE / "CURRENT").is_file()


def load_store(path: str | Path):
    """A pyoxigraph ``Store`` holding the graph: a build's own on-disk store read in place, else a file loaded."""
    import pyoxigraph as ox

    if has_store(path):
        from kg.store.graphs import open_read_only

        return open_read_only(Path(path))
    path = resolve_graph(path)
    formats = {".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
               ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}
    store = ox.Store()
    try:
        store.bulk_load(path=str(path), format=formats[path.suffix.lower()])
    except (SyntaxError, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable RDF file ({_first_line(err)})") from None
    except MemoryError as err:  # pyoxigraph's parser stops at a 16 MB statement; its bulk loader does not
        raise _too_long(path, err) from None
    return store


def _ox_format(path: Path):
    import pyoxigraph as ox

    return {".trig": ox.RdfFormat.TRIG, ".ttl": ox.RdfFormat.TURTLE, ".nq": ox.RdfFormat.N_QUADS,
            ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD}[path.suffix.lower()]


def named_graphs(path: str | Path) -> Iterator[tuple[str | None, list]]:
    """``(graph IRI or None for the default graph, its pyoxigraph triples)`` for each graph, one at a time.

    A build writes each report's statements together, so the file is read as
    a stream and only one report's graph is in memory. A file whose graphs are
    interleaved (seen in a first, cheap pass) is loaded into a pyoxigraph store instead.
    """
    import pyoxigraph as ox

    path = resolve_graph(path)
    if not _graphs_are_contiguous(path):
        yield from _graphs_of_store(path)
        return
    current, triples = None, []
    for quad in _quads(path):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
        if name != current and triples:
            yield current, triples
            triples = []
        current = name
        triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
    if triples:
        yield current, triples


def _quads(path: Path) -> Iterator:
    import pyoxigraph as ox

    try:
        yield from ox.parse(path=str(path), format=_ox_format(path), lenient=True)  # our own output: no IRI re-check
    except (SyntaxError, ValueError, OSError) as err:
        raise InputError(f"{path}: not a readable RDF file ({_first_line(err)})") from None
    except MemoryError as err:  # pyoxigraph's parser stops at a 16 MB statement; its bulk loader does not
        raise _too_long(path, err) from None


def _too_long(path: Path, err: MemoryError) -> InputError:
    return InputError(f"{path}: holds a statement over 16 MB (the text of a very large report), which pyoxigraph "
                      f"cannot parse; the build's store holds it: use kg query or kg serve ({_first_line(err)})")


def _graphs_are_contiguous(path: Path) -> bool:
    import pyoxigraph as ox

    seen: set[str | None] = set()
    current: object = object()
    for quad in _quads(path):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else None
        if name != current:
            if name in seen:
                return False
            seen.add(name)
            current = name
    return True


def _graphs_of_store(path: Path) -> Iterator[tuple[str | None, list]]:
    import pyoxigraph as ox

    store = load_store(path)
    names = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    for name in [None, *names]:
        graph = ox.DefaultGraph() if name is None else ox.NamedNode(name)
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
        if triples:
            yield name, triples


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__
