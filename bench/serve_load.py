"""The read-only server under load: N queries from T threads, latency percentiles, through the front and without it.

    python bench/serve_load.py                 # the bundled report, built into a temporary folder
    python bench/serve_load.py out/ -n 2000 -t 16

Each thread keeps one HTTP/1.1 connection and sends competency questions and
small SELECTs in turn (GET /query, JSON results). The same load runs against
``kg serve``'s public port (the checking front of kg.sparql.front) and against
oxigraph's private port behind it, so the front's cost is the difference.
"""
from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.sparql.front import PROLOGUE  # noqa: E402
from kg.sparql.query import competency_questions, to_term  # noqa: E402
from kg.sparql.serve import _running  # noqa: E402  (the server object: its private port is measured too)


def workload(report: str) -> list[str]:
    """The queries, with parameters bound by hand (the HTTP endpoint takes none)."""
    queries = ["SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
               "SELECT ?m ?v WHERE { ?m a fz:Metric ; fz:value ?v } ORDER BY DESC(?v) LIMIT 10"]
    for question in competency_questions():
        values = {"report": report, **question.defaults}
        if any(name not in values for name in question.params):
            continue  # a node's IRI: not worth guessing
        text = question.text
        for name in question.params:
            text = text.replace("WHERE {", f"WHERE {{ BIND({to_term(values[name])} AS ?{name})", 1)
        queries.append(text)
    return queries


def run_load(url: str, queries: list[str], total: int, threads: int, prologue: str = "") -> tuple[list[float], int]:
    host, port = urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        mine = []
        for number in counter:  # shared iterator: next() is atomic enough under the GIL
            query = prologue + queries[number % len(queries)]
            start = time.perf_counter()
            connection.request("GET", "/query?" + urllib.parse.urlencode({"query": query}),
                               headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                with lock:
                    errors[0] += 1
        connection.close()
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, errors[0]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("graph", nargs="?", help="a graph file or build folder (default: the bundled report)")
    parser.add_argument("-n", "--queries", type=int, default=2000)
    parser.add_argument("-t", "--threads", type=int, default=16)
    parser.add_argument("--simple", action="store_true", help="only two small SELECTs (no competency questions)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        graph, report = args.graph, "puyang-2024"
        if graph is None:
            from kg.pipeline import build

            build(None, Path(tmp) / "out", analyse=False, exports=False)
            graph = Path(tmp) / "out"
        queries = workload(report)[:2] if args.simple else workload(report)
        with _running(graph, "127.0.0.1", 0, 30.0, writable=False, startup=60.0, allow_service=()) as server:
            command = server.process.args
            private = "http://" + command[command.index("--bind") + 1]
            # Oxigraph alone does not know our prefixes: the queries get the front's prologue.
            for name, url, prologue in (("kg serve (front)", server.url, ""), ("oxigraph alone", private, PROLOGUE)):
                run_load(url, queries, min(200, args.queries), args.threads, prologue)  # warm up
                start = time.perf_counter()
                latencies, errors = run_load(url, queries, args.queries, args.threads, prologue)
                elapsed = time.perf_counter() - start
                print(f"{name:17} {len(latencies)} queries, {args.threads} threads, {len(queries)} distinct: "
                      f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, p99 {percentile(latencies, 0.99) * 1000:.1f} ms, "
                      f"mean {statistics.mean(latencies) * 1000:.1f} ms, {len(latencies) / elapsed:.0f} queries/s, "
                      f"{errors} errors (load average {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
