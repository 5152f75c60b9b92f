"""Stage 2, structure: text → sections (achievements / problems / plans / other) and items.

Headings are recognised by their enumeration markers (``一、``, ``(一)``/``（一）``,
``1.``/``1、``, ``(1)``/``（1）``) at the start of a line, and classified by the
keywords in ``data/lexicon/sections.json``. Items are

* measures: the sentences of an achievements section, grouped by the nearest
  second-level heading;
* problems and plans: enumerated items (``一是…``, ``第一，…``, ``1.…``, ``(1)…``,
  at the start of a line or inline), else second-level sub-sections, else the
  paragraphs of the section, else its sentences.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extraction.rules import compiled, lexicon
from kg.extraction.text import COLONS, SEMICOLONS, SENTENCE_MARKS, WHITE_SPACE
from kg.model import Item, Section, Span
from kg.resources import agency_suffixes, alternation

__all__ = ["segment", "sentences", "StructureResult"]

_CN = "一二三四五六七八九十"
_WS = WHITE_SPACE
_HEADING_MARKERS = (
    (1, re.compile(rf"[{_CN}]{{1,3}}\s*[、.．]")),
    (2, re.compile(rf"[(（]\s*[{_CN}]{{1,3}}\s*[)）]\s*[、.．]?")),
    (3, re.compile(r"[0-9０-９]{1,2}\s*[.．、](?![0-9０-９])")),
    (4, re.compile(r"[(（]\s*[0-9０-９]{1,2}\s*[)）]\s*[、.．]?")),
)
# Inline enumerations, by family; an item list uses one family throughout.
_ENUM_FAMILIES = {
    "shi": rf"[{_CN}]{{1,3}}是(?=[^{_WS}])",
    "di": rf"第[{_CN}]{{1,3}}\s*[，,、:：]",
    "qi": rf"其[{_CN}]\s*[，,、:：]",
    "paren": r"[(（][0-9０-９]{1,2}[)）]",
    "num": r"[0-9０-９]{1,2}[.．、](?![0-9０-９])",
}
_ENUM_BEFORE = rf"(?:(?<=^)|(?<=[。；;：:，,!！?？{_WS}]))"
_ENUM = {name: re.compile(_ENUM_BEFORE + pattern, re.M) for name, pattern in _ENUM_FAMILIES.items()}
_HEADING_END = SENTENCE_MARKS + SEMICOLONS + COLONS  # a heading's title stops at the first of these
_TITLE_END = SENTENCE_MARKS + SEMICOLONS  # an item's title: its first sentence or semicolon clause
_TRIM = _WS + "。；;，,、:："


@dataclass
class StructureResult:
    sections: list[Section]
    items: list[Item]


def _lexicon() -> dict:
    return lexicon("sections.json")


@compiled
def _intro_pattern() -> re.Pattern:
    return re.compile("^(?:" + "|".join(_lexicon()["intro"]) + ")")


@compiled
def _causes() -> re.Pattern:
    return re.compile(alternation(_lexicon()["causes"]))


def classify_heading(heading: str) -> str | None:
    """The section kind that a heading's keywords name, or None.

    >>> classify_heading("三、下步安排"), classify_heading("二、存在的不足和原因")
    ('plans', 'problems')
    """
    lexicon = _lexicon()
    for kind in lexicon["order"]:
        if any(word in heading for word in lexicon[kind]):
            return kind
    return None


# --- lines and headings ------------------------------------------------------

@dataclass
class _Line:
    start: int  # first non-blank character
    end: int  # after the last non-blank character


def _lines(text: str) -> list[_Line]:
    out = []
    for match in re.finditer(r"[^\n]+", text):
        raw = match.group()
        lead = len(raw) - len(raw.lstrip(_WS))
        trail = len(raw) - len(raw.rstrip(_WS))
        if lead < len(raw):
            out.append(_Line(match.start() + lead, match.end() - trail))
    return out


@dataclass
class _Heading:
    level: int
    line: _Line
    title: Span  # heading text without marker and closing punctuation
    body_start: int  # where the text governed by the heading starts on its own line


def _heading(text: str, line: _Line) -> _Heading | None:
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
        stop = _first_index(rest, _HEADING_END)
        if stop is None:
            # A whole-line heading; long unpunctuated lines are items, not headings.
            if level >= 3 and len(rest) > 40:
                return None
            end, body = line.end, line.end
        else:
            end, body = start + stop, start + stop + 1
        end = _rstrip(text, start, end)
        if end <= start:
            return None
        return _Heading(level, line, Span.of(text, start, end), body)
    return None


def _first_index(s: str, chars: str) -> int | None:
    positions = [i for i in (s.find(c) for c in chars) if i >= 0]
    return min(positions) if positions else None


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return end


def _lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start] in _TRIM:
        start += 1
    return start


# --- sections -----------------------------------------------------------------

def segment(text: str) -> StructureResult:
    """Find the sections and items of a report.

    >>> r = segment("一、工作开展情况\\n(一)强化保障。召开会议3次。\\n二、存在问题\\n一是力量不足;二是意识不强。\\n三、下步安排\\n一是加强培训。\\n二是完善机制。")
    >>> [i.kind for i in r.items], [i.span.text for i in r.items if i.kind != "measure"]
    (['measure', 'problem', 'problem', 'plan', 'plan'], ['力量不足', '意识不强', '加强培训', '完善机制'])
    """
    lines = _lines(text)
    headings = [h for h in (_heading(text, line) for line in lines) if h is not None]
    sections = _sections(text, headings, _closing_start(text, lines))
    tree = _Tree(sections)
    items: list[Item] = []
    counters = {"measure": 0, "problem": 0, "plan": 0}
    for section in sections:
        if section.kind == "other" or _read_elsewhere(section, tree):
            continue
        kind = {"achievements": "measure", "problems": "problem", "plans": "plan"}[section.kind]
        for item in _items_of(text, section, tree, kind):
            counters[kind] += 1
            item.id = f"{kind}-{counters[kind]}"
            items.append(item)
    return StructureResult(sections, items)


@compiled
def _signature() -> re.Pattern:
    """A closing line that names the issuing body: a short name ending in an agency suffix."""
    return re.compile(rf"^\S{{2,30}}(?:{alternation(agency_suffixes())})$")


_SIGNATURE_DATE = re.compile(
    r"^[0-9０-９〇零一二三四五六七八九]{4}\s*年\s*[0-9０-９一二三四五六七八九十]{1,3}\s*月\s*[0-9０-９一二三四五六七八九十]{1,3}\s*日$"
)


def _closing_start(text: str, lines: list[_Line]) -> int:
    """Where a closing signature (issuing body and/or date lines) begins; len(text) if none.

    Many reports end with the issuing body and a date instead of a metadata line;
    those lines belong to no section.
    """
    start = len(text)
    for line in reversed(lines[-3:]):
        content = text[line.start:line.end]
        if not (_SIGNATURE_DATE.match(content) or _signature().match(content)):
            break
        start = line.start
    return start


def _sections(text: str, headings: list[_Heading], limit: int) -> list[Section]:
    top_levels = sorted({h.level for h in headings if h.level <= 2})
    if not top_levels:
        return []
    # Section levels are 1 and 2 relative to the outermost marker style used.
    outer = top_levels[0]
    structural = [h for h in headings if h.level in (outer, outer + 1)]
    ends = _section_ends(structural, limit)
    sections: list[Section] = []
    stack: list[Section] = []
    seen_problem_or_plan = False
    for index, heading in enumerate(structural):
        level = heading.level - outer + 1
        end = ends[index]
        while stack and stack[-1].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        kind = classify_heading(heading.title.text)
        if kind is None:
            if parent is not None:
                kind = parent.kind
            else:
                # Topical top-level headings before the problems are achievements.
                kind = "other" if seen_problem_or_plan else "achievements"
        if level == 1 and kind in ("problems", "plans"):
            seen_problem_or_plan = True
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
        return bool(tree.children.get(section.id))
    return False


# --- items ---------------------------------------------------------------------

def _items_of(text: str, section: Section, tree: _Tree, kind: str) -> list[Item]:
    if kind == "measure":
        group = section if section.level > 1 else None
        return [
            _item(kind, span, section, group)
            for span in _sentence_spans(text, section.body_start, section.end)
        ]
    children = tree.same_kind_children(section)
    if not children:
        return [_item(kind, span, section, None, title)
                for span, title in _list_items(text, section.body_start, section.end)]
    items: list[Item] = []
    for child in children:
        body_start = child.body_start
        enumerated = _enumerated(text, body_start, child.end)
        if kind == "problem" and enumerated:
            # The sub-heading names an area; its enumerated items are the problems.
            items.extend(_item(kind, span, child, child, title) for span, title in enumerated)
        else:
            # Heading with a body: the sub-section itself is one item.
            end = _cut_causes(text, child.heading.start, child.end)
            span = Span.of(text, child.heading.start, _rstrip(text, child.heading.start, end))
            items.append(_item(kind, span, child, None, child.heading))
    return items


def _item(kind: str, span: Span, section: Section, group: Section | None, title: Span | None = None) -> Item:
    return Item(
        id="", kind=kind, span=span, section=section.id,
        group=group.heading.text if group else None, group_id=group.id if group else None,
        title=title,
    )


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences (ending in one of ``SENTENCE_MARKS``), trimmed of marks and white space."""
    return _sentence_spans(text, start, len(text) if end is None else end)


def _sentence_spans(text: str, start: int, end: int) -> list[Span]:
    return _pieces(text, start, end, SENTENCE_MARKS, skip_markers=True)


def _pieces(text: str, start: int, end: int, marks: str, *, skip_markers: bool = False) -> list[Span]:
    """The stretches of [start, end) between ``marks``, trimmed (and without 一是… markers)."""
    out, cursor = [], start
    for i in range(start, end + 1):
        if i == end or text[i] in marks:
            s = _lstrip(text, cursor, i)
            if skip_markers:
                s = _skip_marker(text, s, i)
            e = _rstrip(text, s, i)
            if e > s:
                out.append(Span.of(text, s, e))
            cursor = i + 1
    return out


def _skip_marker(text: str, start: int, end: int) -> int:
    for pattern in _ENUM.values():
        match = pattern.match(text, start, end)
        if match:
            return _lstrip(text, match.end(), end)
    return start


def _enumerated(text: str, start: int, end: int) -> list[tuple[Span, Span]]:
    """Items marked 一是/第一，/(1)/1. in [start, end); [] when there are fewer than two."""
    best: list[re.Match] = []
    for pattern in _ENUM.values():
        found = list(pattern.finditer(text, start, end))
        if len(found) >= 2 and (not best or found[0].start() < best[0].start()):
            best = found
    if not best:
        return []
    out = []
    line_starts = _line_start_markers(text, best)
    for index, match in enumerate(best):
        item_end = best[index + 1].start() if index + 1 < len(best) else end
        if not line_starts:
            # Inline items stop at the end of their paragraph.
            newline = text.find("\n", match.end(), item_end)
            if newline >= 0:
                item_end = newline
        item_end = _cut_causes(text, match.end(), item_end)
        s = _lstrip(text, match.end(), item_end)
        e = _rstrip(text, s, item_end)
        if e > s:
            out.append((Span.of(text, s, e), _title(text, s, e)))
    return out


def _line_start_markers(text: str, matches: list[re.Match]) -> bool:
    def at_line_start(m: re.Match) -> bool:
        i = m.start() - 1
        while i >= 0 and text[i] in " \t\u3000\xa0":
            i -= 1
        return i < 0 or text[i] == "\n"
    return all(at_line_start(m) for m in matches)


def _cut_causes(text: str, start: int, end: int) -> int:
    """An item ends before a sentence that explains causes (究其原因…)."""
    match = _causes().search(text, start, end)
    if match and match.start() > start:
        return match.start()
    return end


def _title(text: str, start: int, end: int) -> Span:
    stop = _first_index(text[start:end], _TITLE_END)
    title_end = _rstrip(text, start, start + stop) if stop is not None else end
    return Span.of(text, start, title_end)


def _list_items(text: str, start: int, end: int) -> list[tuple[Span, Span]]:
    """Items of a problems/plans section that has no sub-sections."""
    enumerated = _enumerated(text, start, end)
    if enumerated:
        return enumerated
    paragraphs = [Span.of(text, line.start, line.end) for line in _lines(text[:end]) if line.start >= start]
    intro = _intro_pattern()
    if len(paragraphs) > 1 and (intro.match(paragraphs[0].text) or paragraphs[0].text.endswith((":", "："))):
        paragraphs = paragraphs[1:]
    if len(paragraphs) == 1:
        paragraph = paragraphs[0]
        pieces = _split(text, paragraph.start, paragraph.end, SENTENCE_MARKS + SEMICOLONS)
        if pieces and intro.match(pieces[0].text) and len(pieces) > 1:
            pieces = pieces[1:]
        return [(p, _title(text, p.start, p.end)) for p in pieces]
    out = []
    for p in paragraphs:
        e = _rstrip(text, p.start, _cut_causes(text, p.start, p.end))
        if e > p.start:
            out.append((Span.of(text, p.start, e), _title(text, p.start, e)))
    return out


def _split(text: str, start: int, end: int, marks: str) -> list[Span]:
    return _pieces(text, start, _cut_causes(text, start, end), marks)
