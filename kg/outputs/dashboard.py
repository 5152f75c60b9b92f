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
Charts are drawn by matplotlib as inline SVG (text as paths in a Noto CJK font, found
through matplotlib's font manager), from numbers only — no report text reaches them —
with a fixed hash salt and no date, so the same input gives the same bytes.
"""
from __future__ import annotations

import html
import io
import re
from functools import cache
from pathlib import Path

from kg.compare.passages import Passages
from kg.compare.rules import PARTS, supervision_rules
from kg.compare.timeliness import publication_deadline
from kg.compare.yoy import period_key, subject_key
from kg.io import atomic_write
from kg.outputs.viewer import embed_json

__all__ = ["dashboard_data", "render_dashboard", "write_dashboard", "MAX_CHARTS", "MAX_MATRIX_ROWS",
           "ITEM_LIST_REPORT_LIMIT"]

_ASSETS = Path(__file__).resolve().parent / "dashboard_assets"
_MARKER = re.compile(r"/\*kg:([a-z-]+)\*/")
MAX_CHARTS = 200  # small charts drawn (about 10 ms each); further rows show their numbers only
MAX_MATRIX_ROWS = 2000  # rows of the indicator matrix; a note says when more were left out
# Up to this many reports, a count (7 measures) opens the items it counts; above it the page would carry
# the whole corpus's text (about 10 KB a report), and the count says where the items are instead.
ITEM_LIST_REPORT_LIMIT = 300
_STATUS_COLOUR = {"consistent": "#2e7d32", "inconsistent": "#c62828", "cannot_check": "#9e9e9e", None: "#1f77b4"}
_CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei"]
_PART_LABELS = {"measures": "举措和成效", "problems": "不足和原因", "first_responsible": "第一责任人职责",
                "plans": "下一年度安排"}


# ---------------------------------------------------------------------------
# Page data: every clickable thing is a "cell" naming its passages


class _Sources:
    """Passages by key, and the cells (title, passage keys, note) the page opens on a click.

    The page is made one series at a time (:meth:`focus`): only that series'
    extractions are in memory, and every passage the page needs of a report is
    taken while its series is in focus.
    """

    def __init__(self, load) -> None:
        self._load = load
        self.extractions: dict[str, dict] = {}
        self._passages: dict[str, Passages] = {}
        self.passages: dict[str, dict] = {}
        self.titles: dict[str, str] = {}  # report id → title, once, for the passages' captions
        self.cells: list[dict] = []

    def focus(self, report_ids: list[str]) -> None:
        """Hold the extractions of these reports (and no others)."""
        self.extractions = {rid: self.extractions.get(rid) or self._load(rid) for rid in report_ids}
        self._passages = {rid: p for rid, p in self._passages.items() if rid in self.extractions}

    def _of(self, report: str) -> Passages | None:
        if report not in self._passages and report in self.extractions:
            self._passages[report] = Passages(self.extractions[report])
        return self._passages.get(report)

    def key(self, report: str, kind: str, local_id: str) -> str | None:
        """Add the passage of a metric, item or section (kind) of a report; its key, or None."""
        key = f"{report}#{local_id}"
        if key not in self.passages:
            passages = self._of(report)
            found = getattr(passages, kind)(local_id) if passages else None
            if found is None:
                return None
            self.passages[key] = {**found, "kind": kind, "id": local_id}
            self.titles.setdefault(report, self.extractions[report]["report"].get("title") or report)
        return key

    def later(self, report: str, metric: dict) -> tuple:
        """What the passage of a metric needs (the metric, its item), to make it only if the page shows it."""
        passages = self._of(report)
        title = self.extractions[report]["report"].get("title") or report
        return report, title, metric, passages.container(metric) if passages else None

    def key_of(self, pending: tuple) -> str:
        """The passage of a metric put aside by :meth:`later`, made now; its key."""
        report, title, metric, container = pending
        key = f"{report}#{metric['id']}"
        if key not in self.passages:
            cut = Passages({"report": {"id": report}})._cut(metric["start"], metric["end"], container, metric["text"])
            self.passages[key] = {**cut, "kind": "metric", "id": metric["id"]}
            self.titles.setdefault(report, title)
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
    """A report's row of the table: its cells open its title, dates, parts and counts (its series in focus)."""
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


def _matrix_rows(series: dict, src: _Sources, status_of: dict, blocks: dict[tuple, dict], years: set[int]) -> None:
    """One series' rows of the indicator blocks: for each (indicator or subject, unit, period), its years."""
    label = _series_label(series)
    stated: dict[tuple, dict[int, dict]] = {}
    for rid in series["reports"]:
        extraction = src.extractions.get(rid)
        year = extraction and extraction["report"].get("year")
        if not isinstance(year, int):
            continue
        places = [extraction["report"].get("jurisdiction") or ""]
        for metric in extraction["metrics"]:
            if metric.get("derived") or metric.get("kind") in ("change", "previous"):
                continue
            what = (("indicator", metric["indicator"]) if metric.get("indicator")
                    else ("subject", subject_key(metric.get("subject", ""), places)))
            key = (what, metric["unit"], period_key(metric.get("period")))
            stated.setdefault(key, {}).setdefault(year, {**metric, "report": rid})
    for key, by_year in stated.items():
        if len(by_year) < 2 and key[0][0] != "indicator":
            continue  # a figure of one year only is no row of a matrix, unless it is a comparable indicator
        years.update(by_year)
        first = next(iter(by_year.values()))
        block = blocks.setdefault(key, {"label": _indicator_label(first.get("indicator"))
                                        or first.get("subject") or key[0][1],
                                        "indicator": first.get("indicator"), "unit": key[1], "period": key[2],
                                        "rows": []})
        # The cells open their sentences only if the block is shown (see _matrix): the passage waits.
        block["rows"].append({"series": label, "cells": [
            {"year": year, "value": m["value"], "text": m["text"], "status": status_of.get((m["report"], m["id"])),
             "pending": (f"{label} {year}: {block['label']}", src.later(m["report"], m))}
            for year, m in sorted(by_year.items())]})


def _matrix(blocks: dict[tuple, dict], years: set[int], src: _Sources) -> dict:
    """Indicator blocks: divisions × years, the blocks with most rows first, up to MAX_MATRIX_ROWS rows;
    the cells of the blocks shown get their sentences."""
    # A block of one figure compares nothing: at least two cells (two years, or two divisions).
    shown = [k for k in blocks if sum(len(row["cells"]) for row in blocks[k]["rows"]) >= 2]
    ordered = [blocks[k] for k in sorted(shown, key=lambda k: (-len(blocks[k]["rows"]), k))]
    total, kept = 0, []
    for block in ordered:
        if total + len(block["rows"]) > MAX_MATRIX_ROWS:
            break
        total += len(block["rows"])
        kept.append(block)
    for block in kept:
        for row in block["rows"]:
            for cell in row["cells"]:
                title, pending = cell.pop("pending")
                cell["cell"] = src.cell(title, [src.key_of(pending)])
    return {"years": sorted(years), "blocks": kept, "left_out": sum(len(b["rows"]) for b in ordered) - total}


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
    """An inconsistent year-on-year check (its series in focus): the three figures it joins."""
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
    """The summary's series, and one group more for the reports that belong to none."""
    grouped = {rid for series in summary["series"] for rid in series["reports"]}
    alone = [entry["id"] for entry in summary["reports"] if entry["id"] not in grouped]
    return summary["series"] + ([{"jurisdiction": "", "department": "", "reports": alone, "alone": True}]
                                if alone else [])


def dashboard_data(summary: dict, extractions) -> dict:
    """What the page needs, as one JSON-ready dict (cells and passages by key).

    ``extractions`` is the list of extraction JSONs, or a function giving one
    by report id (a build's, read from its files one series at a time).
    """
    load = extractions if callable(extractions) else {x["report"]["id"]: x for x in extractions}.__getitem__
    src = _Sources(load)
    listed = len(summary["reports"]) <= ITEM_LIST_REPORT_LIMIT
    status_of = {(row["later_value"]["report"], row["later_value"]["metric"]): row["status"]
                 for row in summary["yoy_checks"]}
    follow: dict[str, list] = {}
    for row in summary["follow_through"]:
        follow.setdefault(row["plan"]["report"], []).append(row)
    recurring: dict[str, list] = {}
    for row in summary["recurring_problems"]:
        recurring.setdefault(row["earlier"]["report"], []).append(row)
    inconsistent: dict[str, list] = {}
    for index, row in enumerate(summary["yoy_checks"]):
        if row["status"] == "inconsistent":
            inconsistent.setdefault(row["later"]["report"], []).append((index, row))
    entries = {entry["id"]: entry for entry in summary["reports"]}
    rows, blocks, years, series_rows, failed = {}, {}, set(), [], []
    for series in _by_series(summary):
        src.focus(series["reports"])
        for rid in series["reports"]:
            rows[rid] = _report_row(entries[rid], src, listed)
        if series.get("alone"):
            continue
        _matrix_rows(series, src, status_of, blocks, years)
        series_rows.append(_series_row(series, src, follow, recurring))
        failed += [(index, _failed_yoy(row, src))
                   for rid in series["reports"] for index, row in inconsistent.get(rid, [])]
    src.focus([])
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
        "failed": [row for _, row in sorted(failed, key=lambda pair: pair[0])] + _failed_entries(summary, src),
        "reports": [rows[entry["id"]] for entry in summary["reports"]],
        "matrix": _matrix(blocks, years, src),
        "series": series_rows,
        "part_labels": _PART_LABELS,
        "deadline_rule": "{article} 《{title}》: {requirement}".format(
            title=supervision_rules()["regulation"]["title"], **supervision_rules()["deadline_rule"]),
    }
    data["cells"], data["passages"], data["titles"] = src.cells, src.passages, src.titles
    return data


# ---------------------------------------------------------------------------
# Charts (matplotlib → inline SVG)


@cache
def _cjk_font():
    """A CJK font file that matplotlib's font manager knows (fonts-noto-cjk on Debian), or None."""
    from matplotlib import font_manager

    try:
        return font_manager.findfont(font_manager.FontProperties(family=_CJK_FAMILIES), fallback_to_default=False)
    except ValueError:
        return None


def _svg(figure, number: int) -> str:
    """The figure as SVG markup for inlining: no XML prologue, ids made unique to this chart."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\bid="([^"]+)"', rf'id="k{number}-\1"', svg)
    return re.sub(r'(href="#|url\(#)', rf"\g<1>k{number}-", svg)


def _rc():
    return {"svg.hashsalt": "kg-dashboard", "svg.fonttype": "path", "font.size": 8,
            "path.simplify": False, "axes.unicode_minus": False}


class _Sparklines:
    """Small charts of one indicator over the years, drawn on one reused figure.

    Making a figure and its axes costs ten times what drawing a line does; every
    sparkline has the same frame, so one figure is kept and only its data changes.
    """

    def __init__(self) -> None:
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(1.5, 0.42), dpi=72)
        self.axes = self.figure.add_axes((0.04, 0.12, 0.92, 0.76))
        (self.line,) = self.axes.plot([], [], color="#607d8b", linewidth=1.2)
        self.points = self.axes.scatter([], [], s=14, zorder=3)
        self.axes.set_axis_off()

    def draw(self, cells: list[dict], years: list[int], number: int) -> str:
        xs = [years.index(c["year"]) for c in cells]
        ys = [float(c["value"]) for c in cells]
        self.line.set_data(xs, ys)
        self.points.set_offsets(list(zip(xs, ys)))
        self.points.set_facecolors([_STATUS_COLOUR[c["status"]] for c in cells])
        low, high = min(ys), max(ys)
        pad = (high - low) * 0.25 or max(abs(high), 1.0) * 0.25  # as margins(y=0.25), and for a flat line
        self.axes.set_ylim(low - pad, high + pad)
        self.axes.set_xlim(-0.3, max(len(years) - 0.7, 0.3))
        return _svg(self.figure, number)


def _timeliness_chart(summary: dict) -> str | None:
    """Reports per year, on time and late, labelled in Chinese (glyphs drawn as paths)."""
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    by_year: dict[int, list[int]] = {}
    for entry in summary["reports"]:
        if isinstance(entry.get("year"), int) and entry["days_after_deadline"] is not None:
            by_year.setdefault(entry["year"], [0, 0])[entry["days_after_deadline"] > 0] += 1
    if not by_year:
        return None
    font = _cjk_font()
    labels = ("按期 on time", "逾期 late", "报告数 reports") if font else ("on time", "late", "reports")
    properties = FontProperties(fname=font) if font else FontProperties()
    years = sorted(by_year)
    with rc_context(_rc()):
        figure = Figure(figsize=(4.4, 1.6), dpi=72)
        axes = figure.add_axes((0.12, 0.2, 0.5, 0.72))
        xs = range(len(years))
        on_time = [by_year[y][0] for y in years]
        axes.bar(xs, on_time, color="#2e7d32", label=labels[0])
        axes.bar(xs, [by_year[y][1] for y in years], bottom=on_time, color="#c62828", label=labels[1])
        axes.set_xticks(list(xs), [str(y) for y in years])
        axes.set_ylabel(labels[2], fontproperties=properties)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.legend(prop=properties, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        return _svg(figure, 0)


def _charts(data: dict, summary: dict) -> tuple[str, int]:
    """The charts' markup (hidden; the script moves each into its place) and how many rows got one."""
    parts, drawn = [], 0
    # One report compares nothing: no chart, and matplotlib is not even imported (a second off `kg build`).
    overview = _timeliness_chart(summary) if len(summary["reports"]) > 1 else None
    if overview:
        parts.append(f'<div data-chart="timeliness">{overview}</div>')
    years = data["matrix"]["years"]
    rows = [row for block in data["matrix"]["blocks"] for row in block["rows"] if len(row["cells"]) >= 2]
    if rows:
        from matplotlib import rc_context

        with rc_context(_rc()):
            sparklines = _Sparklines()
            for row in rows[:MAX_CHARTS]:
                drawn += 1
                row["chart"] = f"row-{drawn}"
                parts.append(f'<div data-chart="row-{drawn}">{sparklines.draw(row["cells"], years, drawn)}</div>')
    return "".join(parts), drawn


# ---------------------------------------------------------------------------
# The page


def _inline(code: str, tag: str) -> str:
    return re.sub(rf"</(?={tag})", r"<\\/", code, flags=re.IGNORECASE)


def render_dashboard(summary: dict, extractions) -> str:
    """The dashboard page for a corpus summary (:func:`kg.compare.summary.corpus_summary`) and its extractions."""
    data = dashboard_data(summary, extractions)
    charts, drawn = _charts(data, summary)
    data["charts_drawn"], data["max_charts"] = drawn, MAX_CHARTS
    title = f"法治政府建设年度报告 · {len(summary['reports'])} 份报告 reports"
    parts = {
        "title": html.escape(title),
        "css": _inline((_ASSETS / "dashboard.css").read_text(encoding="utf-8"), "style"),
        "js": _inline((_ASSETS / "dashboard.js").read_text(encoding="utf-8"), "script"),
        "data": embed_json(data),
        "charts": charts,
    }
    template = (_ASSETS / "dashboard.html").read_text(encoding="utf-8")
    return _MARKER.sub(lambda m: parts[m.group(1)], template)


def write_dashboard(summary: dict, extractions, out: str | Path) -> Path:
    """Write ``OUT/corpus.html`` (``out`` is the build folder or the file's path), atomically."""
    path = Path(out)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path / "corpus.html"
    atomic_write(path, render_dashboard(summary, extractions))
    return path
