"""``OUT/store/``: the build's graph in an on-disk Oxigraph store, one named graph per report.

A new generation starts as a checkpoint of the previous store (RocksDB hard
links: no copy), drops the graphs of reports that changed or left, and
bulk-loads the new ones in a thread of its own while the workers extract
(pyoxigraph releases the GIL while it loads), and after a large load compacts.
"""
from __future__ import annotations

import queue
import threading
from pathlib import Path

import pyoxigraph as ox

from kg.errors import OutputError
from kg.rdf.files import Piece, line_blocks

__all__ = ["GraphStore", "STORE", "open_read_only", "optimize_store"]

STORE = "store"
_BATCH_BYTES = 4 << 20  # N-Quads gathered per bulk load: small loads are faster than one huge one
# Measured on a 520 MB file: in one bulk load 13.4 s and 1.6 GB; in 16 MB blocks 16.7 s and 210 MB.
_BIG_FILE_BLOCK = 16 << 20
# A build that loaded this much N-Quads (some 800 reports) compacts the store before it ends. Its many
# small bulk loads leave hundreds of overlapping level-0 files; left alone, they are compacted while the
# next build runs, whose writes RocksDB stops until that is done: at 10,000 reports a rebuild after 1 %
# changed waited minutes. A rebuild loads far less than this and does not compact (a full compaction
# costs about a sixth of a full build each time).
_COMPACT_AFTER_BYTES = 1 << 30


def open_read_only(out: Path) -> ox.Store:
    """The store of a build folder, for reading (other readers and a running build may hold it too)."""
    try:
        return ox.Store.read_only(str(out / STORE))
    except OSError as err:
        raise OutputError(f"{out / STORE}: cannot open the store ({str(err).splitlines()[0]})") from None


def optimize_store(out: Path) -> tuple[int, int]:
    """Compact the store of a build folder; its size on disk (bytes) before and after.

    A build bulk-loads its reports in small batches, which leaves the store in
    many overlapping files; one full compaction merges them: the store shrinks and
    questions over it answer faster (figures in the README). A large build does
    this itself (:data:`_COMPACT_AFTER_BYTES`); small rebuilds add files again.
    The compaction runs on a checkpoint (hard links) that is then swapped in
    whole, as a build's output is: a killed run leaves the store as it was. Like
    a build's swap, it removes the files the store had, so a reader that opened
    it before must open it again (``kg serve`` serves a checkpoint of its own;
    ``kg query`` opens the store for one query). A build of the same folder
    waits for the lock like a second build.
    """
    import shutil

    from kg.io import output_lock, swap_in

    out = Path(out).absolute()
    folder = out / STORE
    if not (folder / "CURRENT").is_file():
        raise OutputError(f"{out}: no store here (a folder written by kg build holds one in store/)")
    with output_lock(out, by="kg optimize"):
        compacted = out / f".{STORE}.optimizing"
        shutil.rmtree(compacted, ignore_errors=True)  # a killed run's
        before = _size(folder)
        try:
            ox.Store.read_only(str(folder)).backup(str(compacted))
            store = ox.Store(str(compacted))
            store.optimize()
            store.flush()
            del store
        except OSError as err:
            shutil.rmtree(compacted, ignore_errors=True)
            raise OutputError(f"{folder}: cannot optimize the store ({str(err).splitlines()[0]})") from None
        swap_in(compacted, folder)
        shutil.rmtree(compacted, ignore_errors=True)  # the store as it was
        return before, _size(folder)


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.iterdir() if path.is_file())


class GraphStore:
    """The store of a build being written, with a loader thread fed N-Quads files."""

    def __init__(self, path: Path, previous: Path | None = None) -> None:
        try:
            if previous is not None and (previous / "CURRENT").is_file():
                ox.Store.read_only(str(previous)).backup(str(path))
            self.store = ox.Store(str(path))
        except OSError as err:
            raise OutputError(f"{path}: cannot create the store ({str(err).splitlines()[0]})") from None
        self.path = path
        self._queue: queue.Queue[Path | bytes | None] = queue.Queue(maxsize=64)
        self._error: BaseException | None = None
        self.loaded = 0  # bytes of N-Quads bulk-loaded by this build
        self._thread = threading.Thread(target=self._load_queued, name="kg-store-loader", daemon=True)
        self._thread.start()

    def drop(self, graph: str) -> None:
        self.store.remove_graph(ox.NamedNode(graph))

    def replace(self, old: Piece, new_nquads_file: Path) -> None:
        """Turn a graph whose statements were the ``old`` piece into the new file's: remove and add only the
        difference.

        Removing a whole graph costs tens of microseconds a statement; a report that
        changed in a figure, or the corpus graph after one new report, differs in a few.
        The corpus graph's lines are in byte order and are compared as two streams:
        as two sets of some two million lines each, they raised a 10,000-report
        rebuild's peak to 2 GB. A report's lines are in no order, and few: sets.
        """
        try:
            gone, added = _sorted_difference(_lines(old), _lines(Piece.whole(new_nquads_file)))
        except _Unsorted:
            old_lines, new_lines = set(_lines(old)), set(_lines(Piece.whole(new_nquads_file)))
            gone, added = sorted(old_lines - new_lines), sorted(new_lines - old_lines)
        if gone:
            for quad in ox.parse(b"\n".join(gone) + b"\n", format=ox.RdfFormat.N_QUADS, lenient=True):
                self.store.remove(quad)
        if added:
            self.load(b"\n".join(added) + b"\n")

    def load(self, nquads: Path | bytes) -> None:
        """Queue N-Quads (a file, or the statements themselves) for loading; :meth:`finish` waits."""
        if self._error is not None:
            self.finish()
        self._queue.put(nquads)


    def _load_queued(self) -> None:
        batch: list[bytes] = []
        size = 0
        while True:
            item = self._queue.get()
            whole = isinstance(item, Path) and item.stat().st_size >= _BATCH_BYTES
            if item is not None and not whole:
                data = item if isinstance(item, bytes) else item.read_bytes()
                batch.append(data)
                size += len(data)
            elif whole:
                self.loaded += item.stat().st_size
            try:
                if batch and (item is None or whole or size >= _BATCH_BYTES):
                    self.store.bulk_load(b"".join(batch), format=ox.RdfFormat.N_QUADS, lenient=True)
                    self.loaded += size
                    batch, size = [], 0
                if whole:  # a big report's file, a block at a time: one bulk load of it all holds gigabytes
                    with open(item, "rb") as handle:
                        for block in line_blocks(handle, size=_BIG_FILE_BLOCK):
                            self.store.bulk_load(block, format=ox.RdfFormat.N_QUADS, lenient=True)
            except BaseException as err:  # reported by finish(), in the building thread
                self._error = err
                return
            if item is None:
                return

    def finish(self) -> None:
        """Wait until everything queued is loaded (and, after a large load, compact); raise what went wrong,
        in one line."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise OutputError(f"{self.path}: cannot load the graph into the store ({str(error).splitlines()[0]})")
        self.store.flush()
        if self.loaded >= _COMPACT_AFTER_BYTES:
            try:
                self.store.optimize()
            except OSError as err:
                raise OutputError(f"{self.path}: cannot compact the store ({str(err).splitlines()[0]})") from None
            self.loaded = 0

    def close(self) -> None:
        """Stop the loader (after an error or an interruption) and release the store."""
        if self._thread.is_alive():
            while True:  # make room for the sentinel, then let the thread end
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            self._queue.put(None)
            self._thread.join()
        del self.store


class _Unsorted(Exception):
    """Lines that are not in byte order."""


def _lines(piece: Piece):
    """The non-empty lines of a piece of a file, a block at a time."""
    with open(piece.path, "rb") as handle:
        handle.seek(piece.offset)
        for block in line_blocks(handle, left=piece.length):
            yield from (line for line in block.split(b"\n") if line)


def _sorted_difference(old, new) -> tuple[list[bytes], list[bytes]]:
    """The lines only in ``old`` and those only in ``new``, two streams of lines in byte order (a merge:
    memory holds the difference only); raise :class:`_Unsorted` if either is out of order."""
    old, new = _ascending(old), _ascending(new)
    gone: list[bytes] = []
    added: list[bytes] = []
    left, right = next(old, None), next(new, None)
    while left is not None and right is not None:
        if left < right:
            gone.append(left)
            left = next(old, None)
        elif right < left:
            added.append(right)
            right = next(new, None)
        else:
            left, right = next(old, None), next(new, None)
    if left is not None:
        gone.append(left)
        gone.extend(old)
    if right is not None:
        added.append(right)
        added.extend(new)
    return gone, added


def _ascending(lines):
    """Each line once (repeats are neighbours in byte order); :class:`_Unsorted` at the first line out of order."""
    previous = None
    for line in lines:
        if previous is not None and line <= previous:
            if line < previous:
                raise _Unsorted
            continue
        previous = line
        yield line
