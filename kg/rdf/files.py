"""The graph files of a build: ``graph.nq``, ``graph.trig`` (a named graph per report), ``graph.ttl`` (their union).

Each report's statements arrive as N-Triples (text or a file); one report is
in memory at a time, so a corpus streams through. pyoxigraph parses and
serialises; the TriG file wraps each report's Turtle in a graph block, so one
serialisation serves graph.ttl and graph.trig.
"""
from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from kg.io import atomic_path, atomic_write
from kg.rdf.namespaces import KIND, PREFIXES, UNIT
from kg.resources import ontology_dir

__all__ = ["write_graph_files", "copy_ontology", "named_graph_block"]

# Our own output (IRIs built by kg.rdf.triples.iri_part, literals escaped there):
# re-validating every IRI costs as much as the rest of the parse.
_LENIENT = True


def write_graph_files(out: Path, graphs: Iterable[tuple[str, str | Path]]) -> None:
    """Write ``graph.nq``, ``graph.trig`` and ``graph.ttl`` into ``out``.

    Each of ``graphs`` is a named graph's IRI and its statements as N-Triples,
    text or the file holding it.
    """
    graphs = list(graphs)
    prefixes = dict(PREFIXES)
    with atomic_path(out / "graph.nq") as nq_tmp, atomic_path(out / "graph.trig") as trig_tmp, \
            atomic_path(out / "graph.ttl") as ttl_tmp:
        if len(graphs) == 1:  # the union is the report's graph: one Turtle serves graph.ttl and graph.trig
            _write_named_graphs(graphs, trig_tmp, prefixes, nquads_path=nq_tmp, turtle_path=ttl_tmp)
            return
        _write_named_graphs(graphs, trig_tmp, prefixes)
        fd, union_name = tempfile.mkstemp(prefix=".graph.", suffix=".nt", dir=out)
        try:
            with open(fd, "wb") as union, open(nq_tmp, "wb") as nquads:
                shared_seen: set[bytes] = set()
                for graph, part in graphs:
                    ntriples = _read(part)
                    nquads.write(_as_nquads(ntriples, graph))
                    union.write(_once_shared(ntriples, shared_seen))
            triples = ox.parse(path=union_name, format=ox.RdfFormat.N_TRIPLES, lenient=_LENIENT)
            ox.serialize(triples, output=str(ttl_tmp), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
        finally:
            os.unlink(union_name)


def _read(part: str | Path) -> bytes:
    return part.read_bytes() if isinstance(part, Path) else part.encode("utf-8")


def _as_nquads(ntriples: bytes, graph: str) -> bytes:
    # Every N-Triples line ends in " .", and no literal holds a raw line break, so
    # naming the graph there is exact and keeps the statements out of Python objects.
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


def _write_named_graphs(graphs: list[tuple[str, str | Path]], trig_path: Path, prefixes: dict[str, str], *,
                        nquads_path: Path | None = None, turtle_path: Path | None = None) -> None:
    """graph.trig: each report's Turtle as a named graph (and, for one report, graph.nq and graph.ttl)."""
    with open(trig_path, "wb") as trig:
        first = True
        for graph, part in graphs:
            ntriples = _read(part)
            if nquads_path is not None:
                nquads_path.write_bytes(_as_nquads(ntriples, graph))
            if not ntriples:
                continue
            turtle = ox.serialize(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES, lenient=_LENIENT),
                                  format=ox.RdfFormat.TURTLE, prefixes=prefixes)
            if turtle_path is not None:
                turtle_path.write_bytes(turtle)
            trig.write(named_graph_block(turtle, f"<{graph}>".encode(), header=first))
            first = False


def named_graph_block(turtle: bytes, graph: bytes, *, header: bool) -> bytes:
    """A report's Turtle as a TriG graph block named ``graph``.

    A TriG graph block holds Turtle's triples unchanged; only the ``@prefix``
    lines, which pyoxigraph writes first, go before it (once, when ``header``).
    Lines are indented by a tab as pyoxigraph's own TriG writer does (its
    literals never hold a raw line break), so the block is byte for byte what
    it would write.
    """
    body_start = 0
    while turtle.startswith(b"@prefix ", body_start):
        body_start = turtle.index(b"\n", body_start) + 1
    body = turtle[body_start:]
    block = b"\t" + body[:-1].replace(b"\n", b"\n\t") + body[-1:] if body else b""
    return (turtle[:body_start] if header else b"") + graph + b" {\n" + block + b"}\n"


def _once_shared(ntriples: bytes, seen: set[bytes]) -> bytes:
    """Unit and kind concepts recur in every report's graph: the union states them once."""
    return _SHARED_LINE.sub(partial(_first_time, seen=seen), b"\n" + ntriples)[1:]


def _first_time(line: re.Match, seen: set[bytes]) -> bytes:
    text = line.group()
    if text in seen:
        return b""
    seen.add(text)
    return text


def _shared_line_pattern() -> re.Pattern:
    """A line (with the line break before it) whose subject is a unit or kind concept.

    The pattern opens with the two namespaces' common literal prefix, which re
    searches for quickly, instead of trying every line start.
    """
    common = os.path.commonprefix([str(UNIT), str(KIND)])
    rests = "|".join(re.escape(str(ns)[len(common):]) for ns in (UNIT, KIND))
    return re.compile(f"\n<{re.escape(common)}(?:{rests})[^\n]*".encode())


_SHARED_LINE = _shared_line_pattern()


def copy_ontology(out: Path) -> None:
    """A copy of the ontology, shapes, checks and queries in ``out/ontology/``, so a build is self-describing."""
    target = out / "ontology"
    source = ontology_dir()
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.suffix in (".ttl", ".rq", ".json"):
            atomic_write(target / path.relative_to(source), path.read_bytes())
