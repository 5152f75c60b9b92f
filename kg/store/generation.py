"""One generation of a build's output: what is reused from the previous one, what is new, and how it is written.

:class:`Generation` is the state of ``kg build`` between finding its inputs
and swapping the new output in: the reports reused from the previous
generation (same file content, same extraction version), the reports
extracted now, the store, and the pieces the graph files are assembled from.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from kg.io import JOURNAL, MARKER, link_or_copy, make_ordinary
from kg.rdf.files import GRAPH_FILES, PIECE_KINDS, Piece, assemble_graph_files
from kg.rdf.triples import graph_iri
from kg.store.graphs import STORE, GraphStore
from kg.store.manifest import Entry, Manifest, extraction_version
from kg.workers import Outcome

__all__ = ["Generation", "SeriesCache", "CORPUS_ID", "EXTRACTIONS", "SOURCES"]

EXTRACTIONS = "extractions"
# A report's pieces of indicators.csv and of the corpus graph, and its card for the corpus summary
# (kg.compare.summary.report_card), kept in .kg/reports/ for the builds that reuse it.
SIDE_KINDS = ("csv", "corpus", "card")
SOURCES = "sources"  # pages fetched from the web, kept with where and when they were fetched
RESERVED_ID = "corpus"  # BASE + "corpus/…" names the shared nodes (kg.rdf.namespaces.CORPUS_PATH)
CORPUS_ID = "_corpus"  # the corpus graph's key among the reports' (report ids never start with "_")


class Generation:
    """The new output being written into ``path`` (a staging folder), given the previous output (or None)."""

    def __init__(self, path: Path, previous: Path | None, base: str, *, rebuild: bool = False,
                 interrupted: Path | None = None) -> None:
        self.path, self.base = path, base
        self.version = extraction_version()
        self.previous = previous
        self.old = Manifest() if rebuild else Manifest.read(previous)
        self.new = Manifest(self.version, base)
        self.spool = path / MARKER / "spool"
        self.spool.mkdir(parents=True)
        self.keep_store = bool(previous is not None and self.old.reports and self.old.version == self.version)
        self.store = GraphStore(path / STORE, previous / STORE if self.keep_store else None)
        self.replaced: dict[str, Piece] = {}  # report id → its previous N-Quads, for a changed report of a kept store
        self.parts: dict[str, dict[str, Piece]] = {}  # report id → its pieces of the graph files
        self.sources: dict[str, str] = {}  # report id → the input it came from
        self.built: list[str] = []  # extracted now
        self.reused: list[str] = []  # taken from the previous generation
        self.resumed: list[str] = []  # finished by a killed build, taken from its staging folder
        self.interrupted = interrupted
        self.finished = {} if rebuild else _journal(interrupted, self.version, base)
        self.journal = open(self.spool.parent / JOURNAL, "a", encoding="utf-8")

    def reuse_unchanged(self, paths: list[Path]) -> list[Path]:
        """Keep the reports whose file and extraction version are unchanged; return the paths to extract."""
        from kg.readers.files import report_id

        todo, asked, resumed = [], set(), {}
        for path in paths:
            rid, digest = report_id(path), _sha256(path)
            asked.add(rid)
            entry = self.old.reusable(rid, digest, self.version, self.base) if digest else None
            if entry is not None and rid not in self.parts and self._reuse(rid, entry):
                self.sources[rid] = str(path)
            elif digest and rid not in self.parts and (nquads := self._resume(rid, digest, path)):
                resumed[rid] = nquads
            else:
                todo.append(path)
        for rid, nquads in resumed.items():  # into the store: the difference, if it held the report
            old = self.old.pieces_in(self.previous, rid).get("nq") if self.keep_store and rid in self.old.reports \
                else None
            if old is not None:
                self.store.replace(old, nquads)
            else:
                self.store.load(nquads)
        if self.keep_store:
            for rid in self.old.reports:
                if rid in self.parts:
                    continue
                if rid in asked and "nq" in self.old.reports[rid].pieces:
                    self.replaced[rid] = self.old.pieces_in(self.previous, rid)["nq"]  # changed: its difference
                else:
                    self.store.drop(graph_iri(self.base, rid))  # gone from the inputs
        return todo

    def fetch(self, urls: list[str], fail: Callable[[str], None], *, refetch: bool = False,
              **options) -> list[Path]:
        """Fetch report URLs into ``sources/`` (pages kept from an earlier build are reused unless ``refetch``)."""
        from kg.readers.fetch import fetch_reports, file_name_for
        from kg.readers.files import sidecar_path

        folder = self.path / SOURCES
        folder.mkdir(exist_ok=True)
        files, todo = [], []
        for url in dict.fromkeys(urls):
            kept = None if refetch or self.previous is None else _kept_copy(self.previous / SOURCES, file_name_for(url))
            if kept is None:
                todo.append(url)
                continue
            for source in (kept, sidecar_path(kept)):
                link_or_copy(source, folder / source.name)
            files.append(folder / kept.name)
        for url, outcome in fetch_reports(todo, folder, **options):
            if isinstance(outcome, Path):
                files.append(outcome)
            else:
                fail(str(outcome))
        return files

    def _take_files(self, root: Path, rid: str, also: tuple[Path, ...] = ()) -> bool:
        """Link a report's extraction JSON and side files from another build folder, if they (and ``also``) exist."""
        source = root / EXTRACTIONS / f"{rid}.json"
        sides = [_side_file(root, rid, kind) for kind in SIDE_KINDS]
        if not all(file.is_file() for file in (source, *sides, *also)):
            return False
        link_or_copy(source, self.path / EXTRACTIONS / f"{rid}.json")
        for kind, side in zip(SIDE_KINDS, sides):
            link_or_copy(side, _side_file(self.path, rid, kind))
        return True

    def _reuse(self, rid: str, entry: Entry) -> bool:
        if not self._take_files(self.previous, rid):
            return False
        self.parts[rid] = self.old.pieces_in(self.previous, rid)
        self.new.reports[rid] = Entry(entry.sha256, entry.source)
        self.reused.append(rid)
        return True

    def add(self, path: Path, outcome: Outcome, fail: Callable[[str], None]) -> bool:
        """Take one extracted report into the generation (False, and ``fail`` told, for a clashing id)."""
        rid = outcome.report_id
        if rid == RESERVED_ID:
            fail(f"{path}: the report id {rid!r} is kept for the corpus graph's nodes; rename the file")
            return False
        if rid in self.parts:
            fail(f"{path}: report id {rid!r} already used by {self.sources[rid]}; rename one file")
            return False
        self.sources[rid] = str(path)
        target = self.path / EXTRACTIONS / f"{rid}.json"
        target.parent.mkdir(exist_ok=True)
        make_ordinary(outcome.files["json"])
        os.replace(outcome.files["json"], target)
        for kind in SIDE_KINDS:
            side = _side_file(self.path, rid, kind)
            side.parent.mkdir(exist_ok=True)
            os.replace(outcome.files[kind], side)
        self.parts[rid] = {kind: Piece.whole(outcome.files[kind]) for kind in PIECE_KINDS}
        old = self.replaced.pop(rid, None)
        if old is not None:
            self.store.replace(old, outcome.files["nq"])
        else:
            self.store.load(outcome.files["nq"])
        self.new.reports[rid] = Entry(outcome.sha256, Path(outcome.source).name)
        self.built.append(rid)
        self._journal(rid, outcome.sha256, Path(outcome.source).name, self.parts[rid])
        return True

    def _resume(self, rid: str, digest: str, path: Path) -> Path | None:
        """Take a report a killed build finished from its staging folder; its N-Quads file, or None."""
        record = self.finished.get(rid)
        if record is None or record.get("sha256") != digest or not isinstance(record.get("source"), str) \
                or not all(isinstance(record.get(kind), str) for kind in PIECE_KINDS):
            return None
        spool = self.interrupted / MARKER / "spool"
        pieces = {kind: spool / Path(record[kind]).name for kind in PIECE_KINDS}
        if not self._take_files(self.interrupted, rid, tuple(pieces.values())):
            return None
        names = {kind: f"resumed-{len(self.resumed):07d}.{kind}" for kind in pieces}  # never a worker's index.kind
        for kind, piece in pieces.items():
            link_or_copy(piece, self.spool / names[kind])
        self.parts[rid] = {kind: Piece.whole(self.spool / names[kind]) for kind in pieces}
        self.sources[rid] = str(path)
        self.new.reports[rid] = Entry(digest, record["source"])
        self.resumed.append(rid)
        self.built.append(rid)
        self._journal(rid, digest, record["source"], self.parts[rid])
        return self.parts[rid]["nq"].path

    def _journal(self, rid: str, digest: str, source: str, pieces: dict[str, Piece]) -> None:
        """Record a finished report, flushed: a build killed after this line lets the next take it."""
        record = {"id": rid, "sha256": digest, "source": source, "version": self.version, "base": self.base,
                  **{kind: piece.path.name for kind, piece in pieces.items()}}
        self.journal.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.journal.flush()

    def add_corpus_graph(self, files: dict[str, Path]) -> None:
        """The corpus graph (divisions, shared entities, results across reports), replaced at every build."""
        self.parts[CORPUS_ID] = {kind: Piece.whole(files[kind]) for kind in PIECE_KINDS}
        if self.keep_store and self.old.corpus:
            self.store.replace(Piece(self.previous / GRAPH_FILES["nq"], *self.old.corpus), files["nq"])
        else:
            self.store.load(files["nq"])

    def report_ids(self) -> list[str]:
        return sorted(rid for rid in self.parts if rid != CORPUS_ID)

    def extraction_files(self) -> list[Path]:
        """The extraction JSON of every report of this generation, in report-id order."""
        return [self.path / EXTRACTIONS / f"{rid}.json" for rid in self.report_ids()]

    def side_files(self, kind: str) -> list[Path]:
        """Every report's piece of one kind (``csv``, ``corpus``, ``card``), in report-id order."""
        return [_side_file(self.path, rid, kind) for rid in self.report_ids()]

    def load_extraction(self, rid: str) -> dict:
        import json

        return json.loads((self.path / EXTRACTIONS / f"{rid}.json").read_bytes())

    def series_cache(self, name: str = "series") -> "SeriesCache":
        """What a build keeps by series fingerprint (``series``: the comparisons; ``dashboard``: the page's
        fragments); an earlier build's count only if made by this version."""
        same_version = self.previous is not None and self.old.version == self.version
        return SeriesCache(self.previous / MARKER / name if same_version else None, self.path / MARKER / name)

    def write_graph_files(self, *, union: bool = True) -> None:
        """graph.nq, graph.trig and (``union``) graph.ttl, reports in id order and the corpus graph last;
        then the store and the manifest."""
        order = sorted(rid for rid in self.parts if rid != CORPUS_ID)
        if CORPUS_ID in self.parts:
            order.append(CORPUS_ID)
        placed = assemble_graph_files(self.path, [self.parts[rid] for rid in order], union=union)
        for rid, pieces in zip(order, placed):
            if rid != CORPUS_ID:
                self.new.reports[rid].pieces = {kind: (p.offset, p.length) for kind, p in pieces.items()}
            else:
                self.new.corpus = (pieces["nq"].offset, pieces["nq"].length)
        for rid in self.replaced:  # asked for, but it failed this time: not in the output, nor in the store
            self.store.drop(graph_iri(self.base, rid))
        self.store.finish()
        self.new.write(self.path)
        self._done()

    def _done(self) -> None:
        """The output is complete: the spool and the journal are not part of it."""
        import shutil

        self.journal.close()
        (self.spool.parent / JOURNAL).unlink(missing_ok=True)
        shutil.rmtree(self.spool, ignore_errors=True)

    def close(self) -> None:
        """Close the store and the journal (the files stay: a build stopped now may be resumed from them)."""
        self.store.close()
        self.journal.close()


class SeriesCache:
    """What was made of each series (its comparisons, its part of the dashboard) by the series' fingerprint.

    A series whose members are unchanged is taken from the previous generation's
    folder; every result used is written into this generation's, so the cache
    never holds a series no build has.
    """

    def __init__(self, previous: Path | None, folder: Path) -> None:
        self.previous, self.folder = previous, folder
        folder.mkdir(parents=True, exist_ok=True)

    def get(self, fingerprint: str) -> dict | None:
        import json

        kept = self.previous / f"{fingerprint}.json" if self.previous else None
        if kept is None or not kept.is_file():
            return None
        link_or_copy(kept, self.folder / kept.name)
        return json.loads(kept.read_bytes())

    def put(self, fingerprint: str, results: dict) -> None:
        import json

        (self.folder / f"{fingerprint}.json").write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")


def _journal(interrupted: Path | None, version: str, base: str) -> dict[str, dict]:
    """The reports a killed build finished with this extraction version and base, by id (a torn last line skipped)."""
    if interrupted is None:
        return {}
    import shutil

    shutil.rmtree(interrupted / STORE, ignore_errors=True)  # its store is incomplete: only the files are taken
    finished = {}
    try:
        lines = (interrupted / MARKER / JOURNAL).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and isinstance(record.get("id"), str) and record.get("version") == version \
                and record.get("base") == base:
            finished[record["id"]] = record
    return finished


def _side_file(root: Path, rid: str, kind: str) -> Path:
    return root / MARKER / "reports" / f"{rid}.{kind}"


def _kept_copy(folder: Path, name: str) -> Path | None:
    """The page an earlier build fetched from a URL (same name but perhaps another extension), with its record."""
    from kg.readers.files import sidecar_path

    stem = name.rsplit(".", 1)[0]
    for candidate in sorted(folder.glob(f"{stem}.*")) if folder.is_dir() else ():
        if sidecar_path(candidate).is_file():
            return candidate
    return None


def _sha256(path: Path) -> str | None:
    """The hash of a file's bytes, or None when it is no regular file or cannot be read (the reader says why)."""
    if not path.is_file():  # a FIFO would block here; a folder or a missing file is the reader's to report
        return None
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None
