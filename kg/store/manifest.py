"""``OUT/.kg/manifest.json``: which reports a build holds, from which file content and extraction version."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kg import __version__
from kg.io import MARKER, atomic_write
from kg.rdf.files import Piece

__all__ = ["Manifest", "Entry", "extraction_version", "MANIFEST"]

MANIFEST = "manifest.json"


@cache
def extraction_version() -> str:
    """A fingerprint of everything that decides what a report's graph is: the code, the data, the ontology.

    Any change to them makes every report be extracted again (a rebuild never
    mixes graphs made by two versions).
    """
    from kg.resources import data_dir, ontology_dir

    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent.parent
    for root in (package, data_dir(), ontology_dir()):
        for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(str(path.relative_to(root)).encode("utf-8") + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass
class Entry:
    """One report of a build: its file's hash and where its pieces lie in the graph files."""

    sha256: str
    source: str  # the file name it was read from
    pieces: dict[str, tuple[int, int]] = field(default_factory=dict)  # kind → (offset, length)


@dataclass
class Manifest:
    version: str = ""
    base: str = ""
    reports: dict[str, Entry] = field(default_factory=dict)  # report id → entry
    corpus: tuple[int, int] | None = None  # where the corpus graph lies in graph.nq (offset, length)

    @classmethod
    def read(cls, out: Path | None) -> Manifest:
        """The manifest of the build in ``out``; an empty one when there is none or it is unreadable."""
        path = out / MARKER / MANIFEST if out else None
        if path is None or not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            reports = {rid: Entry(e["sha256"], e["source"], {k: tuple(v) for k, v in e["pieces"].items()})
                       for rid, e in data["reports"].items()}
            corpus = tuple(data["corpus"]) if data.get("corpus") else None
            return cls(data["version"], data["base"], reports, corpus)
        except (OSError, ValueError, KeyError, TypeError):
            return cls()  # a damaged manifest costs a full rebuild, never a wrong one

    def write(self, out: Path) -> None:
        data = {"kg": __version__, "version": self.version, "base": self.base,
                "reports": {rid: {"sha256": e.sha256, "source": e.source,
                                  "pieces": {k: list(v) for k, v in sorted(e.pieces.items())}}
                            for rid, e in sorted(self.reports.items())},
                "corpus": list(self.corpus) if self.corpus else None}
        atomic_write(out / MARKER / MANIFEST, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n")

    def reusable(self, report_id: str, sha256: str, version: str, base: str) -> Entry | None:
        """The entry of a report whose file and extraction version are unchanged, else None."""
        entry = self.reports.get(report_id)
        if entry is None or entry.sha256 != sha256 or self.version != version or self.base != base:
            return None
        return entry

    def pieces_in(self, out: Path, report_id: str) -> dict[str, Piece]:
        from kg.rdf.files import GRAPH_FILES

        return {kind: Piece(out / GRAPH_FILES[kind], offset, length)
                for kind, (offset, length) in self.reports[report_id].pieces.items()}
