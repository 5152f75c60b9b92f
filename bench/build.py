"""Benchmark of one report's build, with jieba as the yardstick (issue: foundation).

    python bench/build.py [REPORT] [--runs N]

Measures, as medians over N runs:
* ``jieba.lcut`` on the report's text (the yardstick, timed in the same run);
* a warm build: extract + RDF + serialise (TriG and Turtle) in this process;
* a cold ``kg build`` of the bundled report in a fresh process (imports included).

Targets on a 2-core machine: warm build ≤ 4 × jieba.lcut; cold build ≤ 3 s.
"""
from __future__ import annotations

import argparse
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
    import pyoxigraph as ox

    from kg.namespaces import DEFAULT_BASE, PREFIXES
    from kg.nlp import get_nlp, load_domain_dictionary
    from kg.pipeline import extract_text
    from kg.rdf import to_ntriples
    from kg.read import read_report

    meta, text = read_report(args.report)
    load_domain_dictionary()
    get_nlp()

    def warm_build() -> None:
        extraction = extract_text(text, meta)
        # lenient, as kg.build reads its own N-Quads
        triples = list(ox.parse(to_ntriples(extraction, DEFAULT_BASE), format=ox.RdfFormat.N_TRIPLES, lenient=True))
        ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
        ox.serialize((ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(DEFAULT_BASE + "g")) for t in triples),
                     format=ox.RdfFormat.TRIG, prefixes=PREFIXES)

    warm_build()
    jieba.lcut(text)
    # Interleaved, so that the yardstick and the build see the same machine state.
    lcut_times, warm_times = [], []
    for _ in range(args.runs):
        lcut_times.append(median_seconds(lambda: jieba.lcut(text), 1))
        warm_times.append(median_seconds(warm_build, 1))
    lcut, warm = statistics.median(lcut_times), statistics.median(warm_times)

    def cold_build() -> None:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run([sys.executable, "-m", "kg", "build", "-o", out], check=True, capture_output=True)

    cold = median_seconds(cold_build, args.cold_runs)
    print(f"report: {args.report.name} ({len(text)} characters)")
    print(f"jieba.lcut           {lcut * 1000:8.1f} ms (median of {args.runs})")
    print(f"warm build           {warm * 1000:8.1f} ms = {warm / lcut:.2f} x jieba.lcut  (target <= 4 x)")
    print(f"cold kg build        {cold:8.2f} s  (median of {args.cold_runs}; target <= 3 s)")


if __name__ == "__main__":
    main()
