"""The graph files of a build: ``graph.nq``, ``graph.trig`` (a named graph per report), ``graph.ttl`` (their union).

Each report's graph is serialised once, where it is extracted
(:func:`graph_pieces`: N-Quads and a TriG block, a block of lines at a time); the
files are then assembled from those pieces (:func:`assemble_graph_files`),
so no process ever holds the corpus, and an incremental build copies the
pieces of unchanged reports from the previous files.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.errors import OutputError
from kg.io import atomic_path, atomic_write
from kg.rdf.namespaces import PREFIXES
from kg.resources import ontology_dir

__all__ = ["graph_pieces", "spooled_file", "line_blocks", "write_unique_lines", "assemble_graph_files", "Piece",
           "GRAPH_FILES", "PIECE_KINDS", "turtle_header", "copy_ontology"]

# Our own output (IRIs built by kg.rdf.triples.iri_part, literals escaped there):
# re-validating every IRI costs as much as the rest of the parse.
_LENIENT = True


def graph_pieces(ntriples: Path | BinaryIO, graph: str, folder: Path, stem: str, *,
                 in_memory: int = 64 << 20) -> dict[str, Path]:
    """One graph's N-Triples (a file, or an open binary file) as the two pieces the graph files are
    assembled from: ``folder/stem.nq`` and ``folder/stem.trig``.

    ``nq``: N-Quads (the N-Triples with the graph named); ``trig``: a TriG
    graph block without the ``@prefix`` lines, which every block shares
    (:func:`turtle_header`). ``graph.ttl`` is made from the TriG blocks. Read and
    written a block of lines at a time, so a huge report never sits in memory
    (the Turtle waits in memory up to ``in_memory`` bytes, on disk beyond).
    """
    pieces = {kind: folder / f"{stem}.{kind}" for kind in PIECE_KINDS}
    with _reading(ntriples) as source:
        with open(pieces["nq"], "wb") as target:
            for block in line_blocks(source):
                target.write(_as_nquads(block, graph))
        if not source.tell():
            pieces["trig"].write_bytes(b"")
            return pieces
        source.seek(0)
        with spooled_file(folder, in_memory) as turtle:
            long_lines = _write_turtle(source, turtle)
            turtle.seek(0)
            _write_trig_block(turtle, long_lines, graph, pieces["trig"])
    return pieces


def spooled_file(folder: Path, in_memory: int = 64 << 20):
    """A temporary binary file kept in memory up to ``in_memory`` bytes (64 MB: a report's graph, usually),
    on disk in ``folder`` beyond."""
    return tempfile.SpooledTemporaryFile(max(1, in_memory), dir=folder)  # 0 would mean "in memory, however large"


def _reading(ntriples: Path | BinaryIO):
    if isinstance(ntriples, Path):
        return open(ntriples, "rb")
    ntriples.seek(0)
    return nullcontext(ntriples)


def _write_trig_block(turtle: BinaryIO, long_lines: list[bytes], graph: str, path: Path) -> None:
    with open(path, "wb") as target:
        target.write(f"<{graph}> {{\n".encode())
        header = True
        for block in line_blocks(turtle):
            if header:  # the @prefix lines open the file, and may fill a block
                block = block[_header_length(block):]
                header = not block
            # A TriG graph block holds Turtle's triples unchanged; lines are indented by a tab as
            # pyoxigraph's own TriG writer does (its literals never hold a raw line break).
            target.write(b"\t" + block[:-1].replace(b"\n", b"\n\t") + b"\n" if block else b"")
        for line in long_lines:  # an N-Triples line is a Turtle statement as it stands
            target.write(b"\t" + line)
        target.write(b"}\n")


# pyoxigraph's parser stops at a 16 MB token (from a file or from bytes; its bulk loader does not):
# a huge report's fz:sourceText is longer.
_LONGEST_PARSED = 8 << 20


def _write_turtle(ntriples: BinaryIO, turtle: BinaryIO) -> list[bytes]:
    """Serialise N-Triples as Turtle, parsed a block at a time; the lines too long to parse are
    returned as they are, for the caller to add (a subject's other statements stay grouped)."""
    long_lines: list[bytes] = []

    def statements(source):
        for block in line_blocks(source):
            if len(block) > _LONGEST_PARSED:
                lines = block.split(b"\n")[:-1]
                long_lines.extend(line + b"\n" for line in lines if len(line) >= _LONGEST_PARSED)
                block = b"".join(line + b"\n" for line in lines if len(line) < _LONGEST_PARSED)
            yield from ox.parse(block, format=ox.RdfFormat.N_TRIPLES, lenient=_LENIENT)

    ox.serialize(statements(ntriples), turtle, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
    return long_lines


def line_blocks(handle, left: int | None = None, size: int = 8 << 20):
    """Whole lines of a binary file, about ``size`` bytes at a time (at most ``left`` bytes in all)."""
    while left is None or left > 0:
        block = handle.read(size if left is None else min(size, left))
        if not block:
            return
        if not block.endswith(b"\n") and (left is None or len(block) < left):
            block += handle.readline(-1 if left is None else left - len(block))
        if left is not None:
            left -= len(block)
        yield block


def write_unique_lines(sources, target: Path, *, run_bytes: int = 32 << 20) -> None:
    """Every non-empty line of the ``sources`` (files, or iterables of byte lines) once, in byte order,
    into ``target``.

    Byte order of UTF-8 is code point order, so this is ``sorted(set(lines))``. Runs of
    about ``run_bytes`` are sorted in memory and merged from temporary files: the corpus
    graph of 10,000 reports is some two million lines, most of them repeated, and held
    as one set of Python strings they raised the build's peak by half a gigabyte.
    """
    import heapq

    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".lines-") as folder:
        runs: list[Path] = []
        run: set[bytes] = set()
        size = 0
        for source in sources:
            with open(source, "rb") if isinstance(source, Path) else nullcontext(source) as lines:
                for line in lines:
                    line = line if line.endswith(b"\n") else line + b"\n"
                    if line == b"\n" or line in run:
                        continue
                    run.add(line)
                    size += len(line)
                    if size >= run_bytes:
                        runs.append(_write_run(run, Path(folder) / f"{len(runs)}.run"))
                        run, size = set(), 0
        with open(target, "wb") as out:
            if not runs:
                out.writelines(sorted(run))
                return
            runs.append(_write_run(run, Path(folder) / f"{len(runs)}.run"))
            handles = [open(path, "rb") for path in runs]
            try:
                last = None
                for line in heapq.merge(*handles):
                    if line != last:
                        out.write(line)
                    last = line
            finally:
                for handle in handles:
                    handle.close()


def _write_run(lines: set[bytes], path: Path) -> Path:
    with open(path, "wb") as handle:
        handle.writelines(sorted(lines))
    return path


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
            at = handle.tell()
            for index, part in enumerate(parts):
                placed[index][kind] = Piece(target, at, part[kind].length)
                at += part[kind].length
            for run in _runs(part[kind] for part in parts):
                _copy(run, handle)
    if union:
        with atomic_path(out / GRAPH_FILES["ttl"]) as tmp, open(tmp, "wb") as handle:
            if any(part["trig"].length for part in parts):
                handle.write(turtle_header())
            for part in placed:
                _copy_as_turtle(part["trig"], handle)
    return placed


def _runs(pieces):
    """The pieces with each run of neighbours in one file joined into one piece (unchanged reports of a
    rebuild lie side by side in the previous generation's file: one copy instead of thousands)."""
    run = None
    for piece in pieces:
        if run is not None and piece.path == run.path and piece.offset == run.offset + run.length:
            run = Piece(run.path, run.offset, run.length + piece.length)
            continue
        if run is not None:
            yield run
        run = piece
    if run is not None:
        yield run


def _copy_as_turtle(piece: Piece, handle) -> None:
    """The Turtle of a TriG graph block piece: the graph line and braces gone, lines unindented."""
    if not piece.length:
        return
    with open(piece.path, "rb") as source:
        source.seek(piece.offset)
        source.readline()  # "<g> {"
        left = piece.length - source.tell() + piece.offset - 2  # before the closing "}\n"
        for block in line_blocks(source, left):
            handle.write((b"\n" + block).replace(b"\n\t", b"\n")[1:])


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


def copy_ontology(out: Path) -> None:
    """A copy of the ontology, shapes, checks and queries in ``out/ontology/``, so a build is self-describing."""
    target = out / "ontology"
    source = ontology_dir()
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.suffix in (".ttl", ".rq", ".json"):
            atomic_write(target / path.relative_to(source), path.read_bytes())
