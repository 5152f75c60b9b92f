"""Parts of a report that have no heading of their own: found by their discourse markers and position.

Government work reports state their problems in one paragraph at the end of
the review (``在肯定成绩的同时，我们也清醒地看到…：一是…；二是…``), department
summaries close with ``明年，我局将重点抓好以下工作：一是…``, and many reports of
every genre do the same. A paragraph of a section of another kind that opens
with a marker of ``data/lexicon/sections.json`` (``discourse``) starts such a
part: a problems marker within its first words, a plans marker at its start
(``下一步``, ``明年``, ``今后``, or a year after the report's own followed by
将/要). The part runs over the paragraph and the enumerated lines right after
it (``一是…`` on lines of their own); its introduction up to the colon (or the
marker's sentence) is its heading.

>>> text = "一、工作情况\\n全年办案12件。\\n但也存在一些不足：一是人手少；二是经费紧。\\n"
>>> [(p.kind, text[p.body_start:p.end]) for p in unheaded_parts(text, lines_of(text), [])]
[('problems', '一是人手少；二是经费紧。')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extraction.items import Line, first_index, first_point, lines_of, point_at, rstrip
from kg.extraction.rules import cleared, compiled, lexicon
from kg.model import Section

__all__ = ["Part", "unheaded_parts", "report_title", "report_year", "lines_of"]

_MARKER_WINDOW = 60  # a problems marker stands within the first characters of its paragraph
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass
class Part:
    kind: str  # "problems" | "plans"
    start: int  # the marker paragraph's first character
    body_start: int  # after its introduction
    heading_end: int  # end of the introduction (the part's heading)
    end: int  # end of its last line
    container: Section | None  # the headed section it lies in


@compiled
def _rules() -> dict:
    rules = lexicon("sections.json")["discourse"]
    return {"problems": re.compile("|".join(rules["problems"])), "plans": rules["plans"],
            "plans_year": re.compile(rules["plans_year"]), "by_title": rules["plans_by_title"]}


def _markers(title: str) -> dict[str, re.Pattern]:
    """The markers for a report of this title (a government work report's 今年…将 is a plan)."""
    rules = _rules()
    plans = list(rules["plans"])
    for cue, extra in rules["by_title"].items():
        if cue in title:
            plans.extend(extra)
    return {"problems": rules["problems"], "plans": _alternation(tuple(plans)), "plans_year": rules["plans_year"]}


@cleared
@lru_cache(maxsize=8)
def _alternation(patterns: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(patterns))


def report_title(text: str) -> str:
    """The report's first line, where its title stands."""
    return text[:200].split("\n", 1)[0]


def report_year(text: str) -> int | None:
    """The year a report is about: the first year its title names."""
    match = _YEAR.search(report_title(text))
    return int(match.group()) if match else None


def unheaded_parts(text: str, lines: list[Line], sections: list[Section], headed_lines: frozenset = frozenset()
                   ) -> list[Part]:
    """The problems and plans parts that open with a marker inside sections of another kind (or, in a
    text without sections, anywhere)."""
    markers, year = _markers(report_title(text)), report_year(text)
    by_id = {s.id: s for s in sections}
    innermost = _Sweep(sections)
    parts: list[Part] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        container = innermost(line.start)
        kind = None
        if line.start not in headed_lines and (container is not None or not sections):
            kind = _kind_of(text, line, markers, year)
        if kind is None or (container is not None and _already(container, kind, by_id)):
            index += 1
            continue
        last = index
        limit = container.end if container else len(text)
        while (last + 1 < len(lines) and lines[last + 1].start < limit and lines[last + 1].start not in headed_lines
               and point_at(text, lines[last + 1].start)):
            last += 1  # the enumerated points that follow on lines of their own
        heading_end, body_start = _introduction(text, line)
        parts.append(Part(kind, line.start, body_start, heading_end, lines[last].end, container))
        index = last + 1
    return parts


def _kind_of(text: str, line: Line, markers: dict[str, re.Pattern], year: int | None) -> str | None:
    window_end = min(line.end, line.start + _MARKER_WINDOW)
    point = first_point(text, line.start, window_end)
    if point is not None:
        window_end = point  # the marker introduces the points: it stands before the first
    if markers["plans"].match(text, line.start, line.end):
        return "plans"
    stated = markers["plans_year"].match(text, line.start, line.end)
    if stated and year is not None and int(stated.group("year")) > year:
        return "plans"
    if markers["problems"].search(text, line.start, window_end):
        return "problems"
    return None


def _already(container: Section, kind: str, by_id: dict[str, Section]) -> bool:
    """A marker inside a part of its own kind is part of it (and problems are never read inside plans)."""
    kinds = {container.kind}
    parent = by_id.get(container.parent) if container.parent else None
    while parent is not None:
        kinds.add(parent.kind)
        parent = by_id.get(parent.parent) if parent.parent else None
    return kind in kinds or (kind == "problems" and "plans" in kinds)


def _introduction(text: str, line: Line) -> tuple[int, int]:
    """(end of the introduction, start of the body): up to a colon before the first point, else the first
    sentence when more follows, else the first clause."""
    point = first_point(text, line.start, line.end)
    limit = point if point is not None else line.end
    stop = first_index(text[line.start:limit], "：:")
    if stop is None:
        stop = first_index(text[line.start:limit], "。")
        if stop is None or line.start + stop + 1 >= line.end:
            stop = first_index(text[line.start:limit], "，,")
    if stop is None:
        return line.end, line.end
    end = line.start + stop
    return rstrip(text, line.start, end), end + 1


class _Sweep:
    """The innermost section holding each position, for positions that never decrease (sections nest)."""

    def __init__(self, sections: list[Section]) -> None:
        self.pending = sorted(sections, key=lambda s: (s.start, s.level))
        self.stack: list[Section] = []
        self.cursor = 0

    def __call__(self, position: int) -> Section | None:
        while self.cursor < len(self.pending) and self.pending[self.cursor].start <= position:
            section = self.pending[self.cursor]
            while self.stack and self.stack[-1].end <= section.start:
                self.stack.pop()
            self.stack.append(section)
            self.cursor += 1
        while self.stack and self.stack[-1].end <= position:
            self.stack.pop()
        return self.stack[-1] if self.stack else None
