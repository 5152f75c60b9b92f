"""The graph pieces of a report, made file to file a block at a time (a huge report never whole in memory)."""
from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.pipeline import extract
from kg.rdf import files
from kg.rdf.files import assemble_graph_files, graph_pieces, line_blocks, Piece, turtle_header, write_unique_lines
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


_TEXT_LINES = st.lists(st.text(alphabet=st.sampled_from("ab 万临市<>\"\u2028\x85"), max_size=6), max_size=30)


@settings(max_examples=150, deadline=None)
@given(sources=st.lists(_TEXT_LINES, max_size=4), run_bytes=st.integers(1, 60), as_file=st.booleans())
def test_unique_lines_are_the_sorted_set_of_the_lines_in_runs_of_any_size(tmp_path_factory, sources, run_bytes,
                                                                          as_file):
    folder = tmp_path_factory.mktemp("lines")
    given_sources = []
    for number, lines in enumerate(sources):
        data = "".join(line + "\n" for line in lines).encode("utf-8")
        if as_file:
            (folder / f"{number}.nt").write_bytes(data)
            given_sources.append(folder / f"{number}.nt")
        else:
            given_sources.append(io.BytesIO(data))
    write_unique_lines(given_sources, folder / "out.nt", run_bytes=run_bytes)
    # The plain definition, in str: code point order, each line once, no empty line.
    expected = sorted({line for lines in sources for line in lines if line})
    assert (folder / "out.nt").read_bytes() == "".join(line + "\n" for line in expected).encode("utf-8")
    assert not list(folder.glob(".lines-*"))  # no run file left behind


def test_a_last_line_without_its_line_end_is_one_of_the_lines(tmp_path):
    (tmp_path / "a.nt").write_bytes(b"b\na")
    (tmp_path / "b.nt").write_bytes(b"a\n")
    write_unique_lines([tmp_path / "a.nt", tmp_path / "b.nt"], tmp_path / "out.nt", run_bytes=1)
    assert (tmp_path / "out.nt").read_bytes() == b"a\nb\n"


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


def test_pieces_are_the_same_whether_their_turtle_waits_in_memory_or_on_disk(tmp_path):
    extraction = extract(FIXTURES / "structure-a-county.txt")
    source = tmp_path / "report.nt"
    source.write_text(to_ntriples(extraction, DEFAULT_BASE), encoding="utf-8")
    graph = graph_iri(DEFAULT_BASE, extraction.report.id)
    (tmp_path / "memory").mkdir()
    (tmp_path / "disk").mkdir()
    in_memory = graph_pieces(source, graph, tmp_path / "memory", "piece")
    on_disk = graph_pieces(source, graph, tmp_path / "disk", "piece", in_memory=0)  # 0: at once on disk
    assert source.stat().st_size > 100_000
    for kind in in_memory:
        assert on_disk[kind].read_bytes() == in_memory[kind].read_bytes()


def test_an_empty_graph_gives_empty_pieces(tmp_path):
    source = tmp_path / "empty.nt"
    source.write_bytes(b"")
    pieces = graph_pieces(source, "http://example.org/g", tmp_path, "empty")
    assert pieces["nq"].read_bytes() == b"" and pieces["trig"].read_bytes() == b""
