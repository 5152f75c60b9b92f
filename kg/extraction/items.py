"""Items of a section: enumerated points, sub-sections with a body, paragraphs, sentences.

Problems and plans are enumerated items (``一是…``, ``第一，…``, ``(1)…``,
``1.…``, ``从…看，…``, at the start of a line or inline), else second-level
sub-sections (each one item, or — under a heading that names an area, or
a list of 实事 — its enumerated points), else the paragraphs of the section,
else its sentences. An item ends before a sentence that explains causes
(究其原因…); a problem also before one that promises to deal with them (对此…).
Measures are the sentences of an achievements section.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extraction.rules import compiled, lexicon
from kg.extraction.text import SEMICOLONS, SENTENCE_MARKS, WHITE_SPACE
from kg.model import Item, Section, Span
from kg.resources import alternation

__all__ = ["Line", "lines_of", "enumerated", "list_items", "items_of", "sentence_spans", "first_index",
           "rstrip", "lstrip", "point_at", "first_point", "CN", "MARKER"]

CN = "一二三四五六七八九十"
_WS = WHITE_SPACE
# Inline enumerations, by family; an item list uses one family throughout.
_ENUM_FAMILIES = {
    "shi": rf"[{CN}]{{1,3}}是(?=[^{_WS}])",
    "di": rf"第[{CN}]{{1,3}}\s*[，,、:：]",
    "qi": rf"其[{CN}]\s*[，,、:：]",
    "paren": r"[(（][0-9０-９]{1,2}[)）]",
    "num": r"[0-9０-９]{1,2}[.．、](?![0-9０-９])",
}
_BOUNDARY = frozenset("。；;：:，,!！?？" + _WS)  # what may stand before an enumeration marker
_TITLE_END = SENTENCE_MARKS + SEMICOLONS  # an item's title: its first sentence or semicolon clause
_TRIM = _WS + "。；;，,、:："
_LINE = re.compile(r"[^\n]+")


def _lexicon() -> dict:
    return lexicon("sections.json")


@compiled
def _enumerations() -> re.Pattern:
    """All enumeration families in one regex, a named group each: numbered ones here, worded ones
    (从…看，) from ``sections.json``. (One scan with a first-character test is six times cheaper than
    a lookbehind-first regex a family.)"""
    families = dict(_ENUM_FAMILIES)
    for index, pattern in enumerate(_lexicon()["enumerations"]):
        families[f"worded{index}"] = pattern
    return re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in families.items()))


_NUMBERED = re.compile("|".join(f"(?:{pattern})" for pattern in _ENUM_FAMILIES.values()))
# Any marker that may open a point or a sub-heading, with the space after it: (一), 一是, (1), 1. …
MARKER = re.compile(rf"(?:{_NUMBERED.pattern}|[(（]\s*[{CN}]{{1,3}}\s*[)）])\s*")


def point_at(text: str, position: int) -> bool:
    """Whether a numbered enumeration marker (一是, (1), 1., 第一，, 其一，) starts at ``position``."""
    return _NUMBERED.match(text, position) is not None


def first_point(text: str, start: int, end: int) -> int | None:
    """Where the first numbered enumeration marker standing at a boundary in [start, end) begins."""
    for match in _NUMBERED.finditer(text, start, end):
        at = match.start()
        if at == 0 or text[at - 1] in _BOUNDARY:
            return at
    return None


def _markers(text: str, start: int, end: int) -> dict[str, list[re.Match]]:
    """The enumeration markers in [start, end) that stand at a boundary, by family, in text order."""
    found: dict[str, list[re.Match]] = {}
    for match in _enumerations().finditer(text, start, end):
        at = match.start()
        if at == 0 or text[at - 1] in _BOUNDARY:
            found.setdefault(match.lastgroup, []).append(match)
    return found


@compiled
def _intro_pattern() -> re.Pattern:
    return re.compile("^(?:" + "|".join(_lexicon()["intro"]) + ")")


@compiled
def _causes() -> re.Pattern:
    return re.compile(alternation(_lexicon()["causes"]))


@compiled
def _closing() -> re.Pattern:
    """A sentence that promises to deal with the problems just listed (对此，我们将…): not a problem."""
    return re.compile(rf"(?:^|(?<=[。；;!！?？]))\s*(?:{'|'.join(_lexicon()['problems_closing'])})")


@compiled
def _announces() -> re.Pattern:
    return re.compile(alternation(_lexicon()["intro_announces"]))


@compiled
def _list_words() -> re.Pattern:
    return re.compile(alternation(_lexicon()["item_lists"]))


# --- lines -----------------------------------------------------------------------

@dataclass
class Line:
    start: int  # first non-blank character
    end: int  # after the last non-blank character


def lines_of(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    """The non-blank lines of ``text[start:end]``, trimmed of white space."""
    out = []
    for match in _LINE.finditer(text, start, len(text) if end is None else end):
        raw = match.group()
        lead = len(raw) - len(raw.lstrip(_WS))
        trail = len(raw) - len(raw.rstrip(_WS))
        if lead < len(raw):
            out.append(Line(match.start() + lead, match.end() - trail))
    return out


def first_index(s: str, chars: str) -> int | None:
    positions = [i for i in (s.find(c) for c in chars) if i >= 0]
    return min(positions) if positions else None


def rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in _TRIM:
        end -= 1
    return end


def lstrip(text: str, start: int, end: int) -> int:
    while start < end and text[start] in _TRIM:
        start += 1
    return start



# --- items ---------------------------------------------------------------------

def items_of(text: str, section: Section, children: list[Section], kind: str,
             skip: list[tuple[int, int]] = ()) -> list[Item]:
    """The items of ``section`` (``kind`` measure, problem or plan); ``children`` are its sub-sections of
    the same kind, ``skip`` the stretches of it that are parts of another kind (an unheaded problems paragraph)."""
    if kind == "measure":
        group = section if section.level > 1 else None
        return [_item(kind, span, section, group) for span in sentence_spans(text, section.body_start, section.end)
                if not any(s <= span.start < e for s, e in skip)]
    if not children:
        return [_item(kind, span, section, None, title)
                for span, title in list_items(text, section.body_start, section.end, kind)]
    items: list[Item] = []
    for child in children:
        points = enumerated(text, child.body_start, child.end, kind)
        if points and (kind == "problem" or _names_a_list(text, child)):
            # The sub-heading names an area (or a list of 实事); its enumerated points are the items.
            items.extend(_item(kind, span, child, child, title) for span, title in points)
        else:
            # Heading with a body: the sub-section itself is one item.
            end = _cut(text, child.heading.start, child.end, kind)
            span = Span.of(text, child.heading.start, rstrip(text, child.heading.start, end))
            items.append(_item(kind, span, child, None, child.heading))
    return items


def _names_a_list(text: str, section: Section) -> bool:
    """A plan sub-section that lists its points as separate items: its heading or lead names them (十件民生实事)."""
    first = first_index(text[section.body_start:section.end], "：:。")
    lead_end = section.body_start + first if first is not None else section.end
    return bool(_list_words().search(text, section.heading.start, lead_end))


def _item(kind: str, span: Span, section: Section, group: Section | None, title: Span | None = None) -> Item:
    return Item(
        id="", kind=kind, span=span, section=section.id,
        group=group.heading.text if group else None, group_id=group.id if group else None,
        title=title,
    )


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences (ending in one of ``SENTENCE_MARKS``), trimmed of marks and white space."""
    return sentence_spans(text, start, len(text) if end is None else end)


def sentence_spans(text: str, start: int, end: int) -> list[Span]:
    return _pieces(text, start, end, SENTENCE_MARKS, skip_markers=True)


def _pieces(text: str, start: int, end: int, marks: str, *, skip_markers: bool = False) -> list[Span]:
    """The stretches of [start, end) between ``marks``, trimmed (and without 一是… markers)."""
    out, cursor = [], start
    for i in range(start, end + 1):
        if i == end or text[i] in marks:
            s = lstrip(text, cursor, i)
            if skip_markers:
                s = _skip_marker(text, s, i)
            e = rstrip(text, s, i)
            if e > s:
                out.append(Span.of(text, s, e))
            cursor = i + 1
    return out


def _skip_marker(text: str, start: int, end: int) -> int:
    match = _enumerations().match(text, start, end)
    if match and (start == 0 or text[start - 1] in _BOUNDARY):
        return lstrip(text, match.end(), end)
    return start


def enumerated(text: str, start: int, end: int, kind: str = "problem") -> list[tuple[Span, Span]]:
    """Items marked 一是/第一，/(1)/1./从…看 in [start, end), with their titles; [] when fewer than two."""
    best: list[re.Match] = []
    for found in _markers(text, start, end).values():
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
        item_end = _cut(text, match.end(), item_end, kind)
        s = lstrip(text, match.end(), item_end)
        e = rstrip(text, s, item_end)
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


def _cut(text: str, start: int, end: int, kind: str) -> int:
    """An item ends before a sentence that explains causes (究其原因…); a problem also before one that
    promises a remedy (对此，我们将…)."""
    match = _causes().search(text, start, end)
    if match and match.start() > start:
        end = match.start()
    if kind == "problem":
        match = _closing().search(text, start, end)
        if match and match.start() > start:
            end = match.start()
    return end


def _title(text: str, start: int, end: int) -> Span:
    stop = first_index(text[start:end], _TITLE_END)
    title_end = rstrip(text, start, start + stop) if stop is not None else end
    return Span.of(text, start, title_end)


def list_items(text: str, start: int, end: int, kind: str = "problem") -> list[tuple[Span, Span]]:
    """Items of a problems/plans section that has no sub-sections."""
    points = enumerated(text, start, end, kind)
    if points:
        return points
    paragraphs = [Span.of(text, line.start, line.end) for line in lines_of(text, start, end)]
    intro = _intro_pattern()
    if len(paragraphs) > 1 and (intro.match(paragraphs[0].text) or paragraphs[0].text.endswith((":", "："))):
        paragraphs = paragraphs[1:]
    if len(paragraphs) == 1:
        paragraph = paragraphs[0]
        pieces = _pieces(text, paragraph.start, _cut(text, paragraph.start, paragraph.end, kind),
                         SENTENCE_MARKS + SEMICOLONS)
        if pieces and len(pieces) > 1:
            pieces[0] = _after_intro(text, pieces[0], intro)
        return [(p, _title(text, p.start, p.end)) for p in pieces if p is not None]
    out = []
    for p in paragraphs:
        e = rstrip(text, p.start, _cut(text, p.start, p.end, kind))
        if e > p.start:
            out.append((Span.of(text, p.start, e), _title(text, p.start, e)))
    return out


def _after_intro(text: str, piece: Span, intro: re.Pattern) -> Span | None:
    """The first piece of a one-paragraph list without its introduction (下一步，我们将重点做好以下工作：).

    The introduction ends at a colon; an introductory piece with no colon is all
    introduction when it announces what follows (以下, 几个方面), else it is a point itself.
    """
    if not intro.match(piece.text):
        return piece
    colon = first_index(piece.text, "：:")
    if colon is None:
        return None if _announces().search(piece.text) else piece
    start = lstrip(text, piece.start + colon + 1, piece.end)
    return Span.of(text, start, piece.end) if start < piece.end else None
