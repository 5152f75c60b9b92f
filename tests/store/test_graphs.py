"""The build's store: N-Quads files queued for loading, big ones read a block at a time."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kg.io
from kg.errors import OutputError
from kg.io import output_lock
from kg.store import graphs
from kg.store.graphs import GraphStore


def _nquads(graph: str, count: int) -> bytes:
    return "".join(f'<http://example.org/s{i}> <http://example.org/p> "值 {i}" <{graph}> .\n'
                   for i in range(count)).encode("utf-8")


def test_small_and_big_files_and_bytes_all_reach_the_store(tmp_path, monkeypatch):
    monkeypatch.setattr(graphs, "_BATCH_BYTES", 2000)  # a file over it is loaded from disk in blocks
    monkeypatch.setattr(graphs, "_BIG_FILE_BLOCK", 333)  # blocks that end inside lines, made whole
    small, big = tmp_path / "small.nq", tmp_path / "big.nq"
    small.write_bytes(_nquads("http://example.org/g1", 3))
    big.write_bytes(_nquads("http://example.org/g2", 400))
    assert big.stat().st_size > 10 * 2000
    store = GraphStore(tmp_path / "store")
    store.store = loads = _Counting(store.store)
    store.load(small)
    store.load(big)
    store.load(_nquads("http://example.org/g3", 2))
    store.finish()
    expected = {str(q) for data in (small.read_bytes(), big.read_bytes(), _nquads("http://example.org/g3", 2))
                for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)}
    assert {str(q) for q in loads.store} == expected
    assert max(loads.sizes) < 333 + 100  # never the big file at once: a block and the rest of its last line
    store.close()


class _Counting:
    """The store, with the size of every bulk load noted."""

    def __init__(self, store: ox.Store) -> None:
        self.store, self.sizes, self.optimized = store, [], False

    def optimize(self) -> None:
        self.optimized = True
        self.store.optimize()

    def bulk_load(self, data: bytes, **options) -> None:
        self.sizes.append(len(data))
        self.store.bulk_load(data, **options)

    def __getattr__(self, name):
        return getattr(self.store, name)


def _store_files(folder) -> int:
    return sum(1 for path in folder.iterdir() if path.suffix == ".sst")


def test_optimize_merges_the_many_files_of_small_loads_and_keeps_every_quad(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    store = GraphStore(out / graphs.STORE)
    for index in range(12):  # one bulk load each, as a build's loader makes them: files of their own
        store.store.bulk_load(_nquads(f"http://example.org/g{index}", 50), format=ox.RdfFormat.N_QUADS)
    store.finish()
    quads = {str(q) for q in store.store}
    store.close()
    files = _store_files(out / graphs.STORE)

    before, after = graphs.optimize_store(out)

    assert before > 0 and after > 0
    assert _store_files(out / graphs.STORE) < files
    assert {str(q) for q in graphs.open_read_only(out)} == quads


def test_optimize_waits_for_no_build_and_needs_a_store(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError, match=r"out: no store here"):
        graphs.optimize_store(out)
    out.mkdir()
    GraphStore(out / graphs.STORE).close()
    with output_lock(out.absolute()):  # a build of this folder is running
        with pytest.raises(OutputError, match="another kg build is writing this folder"):
            graphs.optimize_store(out)


def test_optimize_killed_before_its_swap_leaves_the_store_as_it_was_and_the_next_run_finishes(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    store = GraphStore(out / graphs.STORE)
    store.load(_nquads("http://example.org/g", 20))
    store.finish()
    store.close()
    quads = {str(q) for q in graphs.open_read_only(out)}

    def killed(staging, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(kg.io, "swap_in", killed)
    with pytest.raises(KeyboardInterrupt):
        graphs.optimize_store(out)
    assert {str(q) for q in graphs.open_read_only(out)} == quads
    monkeypatch.undo()
    graphs.optimize_store(out)  # the half-made copy of the killed run is swept first
    assert {str(q) for q in graphs.open_read_only(out)} == quads
    assert sorted(path.name for path in out.iterdir()) == [graphs.STORE]


@pytest.mark.parametrize("threshold, compacted", [(5000, True), (50_000, False)])
def test_a_build_that_loaded_much_compacts_its_store_and_a_small_one_does_not(tmp_path, monkeypatch, threshold,
                                                                               compacted):
    monkeypatch.setattr(graphs, "_BATCH_BYTES", 1000)
    monkeypatch.setattr(graphs, "_COMPACT_AFTER_BYTES", threshold)
    store = GraphStore(tmp_path / "store")
    store.store = counting = _Counting(store.store)
    loads = [_nquads(f"http://example.org/g{index}", 30) for index in range(12)]
    assert 5000 < sum(map(len, loads)) < 50_000
    for data in loads:
        store.load(data)
    store.finish()
    assert counting.optimized == compacted
    expected = {str(q) for data in loads for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)}
    assert {str(q) for q in counting.store} == expected
    store.close()


_LINES = st.lists(st.sampled_from([f'<http://example.org/s{i}> <http://example.org/p> "{i}" <http://example.org/g> .'
                                   .encode() for i in range(12)]), max_size=15)


@given(old=_LINES, new=_LINES)
def test_the_sorted_difference_is_the_difference_of_the_two_sets_of_lines(old, new):
    gone, added = graphs._sorted_difference(iter(sorted(old)), iter(sorted(new)))
    assert gone == sorted(set(old) - set(new)) and added == sorted(set(new) - set(old))


def test_the_sorted_difference_refuses_lines_out_of_order():
    with pytest.raises(graphs._Unsorted):
        graphs._sorted_difference(iter([b"a", b"c"]), iter([b"b", b"a"]))
    with pytest.raises(graphs._Unsorted):
        graphs._sorted_difference(iter([b"b", b"a"]), iter([]))


@settings(max_examples=30, deadline=None)
@given(old=_LINES, new=_LINES, in_order=st.booleans())
def test_replace_leaves_the_new_graph_whether_its_lines_are_in_order_or_not(old, new, in_order):
    """The old statements lie inside a bigger file (a report's piece of graph.nq), beside another graph's."""
    from kg.rdf.files import Piece

    arrange = sorted if in_order else (lambda lines: list(reversed(lines)))
    other = _nquads("http://example.org/other", 3)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        piece = b"".join(line + b"\n" for line in arrange(old))
        (folder / "graph.nq").write_bytes(other + piece + other)
        (folder / "new.nq").write_bytes(b"".join(line + b"\n" for line in arrange(new)))
        store = GraphStore(folder / "store")
        store.store.bulk_load(other + piece, format=ox.RdfFormat.N_QUADS)  # the previous build's
        store.replace(Piece(folder / "graph.nq", len(other), len(piece)), folder / "new.nq")
        store.finish()
        expected = {str(q) for q in ox.parse(other + b"".join(line + b"\n" for line in new),
                                             format=ox.RdfFormat.N_QUADS)}
        assert {str(q) for q in store.store} == expected
        store.close()


def test_a_build_started_while_optimize_runs_is_told_which_command_holds_the_folder(tmp_path):
    out = (tmp_path / "out").absolute()
    out.mkdir()
    with output_lock(out, by="kg optimize"):
        with pytest.raises(OutputError, match=r"out: kg optimize is writing this folder \(process \d+\)"):
            with output_lock(out):
                pass
