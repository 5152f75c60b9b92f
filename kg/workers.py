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

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgError

__all__ = ["extract_many", "process_report", "spool_outcome", "with_progress", "die_with_parent", "usable_cores",
           "Outcome", "Work", "KINDS"]

# The files of one report in the spool: its extraction JSON, its graph as N-Quads and as a TriG block,
# its rows of indicators.csv, its contribution to the corpus graph (N-Triples of divisions and shared nodes),
# and its card for the corpus summary.
KINDS = ("json", "nq", "trig", "csv", "corpus", "card")


@dataclass
class Outcome:
    """One report extracted: its id, warnings and the files (in the spool) of its serialisations."""

    report_id: str
    source: str  # the input as given
    sha256: str
    warnings: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # kind (KINDS) → file


# What a worker runs on one report: (path, base IRI, folder for its large files) →
# (report id, sha256, warnings, {kind: bytes or a file in that folder}) or a KgError.
Work = Callable[[Path, str, Path], "tuple[str, str, list[str], dict[str, bytes | Path]] | KgError"]


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def spool_outcome(source: str, result, spool: Path, index: int) -> Outcome | KgError:
    """Write one report's contents (:func:`kg.pipeline.report_contents`) into the spool as ``<index>.<kind>`` files."""
    if isinstance(result, KgError):
        return result
    report_id, sha256, warnings, contents = result
    outcome = Outcome(report_id, source, sha256, warnings)
    try:
        for kind in KINDS:
            target = spool / f"{index:07d}.{kind}"
            if isinstance(contents[kind], Path):  # written by the worker into the spool already
                os.replace(contents[kind], target)
            else:
                target.write_bytes(contents[kind])
            outcome.files[kind] = target
    except OSError as err:
        return KgError(f"{spool}: cannot write build files ({err.strerror or err})")
    return outcome


def process_report(work: Work, path: Path, base: str, spool: Path, index: int = 0) -> Outcome | KgError:
    """Run ``work`` on one report and spool what it gives (what each local worker runs)."""
    return spool_outcome(str(path), work(Path(path), base, spool), spool, index)


def _process(args: tuple[Work, Path, str, Path, int]):
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


def extract_many(paths: list[Path], work: Work, *, base: str, spool: Path, workers: int = 1,
                 warm_up: Callable[[], None] | None = None) -> Iterator[tuple[Path, Outcome | KgError]]:
    """Yield ``(path, outcome)`` for every report, in the order of ``paths``: ``work`` run in a pool of workers.

    ``warm_up`` runs once in this process before the workers are forked, so that they
    share what it loads (the pipeline, the segmenter).
    """
    jobs = [(work, Path(p), base, spool, index) for index, p in enumerate(paths)]
    if workers <= 1 or len(jobs) <= 1:
        yield from ((job[1], _process(job)) for job in jobs)
        return
    if warm_up is not None:
        warm_up()
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    # Small chunks keep both workers busy to the end; results are small when spooled.
    chunksize = max(1, min(8, len(jobs) // (workers * 16)))
    pool = context.Pool(workers, initializer=_worker_started)
    try:
        yield from zip((job[1] for job in jobs), pool.imap(_process, jobs, chunksize=chunksize))
        pool.close()
    finally:
        pool.terminate()  # interrupted or failed: stop the workers now, not after their chunk
        pool.join()


def with_progress(results: Iterable, total: int, shown: bool) -> Iterator:
    """The results as they come, with a progress bar on stderr when ``shown``."""
    if not shown:
        yield from results
        return
    from tqdm import tqdm

    with tqdm(total=total, unit="report", file=sys.stderr, leave=False) as bar:
        for result in results:
            bar.update()
            yield result


def _worker_started() -> None:
    """A worker leaves Ctrl-C and SIGTERM to the parent, which stops it, and ends when the parent dies."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent()
