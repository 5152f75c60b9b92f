"""Corpus-scale benchmark: 1,000 report variants built, loaded and queried.

Makes N variants of the synthetic fixtures (``tests/fixtures/*.txt``) and the
bundled report, with the place name, the year and every quantity perturbed;
builds them with ``kg build DIR --workers 2`` (the default command: graph and
analysis, exports skipped above 100 reports; ``--graph-only`` or ``--full`` for
less or more); bulk-loads ``graph.nq`` into pyoxigraph; runs every
competency question of ``ontology/queries/`` and reports its median latency.

Targets on a 2-core machine: build ≤ 60 s, peak memory ≤ 1 GB, each question
≤ 200 ms median.

    python bench/corpus.py                 # 1,000 reports in a temporary folder
    python bench/corpus.py -n 200 --keep /tmp/corpus --full
    python bench/corpus.py --graph-only
"""
from __future__ import annotations

import argparse
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.sparql.query import competency_questions, execute  # noqa: E402
from kg.readers.text import report_metadata  # noqa: E402
from kg.resources import bundled_report  # noqa: E402

SYLLABLES = "安宝昌丹东丰富广和河华惠嘉江金锦康兰乐临龙鹿明南宁平清庆瑞山盛石顺泰天通万文西祥新兴阳永裕云长正中"
SUFFIXES = ("县", "市", "区", "镇", "街道", "旗")
TARGETS = {"build_s": 60.0, "peak_mb": 1024.0, "query_ms": 200.0}

_NUMBER = re.compile(r"(?<![0-9.:：\-—])([0-9]+)(\.[0-9]+)?(?![0-9:：\-—])")


def sources() -> list[Path]:
    found = sorted((ROOT / "tests" / "fixtures").glob("*.txt")) + [bundled_report()]
    return [p for p in found if p.stat().st_size > 200]


def perturb(text: str, rng: random.Random, index: int) -> str:
    """Rename the jurisdiction, move the year and scale every quantity a little."""
    meta = report_metadata(text)
    if meta.jurisdiction:
        old = meta.jurisdiction
        suffix = next((s for s in SUFFIXES if old.endswith(s)), "")
        new = "".join(rng.sample(SYLLABLES, 2)) + (suffix or "县")
        text = text.replace(old, new)
        stem = old[: len(old) - len(suffix)] if suffix else ""
        if len(stem) >= 2:
            text = text.replace(stem, new[: len(new) - len(suffix or '县')])
    if meta.year:
        shift = (index % 6) - 3
        years = {str(meta.year): str(meta.year + shift), str(meta.year - 1): str(meta.year - 1 + shift)}
        text = re.sub(r"(?<![0-9])(%s)(?![0-9])" % "|".join(years), lambda m: years[m.group(1)], text)

    def scale(match: re.Match) -> str:
        whole, fraction = match.group(1), match.group(2) or ""
        if len(whole) == 4 and whole.startswith(("19", "20")) and not fraction:
            return match.group(0)  # a year
        value = float(whole + fraction) * rng.uniform(0.7, 1.3)
        if fraction:
            return f"{value:.{len(fraction) - 1}f}"
        return str(max(1, round(value)))

    return _NUMBER.sub(scale, text)


def make_corpus(folder: Path, count: int, seed: int = 7) -> list[Path]:
    rng = random.Random(seed)
    texts = [(p.stem, p.read_text(encoding="utf-8-sig")) for p in sources()]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        stem, text = texts[index % len(texts)]
        path = folder / f"v{index:04d}-{stem}.txt"
        path.write_text(perturb(text, rng, index), encoding="utf-8")
        paths.append(path)
    return paths


class TreeMemory:
    """Samples the resident memory of a process and all its descendants together."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.root, self.every, self.peak = psutil.Process(pid), every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
                total = 0
                for proc in procs:
                    try:
                        total += proc.memory_info().rss
                    except psutil.Error:
                        pass
                self.peak = max(self.peak, total)
            except psutil.Error:
                pass
            time.sleep(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def build(corpus: Path, out: Path, workers: int, extra: list[str]) -> dict:
    command = [sys.executable, "-m", "kg", "build", str(corpus), "-o", str(out), "--workers", str(workers), *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with TreeMemory(process.pid) as memory:
        _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 1) or b"Traceback" in stderr:  # 1 alone: some reports failed
        sys.exit(f"build failed: {stderr.decode(errors='replace').strip()[-500:]}")
    return {
        "build_s": elapsed,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_tree_mb": memory.peak / 2**20,
        # ru_maxrss of children is the largest single descendant (kB on Linux)
        "peak_child_mb": after.ru_maxrss / 1024,
        "stderr_tail": stderr.decode(errors="replace").strip().splitlines()[-1:],
    }


def bench_queries(store, repeat: int) -> dict[str, tuple[float, int]]:
    first_metric = next(iter(store.query(
        "SELECT ?m WHERE { ?m a <http://example.org/fzzf#Metric> } LIMIT 1", use_default_graph_as_union=True)))["m"]
    report_id = next(iter(store.query(
        "SELECT ?id WHERE { GRAPH ?g { ?r a <http://example.org/fzzf#Report> ; <http://purl.org/dc/terms/identifier> ?id ."
        " ?m <http://example.org/fzzf#inReport> ?r } } GROUP BY ?id ORDER BY DESC(COUNT(?m)) ?id LIMIT 1")))["id"].value
    results = {}
    for question in competency_questions():
        params = {"node": f"<{first_metric.value}>", "report": report_id}
        params = {name: value for name, value in params.items() if name in question.params}
        times, rows = [], 0
        for _ in range(repeat):
            start = time.perf_counter()
            answer = execute(store, question.name, params)
            rows = sum(1 for _ in answer)
            times.append(time.perf_counter() - start)
        results[question.name] = (statistics.median(times) * 1000, rows)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--reports", type=int, default=1000)
    parser.add_argument("-j", "--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each question (median reported)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--full", action="store_true", help="also write the exports and the viewer")
    mode.add_argument("--graph-only", action="store_true", help="no analysis, no exports")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the corpus and build in")
    args = parser.parse_args()

    import pyoxigraph as ox

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    corpus, out = work / "corpus", work / "out"
    shutil.rmtree(corpus, ignore_errors=True)
    make_corpus(corpus, args.reports)
    print(f"corpus: {args.reports} variants of {len(sources())} reports in {corpus}")

    extra = ["--exports"] if args.full else ["--no-analysis", "--no-exports"] if args.graph_only else []
    figures = build(corpus, out, args.workers, extra)
    rate = args.reports / figures["build_s"]
    size = (out / "graph.nq").stat().st_size / 2**20
    print(f"build: {figures['build_s']:.1f} s ({rate:.1f} reports/s, {figures['cpu_s']:.0f} s CPU), "
          f"peak memory {figures['peak_tree_mb']:.0f} MB (all processes together; largest single process "
          f"{figures['peak_child_mb']:.0f} MB), graph.nq {size:.0f} MB  {' '.join(figures['stderr_tail'])}")

    start = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)
    load_s = time.perf_counter() - start
    quads = len(store)
    print(f"load: {quads:,} quads in {load_s:.1f} s; self peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")

    slow = []
    for name, (median_ms, rows) in bench_queries(store, args.repeat).items():
        flag = "" if median_ms <= TARGETS["query_ms"] else "  (over target)"
        if flag:
            slow.append(name)
        print(f"  {name:<26} {median_ms:8.1f} ms median  {rows:>7} rows{flag}")
    verdict = [
        f"build {'ok' if figures['build_s'] <= TARGETS['build_s'] else 'OVER'}",
        f"memory {'ok' if figures['peak_tree_mb'] <= TARGETS['peak_mb'] else 'OVER'}",
        f"queries {'ok' if not slow else 'OVER: ' + ', '.join(slow)}",
    ]
    print("targets (60 s, 1 GB, 200 ms): " + "; ".join(verdict))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
