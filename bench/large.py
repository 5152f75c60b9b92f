"""Time and peak memory of ``extract`` on large inputs (issue 17: bounded memory and time).

    python bench/large.py [--sizes 1,2,4,50] [--shape reports|line] [--build]

``--build`` runs the whole ``kg build FILE -o OUT`` instead (graph files, store, corpus
files, analysis, every export and the viewer, as for any single report); its peak is
that of the build's process tree (the largest of it and its worker).

Each input is made of whole copies of the bundled report (so problems, plans and
measures grow with it, which made problem × plan linking quadratic before);
``--shape line`` joins the copies into one line instead (spaCy's ``max_length``
stopped such a text before). Every size runs in a fresh process, so its peak
resident memory (``ru_maxrss``) is its own.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = r"""
import json, resource, sys, time
from kg.pipeline import extract
start = time.perf_counter()
x = extract(sys.argv[1])
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "characters": len(x.text), "problems": len(x.problems), "plans": len(x.plans),
                  "measures": len(x.measures), "links": len(x.links), "metrics": len(x.metrics)}))
"""

_BUILD_CHILD = r"""
import json, resource, sys, time
from kg.pipeline import build
start = time.perf_counter()
result = build([sys.argv[1]], sys.argv[2], workers=1)
seconds = time.perf_counter() - start
peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"seconds": seconds, "peak_mb": peak / 1024, "failed": result.failed}))
"""


def make_input(folder: Path, megabytes: float, shape: str) -> Path:
    from kg.resources import bundled_report

    report = bundled_report().read_text(encoding="utf-8")
    if shape == "line":
        report = report.replace("\n", "。")
    joiner = "\n" if shape == "reports" else "。"
    copies = max(1, round(megabytes * 1024 * 1024 / len((report + joiner).encode("utf-8"))))
    path = folder / f"large-{shape}-{megabytes:g}MB.txt"
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(copies):
            handle.write(report + joiner)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,2,4,50", help="megabytes, comma-separated")
    parser.add_argument("--shape", choices=("reports", "line"), default="reports")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--build", action="store_true", help="time `kg build` of the file, not extract")
    args = parser.parse_args()
    if args.build:
        return build_sizes(args)
    with tempfile.TemporaryDirectory(prefix="kg-large-") as folder:
        print(f"{'size':>6} {'chars':>11} {'seconds':>9} {'peak MB':>9} {'problems':>9} {'plans':>7} "
              f"{'measures':>9} {'links':>8}")
        for size in (float(s) for s in args.sizes.split(",")):
            path = make_input(Path(folder), size, args.shape)
            try:
                done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True,
                                      timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{size:>5g}M  over {args.timeout:g} s")
                continue
            if done.returncode:
                print(f"{size:>5g}M  failed: {done.stderr.strip().splitlines()[-1]}")
                continue
            r = json.loads(done.stdout)
            print(f"{size:>5g}M {r['characters']:>11,} {r['seconds']:>9.1f} {r['peak_mb']:>9.0f} {r['problems']:>9,} "
                  f"{r['plans']:>7,} {r['measures']:>9,} {r['links']:>8,}")
            path.unlink()


def build_sizes(args) -> None:
    with tempfile.TemporaryDirectory(prefix="kg-large-") as folder:
        print(f"{'size':>6} {'seconds':>9} {'peak MB':>9}  (kg build, one report)")
        for size in (float(s) for s in args.sizes.split(",")):
            path = make_input(Path(folder), size, args.shape)
            out = Path(folder) / f"out-{size:g}"
            try:
                done = subprocess.run([sys.executable, "-c", _BUILD_CHILD, str(path), str(out)],
                                      capture_output=True, text=True, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print(f"{size:>5g}M  over {args.timeout:g} s")
                continue
            if done.returncode:
                print(f"{size:>5g}M  failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(f"{size:>5g}M {r['seconds']:>9.1f} {r['peak_mb']:>9.0f}" + (f"  failed: {r['failed']}" if r["failed"] else ""))
            path.unlink()


if __name__ == "__main__":
    main()
