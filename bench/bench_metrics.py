"""Time metric extraction on the bundled report (and on it repeated, for scale).

usage: python bench/bench_metrics.py [ROUNDS]
Prints the minimum and median time of ``extract_metrics`` per call; the minimum
is the honest figure on a busy machine.
"""
from __future__ import annotations

import statistics
import sys
import time

from kg.extraction.metrics import extract_metrics
from kg.resources import bundled_report


def timed(text: str, rounds: int) -> tuple[float, float, int]:
    metrics, _ = extract_metrics(text, [])  # warm: lexicons load and regexes compile once
    runs = []
    for _ in range(rounds):
        start = time.perf_counter()
        extract_metrics(text, [])
        runs.append(time.perf_counter() - start)
    return min(runs) * 1000, statistics.median(runs) * 1000, len(metrics)


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    text = bundled_report().read_text(encoding="utf-8")
    for label, sample in (("bundled report", text), ("bundled report x10", "\n".join([text] * 10))):
        best, median, count = timed(sample, rounds if len(sample) < 10000 else max(rounds // 10, 5))
        print(f"{label:<20} {len(sample):>7} chars  {count:>4} metrics  min {best:6.2f} ms  median {median:6.2f} ms")


if __name__ == "__main__":
    main()
