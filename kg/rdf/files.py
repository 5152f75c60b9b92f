"""The graph files of a build: ``graph.nq``, ``graph.trig`` (a named graph per report), ``graph.ttl`` (their union).

Each report's graph is serialised once, where it is extracted
(:func:`report_serialisations`: N-Quads, a TriG block, a Turtle body); the
files are then assembled from those pieces (:func:`assemble_graph_files`),
so no process ever holds the corpus, and an incremental build copies the
pieces of unchanged reports from the previous files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import OutputError
from kg.io import atomic_path, atomic_write
from kg.rdf.namespaces import PREFIXES
from kg.resources import ontology_dir

__all__ = ["report_serialisations", "assemble_graph_files", "Piece", "GRAPH_FILES", "PIECE_KINDS", "turtle_header",
           "turtle_body",
           "copy_ontology", "named_graph_block"]

# Our own output (IRIs built by kg.rdf.triples.iri_part, literals escaped there):
# re-validating every IRI costs as much as the rest of the parse.
_LENIENT = True


def report_serialisations(ntriples: str, graph: str) -> dict[str, bytes]:
    """One graph's statements in the two forms the graph files are assembled from.

    ``nq``: N-Quads (the N-Triples with the graph named); ``trig``: a TriG
    graph block without the ``@prefix`` lines, which every block shares
    (:func:`turtle_header`). ``graph.ttl`` is made from the TriG blocks.
    """
    data = ntriples.encode("utf-8")
    if not data:
        return {"nq": b"", "trig": b""}
    turtle = ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES, lenient=_LENIENT),
                          format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    body = turtle[_header_length(turtle):]
    return {"nq": _as_nquads(data, graph), "trig": named_graph_block(body, f"<{graph}>".encode())}


@dataclass(frozen=True)
class Piece:
    """``length`` bytes at ``offset`` of ``path``: one report's part of a graph file."""

    path: Path
    offset: int
    length: int

    @classmethod
    def whole(cls, path: Path) -> "Piece":
        return cls(path, 0, path.stat().st_size)

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            return handle.read(self.length)


GRAPH_FILES = {"nq": "graph.nq", "trig": "graph.trig", "ttl": "graph.ttl"}


PIECE_KINDS = ("nq", "trig")


def assemble_graph_files(out: Path, parts: list[dict[str, Piece]], *, union: bool = True) -> list[dict[str, Piece]]:
    """Write ``graph.nq`` and ``graph.trig`` (and, with ``union``, ``graph.ttl``) from each graph's pieces, in order.

    ``graph.trig`` and ``graph.ttl`` open with the shared ``@prefix`` lines.
    The bytes are copied by the kernel where it can (unchanged reports of an
    incremental build come straight from the previous generation's files);
    ``graph.ttl`` is each TriG block's Turtle, unwrapped. Returns where each
    graph's pieces now lie in the new files, for the next build.
    """
    placed: list[dict[str, Piece]] = [{} for _ in parts]
    for kind in PIECE_KINDS:
        target = out / GRAPH_FILES[kind]
        with atomic_path(target) as tmp, open(tmp, "wb") as handle:
            if kind == "trig" and any(part[kind].length for part in parts):
                handle.write(turtle_header())
            for index, part in enumerate(parts):
                placed[index][kind] = Piece(target, handle.tell(), part[kind].length)
                _copy(part[kind], handle)
    if union:
        with atomic_path(out / GRAPH_FILES["ttl"]) as tmp, open(tmp, "wb") as handle:
            if any(part["trig"].length for part in parts):
                handle.write(turtle_header())
            for part in placed:
                handle.write(turtle_body(part["trig"].read()))
    return placed


def turtle_body(block: bytes) -> bytes:
    """The Turtle of a TriG graph block (:func:`named_graph_block`): the graph line and braces gone, lines unindented.

    >>> turtle_body(named_graph_block(b"<s> <p> <o> .\\n", b"<g>"))
    b'<s> <p> <o> .\\n'
    """
    if not block:
        return b""
    inner = block[block.index(b"\n") + 1:-2]  # after "<g> {\n", before "}\n"
    return inner[1:].replace(b"\n\t", b"\n") if inner.startswith(b"\t") else inner


def _copy(piece: Piece, handle) -> None:
    handle.flush()
    with open(piece.path, "rb") as source:
        offset, left = piece.offset, piece.length
        try:
            while left:
                copied = os.copy_file_range(source.fileno(), handle.fileno(), left, offset)
                if copied == 0:
                    break
                offset += copied
                left -= copied
        except (AttributeError, OSError):  # no copy_file_range here: copy through user space
            handle.seek(0, os.SEEK_END)
            source.seek(offset)
            while left:
                chunk = source.read(min(left, 1 << 20))
                if not chunk:
                    break
                handle.write(chunk)
                left -= len(chunk)
    if left:
        raise OutputError(f"{piece.path}: shorter than the build recorded; run kg build again with --rebuild")
    handle.seek(0, os.SEEK_END)


@cache
def turtle_header() -> bytes:
    """The ``@prefix`` lines pyoxigraph writes for our prefixes (the same before every body)."""
    sample = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
    turtle = ox.serialize(ox.parse(sample, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                          prefixes=dict(PREFIXES))
    return turtle[:_header_length(turtle)]


def _header_length(turtle: bytes) -> int:
    end = 0
    while turtle.startswith(b"@prefix ", end):
        end = turtle.index(b"\n", end) + 1
    return end


def _as_nquads(ntriples: bytes, graph: str) -> bytes:
    # Every N-Triples line ends in " .", and no literal holds a raw line break, so
    # naming the graph there is exact and keeps the statements out of Python objects.
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


def named_graph_block(body: bytes, graph: bytes) -> bytes:
    """A Turtle body (no ``@prefix`` lines) as a TriG graph block named ``graph``.

    A TriG graph block holds Turtle's triples unchanged. Lines are indented by a
    tab as pyoxigraph's own TriG writer does (its literals never hold a raw line
    break), so the block is byte for byte what it would write.
    """
    block = b"\t" + body[:-1].replace(b"\n", b"\n\t") + body[-1:] if body else b""
    return graph + b" {\n" + block + b"}\n"


def copy_ontology(out: Path) -> None:
    """A copy of the ontology, shapes, checks and queries in ``out/ontology/``, so a build is self-describing."""
    target = out / "ontology"
    source = ontology_dir()
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.suffix in (".ttl", ".rq", ".json"):
            atomic_write(target / path.relative_to(source), path.read_bytes())
