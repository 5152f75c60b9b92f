"""Extraction of many reports: in this process, in a pool of worker processes, or on a Dask cluster.

Each report becomes an :class:`Outcome`: its extraction JSON and its graph in
the three serialisations the graph files are assembled from (N-Quads, a TriG
block, a Turtle body). A local worker writes them to files in a ``spool``
folder and sends back only their names, so neither the parent nor the pipe
between them holds more than a report's worth of text; a Dask worker, which
may run on another machine, sends the bytes back and the parent spools them.

Local workers are forked after the parent has imported the pipeline (and built
the shared spaCy/jieba segmenter), so they start at once and share its memory.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError, KgError

__all__ = ["extract_many", "process_report", "die_with_parent", "usable_cores", "Outcome", "KINDS"]

# The files of one report in the spool: its extraction JSON, its graph in three serialisations, its rows
# of indicators.csv, and its contribution to the corpus graph (N-Triples of divisions and shared nodes).
KINDS = ("json", "nq", "trig", "ttl", "csv", "corpus")


@dataclass
class Outcome:
    """One report extracted: its id, warnings and the files (in the spool) of its serialisations."""

    report_id: str
    source: str  # the input as given
    sha256: str
    warnings: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # kind (KINDS) → file


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def report_contents(path: Path, base: str) -> tuple[str, str, list[str], dict[str, bytes]] | KgError:
    """Extract one report: (report id, sha256, warnings, {kind: bytes}); a user-fixable error is returned."""
    from kg.outputs.indicators import indicator_rows, rows_csv
    from kg.pipeline import extract
    from kg.rdf.corpus import corpus_ntriples
    from kg.rdf.files import report_serialisations
    from kg.rdf.triples import graph_iri, to_ntriples

    try:
        extraction = extract(path)
        ntriples = to_ntriples(extraction, base)
    except KgError as err:
        return err
    except Exception as err:  # noqa: BLE001 - one report's bug must not stop a batch
        return KgError(f"{path}: internal error while extracting ({type(err).__name__}: {err}); "
                       "please report it with this file")
    meta = extraction.report
    contents = report_serialisations(ntriples, graph_iri(base, meta.id))
    # Compact: json's C encoder (indent makes it use the Python one, several ms a report).
    contract = extraction.to_contract()
    contents["json"] = (json.dumps(contract, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    contents["csv"] = rows_csv(indicator_rows([contract])).encode("utf-8")
    contents["corpus"] = corpus_ntriples([contract], base).encode("utf-8")
    return meta.id, meta.sha256, list(extraction.warnings), contents


def spool_outcome(source: str, result, spool: Path, index: int) -> Outcome | KgError:
    """Write the contents of :func:`report_contents` into the spool as ``<index>.<kind>`` files."""
    if isinstance(result, KgError):
        return result
    report_id, sha256, warnings, contents = result
    outcome = Outcome(report_id, source, sha256, warnings)
    try:
        for kind in KINDS:
            target = spool / f"{index:07d}.{kind}"
            target.write_bytes(contents[kind])
            outcome.files[kind] = target
    except OSError as err:
        return KgError(f"{spool}: cannot write build files ({err.strerror or err})")
    return outcome


def process_report(path: Path, base: str, spool: Path, index: int = 0) -> Outcome | KgError:
    """Extract one report into the spool (what each local worker runs)."""
    return spool_outcome(str(path), report_contents(Path(path), base), spool, index)


def _process(args: tuple[Path, str, Path, int]):
    return process_report(*args)


def die_with_parent() -> None:
    """Make this forked process end when the process that forked it does.

    A worker waits on a pipe that its sibling workers hold open as well, so a
    parent killed outright (SIGKILL, OOM) would leave it waiting for ever.
    Linux says so with a signal (PR_SET_PDEATHSIG); elsewhere this does nothing.
    """
    import ctypes
    import signal

    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGTERM))  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def warm_up() -> None:
    """Import the pipeline and build the segmenter once (before workers are forked, or in a Dask worker)."""
    from kg import pipeline  # noqa: F401
    from kg.extraction.nlp import get_nlp

    try:
        get_nlp()
    except Exception:  # a worker will report the same problem per report, with its file name
        pass


def extract_many(paths: list[Path], *, base: str, spool: Path, workers: int = 1, progress: bool = False,
                 scheduler: str | None = None) -> Iterator[tuple[Path, Outcome | KgError]]:
    """Yield ``(path, outcome)`` for every report: in the order of ``paths``, or as they finish on Dask."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), unit="report", file=sys.stderr, leave=False)
    try:
        if scheduler:
            from kg.cluster import extract_on_dask

            results = extract_on_dask(paths, base=base, spool=spool, scheduler=scheduler, workers=workers)
        else:
            results = _extract_locally(paths, base=base, spool=spool, workers=workers)
        for path, outcome in results:
            if bar:
                bar.update()
            yield path, outcome
    finally:
        if bar:
            bar.close()


def _extract_locally(paths: list[Path], *, base: str, spool: Path, workers: int):
    jobs = [(Path(p), base, spool, index) for index, p in enumerate(paths)]
    if workers <= 1 or len(jobs) <= 1:
        yield from ((job[0], _process(job)) for job in jobs)
        return
    warm_up()
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    # Small chunks keep both workers busy to the end; results are small when spooled.
    chunksize = max(1, min(8, len(jobs) // (workers * 16)))
    pool = context.Pool(workers, initializer=_worker_started)
    try:
        yield from zip((job[0] for job in jobs), pool.imap(_process, jobs, chunksize=chunksize))
        pool.close()
    finally:
        pool.terminate()  # interrupted or failed: stop the workers now, not after their chunk
        pool.join()


def _worker_started() -> None:
    """A worker leaves Ctrl-C and SIGTERM to the parent, which stops it, and ends when the parent dies."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()
