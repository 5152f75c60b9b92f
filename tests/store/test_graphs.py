"""The build's store: N-Quads files queued for loading, big ones read a block at a time."""
from __future__ import annotations

import pyoxigraph as ox

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
        self.store, self.sizes = store, []

    def bulk_load(self, data: bytes, **options) -> None:
        self.sizes.append(len(data))
        self.store.bulk_load(data, **options)

    def __getattr__(self, name):
        return getattr(self.store, name)
