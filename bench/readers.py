"""Readers: speed of each format's reader, and the main-text extractors compared on government pages.

    python bench/readers.py [--runs N]

For each page of ``tests/fixtures/formats/`` (three site templates, UTF-8 and
GBK), trafilatura (as :mod:`kg.readers.html` calls it, with and without our
chrome filter) and readability-lxml are scored on:

* ``lines``: the share of the report's lines (``report.txt`` less its 发布时间
  line) found as lines of the extracted text (a paragraph run into others is lost);
* ``chrome``: how many page-furniture strings (navigation, breadcrumbs, info
  line, share and print links, related lists, footer) reached the text;
* ``metrics P/R``: the metrics extracted from the page's text against those
  of ``report.txt`` (span text, value and unit).

readability-lxml is not a dependency of kg; the comparison is skipped without it.
"""
from __future__ import annotations

import argparse
import re
import statistics
import time
from collections import Counter
from pathlib import Path

FORMATS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "formats"
PAGES = ("report-utf8.html", "report-gbk.html", "page-table-gbk.html", "page-zoom.html")
CHROME = ("首页", "当前位置", "您的位置", "浏览次数", "点击数", "分享", "打印", "关闭", "主办", "ICP", "相关",
          "上一篇", "下一篇", "热点新闻", "访问", "索引号", "附件", "版权所有", "技术支持", "网站标识码", "字体")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def report_lines() -> list[str]:
    lines = (FORMATS / "report.txt").read_text(encoding="utf-8").splitlines()
    return [lines[0]] + lines[2:]


def trafilatura_text(page: str, *, filtered: bool) -> str:
    """trafilatura as kg calls it (layout tables unwrapped), with or without the chrome filter."""
    from kg.readers.html import _tree, chrome_line, main_text

    return "\n".join(line for line in main_text(_tree(page)) if not (filtered and chrome_line(line)))


def raw_trafilatura_text(page: str) -> str:
    """trafilatura out of the box."""
    import trafilatura

    return trafilatura.extract(page, include_tables=True, deduplicate=False) or ""


def kg_reader_text(name: str) -> str:
    """What kg reads from the page: the reader's whole path (title line included)."""
    from kg.readers import read_document

    return read_document(FORMATS / name)[1]


def readability_text(page: str) -> str:
    import lxml.html
    from readability import Document

    summary = Document(page).summary(html_partial=True)
    tree = lxml.html.fromstring(summary)
    for br in tree.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = [node.text_content() for node in tree.iter("p", "div", "td", "li", "h1", "h2", "h3")
              if not node.xpath(".//p|.//div|.//td|.//li")]
    lines = [" ".join(line.split()) for block in blocks for line in block.split("\n") if line.strip()]
    return "\n".join(lines) or tree.text_content()


def score(text: str, base_metrics: Counter) -> dict:
    from kg.pipeline import extract_text

    flat = squeeze(text)
    lines = report_lines()
    extracted = {squeeze(line) for line in text.splitlines()}
    found = sum(squeeze(line) in extracted for line in lines)  # kept whole, as a line of its own
    chrome = [word for word in CHROME if word in flat]
    x = extract_text(text + "\n")
    got = Counter((m.span.text, m.value, m.unit) for m in x.metrics)
    tp = sum((got & base_metrics).values())
    return {"lines": found / len(lines), "chrome": chrome, "p": tp / max(1, sum(got.values())),
            "r": tp / max(1, sum(base_metrics.values())), "entities": len(x.entities)}


def compare() -> None:
    from kg.pipeline import extract
    from kg.readers.text import decode

    base = extract(FORMATS / "report.txt")
    base_metrics = Counter((m.span.text, m.value, m.unit) for m in base.metrics)
    try:
        import readability  # noqa: F401
        extractors = {"kg reader": None, "trafilatura+unwrap": lambda p: trafilatura_text(p, filtered=False),
                      "trafilatura as is": raw_trafilatura_text, "readability-lxml": readability_text}
    except ImportError:
        extractors = {"kg reader": None}
    print(f"{'page':22} {'extractor':20} {'lines':>6} {'P':>5} {'R':>5} {'ms':>6}  chrome that leaked")
    for name in PAGES:
        page, _ = decode((FORMATS / name).read_bytes(), name)
        for label, func in extractors.items():
            start = time.perf_counter()
            text = kg_reader_text(name) if func is None else func(page)
            ms = (time.perf_counter() - start) * 1000
            s = score(text, base_metrics)
            print(f"{name:22} {label:20} {s['lines']:6.2f} {s['p']:5.2f} {s['r']:5.2f} {ms:6.1f}  "
                  f"{' '.join(s['chrome']) or '-'}")


def speed(runs: int) -> None:
    from kg.readers import read_document

    print(f"\n{'file':22} {'median ms':>10}")
    for name in ("report.txt", "report-gbk.html", "report.docx", "report.pdf", "report-big5.txt"):
        read_document(FORMATS / name)  # warm the imports
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            read_document(FORMATS / name)
            times.append(time.perf_counter() - start)
        print(f"{name:22} {statistics.median(times) * 1000:10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    compare()
    speed(args.runs)


if __name__ == "__main__":
    main()
