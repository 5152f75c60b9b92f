"""Benchmark of one report's build, with jieba as the yardstick (issue: foundation).

    python bench/build.py [REPORT] [--runs N]

Measures, as medians over N runs:
* ``jieba.lcut`` on the report's text (the yardstick, timed in the same run);
* a warm build: read + extract + RDF + serialise (N-Quads, TriG and Turtle files, and the JSON),
  the code path of ``kg build``, in this process, each run as on a report never
  seen (the caches keyed on a report's text are cleared);
* a cold ``kg build`` of the bundled report in a fresh process (imports included).

Targets on a 2-core machine: warm build ≤ 4 × jieba.lcut; cold build ≤ 3 s.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_seconds(func, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    from kg.resources import bundled_report

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("report", nargs="?", type=Path, default=bundled_report())
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()

    import jieba

    from kg.extraction.nlp import get_nlp, word_spans
    from kg.rdf.files import Piece, assemble_graph_files
    from kg.rdf.namespaces import DEFAULT_BASE
    from kg.rdf.triples import iri_part
    from kg.readers.text import read_report
    from kg.pipeline import report_contents
    from kg.workers import process_report

    _, text = read_report(args.report)
    get_nlp()
    out = Path(tempfile.mkdtemp(prefix="kg-bench-"))

    # Caches keyed on a report's text would let every run after the first skip work
    # (the segmentation above all): each run starts as on a report never seen.
    text_caches = (word_spans, iri_part)

    runs = iter(range(10**9))

    def warm_build() -> None:
        for text_cache in text_caches:
            text_cache.cache_clear()
        # What `kg build` does for each report: extract, serialise and spool (in the worker), then
        # write graph.nq, graph.trig and graph.ttl from the pieces (in the parent). Each run writes
        # new files, as a build does: overwriting the last run's would time the freeing of its pages.
        folder = out / str(next(runs))
        (folder / "spool").mkdir(parents=True)
        outcome = process_report(report_contents, args.report, DEFAULT_BASE, folder / "spool")
        assemble_graph_files(folder, [{kind: Piece.whole(outcome.files[kind]) for kind in ("nq", "trig")}])

    try:
        warm_build()
        jieba.lcut(text)
        # Interleaved, so that the yardstick and the build see the same machine state.
        lcut_times, warm_times = [], []
        for _ in range(args.runs):
            lcut_times.append(median_seconds(lambda: jieba.lcut(text), 1))
            warm_times.append(median_seconds(warm_build, 1))
        lcut, warm = statistics.median(lcut_times), statistics.median(warm_times)
    finally:
        shutil.rmtree(out, ignore_errors=True)

    def cold_build() -> None:
        with tempfile.TemporaryDirectory() as cold_out:
            subprocess.run([sys.executable, "-m", "kg", "build", "-o", cold_out], check=True, capture_output=True)

    cold = median_seconds(cold_build, args.cold_runs)
    print(f"report: {args.report.name} ({len(text)} characters)")
    print(f"jieba.lcut           {lcut * 1000:8.1f} ms (median of {args.runs})")
    paired = statistics.median(w / j for w, j in zip(warm_times, lcut_times))
    print(f"warm build           {warm * 1000:8.1f} ms = {warm / lcut:.2f} x jieba.lcut  (target <= 4 x; "
          f"median of the {args.runs} paired ratios {paired:.2f} x)")
    print(f"cold kg build        {cold:8.2f} s  (median of {args.cold_runs}; target <= 3 s)")


if __name__ == "__main__":
    main()
