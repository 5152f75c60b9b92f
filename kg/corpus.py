"""Extraction of many reports, in worker processes when asked, streaming one report at a time.

Each worker returns a report's N-Quads text and its contract JSON rather than
an rdflib graph, so the parent never holds more than one report's objects.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .errors import KgError

__all__ = ["extract_many", "process_report"]

Outcome = tuple[str, str, dict, list[str]]  # report id, N-Quads, contract JSON, warnings


def process_report(path: Path, base: str) -> Outcome | KgError:
    """Extract one report and turn it into N-Quads; a user-fixable error is returned, not raised."""
    from .pipeline import extract
    from .rdf import graph_iri, to_ntriples

    try:
        extraction = extract(path)
    except KgError as err:
        return err
    graph = f" <{graph_iri(base, extraction.report.id)}> .\n"
    nquads = to_ntriples(extraction, base).replace(" .\n", graph)
    return extraction.report.id, nquads, extraction.to_contract(), list(extraction.warnings)


def _process(args: tuple[Path, str]) -> Outcome | KgError:
    return process_report(*args)


def extract_many(paths: list[Path], *, base: str, workers: int = 1,
                 progress: bool = False) -> Iterator[tuple[Path, Outcome | KgError]]:
    """Yield ``(path, outcome)`` in the order of ``paths``."""
    jobs = [(Path(p), base) for p in paths]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="report", file=sys.stderr, leave=False)
    try:
        if workers > 1 and len(jobs) > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                for job, outcome in zip(jobs, pool.map(_process, jobs, chunksize=max(1, len(jobs) // (workers * 8)))):
                    if bar:
                        bar.update()
                    yield job[0], outcome
        else:
            for job in jobs:
                outcome = _process(job)
                if bar:
                    bar.update()
                yield job[0], outcome
    finally:
        if bar:
            bar.close()
