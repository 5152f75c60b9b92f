"""The graph pieces of a report, made file to file a block at a time (a huge report never whole in memory)."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.pipeline import extract
from kg.rdf import files
from kg.rdf.files import assemble_graph_files, graph_pieces, line_blocks, Piece, turtle_header
from kg.rdf.namespaces import DEFAULT_BASE
from kg.rdf.triples import graph_iri, to_ntriples

from tests.conftest import FIXTURES

_LINES = st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=40)


@settings(max_examples=200, deadline=None)
@given(lines=_LINES, size=st.integers(1, 50), left=st.none() | st.integers(0, 400))
def test_line_blocks_give_the_bytes_back_in_whole_lines(lines, size, left):
    data = b"".join(line + b"\n" for line in lines) + b"last line, unterminated"
    left = None if left is None else min(left, len(data))
    blocks = list(line_blocks(io.BytesIO(data), left, size=size))
    assert b"".join(blocks) == (data if left is None else data[:left])
    assert all(blocks) and all(block.endswith(b"\n") for block in blocks[:-1])


def _quads(data: bytes, fmt) -> set[str]:
    return {str(q) for q in ox.parse(data, format=fmt)}


@pytest.mark.parametrize("longest", [None, 250], ids=["parsed", "long-lines-kept-as-they-are"])
def test_pieces_made_in_small_blocks_hold_the_reports_statements(tmp_path, monkeypatch, longest):
    if longest:  # lines over it (the source text, long items) are not parsed but written as they are
        monkeypatch.setattr(files, "_LONGEST_PARSED", longest)
    extraction = extract(FIXTURES / "structure-a-county.txt")
    ntriples = to_ntriples(extraction, DEFAULT_BASE)
    source = tmp_path / "report.nt"
    source.write_text(ntriples, encoding="utf-8")
    real = files.line_blocks
    monkeypatch.setattr(files, "line_blocks", lambda handle, left=None: real(handle, left, size=700))
    graph = graph_iri(DEFAULT_BASE, extraction.report.id)
    pieces = graph_pieces(source, graph, tmp_path, "piece")
    expected = {str(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)))
                for t in ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)}
    assert len(expected) > 500
    assert _quads(pieces["nq"].read_bytes(), ox.RdfFormat.N_QUADS) == expected
    trig = pieces["trig"].read_bytes()
    assert trig.startswith(f"<{graph}> {{\n".encode()) and trig.endswith(b"\n}\n")
    assert _quads(turtle_header() + trig, ox.RdfFormat.TRIG) == expected
    # graph.ttl, made of the block unwrapped piece by piece, is the graph's own Turtle
    out = tmp_path / "out"
    out.mkdir()
    assemble_graph_files(out, [{kind: Piece.whole(path) for kind, path in pieces.items()}])
    own = ox.serialize(ox.parse(ntriples.encode(), format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                       prefixes=dict(files.PREFIXES))
    if longest is None:
        assert (out / "graph.ttl").read_bytes() == own
    else:
        assert _quads((out / "graph.ttl").read_bytes(), ox.RdfFormat.TURTLE) == _quads(own, ox.RdfFormat.TURTLE)
        assert sum(len(line.encode()) >= longest for line in ntriples.split("\n")) >= 5


def test_an_empty_graph_gives_empty_pieces(tmp_path):
    source = tmp_path / "empty.nt"
    source.write_bytes(b"")
    pieces = graph_pieces(source, "http://example.org/g", tmp_path, "empty")
    assert pieces["nq"].read_bytes() == b"" and pieces["trig"].read_bytes() == b""
