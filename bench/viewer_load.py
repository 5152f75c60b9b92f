"""How long the offline viewer takes to draw: the bundled report and a synthetic 1,000-node graph.

Opens each viewer.html in headless Chromium (Debian's chromium + chromedriver) and
reports the median, over a few loads, of the time from navigation start until the
network's first complete drawing (``window.kgViewer.drawnMs``), plus the time to
write the page. Screenshots go to the folder given by --shots.

    /work/venv/bin/python bench/viewer_load.py --nodes 1000 --runs 5 --shots /tmp
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,900"]
FZ = "http://example.org/fzzf#"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"


def synthetic_graph(folder: Path, nodes: int, seed: int = 1) -> Path:
    """N-Triples for one synthetic report with about ``nodes`` typed nodes, evidence and links."""
    rng = random.Random(seed)
    base = "http://example.org/fzzf/data/synthetic/"
    sentences, spans = [], []
    offset = 0
    for i in range(nodes):
        sentence = f"第{i}项工作完成情况良好，共办理事项{rng.randint(1, 999)}件。"
        spans.append((offset, offset + len(sentence) - 1, sentence[:-1]))
        sentences.append(sentence)
        offset += len(sentence)
    text = "".join(sentences)
    kinds = (["Section"] * 2 + ["Measure"] * 30 + ["Problem"] * 6 + ["Plan"] * 4 + ["Agency"] * 8
             + ["Mechanism"] * 6 + ["Activity"] * 6 + ["Metric"] * 38)
    lines = [f"<{base}r> {TYPE} <{FZ}Report> .",
             f'<{base}r> {LABEL} "合成报告（{nodes}个节点）"@zh .',
             f'<{base}r> <http://purl.org/dc/terms/identifier> "synthetic" .',
             f'<{base}r> <{FZ}sourceText> "{text}" .']
    by_kind: dict[str, list[str]] = {}
    for i in range(nodes - 1):
        kind = kinds[i % len(kinds)]
        node = f"{base}n{i}"
        by_kind.setdefault(kind, []).append(node)
        start, end, exact = spans[i]
        lines += [f"<{node}> {TYPE} <{FZ}{kind}> .", f'<{node}> {LABEL} "{exact[:16]}"@zh .',
                  f"<{node}> <{FZ}inReport> <{base}r> .", f"<{node}> <{FZ}evidence> <{node}/ev> .",
                  f"<{node}/ev> <http://www.w3.org/ns/oa#hasSelector> <{node}/ev/pos> .",
                  f"<{node}/ev> <http://www.w3.org/ns/oa#hasSelector> <{node}/ev/quote> .",
                  f'<{node}/ev/pos> <http://www.w3.org/ns/oa#start> "{start}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                  f'<{node}/ev/pos> <http://www.w3.org/ns/oa#end> "{end}"^^<http://www.w3.org/2001/XMLSchema#integer> .',
                  f'<{node}/ev/quote> <http://www.w3.org/ns/oa#exact> "{exact}" .']
    for node in by_kind.get("Measure", []) + by_kind.get("Problem", []) + by_kind.get("Plan", []):
        lines.append(f"<{node}> <{FZ}inSection> <{rng.choice(by_kind['Section'])}> .")
        for entity in rng.sample(by_kind["Agency"] + by_kind["Mechanism"] + by_kind["Activity"], 2):
            lines.append(f"<{node}> <{FZ}mentions> <{entity}> .")
    for metric in by_kind.get("Metric", []):
        lines.append(f"<{metric}> <{FZ}fromItem> <{rng.choice(by_kind['Measure'])}> .")
        lines.append(f'<{metric}> <{FZ}value> "{rng.randint(1, 999)}"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
    for plan in by_kind.get("Plan", []):
        lines.append(f"<{plan}> <{FZ}addresses> <{rng.choice(by_kind['Problem'])}> .")
    path = folder / "graph.nt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def open_browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def load_times(driver, page: Path, runs: int, shot: Path | None) -> tuple[list[float], list[float], int]:
    drawn, wall = [], []
    for _ in range(runs):
        driver.get("about:blank")
        started = time.perf_counter()
        driver.get(page.resolve().as_uri())
        while not driver.execute_script("return document.body && document.body.getAttribute('data-ready') === '1'"):
            time.sleep(0.01)
        wall.append((time.perf_counter() - started) * 1000)
        drawn.append(driver.execute_script("return window.kgViewer.drawnMs"))
    count = driver.execute_script("return Object.keys(window.kgViewer.network.getPositions()).length")
    if shot:
        driver.save_screenshot(str(shot))
    return drawn, wall, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shots", type=Path, default=None, help="folder for screenshots")
    args = parser.parse_args()

    from kg.pipeline import build
    from kg.outputs.export import export

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build(None, tmp / "bundled", exports=False, analyse=False)
        pages = {}
        for name, graph in (("bundled report", tmp / "bundled" / "graph.trig"),
                            (f"synthetic {args.nodes} nodes", synthetic_graph(tmp, args.nodes))):
            started = time.perf_counter()
            pages[name] = export(graph, "html", tmp / f"{len(pages)}.html")
            print(f"{name}: page written in {(time.perf_counter() - started) * 1000:.0f} ms "
                  f"({pages[name].stat().st_size / 1024:.0f} KiB)")
        driver = open_browser()
        try:
            for index, (name, page) in enumerate(pages.items()):
                shot = args.shots / f"kg-viewer-{index}.png" if args.shots else None
                drawn, wall, count = load_times(driver, page, args.runs, shot)
                print(f"{name}: {count} nodes drawn; first drawing at median {statistics.median(drawn):.0f} ms "
                      f"after navigation (min {min(drawn):.0f}, max {max(drawn):.0f}); "
                      f"selenium round trip median {statistics.median(wall):.0f} ms"
                      + (f"; screenshot {shot}" if shot else ""))
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
