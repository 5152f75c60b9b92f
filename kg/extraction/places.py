"""Places: names by their suffix (…省 …县 …镇), towns listed before a count, sites (…开发区).

>>> from kg.extraction.entities import extract_entities
>>> from kg.model import ReportMeta
>>> meta = ReportMeta(id="t", source="t.txt", encoding="utf-8", sha256="")
>>> [e.label for e in extract_entities("打造青禾、白石、东岭三个乡镇示范点。", [], meta)[0] if e.type == "Place"]
['青禾', '白石', '东岭']
"""
from __future__ import annotations

import re
from bisect import bisect_right

from kg.extraction.names import Candidate, TextView, fold_key, is_cjk, name_lexicon, scan_left
from kg.extraction.rules import compiled
from kg.extraction.text import NUMERAL_CHARS, numeral
from kg.model import ReportMeta
from kg.resources import alternation

__all__ = ["find_places", "place_level", "rank", "RANKS"]


def place_level(name: str) -> str | None:
    lex = name_lexicon()
    if not name or name[-1] not in lex.place_suffix_ends:
        return None
    match = lex.place_suffix_re.search(name)
    return lex.levels[match.group(0)] if match else None


@compiled
def _place_word_ends() -> re.Pattern:
    lex = name_lexicon()
    letters = lex.place_suffix_ends | {suffix[-1] for suffix in lex.bare_suffixes}
    return re.compile("[" + "".join(sorted(map(re.escape, letters))) + "]")


def _good_place_name(name: str) -> bool:
    spec = name_lexicon().heads["Place"]
    return (len(name) >= 3 and name not in spec["not_places"]
            and not name.startswith(tuple(spec["not_name_prefixes"]))
            and all(is_cjk(c) for c in name))


def find_places(tx: TextView, meta: ReportMeta) -> tuple[list[Candidate], list[Candidate]]:
    """Places by suffix (…省 …县 …镇), counted lists (甲、乙三个乡镇), sites (…开发区)."""
    lex, text = name_lexicon(), tx.text
    found: dict[tuple[int, int], Candidate] = {}

    def add(start: int, end: int, level: str | None, rule: str, parent: str | None = None) -> None:
        label = text[start:end]
        if (start, end) in found:
            return
        found[(start, end)] = Candidate(start, end, "Place", label, fold_key(label), rule, surface=label,
                                         level=level, parent=parent)

    if meta.jurisdiction:
        for match in re.finditer(re.escape(meta.jurisdiction), text):
            add(match.start(), match.end(), place_level(meta.jurisdiction), "jurisdiction")
    words = list(zip(tx.starts, tx.starts[1:] + [len(text)]))
    previous: Candidate | None = None
    # Only words ending in a place suffix's last letter can be places: find those letters, not every word.
    for letter in _place_word_ends().finditer(text):
        index = bisect_right(tx.starts, letter.start()) - 1
        start, end = words[index]
        if end != letter.end():
            continue
        word = text[start:end]
        candidate = None
        if place_level(word) and _good_place_name(word):
            candidate = (start, end)
        elif word in lex.bare_suffixes and index > 0:
            # an unknown name that jieba left apart from its suffix: 青禾|县
            name_start, name_end = words[index - 1]
            name = text[name_start:name_end]
            before = text[words[index - 2][0]:words[index - 2][1]] if index > 1 else "\n"
            boundary = (not is_cjk(before[-1]) or before in lex.stops
                        or (previous is not None and previous.end == name_start))
            if (2 <= len(name) <= 3 and name not in lex.stops and boundary
                    and _good_place_name(name + word)):
                candidate = (name_start, end)
        if candidate:
            level = place_level(text[candidate[0]:candidate[1]])
            if previous is not None and previous.end == candidate[0] and rank(previous.level) < rank(level):
                # a compound such as 某省某市: the whole, located in its first part
                add(previous.start, candidate[1], level, "compound", parent=previous.key)
                previous = found.get((previous.start, candidate[1]))
                continue
            add(candidate[0], candidate[1], level, "suffix")
            previous = found.get(candidate)
    # towns listed before a count: 甲、乙、丙三个乡镇 (the count must agree)
    for match in _counted_list().finditer(text):
        first_sep = text.index("、", match.start())
        begin = _list_start(tx, match.start(), first_sep)
        names = text[begin:match.end(1)].split("、")
        count = _count_value(match.group(2))
        if count != len(names) or not all(2 <= len(n) <= 4 for n in names):
            continue
        level = lex.levels.get(match.group(3), "township")  # 乡镇 → township
        offset = begin
        for name in names:
            add(offset, offset + len(name), level, "counted-list")
            offset += len(name) + 1
    for head_start, head_end, head in tx.heads():
        if lex.head_type[head] != "Place":
            continue
        start = scan_left(tx, head_start, head_end)
        if start < head_start:
            add(start, head_end, "site", "site-head")
    # places inside titles only serve as prefixes of agency names (《某县某局…》)
    every = sorted(found.values(), key=lambda c: (c.start, c.end))
    return [c for c in every if not tx.inside(c.start, c.end)], every


@compiled
def _counted_list() -> re.Pattern:
    units = alternation(name_lexicon().heads["Place"]["count_units"])
    return re.compile(rf"((?:[\u4e00-\u9fff]{{2,6}}、)+[\u4e00-\u9fff]{{2,4}})([{NUMERAL_CHARS}]+)个?({units})")


def _list_start(tx: TextView, floor: int, first_sep: int) -> int:
    """Where the first name of a 、-list begins: after the last boundary word before it."""
    start = first_sep
    lex, text = name_lexicon(), tx.text
    while start > floor:
        word_start = max(tx.word_before(start), floor)
        word = text[word_start:start]
        if word in lex.stops or not all(is_cjk(c) for c in word):
            break
        start = word_start
    # a verb glued to the name by jieba (建设青禾桥) is not part of it
    for verb in sorted(lex.stops, key=len, reverse=True):
        if text.startswith(verb, start) and first_sep - start - len(verb) >= 2:
            return start + len(verb)
    return start


def _count_value(raw: str) -> int:
    value = numeral(raw)
    return int(value) if value is not None and value.is_integer() else -1


RANKS = ("province", "city", "county", "district", "township", "street", "site")


def rank(level: str | None) -> int:
    return RANKS.index(level) if level in RANKS else len(RANKS)
