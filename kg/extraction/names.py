"""What the entity rules share: their lexicon, the candidate names, the text of one line, head phrases.

A *head* is the last word of a phrase that decides its type (…局 → Agency,
…机制 → Mechanism, …活动 → Activity; ``data/lexicon/entity-heads.json``). A
name grows leftwards from its head, word by word, until a boundary word
(``entity-boundaries.json``: verbs, function words, scope words, counts). Heads
are only looked for where they end a jieba word, and a name only grows over
whole words, so that no rule starts inside a word.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from kg.extraction.rules import compiled, lexicon
from kg.extraction.text import NUMERAL_CHARS, fold_key, is_cjk
from kg.resources import alternation

__all__ = ["NameLexicon", "Candidate", "TextView", "name_lexicon", "scan_left", "head_ends_word", "find_heads",
           "verbal_head_closes", "fold_key", "is_cjk", "MAX_LABEL", "MAX_SCAN", "SLUG", "TITLE", "QUOTE",
           "OPEN_QUOTE", "BRACKETS"]

MAX_LABEL = 25  # longer labels are clauses, not names (documents excepted)
MAX_SCAN = 20  # how far a head phrase may grow leftwards, in characters
SLUG = {"Agency": "agency", "Mechanism": "mechanism", "Activity": "activity",
        "PolicyDocument": "document", "Place": "place"}
OPEN_QUOTE = "“"
BRACKETS = {")": "(", "）": "（"}
TITLE = re.compile(r"《([^《》\n]+)》")
QUOTE = re.compile(r"“([^“”\n]{1,30})”")


@dataclass(frozen=True)
class NameLexicon:
    heads: dict
    stops: frozenset
    name_internal: frozenset
    triggers: dict
    head_re: re.Pattern
    head_type: dict
    verbal: frozenset
    level_prefixes: tuple
    place_suffix_re: re.Pattern
    levels: dict
    place_suffix_ends: frozenset  # last letters of the level suffixes: most words are ruled out by one look-up
    measures: frozenset  # measure words after a numeral (三个, 20家): a name does not grow over a count
    count: re.Pattern  # a word that is a count or an ordinal (20家, 第三)
    glued: tuple[frozenset, frozenset]  # (prepositions, level letters) jieba glues together (以县)
    joiners: tuple[str, ...]
    verbal_closers: tuple[str, ...]
    work_suffix: str
    list_fillers: tuple[str, ...]
    coordinators: tuple[str, ...]
    bare_suffixes: tuple[str, ...]
    government: dict[str, str]


@compiled
def name_lexicon() -> NameLexicon:
    """The name rules of ``entity-heads.json``, ``entity-boundaries.json`` and ``entity-triggers.json``."""
    heads = lexicon("entity-heads.json")
    bounds = lexicon("entity-boundaries.json")
    triggers = {k: tuple(sorted(v, key=len, reverse=True))
                for k, v in lexicon("entity-triggers.json").items() if not k.startswith("_")}
    head_type: dict[str, str] = {}
    verbal = set()
    for etype in ("Agency", "Mechanism", "Activity"):
        for word in heads[etype].get("noun", []) + heads[etype].get("bare_ok", []):
            head_type.setdefault(word, etype)
        for word in heads[etype].get("verbal", []):
            head_type.setdefault(word, etype)
            verbal.add(word)
    for word in heads["Place"]["site_heads"]:
        head_type.setdefault(word, "Place")
    stops = set()
    for key in ("function_words", "scope_words", "adverbs", "verbs", "enumerators"):
        stops.update(bounds[key])
    levels = heads["Place"]["level"]
    measures = "".join(bounds["count_measures"])
    count = re.compile(rf"^(?:{re.escape(bounds['ordinal_prefix'])})?[{NUMERAL_CHARS}.]+[{re.escape(measures)}]*$")
    return NameLexicon(
        heads=heads, stops=frozenset(stops), name_internal=frozenset(bounds["name_internal"]),
        triggers=triggers, head_re=re.compile(alternation(head_type)), head_type=head_type,
        verbal=frozenset(verbal), level_prefixes=tuple(sorted(heads["level_prefixes"], key=len, reverse=True)),
        place_suffix_re=re.compile(f"(?:{alternation(levels)})$"), levels=levels,
        place_suffix_ends=frozenset(suffix[-1] for suffix in levels),
        measures=frozenset(bounds["count_measures"]), count=count,
        glued=(frozenset(bounds["glued_prepositions"]), frozenset(bounds["glued_levels"])),
        joiners=tuple(heads["joiners"]), verbal_closers=tuple(heads["verbal_closers"]),
        work_suffix=heads["work_suffix"], list_fillers=tuple(heads["list_fillers"]),
        coordinators=tuple(heads["coordinators"]), bare_suffixes=tuple(heads["Place"]["bare_suffixes"]),
        government=heads["government"],
    )


@dataclass(slots=True)
class Candidate:
    start: int
    end: int
    type: str
    label: str  # preferred surface, quotes stripped
    key: str
    rule: str
    surface: str = ""  # the text as written (with quotes), kept as altLabel when it differs
    level: str | None = None
    via_pattern: bool = False
    parent: str | None = None  # Place: key of the enclosing place in a compound (山东省聊城市)
    short_for: tuple[str, str] | None = None  # (full key, phrase of the text that ties them)

    @property
    def id(self) -> str:
        return f"{SLUG[self.type]}/{self.key}"


@dataclass
class TextView:
    text: str
    starts: list[int]  # jieba token starts, sorted
    ends: frozenset
    protected: list[tuple[int, int]] = field(default_factory=list)  # 《…》 and “…” regions
    _heads: list[tuple[int, int, str]] | None = None

    def heads(self) -> list[tuple[int, int, str]]:
        """The heads of the line (see ``_heads``), found once for the rules that use them."""
        if self._heads is None:
            self._heads = list(find_heads(self))
        return self._heads

    def word_before(self, pos: int) -> int:
        """Start of the jieba word holding character ``pos - 1``."""
        return self.starts[bisect_right(self.starts, pos - 1) - 1]

    def word_after(self, pos: int) -> int:
        """End of the jieba word holding character ``pos``."""
        index = bisect_right(self.starts, pos)
        return self.starts[index] if index < len(self.starts) else len(self.text)

    def inside(self, start: int, end: int, regions: list[tuple[int, int]] | None = None) -> bool:
        return any(s <= start and end <= e for s, e in (regions if regions is not None else self.protected))


# ---------------------------------------------------------- phrase growth

def scan_left(tx: TextView, head_start: int, head_end: int, floor: int = 0) -> int:
    """Grow a name leftwards from its head, word by word, until a boundary word."""
    lex, text = name_lexicon(), tx.text
    start, bare = head_start, True
    while start > floor:
        char = text[start - 1]
        if char in BRACKETS:  # a short bracketed insertion inside a name: 村(社区)调委会
            opener = text.rfind(BRACKETS[char], max(floor, start - 7), start - 1)
            inner = text[opener + 1:start - 1] if opener > 0 else ""
            if inner and all(is_cjk(c) for c in inner) and is_cjk(text[opener - 1]):
                start = opener
                continue
            break
        if char in lex.joiners and not bare:  # 甲暨乙会议: one event under two names
            start -= 1
            bare = True
            continue
        if not is_cjk(char):
            break
        word_start = max(tx.word_before(start), floor)
        word = text[word_start:start]
        if _scope_tail().search(text, max(floor, start - 4), start):
            break  # a scope or time word that jieba cut differently (下|一步)
        # jieba glues a preposition to a level prefix (以县|人大常委会): keep the prefix only
        if len(word) == 2 and word[0] in lex.glued[0] and word[1] in lex.glued[1]:
            return start - 1
        if word in lex.stops or lex.count.match(word) or (
                len(word) == 1 and word in lex.measures and word_start > 0 and text[word_start - 1] in NUMERAL_CHARS):
            if not (bare and word in lex.name_internal):
                break
        if head_end - word_start > MAX_SCAN:
            break
        start, bare = word_start, False
    return start


@compiled
def _scope_tail() -> re.Pattern:
    bounds = lexicon("entity-boundaries.json")
    words = [w for w in bounds["scope_words"] + bounds["enumerators"] if len(w) >= 2]
    return re.compile(f"(?:{alternation(words)})$")


def head_ends_word(tx: TextView, end: int) -> bool:
    """A head must end a word; jieba sometimes glues a locative (推进|会上)."""
    if end in tx.ends or end == len(tx.text):
        return True
    word_end = tx.word_after(end)
    return tx.text[end:word_end] in name_lexicon().heads["locatives"]


def find_heads(tx: TextView):
    """Every (start, end, head) where a head ends a word; heads may overlap (联席会议 holds 会议).

    At each position the longest head that ends a word wins, and each end is used once,
    so 工作会议 yields one head, not 工作会议 and 会议.
    """
    by_first, starts = _heads_by_first_char(), _head_starts()
    text, ends_seen = tx.text, set()
    for match in starts.finditer(text):  # only the positions where some head begins
        position = match.start()
        for head in by_first[text[position]]:
            end = position + len(head)
            if text.startswith(head, position) and head_ends_word(tx, end):
                if end not in ends_seen:
                    ends_seen.add(end)
                    yield position, end, head
                break


@compiled
def _head_starts() -> re.Pattern:
    return re.compile("(?=" + "|".join(sorted(map(re.escape, name_lexicon().head_type), key=lambda h: (-len(h), h))) + ")")


@compiled
def _heads_by_first_char() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for head in name_lexicon().head_type:
        grouped.setdefault(head[0], []).append(head)
    return {k: tuple(sorted(v, key=lambda h: (-len(h), h))) for k, v in grouped.items()}


def verbal_head_closes(text: str, end: int) -> bool:
    """A nominalised verb (培训, 检查) names an activity only where the phrase ends."""
    rest = text[end:end + 3]
    return (not rest or not is_cjk(rest[0]) or rest[0] in NUMERAL_CHARS
            or rest.startswith(name_lexicon().verbal_closers))
