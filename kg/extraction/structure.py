"""Stage 2, structure: text → sections (achievements / problems / plans / other) and items.

Headings are recognised by their enumeration markers (``一、``, ``(一)``/``（一）``,
``1.``/``1、``, ``(1)``/``（1）``) at the start of a line, and classified by the
keywords in ``data/lexicon/sections.json`` (or, failing those, by its
``plan_headings``: ``2024年重点工作``, ``今年的主要任务``). Topical top-level
headings are achievements before the problems and plans, plans after the plans
(a government work report's ``加强政府自身建设``), other after the problems. In a
述法 report the duties it reports on (第一责任人…) are its achievements.

Parts without a heading — an unheaded problems paragraph, plans introduced by
下一步 or 明年 — are found by :mod:`kg.extraction.discourse` and become sections
of their own. Closing lines (the issuing body, a date, ``各位代表，…``) belong to
no section. Items are read by :mod:`kg.extraction.items`. A report that states
no problems says so in ``warnings`` rather than inventing one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.extraction.discourse import Part, report_title, unheaded_parts
from kg.extraction.items import CN, Line, first_index, items_of, lines_of, rstrip, sentences
from kg.extraction.rules import cleared, compiled, lexicon
from kg.extraction.text import COLONS, SEMICOLONS, SENTENCE_MARKS, WHITE_SPACE
from kg.model import Item, Section, Span
from kg.resources import agency_suffixes, alternation

__all__ = ["segment", "sentences", "classify_heading", "StructureResult", "NO_PROBLEMS"]

_WS = WHITE_SPACE
_HEADING_MARKERS = (
    (1, re.compile(rf"[{CN}]{{1,3}}\s*[、.．]")),
    (2, re.compile(rf"[(（]\s*[{CN}]{{1,3}}\s*[)）]\s*[、.．]?")),
    (3, re.compile(r"[0-9０-９]{1,2}\s*[.．、](?![0-9０-９])")),
    (4, re.compile(r"[(（]\s*[0-9０-９]{1,2}\s*[)）]\s*[、.．]?")),
)
_HEADING_END = SENTENCE_MARKS + SEMICOLONS + COLONS  # a heading's title stops at the first of these
_ITEM_KIND = {"achievements": "measure", "problems": "problem", "plans": "plan"}
NO_PROBLEMS = "no problems part found: the report states no shortcomings, and none is invented"


@dataclass
class StructureResult:
    sections: list[Section]
    items: list[Item]
    warnings: list[str] = field(default_factory=list)


def _lexicon() -> dict:
    return lexicon("sections.json")


@compiled
def _plan_headings() -> re.Pattern:
    return re.compile("|".join(_lexicon()["plan_headings"]))


@compiled
def _closing_lines() -> re.Pattern:
    return re.compile("|".join(_lexicon()["closing_lines"]))


def classify_heading(heading: str, ignore: tuple[str, ...] = ()) -> str | None:
    """The section kind that a heading's keywords name (``ignore``: keywords that do not count), or None.

    >>> classify_heading("三、下步安排"), classify_heading("二、存在的不足和原因"), classify_heading("二、今年的主要任务")
    ('plans', 'problems', 'plans')
    """
    for kind, keywords in _keywords(ignore):
        if keywords is not None and keywords.search(heading):
            return kind
    return "plans" if _plan_headings().search(heading) else None


@cleared
@lru_cache(maxsize=8)
def _keywords(ignore: tuple[str, ...]) -> tuple[tuple[str, re.Pattern | None], ...]:
    """Each section kind, in the order of ``sections.json``, with a regex of its keywords (less ``ignore``)."""
    words = _lexicon()
    out = []
    for kind in words["order"]:
        kept = [word for word in words[kind] if word not in ignore]
        out.append((kind, re.compile(alternation(kept)) if kept else None))
    return tuple(out)


def _ignored_keywords(text: str) -> tuple[str, ...]:
    """Keywords that name the report's own subject in its title (a 述法 report's 第一责任人…)."""
    title = report_title(text)
    out: list[str] = []
    for cue, words in _lexicon()["title_genres"].items():
        if cue in title:
            out.extend(words)
    return tuple(out)


# --- lines and headings ------------------------------------------------------

@dataclass
class _Heading:
    level: int
    line: Line
    title: Span  # heading text without marker and closing punctuation
    body_start: int  # where the text governed by the heading starts on its own line


def _heading(text: str, line: Line) -> _Heading | None:
    for level, marker in _HEADING_MARKERS:
        match = marker.match(text, line.start, line.end)
        if not match:
            continue
        start = match.end()
        while start < line.end and text[start] in _WS:
            start += 1
        if start >= line.end:
            return None
        rest = text[start:line.end]
        stop = first_index(rest, _HEADING_END)
        if stop is None:
            # A whole-line heading; long unpunctuated lines are items, not headings.
            if level >= 3 and len(rest) > 40:
                return None
            end, body = line.end, line.end
        else:
            end, body = start + stop, start + stop + 1
        end = rstrip(text, start, end)
        if end <= start:
            return None
        return _Heading(level, line, Span.of(text, start, end), body)
    return None



# --- sections -----------------------------------------------------------------

def segment(text: str) -> StructureResult:
    """Find the sections and items of a report.

    >>> r = segment("一、工作开展情况\\n(一)强化保障。召开会议3次。\\n二、存在问题\\n一是力量不足;二是意识不强。\\n三、下步安排\\n一是加强培训。\\n二是完善机制。")
    >>> [i.kind for i in r.items], [i.span.text for i in r.items if i.kind != "measure"]
    (['measure', 'problem', 'problem', 'plan', 'plan'], ['力量不足', '意识不强', '加强培训', '完善机制'])
    """
    lines = lines_of(text)
    headings = [h for h in (_heading(text, line) for line in lines) if h is not None]
    closing = _closing_start(text, lines)
    lines = [line for line in lines if line.start < closing]
    sections = _sections(text, headings, closing, _ignored_keywords(text))
    parts = unheaded_parts(text, lines, sections, frozenset(h.line.start for h in headings))
    sections = _with_parts(text, sections, parts)
    tree = _Tree(sections)
    items: list[Item] = []
    counters = {"measure": 0, "problem": 0, "plan": 0}
    for section in sections:
        if section.kind == "other" or _read_elsewhere(section, tree):
            continue
        kind = _ITEM_KIND[section.kind]
        others = [(c.start, c.end) for c in tree.children.get(section.id, []) if c.kind != section.kind]
        for item in items_of(text, _clipped(text, section, others, kind), tree.same_kind_children(section),
                             kind, others):
            counters[kind] += 1
            item.id = f"{kind}-{counters[kind]}"
            items.append(item)
    warnings = [] if counters["problem"] or not (sections or items) else [NO_PROBLEMS]
    return StructureResult(sections, items, warnings)


def _clipped(text: str, section: Section, others: list[tuple[int, int]], kind: str) -> Section:
    """A problems or plans section read up to the first part of another kind inside it."""
    if kind == "measure" or not others:
        return section
    end = rstrip(text, section.body_start, min(start for start, _ in others))
    return Section(section.id, section.kind, section.level, section.heading, section.start, end,
                   section.body_start, section.parent)


def _with_parts(text: str, sections: list[Section], parts: list[Part]) -> list[Section]:
    """The headed sections and the unheaded parts together, in text order, numbered again."""
    if not parts:
        return sections
    found = [(s.start, s.level, s) for s in sections]
    for part in parts:
        container = part.container
        level = container.level + 1 if container else 1
        heading = Span.of(text, part.start, part.heading_end)
        found.append((part.start, level, Section("", part.kind, level, heading, part.start, part.end,
                                                 part.body_start, container.id if container else None)))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    renamed = {}
    for number, (_, _, section) in enumerate(found, 1):
        renamed[id(section)] = f"section-{number}"
    old_ids = {s.id: renamed[id(s)] for _, _, s in found if s.id}
    out = []
    for _, _, section in found:
        parent = old_ids.get(section.parent) if section.parent else None
        out.append(Section(renamed[id(section)], section.kind, section.level, section.heading, section.start,
                           section.end, section.body_start, parent))
    return out


@compiled
def _signature() -> re.Pattern:
    """A closing line that names the issuing body: a short name ending in an agency suffix."""
    return re.compile(rf"^\S{{2,30}}(?:{alternation(agency_suffixes())})$")


_SIGNATURE_DATE = re.compile(
    r"^[0-9０-９〇零一二三四五六七八九]{4}\s*年\s*[0-9０-９一二三四五六七八九十]{1,3}\s*月\s*[0-9０-９一二三四五六七八九十]{1,3}\s*日$"
)


def _closing_start(text: str, lines: list[Line]) -> int:
    """Where the closing lines begin (issuing body, date, a closing address to the delegates); len(text) if none.

    Many reports end with the issuing body and a date instead of a metadata line,
    a government work report with an appeal to the delegates (各位代表，…奋斗！);
    those lines belong to no section.
    """
    start = len(text)
    tail = lines[-3:]
    for line in reversed(tail):
        content = text[line.start:line.end]
        if not (_SIGNATURE_DATE.match(content) or _signature().match(content)):
            break
        start = line.start
    before = [line for line in tail if line.start < start]
    if before and _closing_lines().match(text, before[-1].start, before[-1].end):
        start = before[-1].start
    return start


def _sections(text: str, headings: list[_Heading], limit: int, ignore: tuple[str, ...] = ()) -> list[Section]:
    top_levels = sorted({h.level for h in headings if h.level <= 2})
    if not top_levels:
        return []
    # Section levels are 1 and 2 relative to the outermost marker style used.
    outer = top_levels[0]
    structural = [h for h in headings if h.level in (outer, outer + 1) and h.line.start < limit]
    ends = _section_ends(structural, limit)
    sections: list[Section] = []
    stack: list[Section] = []
    seen: str | None = None  # the last top-level kind of problems or plans
    for index, heading in enumerate(structural):
        level = heading.level - outer + 1
        end = ends[index]
        while stack and stack[-1].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        kind = classify_heading(heading.title.text, ignore)
        if kind is None:
            if parent is not None:
                kind = parent.kind
            else:
                # Topical top-level headings: achievements before the problems and plans, plans after plans.
                kind = {None: "achievements", "plans": "plans"}.get(seen, "other")
        if level == 1 and kind in ("problems", "plans"):
            seen = kind
        section = Section(
            id=f"section-{len(sections) + 1}", kind=kind, level=level, heading=heading.title,
            start=heading.line.start, end=_rstrip_ws(text, heading.line.start, end),
            body_start=heading.body_start, parent=parent.id if parent else None,
        )
        sections.append(section)
        stack.append(section)
    return sections


def _section_ends(headings: list[_Heading], limit: int) -> list[int]:
    """Each heading governs the text up to the next heading of the same or a higher level."""
    ends = [limit] * len(headings)
    waiting: list[int] = []
    for index, heading in enumerate(headings):
        while waiting and headings[waiting[-1]].level >= heading.level:
            ends[waiting.pop()] = heading.line.start
        waiting.append(index)
    return ends


def _rstrip_ws(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _WS:
        end -= 1
    return end


class _Tree:
    """Parent and children of each section, indexed once (reports may hold thousands)."""

    def __init__(self, sections: list[Section]) -> None:
        self.by_id = {s.id: s for s in sections}
        self.children: dict[str, list[Section]] = {}
        for s in sections:
            if s.parent:
                self.children.setdefault(s.parent, []).append(s)

    def same_kind_children(self, section: Section) -> list[Section]:
        return [s for s in self.children.get(section.id, []) if s.kind == section.kind]


def _read_elsewhere(section: Section, tree: _Tree) -> bool:
    """Problems and plans are read from the top section; achievements per leaf."""
    if section.kind in ("problems", "plans") and section.parent:
        if tree.by_id[section.parent].kind == section.kind:
            return True  # handled with its parent
    if section.kind == "achievements":
        return bool(tree.same_kind_children(section))
    return False
