"""Extraction of many reports, in worker processes when asked, streaming one report at a time.

With a ``spool`` folder, each worker writes a report's N-Triples and contract
JSON to files there and sends back only their names, so neither the parent nor
the pipe between them ever holds more than a report's worth of text, and the
writing happens in parallel too. Without one, the outcome carries the texts.

Workers are forked after the parent has imported the pipeline (and built the
shared spaCy/jieba segmenter), so they start at once and share its memory.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kg.errors import KgError

__all__ = ["extract_many", "process_report", "die_with_parent", "Outcome", "SpooledOutcome"]

Outcome = tuple[str, str, dict, list[str]]  # report id, N-Triples, contract JSON, warnings
SpooledOutcome = tuple[str, Path, Path, list[str]]  # report id, N-Triples file, contract file, warnings


def process_report(path: Path, base: str, spool: Path | None = None,
                   index: int = 0) -> Outcome | SpooledOutcome | KgError:
    """Extract one report and turn it into N-Triples; a user-fixable error is returned, not raised."""
    from kg.pipeline import extract
    from kg.rdf.triples import to_ntriples

    try:
        extraction = extract(path)
        ntriples = to_ntriples(extraction, base)
    except KgError as err:
        return err
    except Exception as err:  # noqa: BLE001 - one report's bug must not stop a batch
        return KgError(f"{path}: internal error while extracting ({type(err).__name__}: {err}); "
                       "please report it with this file")
    contract = extraction.to_contract()
    report_id, warnings = extraction.report.id, list(extraction.warnings)
    if spool is None:
        return report_id, ntriples, contract, warnings
    nt_file, json_file = spool / f"{index:07d}.nt", spool / f"{index:07d}.json"
    try:
        nt_file.write_text(ntriples, encoding="utf-8", newline="\n")
        json_file.write_text(json.dumps(contract, ensure_ascii=False, indent=1) + "\n", encoding="utf-8",
                             newline="\n")
    except OSError as err:
        return KgError(f"{spool}: cannot write build files ({err.strerror or err})")
    return report_id, nt_file, json_file, warnings


def _process(args: tuple[Path, str, Path | None, int]):
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


def _warm_up() -> None:
    """Import the pipeline and build the segmenter once, before the workers are forked."""
    from kg import pipeline  # noqa: F401
    from kg.extraction.nlp import get_nlp

    try:
        get_nlp()
    except Exception:  # a worker will report the same problem per report, with its file name
        pass


def extract_many(paths: list[Path], *, base: str, workers: int = 1, progress: bool = False,
                 spool: Path | None = None) -> Iterator[tuple[Path, Outcome | SpooledOutcome | KgError]]:
    """Yield ``(path, outcome)`` in the order of ``paths``."""
    jobs = [(Path(p), base, spool, index) for index, p in enumerate(paths)]
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), unit="report", file=sys.stderr, leave=False)
    try:
        if workers > 1 and len(jobs) > 1:
            _warm_up()
            context = multiprocessing.get_context("fork") if os.name == "posix" else None
            # Small chunks keep both workers busy to the end; results are small when spooled.
            chunksize = max(1, min(8, len(jobs) // (workers * 16)))
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with_parent) as pool:
                for job, outcome in zip(jobs, pool.map(_process, jobs, chunksize=chunksize)):
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
