"""The corpus dashboard ``OUT/corpus.html``: one offline file over ``corpus.json`` and the extraction JSONs.

What it shows: the failed checks first (inconsistent year-on-year figures, late
reports, missing required parts); a table of reports (jurisdiction, level, province,
year, published, days late, parts present, counts of measures, problems, plans and
metrics); an indicator matrix (one block per indicator, divisions × years) with a
small chart per row and the year-on-year results coloured; per series, the promises
kept and unkept and the recurring problems. Every figure and claim opens its source
sentence with the span highlighted (:mod:`kg.compare.passages`).

Like the viewer, report text is data, never markup: it travels as escaped JSON in a
``<script type="application/json">`` element and the page's script puts it in with
``textContent`` only; the Content-Security-Policy forbids any network request.
Charts are drawn by matplotlib as inline SVG, from numbers only
(:mod:`kg.outputs.dashboard_charts`). The page is written as it is made: its data goes
out as JSON a few hundred list items at a time, and the indicator matrix waits on disk until the
blocks it shows are known.
"""
from __future__ import annotations

import hashlib
import html
import json
import pickle
import re
import tempfile
from pathlib import Path

from kg.compare.passages import Passages
from kg.compare.rules import PARTS, supervision_rules
from kg.compare.timeliness import publication_deadline
from kg.compare.yoy import period_key, subject_key
from kg.io import atomic_write
from kg.outputs.dashboard_charts import MAX_CHARTS, page_charts
from kg.outputs.viewer import embed_json_chunks

__all__ = ["dashboard_data", "render_dashboard", "write_dashboard", "MAX_CHARTS", "MAX_MATRIX_ROWS",
           "ITEM_LIST_REPORT_LIMIT"]

_ASSETS = Path(__file__).resolve().parent / "dashboard_assets"
_MARKER = re.compile(r"/\*kg:([a-z-]+)\*/")
MAX_MATRIX_ROWS = 2000  # rows of the indicator matrix; a note says when more were left out
# Up to this many reports, a count (7 measures) opens the items it counts; above it the page would carry
# the whole corpus's text (about 10 KB a report), and the count says where the items are instead.
ITEM_LIST_REPORT_LIMIT = 300
_PART_LABELS = {"measures": "举措和成效", "problems": "不足和原因", "first_responsible": "第一责任人职责",
                "plans": "下一年度安排"}


# ---------------------------------------------------------------------------
# Page data: every clickable thing is a "cell" naming its passages
#
# The page is made one series at a time, as a *fragment*: that series' report rows,
# indicator rows, promises and recurring problems, with its own cells (numbered from 0)
# and passages. Only that series' extractions are in memory while it is made. A build
# keeps each fragment under a fingerprint of its reports (their hashes), so a rebuild
# makes again only the fragments of series that changed; the page is the fragments
# put together, their cells renumbered.


class _Sources:
    """One fragment's passages by key and its cells (title, passage keys, note)."""

    def __init__(self, extractions: dict[str, dict]) -> None:
        self.extractions = extractions
        self._passages: dict[str, Passages] = {}
        self.passages: dict[str, dict] = {}
        self.matrix: dict[str, list] = {}  # metric passages of indicator cells: [text, offset, start, end]
        self.titles: dict[str, str] = {}  # report id → title, once, for the passages' captions
        self.cells: list[dict] = []

    def _of(self, report: str) -> Passages | None:
        if report not in self._passages and report in self.extractions:
            self._passages[report] = Passages(self.extractions[report])
        return self._passages.get(report)

    def _title(self, report: str) -> None:
        self.titles.setdefault(report, self.extractions[report]["report"].get("title") or report)

    def key(self, report: str, kind: str, local_id: str) -> str | None:
        """Add the passage of a metric, item or section (kind) of a report; its key, or None."""
        key = f"{report}#{local_id}"
        if key not in self.passages:
            passages = self._of(report)
            found = getattr(passages, kind)(local_id) if passages else None
            if found is None:
                return None
            self.passages[key] = {**found, "kind": kind, "id": local_id}
            self._title(report)
        return key

    def matrix_key(self, report: str, metric: dict) -> str:
        """The passage of an indicator cell, kept apart: the page carries it only if its block is shown."""
        key = f"{report}#{metric['id']}"
        passages = self._of(report)
        if key not in self.matrix and passages:
            cut = passages.cut(metric["start"], metric["end"], passages.container(metric), metric["text"])
            self.matrix[key] = [cut["text"], cut["offset"], metric["start"], metric["end"]]
            self._title(report)
        return key

    def cell(self, title: str, keys=(), note: str | None = None, rule: bool = False) -> int:
        cell = {"title": title, "passages": [k for k in keys if k], "note": note}
        if rule:
            cell["rule"] = True  # the page adds the deadline rule (given once) to the note
        self.cells.append(cell)
        return len(self.cells) - 1


def _series_label(series: dict) -> str:
    place, department = series.get("jurisdiction") or "", series.get("department") or ""
    if department:
        return department if department.startswith(place) else f"{place} · {department}"
    return place


def _report_row(entry: dict, src: _Sources, listed: bool) -> dict:
    """A report's row of the table: its cells open its title, dates, parts and counts."""
    rid = entry["id"]
    extraction = src.extractions.get(rid) or {"report": {"id": rid}}
    deadline = publication_deadline(extraction["report"])
    days = entry["days_after_deadline"]
    timing = (f"发布 published {entry['published'] or '—'}; 截止 deadline {deadline or '—'}"
              + (f"; 逾期 {days} 天 days late" if (days or 0) > 0 else ""))
    evidence = _part_keys(extraction, src)
    cells = {
        "jurisdiction": src.cell(entry.get("title") or rid, [], f"{entry.get('file')}"),
        "published": src.cell("发布日期 Published", [], timing, rule=True),
        "parts": {part: src.cell(f"{_PART_LABELS[part]} ({part})", [evidence[part]] if evidence[part] else [],
                                 None if evidence[part] else "未找到 not found: no heading and no text for it")
                  for part in PARTS},
        "counts": {kind: _count_cell(src, extraction, kind, listed=listed)
                   for kind in ("measures", "problems", "plans", "metrics")},
    }
    return {**{k: entry.get(k) for k in ("id", "title", "jurisdiction", "department", "level", "province",
                                         "year", "published", "days_after_deadline", "parts", "counts")},
            "cells": cells}


def _count_cell(src: _Sources, extraction: dict, kind: str, *, listed: bool) -> int | None:
    """The cell listing the items a count counts, or None above ITEM_LIST_REPORT_LIMIT (a plain number)."""
    rid = extraction["report"]["id"]
    items = extraction.get(kind, [])
    if not listed:
        return None
    if not items:
        return src.cell(f"{kind} of {rid}", [], "none")
    local = "metric" if kind == "metrics" else "item"
    return src.cell(f"{kind} of {rid}", [src.key(rid, local, x["id"]) for x in items])


def _part_keys(extraction: dict, src: _Sources) -> dict[str, str | None]:
    from kg.compare.parts import part_evidence

    rid = extraction["report"]["id"]
    out = {}
    for part, found in part_evidence(extraction).items():
        if found is None:
            out[part] = None
        elif found.get("section"):
            out[part] = src.key(rid, "section", found["section"])
        else:
            out[part] = src.key(rid, "item", found["item"])
    return out


def _matrix_rows(series: dict, src: _Sources, status_of: dict) -> list[list]:
    """One series' rows of the indicator blocks, ``[block key, block, row]``: for each (indicator or
    subject, unit, period), its years."""
    label = _series_label(series)
    stated: dict[str, dict[int, dict]] = {}
    for rid in series["reports"]:
        extraction = src.extractions.get(rid)
        year = extraction and extraction["report"].get("year")
        if not isinstance(year, int):
            continue
        places = [extraction["report"].get("jurisdiction") or ""]
        for metric in extraction["metrics"]:
            if metric.get("derived") or metric.get("kind") in ("change", "previous"):
                continue
            what = (["indicator", metric["indicator"]] if metric.get("indicator")
                    else ["subject", subject_key(metric.get("subject", ""), places)])
            key = json.dumps([what, metric["unit"], period_key(metric.get("period"))], ensure_ascii=False)
            stated.setdefault(key, {}).setdefault(year, {**metric, "report": rid})
    rows = []
    for key, by_year in stated.items():
        if len(by_year) < 2 and not key.startswith('[["indicator"'):
            continue  # a figure of one year only is no row of a matrix, unless it is a comparable indicator
        first = next(iter(by_year.values()))
        what, unit, period = json.loads(key)
        block = {"label": _indicator_label(first.get("indicator")) or first.get("subject") or what[1],
                 "indicator": first.get("indicator"), "unit": unit, "period": period}
        label_of = f"{label} {{year}}: {block['label']}"
        rows.append([key, block, {"series": label, "cells": [
            {"year": year, "value": m["value"], "text": m["text"], "status": status_of.get((m["report"], m["id"])),
             "title": label_of.format(year=year), "source": src.matrix_key(m["report"], m)}
            for year, m in sorted(by_year.items())]}])
    return rows


def _indicator_label(indicator: str | None) -> str | None:
    """The Chinese label of an indicator of the scheme (``ontology/indicators.ttl``), or None."""
    if not indicator:
        return None
    from kg.identity.indicators import indicator_scheme

    found = indicator_scheme().get(indicator)
    return found.label if found else None


def _series_row(series: dict, src: _Sources, follow: dict[str, list], recurring: dict[str, list]) -> dict:
    """A series' promises (kept or not) and recurring problems, each opening its sentences."""
    label = _series_label(series)
    promises = [{
        "report": row["plan"]["report"], "text": row["plan"].get("text", ""), "status": row["status"],
        "cell": src.cell(f"{label}: 计划 plan", [src.key(row["plan"]["report"], "item", row["plan"]["plan"])]
                         + [src.key(m["report"], "item", m["measure"]) for m in row["measures"]],
                         None if row["measures"] else "下一年度报告中未见落实 no measure of the next report carries it out"),
        "measures": [{"text": m.get("text", ""), "score": m["score"], "terms": m.get("terms", [])}
                     for m in row["measures"]],
    } for rid in series["reports"] for row in follow.get(rid, [])]
    repeated = [{
        "earlier": row["earlier"].get("text", ""), "later": row["later"].get("text", ""), "score": row["score"],
        "terms": row.get("terms", []),
        "cell": src.cell(f"{label}: 重复出现的问题 recurring problem",
                         [src.key(row["earlier"]["report"], "item", row["earlier"]["problem"]),
                          src.key(row["later"]["report"], "item", row["later"]["problem"])]),
    } for rid in series["reports"] for row in recurring.get(rid, [])]
    return {"label": label, "reports": series["reports"], "promises": promises, "recurring": repeated}


def _failed_yoy(row: dict, src: _Sources) -> dict:
    """An inconsistent year-on-year check: the three figures it joins."""
    text = (f"{row['later']['report']}: {row['later_value']['text']}，{row['later']['text']} → 上年应为 implied "
            f"{round(row['implied_previous'], 2):g}，上年报告 stated {row['stated_previous']:g}")
    keys = [src.key(row["later"]["report"], "metric", row["later_value"]["metric"]),
            src.key(row["later"]["report"], "metric", row["later"]["metric"]),
            src.key(row["earlier"]["report"], "metric", row["earlier"]["metric"])]
    return {"kind": "yoy", "text": text, "cell": src.cell("同比核验不一致 inconsistent year on year", keys,
                                                            row.get("reason"))}


def _failed_entries(summary: dict, src: _Sources) -> list[dict]:
    """Late reports and reports that lack a required part (from the summary alone)."""
    rows = []
    for entry in summary["reports"]:
        days = entry["days_after_deadline"]
        if (days or 0) > 0:
            rows.append({"kind": "late", "text": f"{entry['id']}: 逾期 {days} 天 days late ({entry['published']})",
                         "cell": src.cell("逾期发布 published late", [],
                                          f"{entry.get('title') or entry['id']}: published {entry['published']}, "
                                          f"{days} days after the deadline")})
        missing = [part for part in PARTS if not entry["parts"][part]]
        if missing:
            names = "、".join(_PART_LABELS[p] for p in missing)
            rows.append({"kind": "parts", "text": f"{entry['id']}: 缺少 missing {names}",
                         "cell": src.cell("缺少规定内容 missing required parts", [],
                                          f"{entry.get('title') or entry['id']}: no heading and no text for "
                                          + ", ".join(missing))})
    return rows


def _by_series(summary: dict) -> list[dict]:
    """The summary's series, and each report that belongs to none as a group of its own."""
    grouped = {rid for series in summary["series"] for rid in series["reports"]}
    return summary["series"] + [{"jurisdiction": "", "department": "", "reports": [entry["id"]], "alone": True}
                                for entry in summary["reports"] if entry["id"] not in grouped]


class _Results:
    """The summary's results by the report they belong to, and what every fragment shares."""

    def __init__(self, summary: dict) -> None:
        self.listed = len(summary["reports"]) <= ITEM_LIST_REPORT_LIMIT
        self.entries = {entry["id"]: entry for entry in summary["reports"]}
        self.status_of = {(row["later_value"]["report"], row["later_value"]["metric"]): row["status"]
                          for row in summary["yoy_checks"]}
        self.follow = _by_report(summary["follow_through"], "plan")
        self.recurring = _by_report(summary["recurring_problems"], "earlier")
        self.inconsistent = _by_report([(index, row) for index, row in enumerate(summary["yoy_checks"])
                                        if row["status"] == "inconsistent"], "later")


def _by_report(rows: list, side: str) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for row in rows:
        grouped.setdefault((row[1] if isinstance(row, tuple) else row)[side]["report"], []).append(row)
    return grouped


def _fragment(series: dict, extractions: dict[str, dict], results: _Results) -> dict:
    """One series' part of the page, its cells numbered from 0 (JSON-ready, to be kept)."""
    src = _Sources(extractions)
    fragment = {"rows": {rid: _report_row(results.entries[rid], src, results.listed) for rid in series["reports"]},
                "matrix": [], "series": None, "failed": []}
    if not series.get("alone"):
        fragment["matrix"] = _matrix_rows(series, src, results.status_of)
        fragment["series"] = _series_row(series, src, results.follow, results.recurring)
        # The failed checks are ordered as the summary lists them: by index, with the check's own hash
        # (a kept fragment's indices may have moved).
        fragment["failed"] = [[_row_hash(row), _failed_yoy(row, src)]
                              for rid in series["reports"] for _, row in results.inconsistent.get(rid, [])]
    fragment.update(cells=src.cells, passages=src.passages, matrix_passages=src.matrix, titles=src.titles)
    return fragment


def _row_hash(row: dict) -> str:
    return hashlib.sha256(json.dumps(row, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


def _fingerprint(series: dict, results: _Results, hashes: dict[str, str | None]) -> str | None:
    """What a fragment depends on: its reports (ids and hashes) and whether counts list their items."""
    if any(not hashes.get(rid) for rid in series["reports"]):
        return None
    digest = hashlib.sha256(f"dashboard\0{results.listed}\0{series.get('alone', False)}\n".encode())
    for key in ("jurisdiction", "department"):
        digest.update(f"{series.get(key) or ''}\0".encode())
    for rid in series["reports"]:
        digest.update(f"{rid}\0{hashes[rid]}\n".encode())
    return digest.hexdigest()


class _Page:
    """The fragments put together: one list of cells, the passages the page shows.

    The indicator matrix shows only its largest blocks, which are known once every
    fragment is in; its rows and their passages wait in a temporary file meanwhile
    (at 10,000 reports they are hundreds of megabytes as Python objects, and the
    page shows 2,000 rows).
    """

    def __init__(self) -> None:
        self.src = _Sources({})
        self.rows: dict[str, dict] = {}
        self.series: list[dict] = []
        self.failed: list[tuple[str, dict]] = []
        self.blocks: dict[str, dict] = {}  # block key → the block without its rows
        self.block_rows: dict[str, int] = {}
        self.block_cells: dict[str, int] = {}
        self.years: set[int] = set()
        # A pickle a fragment: its [block key, row, {passage key: passage}] (our own data, read back once).
        self.waiting = tempfile.TemporaryFile()
        self.titles: dict[str, str] = {}

    def add(self, fragment: dict) -> None:
        shift = len(self.src.cells)
        self.src.cells.extend(fragment["cells"])
        self.src.passages.update(fragment["passages"])
        self.titles.update(fragment["titles"])
        for rid, row in fragment["rows"].items():
            cells = row["cells"]
            cells["jurisdiction"] += shift
            cells["published"] += shift
            cells["parts"] = {part: index + shift for part, index in cells["parts"].items()}
            cells["counts"] = {kind: None if index is None else index + shift
                               for kind, index in cells["counts"].items()}
            self.rows[rid] = row
        if fragment["series"] is not None:
            for row in fragment["series"]["promises"] + fragment["series"]["recurring"]:
                row["cell"] += shift
            self.series.append(fragment["series"])
        for order, row in fragment["failed"]:
            row["cell"] += shift
            self.failed.append((order, row))
        waiting = []
        for key, block, row in fragment["matrix"]:
            self.blocks.setdefault(key, block)
            self.block_rows[key] = self.block_rows.get(key, 0) + 1
            self.block_cells[key] = self.block_cells.get(key, 0) + len(row["cells"])
            self.years.update(cell["year"] for cell in row["cells"])
            waiting.append([key, row, {cell["source"]: fragment["matrix_passages"][cell["source"]]
                                       for cell in row["cells"]}])
        if waiting:
            pickle.dump(waiting, self.waiting, protocol=pickle.HIGHEST_PROTOCOL)

    def _kept_blocks(self) -> tuple[list[dict], dict[str, list], int]:
        """The blocks shown, with their rows, the passages of their cells, and how many rows were left out."""
        counts = self.block_rows
        # A block of one figure compares nothing: at least two cells (two years, or two divisions).
        ordered = sorted((k for k in counts if self.block_cells[k] >= 2), key=lambda k: (-counts[k], k))
        total, kept = 0, {}
        for key in ordered:
            if total + counts[key] > MAX_MATRIX_ROWS:
                break
            total += counts[key]
            kept[key] = {**self.blocks[key], "rows": []}
        passages: dict[str, list] = {}
        end = self.waiting.tell()
        self.waiting.seek(0)
        while self.waiting.tell() < end:
            for key, row, row_passages in pickle.load(self.waiting):
                if key in kept:
                    kept[key]["rows"].append(row)
                    passages.update(row_passages)
        self.waiting.close()
        return list(kept.values()), passages, sum(counts[k] for k in ordered) - total

    def matrix(self) -> dict:
        """Indicator blocks: divisions × years, the blocks with most rows first, up to MAX_MATRIX_ROWS rows;
        the cells of the blocks shown get their sentences."""
        kept, matrix_passages, left_out = self._kept_blocks()
        for block in kept:
            for row in block["rows"]:
                for cell in row["cells"]:
                    key = cell.pop("source")
                    text, offset, start, end = matrix_passages[key]
                    report, local_id = key.split("#", 1)
                    self.src.passages[key] = {"report": report, "text": text, "offset": offset, "mark": [start, end],
                                              "kind": "metric", "id": local_id}
                    cell["cell"] = self.src.cell(cell.pop("title"), [key])
        return {"years": sorted(self.years), "blocks": kept, "left_out": left_out}

    def used_titles(self) -> dict[str, str]:
        """The titles of the reports whose passages the page carries, in report order."""
        reports = {passage["report"] for passage in self.src.passages.values()}
        return {rid: self.titles[rid] for rid in sorted(reports) if rid in self.titles}


def _fragments(summary: dict, load, results: _Results, cache, hashes):
    """Every group's fragment, kept ones from ``cache``, the others made with only its extractions loaded."""
    for series in _by_series(summary):
        fingerprint = _fingerprint(series, results, hashes) if cache is not None and hashes else None
        fragment = cache.get(fingerprint) if fingerprint else None
        if fragment is None:
            fragment = _fragment(series, {rid: load(rid) for rid in series["reports"]}, results)
            if fingerprint:
                cache.put(fingerprint, fragment)
        yield fragment


def dashboard_data(summary: dict, extractions, *, cache=None, hashes: dict[str, str | None] | None = None) -> dict:
    """What the page needs, as one JSON-ready dict (cells and passages by key).

    ``extractions`` is the list of extraction JSONs, or a function giving one
    by report id (a build's, read from its files one series at a time). With
    ``cache`` (``get(fingerprint)``, ``put(fingerprint, fragment)``) and ``hashes``
    (report id → hash of its input), a series whose reports are unchanged is not made again.
    """
    load = extractions if callable(extractions) else {x["report"]["id"]: x for x in extractions}.__getitem__
    results = _Results(summary)
    page = _Page()
    for fragment in _fragments(summary, load, results, cache, hashes):
        page.add(fragment)
    order = {_row_hash(row): index for rows in results.inconsistent.values() for index, row in rows}
    failed = [row for _, row in sorted(page.failed, key=lambda pair: order.get(pair[0], len(order)))]
    data = {
        "counts": {
            "reports": len(summary["reports"]), "series": len(summary["series"]),
            "yoy": {s: sum(r["status"] == s for r in summary["yoy_checks"])
                    for s in ("consistent", "inconsistent", "cannot_check")},
            "promises": len(summary["follow_through"]),
            "kept": sum(r["status"] == "followed" for r in summary["follow_through"]),
            "recurring": len(summary["recurring_problems"]),
            "late": sum((r["days_after_deadline"] or 0) > 0 for r in summary["reports"]),
        },
        "failed": failed + _failed_entries(summary, page.src),
        "reports": [page.rows[entry["id"]] for entry in summary["reports"]],
        "matrix": page.matrix(),
        "series": page.series,
        "part_labels": _PART_LABELS,
        "deadline_rule": "{article} 《{title}》: {requirement}".format(
            title=supervision_rules()["regulation"]["title"], **supervision_rules()["deadline_rule"]),
    }
    data["cells"], data["passages"], data["titles"] = page.src.cells, page.src.passages, page.used_titles()
    return data


# ---------------------------------------------------------------------------
# The page


def _inline(code: str, tag: str) -> str:
    return re.sub(rf"</(?={tag})", r"<\\/", code, flags=re.IGNORECASE)


def render_dashboard(summary: dict, extractions, **keep) -> str:
    """The dashboard page for a corpus summary (:func:`kg.compare.summary.corpus_summary`) and its extractions
    (``keep``: the ``cache`` and ``hashes`` of :func:`dashboard_data`)."""
    return "".join(_page_chunks(summary, extractions, **keep))


def write_dashboard(summary: dict, extractions, out: str | Path, **keep) -> Path:
    """Write ``OUT/corpus.html`` (``out`` is the build folder or the file's path), atomically, as it is made."""
    path = Path(out)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path / "corpus.html"
    atomic_write(path, _page_chunks(summary, extractions, **keep))
    return path


def _page_chunks(summary: dict, extractions, **keep):
    """The page in pieces: the template's text, and the page data as JSON a list item at a time."""
    data = dashboard_data(summary, extractions, **keep)
    charts, drawn = page_charts(data, summary)
    data["charts_drawn"], data["max_charts"] = drawn, MAX_CHARTS
    title = f"法治政府建设年度报告 · {len(summary['reports'])} 份报告 reports"
    parts = {
        "title": html.escape(title),
        "css": _inline((_ASSETS / "dashboard.css").read_text(encoding="utf-8"), "style"),
        "js": _inline((_ASSETS / "dashboard.js").read_text(encoding="utf-8"), "script"),
        "charts": charts,
    }
    template = (_ASSETS / "dashboard.html").read_text(encoding="utf-8")
    at = 0
    for marker in _MARKER.finditer(template):
        yield template[at:marker.start()]
        if marker.group(1) == "data":
            yield from embed_json_chunks(data)
        else:
            yield parts[marker.group(1)]
        at = marker.end()
    yield template[at:]
