"""The dashboard's charts: matplotlib figures as inline SVG markup.

Drawn from numbers only (no report text reaches them), glyphs as paths in a Noto
CJK font found through matplotlib's font manager, with a fixed hash salt and no
date, so the same input gives the same bytes. :func:`page_charts` gives the
overview of reports on time and late by year, and a sparkline for each of the
first ``MAX_CHARTS`` rows of the indicator matrix.
"""
from __future__ import annotations

import io
import re
from functools import cache

__all__ = ["page_charts", "MAX_CHARTS"]

MAX_CHARTS = 200  # small charts drawn (about 10 ms each); further rows show their numbers only
_STATUS_COLOUR = {"consistent": "#2e7d32", "inconsistent": "#c62828", "cannot_check": "#9e9e9e", None: "#1f77b4"}
_CJK_FAMILIES = ["Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei"]


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


def page_charts(data: dict, summary: dict) -> tuple[str, int]:
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
