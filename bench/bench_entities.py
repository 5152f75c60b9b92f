"""Time entity extraction on the bundled report (and on it repeated, for scale).

usage: python bench/bench_entities.py [ROUNDS]
Prints the minimum and median time per call of ``extract_entities`` and, for
comparison, of the one jieba ``nlp()`` pass it makes; the minimum is the honest
figure on a busy machine.
"""
from __future__ import annotations

import statistics
import sys
import time

from kg.extraction.entities import extract_entities
from kg.extraction.nlp import get_nlp
from kg.pipeline import extract
from kg.resources import bundled_report


def timed(call, rounds: int) -> tuple[float, float]:
    call()  # warm: the pipeline, lexicons and pattern ruler load once
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        runs.append(time.perf_counter() - start)
    return min(runs) * 1000, statistics.median(runs) * 1000


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    extraction = extract(bundled_report())
    text, items, meta = extraction.text, extraction.items, extraction.report
    big = "\n".join([text] * 10)
    nlp = get_nlp()
    for label, sample, sample_items in (("bundled report", text, items), ("bundled report x10", big, [])):
        n = rounds if len(sample) < 10000 else max(rounds // 10, 3)
        count = len(extract_entities(sample, sample_items, meta)[0])
        best, median = timed(lambda: extract_entities(sample, sample_items, meta), n)
        nlp_best, nlp_median = timed(lambda: nlp(sample), n)
        print(f"{label:<20} {len(sample):>7} chars  {count:>4} entities  "
              f"min {best:7.2f} ms  median {median:7.2f} ms  (nlp() alone: min {nlp_best:7.2f} ms)")


if __name__ == "__main__":
    main()
