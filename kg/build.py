"""``kg build``: reports → ``OUT/`` with the graph, a copy of the ontology, the analysis and the exports.

Files are written to a temporary name and renamed into place, so a failed run
never leaves a half-written file where a good one was.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from .errors import InputError, KgError, OutputError
from .namespaces import DEFAULT_BASE, KIND, PREFIXES, UNIT
from .resources import bundled_report, ontology_dir

__all__ = ["BuildResult", "build", "EXPORT_REPORT_LIMIT", "find_reports", "atomic_write", "atomic_path", "REPORT_SUFFIXES"]

REPORT_SUFFIXES = (".txt", ".text")
# Above this many reports the visualiser exports and the viewer are not written by
# default: a property graph of hundreds of thousands of nodes costs minutes and
# gigabytes, and no viewer shows it usefully. `kg export` or `--exports` still make them.
EXPORT_REPORT_LIMIT = 100


@dataclass
class BuildResult:
    out: Path
    built: list[str] = field(default_factory=list)  # report ids
    failed: list[str] = field(default_factory=list)  # one-line error messages
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def find_reports(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the report files they hold (sorted); keep files as given."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in REPORT_SUFFIXES)
            if not inside:
                raise InputError(f"{path}: folder holds no reports (*.txt)")
            found.extend(inside)
        else:
            found.append(path)  # a missing file is reported by the reader, with the others built
    return found


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it onto ``target`` on success."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; outputs are ordinary files
    except OSError as err:
        raise OutputError(f"{target.parent}: cannot write output here ({err.strerror or err})") from None
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _read_umask()  # read once: setting it is process-wide


def atomic_write(target: Path, data: str | bytes) -> None:
    with atomic_path(target) as tmp:
        try:
            if isinstance(data, str):
                tmp.write_text(data, encoding="utf-8", newline="\n")
            else:
                tmp.write_bytes(data)
        except OSError as err:
            raise OutputError(f"{target}: cannot write ({err.strerror or err})") from None


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"{out}: cannot create output folder ({err.strerror or err})") from None
    if not os.access(out, os.W_OK):
        raise OutputError(f"{out}: output folder is not writable")


def build(
    paths: Iterable[str | Path] | None = None,
    out: str | Path = "out",
    *,
    base: str = DEFAULT_BASE,
    workers: int = 1,
    analyse: bool = True,
    exports: bool | None = None,
    progress: bool | None = None,
    on_error: Callable[[str], None] | None = None,
) -> BuildResult:
    """Build the knowledge graph of one or more reports into ``out``.

    With no paths, builds the bundled sample report. A report that cannot be
    read is reported (``result.failed``) and the others are still built.
    ``exports=None`` writes the exports and the viewer for up to
    ``EXPORT_REPORT_LIMIT`` reports.
    """
    from .corpus import extract_many

    out = Path(out)
    check_base(base)
    reports = find_reports(paths) if paths else [bundled_report()]
    _check_writable(out)
    result = BuildResult(out=out)
    nquads_parts: list[tuple[str, Path]] = []  # (report id, its N-Quads file in the spool)
    extractions_dir = out / "extractions"
    show_progress = progress if progress is not None else (len(reports) > 1 and sys.stderr.isatty())
    seen_ids: dict[str, Path] = {}
    # Workers write each report's N-Quads and JSON into a spool beside the outputs (same file
    # system, so a JSON is renamed into place atomically); memory stays flat on a corpus.
    spool = Path(tempfile.mkdtemp(prefix=".build-", dir=out))
    try:
        for path, outcome in extract_many(reports, base=base, workers=workers, progress=show_progress,
                                          spool=spool):
            if isinstance(outcome, KgError):
                result.failed.append(str(outcome))
                if on_error:
                    on_error(str(outcome))
                continue
            report_id, nquads_file, contract_file, warnings = outcome
            if report_id in seen_ids:
                message = f"{path}: report id {report_id!r} already used by {seen_ids[report_id]}; rename one file"
                result.failed.append(message)
                if on_error:
                    on_error(message)
                continue
            seen_ids[report_id] = path
            result.warnings.extend(f"{path}: {w}" for w in warnings)
            nquads_parts.append((report_id, nquads_file))
            extractions_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(contract_file, 0o666 & ~_UMASK)
            os.replace(contract_file, extractions_dir / f"{report_id}.json")
            result.built.append(report_id)
        if not result.built:
            return result
        nquads_parts.sort()
        write_graph_files(out, (part for _, part in nquads_parts))
    finally:
        shutil.rmtree(spool, ignore_errors=True)
    _copy_ontology(out)
    if exports is None:
        exports = len(result.built) <= EXPORT_REPORT_LIMIT
        if not exports:
            result.warnings.append(
                f"{len(result.built)} reports: exports and viewer not written above {EXPORT_REPORT_LIMIT} reports "
                f"(run `kg export {out} --to FORMAT`, or build with --exports)")
    # The analysis and the exports both only read graph.trig: run them side by side.
    analysis = _start_analysis(out) if analyse and exports else None
    if analyse and analysis is None:
        from .analyze import analyze

        analyze(out / "graph.trig", out)
    if exports:
        from .export import export_all

        export_all(out / "graph.trig", out)
    if analysis is not None:
        _finish(analysis)
    return result


def _start_analysis(out: Path):
    """``analyze`` in a forked process; None where fork is not available."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_analyse_in_child, args=(out, sender))
    process.start()
    sender.close()
    return process, receiver


def _analyse_in_child(out: Path, sender) -> None:
    from .analyze import analyze

    try:
        analyze(out / "graph.trig", out)
        sender.send(None)
    except KgError as err:
        sender.send(str(err))
    except BaseException as err:  # reported by the parent, which owns the exit code
        sender.send(f"{out / 'analysis.json'}: analysis failed ({type(err).__name__}: {err})")


def _finish(analysis) -> None:
    process, receiver = analysis
    try:
        message = receiver.recv()
    except EOFError:  # the child died before it could say
        message = None
    process.join()
    if message is None and process.exitcode != 0:
        message = f"analysis process ended with exit code {process.exitcode}"
    if message:
        raise OutputError(message)


def check_base(base: str) -> None:
    """A base IRI must be absolute and end where a local name can follow."""
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"{}|\\^`]+[/#]$", base):
        raise InputError(f"--base {base!r}: not an absolute IRI ending in '/' or '#' "
                         "(for example http://example.org/data/)")


def write_graph_files(out: Path, nquads_texts: Iterable[str | Path]) -> None:
    """Write ``graph.nq``, ``graph.trig`` (a named graph per report) and ``graph.ttl`` (their union).

    Each part is a report's N-Quads, as text or as the file holding it (copied in
    blocks, so a corpus never sits in memory).
    """

    prefixes = dict(PREFIXES)
    with atomic_path(out / "graph.nq") as nq_tmp:
        with open(nq_tmp, "wb") as handle:
            for part in nquads_texts:
                if isinstance(part, Path):
                    with open(part, "rb") as source:
                        shutil.copyfileobj(source, handle, 1 << 20)
                else:
                    handle.write(part.encode("utf-8"))
        with atomic_path(out / "graph.trig") as trig_tmp, atomic_path(out / "graph.ttl") as ttl_tmp:
            # On a corpus the two serialisations run side by side (a forked process writes the TriG).
            trig_job = None
            if nq_tmp.stat().st_size > _PARALLEL_WRITE_BYTES and os.name == "posix":
                import multiprocessing

                trig_job = multiprocessing.get_context("fork").Process(
                    target=_write_trig, args=(nq_tmp, trig_tmp, prefixes))
                trig_job.start()
            else:
                _write_trig(nq_tmp, trig_tmp, prefixes)
            try:
                triples = (ox.Triple(q.subject, q.predicate, q.object) for q in _read_our_nquads(nq_tmp))
                ox.serialize(_unique(triples), output=str(ttl_tmp), format=ox.RdfFormat.TURTLE,
                             prefixes=prefixes)
            finally:
                if trig_job is not None:
                    trig_job.join()
            if trig_job is not None and trig_job.exitcode != 0:
                raise OutputError(f"{out / 'graph.trig'}: cannot write (exit {trig_job.exitcode})")


_PARALLEL_WRITE_BYTES = 32 << 20


def _read_our_nquads(path: Path):
    # Lenient: this is our own output (IRIs built by kg.rdf.iri_part, literals escaped
    # there); re-validating every IRI costs as much as the rest of the parse.
    return ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS, lenient=True)


def _write_trig(nq_path: Path, trig_path: Path, prefixes: dict[str, str]) -> None:
    ox.serialize(_read_our_nquads(nq_path), output=str(trig_path), format=ox.RdfFormat.TRIG, prefixes=prefixes)


def _unique(triples):
    # Unit and kind concepts recur in every report's graph; the union states them once.
    # Only their (few) triples are remembered, so memory stays flat on a corpus.
    shared = (str(UNIT), str(KIND))
    seen = set()
    for triple in triples:
        subject = triple.subject
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(shared):
            if triple in seen:
                continue
            seen.add(triple)
        yield triple


def _copy_ontology(out: Path) -> None:
    target = out / "ontology"
    source = ontology_dir()
    for path in sorted(source.rglob("*")):
        if path.is_file() and path.suffix in (".ttl", ".rq", ".json"):
            destination = target / path.relative_to(source)
            atomic_write(destination, path.read_bytes())
