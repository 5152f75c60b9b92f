"""Stage 3b, entities: agencies, mechanisms, activities, policy documents and places.

Names are found by three kinds of rule, all driven by data files:

* **patterns** (``data/patterns/*.jsonl``, spaCy EntityRuler format): known
  agency types and domain terms, one canonical ``id`` per entity with its
  variants (人民法院 / 法院). Agencies take a level prefix (县, 市县, a place).
* **heads** (``data/lexicon/entity-heads.json``): the last word of a phrase
  decides its type (…局 → Agency, …机制 → Mechanism, …活动 → Activity); the
  phrase is grown leftwards over words until a boundary word
  (``entity-boundaries.json``: verbs, function words, scope words, counts).
* **structure**: 《…》 titles are documents; quoted names are typed by the head
  that follows them (“…”活动) or by the verb before them (组织“…”); places by
  their suffix (…省 …县 …镇), and towns listed before a count (甲、乙、丙三个乡镇).

Surface forms are merged into one :class:`Entity` per canonical key (quotes
stripped, pattern variants, short forms such as 县人大 → 县人大常委会 where the
text says 人大及其常委会), each merge recorded. Relations: items ``mentions``
entities; an agency acting by a trigger verb (``entity-triggers.json``)
``organizes`` an activity, ``establishes`` a mechanism, ``issues`` a document
or ``appoints`` a body in the same clause, the report's own government being
the default actor; entities are ``locatedIn`` places.

One pass of the shared jieba pipeline gives word boundaries; the patterns are
matched once over the whole text by a spaCy PhraseMatcher on a character-level
Doc, so they match wherever jieba cuts.
All offsets are character offsets into ``text``.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from functools import cache

from kg.model import Entity, Item, Merge, Mention, ReportMeta, Relation, Span
from kg.extraction.nlp import ONE_PASS_LIMIT, get_nlp, word_spans
from kg.resources import alternation, data_dir, lexicon_file

__all__ = ["extract_entities", "load_patterns", "MAX_LABEL"]

MAX_LABEL = 25  # longer labels are clauses, not names (documents excepted)
_MAX_SCAN = 20  # how far a head phrase may grow leftwards, in characters

_SLUG = {"Agency": "agency", "Mechanism": "mechanism", "Activity": "activity",
         "PolicyDocument": "document", "Place": "place"}
_TARGET_RELATION = {"Activity": "organizes", "Mechanism": "establishes",
                    "PolicyDocument": "issues", "Agency": "appoints"}
# Full-width punctuation folded for keys, so both widths of a report give one id.
_FOLD = str.maketrans("（）：，；０１２３４５６７８９", "():,;0123456789")
_CLAUSE_SPLIT = re.compile(r"[,，;；。！？!?\n:：]")
_OPEN_QUOTE, _CLOSE_QUOTE = "“", "”"
_BRACKETS = {")": "(", "）": "（"}
_NUMERAL = "0123456789０１２３４５６７８９一二三四五六七八九十两百千万几"
_MEASURE = "个家名项场次批件届期轮所余多"
_COUNT = re.compile(rf"^(?:第)?[{_NUMERAL}.]+[{_MEASURE}]*$")
_TITLE = re.compile(r"《([^《》\n]+)》")
_QUOTE = re.compile(r"“([^“”\n]{1,30})”")
_CN_NUMBER = {c: i for i, c in enumerate("一二三四五六七八九十", 1)}
_CN_NUMBER["两"] = 2


# --------------------------------------------------------------------- data

@dataclass(frozen=True)
class _Lexicon:
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


def _json(name: str) -> dict:
    return json.loads(lexicon_file(name).read_text(encoding="utf-8"))


@cache
def _lexicon() -> _Lexicon:
    heads = _json("entity-heads.json")
    bounds = _json("entity-boundaries.json")
    triggers = {k: tuple(sorted(v, key=len, reverse=True))
                for k, v in _json("entity-triggers.json").items() if not k.startswith("_")}
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
    return _Lexicon(
        heads=heads, stops=frozenset(stops), name_internal=frozenset(bounds["name_internal"]),
        triggers=triggers, head_re=re.compile(alternation(head_type)), head_type=head_type,
        verbal=frozenset(verbal), level_prefixes=tuple(sorted(heads["level_prefixes"], key=len, reverse=True)),
        place_suffix_re=re.compile(f"(?:{alternation(levels)})$"), levels=levels,
        place_suffix_ends=frozenset(suffix[-1] for suffix in levels),
    )


def load_patterns() -> list[dict]:
    """Every pattern line of ``data/patterns/*.jsonl``, in file and line order.

    >>> any(p["pattern"] == "人民法院" and p["id"] == "法院" for p in load_patterns())
    True
    """
    patterns = []
    for path in sorted((data_dir() / "patterns").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                entry = json.loads(line)
                entry["source"] = f"{path.name}:{number}"
                patterns.append(entry)
    return patterns


@cache
def _pattern_matcher():
    """A character-level PhraseMatcher: patterns match whatever jieba's word boundaries are.

    The matcher, not an EntityRuler: the ruler's bookkeeping around the same
    matcher doubles the cost, and we keep the longest match ourselves.
    """
    import spacy
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

    vocab = spacy.blank("zh").vocab  # the default "char" segmenter: one token per character
    matcher = PhraseMatcher(vocab)
    options = {}
    for pattern in load_patterns():
        options[pattern["pattern"]] = pattern
        chars = list(pattern["pattern"])
        matcher.add(pattern["label"], [Doc(vocab, words=chars, spaces=[False] * len(chars))])
    return vocab, matcher, options


# ----------------------------------------------------------------- context

@dataclass(slots=True)
class _Candidate:
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
        return f"{_SLUG[self.type]}/{self.key}"


@dataclass
class _Text:
    text: str
    starts: list[int]  # jieba token starts, sorted
    ends: frozenset
    protected: list[tuple[int, int]] = field(default_factory=list)  # 《…》 and “…” regions
    _heads: list[tuple[int, int, str]] | None = None

    def heads(self) -> list[tuple[int, int, str]]:
        """The heads of the line (see ``_heads``), found once for the rules that use them."""
        if self._heads is None:
            self._heads = list(_heads(self))
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


def _is_cjk(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


def _fold(label: str) -> str:
    return label.translate(_FOLD).replace(" ", "")


# ---------------------------------------------------------- phrase growth

def _scan_left(tx: _Text, head_start: int, head_end: int, floor: int = 0) -> int:
    """Grow a name leftwards from its head, word by word, until a boundary word."""
    lex, text = _lexicon(), tx.text
    start, bare = head_start, True
    while start > floor:
        char = text[start - 1]
        if char in _BRACKETS:  # a short bracketed insertion inside a name: 村(社区)调委会
            opener = text.rfind(_BRACKETS[char], max(floor, start - 7), start - 1)
            inner = text[opener + 1:start - 1] if opener > 0 else ""
            if inner and all(_is_cjk(c) for c in inner) and _is_cjk(text[opener - 1]):
                start = opener
                continue
            break
        if char == "暨" and not bare:  # 甲暨乙会议: one event under two names
            start -= 1
            bare = True
            continue
        if not _is_cjk(char):
            break
        word_start = max(tx.word_before(start), floor)
        word = text[word_start:start]
        if _scope_tail().search(text, max(floor, start - 4), start):
            break  # a scope or time word that jieba cut differently (下|一步)
        # jieba glues a preposition to a level prefix (以县|人大常委会): keep the prefix only
        if len(word) == 2 and word[0] in "以和在向与及对为把将由到从" and word[1] in "省市县区乡镇":
            return start - 1
        if word in lex.stops or _COUNT.match(word) or (
                len(word) == 1 and word in _MEASURE and word_start > 0 and text[word_start - 1] in _NUMERAL):
            if not (bare and word in lex.name_internal):
                break
        if head_end - word_start > _MAX_SCAN:
            break
        start, bare = word_start, False
    return start


@cache
def _scope_tail() -> re.Pattern:
    bounds = _json("entity-boundaries.json")
    words = [w for w in bounds["scope_words"] + bounds["enumerators"] if len(w) >= 2]
    return re.compile(f"(?:{alternation(words)})$")


def _head_ends_word(tx: _Text, end: int) -> bool:
    """A head must end a word; jieba sometimes glues a locative (推进|会上)."""
    if end in tx.ends or end == len(tx.text):
        return True
    word_end = tx.word_after(end)
    return tx.text[end:word_end] in _lexicon().heads["locatives"]


def _heads(tx: _Text):
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
            if text.startswith(head, position) and _head_ends_word(tx, end):
                if end not in ends_seen:
                    ends_seen.add(end)
                    yield position, end, head
                break


@cache
def _head_starts() -> re.Pattern:
    return re.compile("(?=" + "|".join(sorted(map(re.escape, _lexicon().head_type), key=lambda h: (-len(h), h))) + ")")


@cache
def _heads_by_first_char() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for head in _lexicon().head_type:
        grouped.setdefault(head[0], []).append(head)
    return {k: tuple(sorted(v, key=lambda h: (-len(h), h))) for k, v in grouped.items()}


def _verbal_head_closes(text: str, end: int) -> bool:
    """A nominalised verb (培训, 检查) names an activity only where the phrase ends."""
    rest = text[end:end + 3]
    return (not rest or not _is_cjk(rest[0]) or rest[0] in _NUMERAL
            or rest.startswith(("和", "及", "与", "暨", "等", "为依托", "工作")))


# ------------------------------------------------------------------ rules

def _documents(tx: _Text) -> list[_Candidate]:
    out = []
    for match in _TITLE.finditer(tx.text):
        label = match.group(1)
        out.append(_Candidate(match.start(1), match.end(1), "PolicyDocument", label, _fold(label),
                              "title", surface=label))
    return out


def _place_level(name: str) -> str | None:
    lex = _lexicon()
    if not name or name[-1] not in lex.place_suffix_ends:
        return None
    match = lex.place_suffix_re.search(name)
    return lex.levels[match.group(0)] if match else None


_BARE_SUFFIXES = ("县", "市", "区", "乡", "镇", "街道", "州", "旗")  # a suffix jieba cut off an unknown name


@cache
def _place_word_ends() -> re.Pattern:
    letters = _lexicon().place_suffix_ends | {suffix[-1] for suffix in _BARE_SUFFIXES}
    return re.compile("[" + "".join(sorted(map(re.escape, letters))) + "]")


def _good_place_name(name: str) -> bool:
    spec = _lexicon().heads["Place"]
    return (len(name) >= 3 and name not in spec["not_places"]
            and not name.startswith(tuple(spec["not_name_prefixes"]))
            and all(_is_cjk(c) for c in name))


def _places(tx: _Text, meta: ReportMeta) -> tuple[list[_Candidate], list[_Candidate]]:
    """Places by suffix (…省 …县 …镇), counted lists (甲、乙三个乡镇), sites (…开发区)."""
    lex, text = _lexicon(), tx.text
    found: dict[tuple[int, int], _Candidate] = {}

    def add(start: int, end: int, level: str | None, rule: str, parent: str | None = None) -> None:
        label = text[start:end]
        if (start, end) in found:
            return
        found[(start, end)] = _Candidate(start, end, "Place", label, _fold(label), rule, surface=label,
                                         level=level, parent=parent)

    if meta.jurisdiction:
        for match in re.finditer(re.escape(meta.jurisdiction), text):
            add(match.start(), match.end(), _place_level(meta.jurisdiction), "jurisdiction")
    words = list(zip(tx.starts, tx.starts[1:] + [len(text)]))
    previous: _Candidate | None = None
    # Only words ending in a place suffix's last letter can be places: find those letters, not every word.
    for letter in _place_word_ends().finditer(text):
        index = bisect_right(tx.starts, letter.start()) - 1
        start, end = words[index]
        if end != letter.end():
            continue
        word = text[start:end]
        candidate = None
        if _place_level(word) and _good_place_name(word):
            candidate = (start, end)
        elif word in _BARE_SUFFIXES and index > 0:
            # an unknown name that jieba left apart from its suffix: 青禾|县
            name_start, name_end = words[index - 1]
            name = text[name_start:name_end]
            before = text[words[index - 2][0]:words[index - 2][1]] if index > 1 else "\n"
            boundary = (not _is_cjk(before[-1]) or before in lex.stops
                        or (previous is not None and previous.end == name_start))
            if (2 <= len(name) <= 3 and name not in lex.stops and boundary
                    and _good_place_name(name + word)):
                candidate = (name_start, end)
        if candidate:
            level = _place_level(text[candidate[0]:candidate[1]])
            if previous is not None and previous.end == candidate[0] and _rank(previous.level) < _rank(level):
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
        start = _scan_left(tx, head_start, head_end)
        if start < head_start:
            add(start, head_end, "site", "site-head")
    # places inside titles only serve as prefixes of agency names (《某县某局…》)
    every = sorted(found.values(), key=lambda c: (c.start, c.end))
    return [c for c in every if not tx.inside(c.start, c.end)], every


@cache
def _counted_list() -> re.Pattern:
    units = alternation(_lexicon().heads["Place"]["count_units"])
    return re.compile(rf"((?:[\u4e00-\u9fff]{{2,6}}、)+[\u4e00-\u9fff]{{2,4}})([{_NUMERAL}]+)个?({units})")


def _list_start(tx: _Text, floor: int, first_sep: int) -> int:
    """Where the first name of a 、-list begins: after the last boundary word before it."""
    start = first_sep
    lex, text = _lexicon(), tx.text
    while start > floor:
        word_start = max(tx.word_before(start), floor)
        word = text[word_start:start]
        if word in lex.stops or not all(_is_cjk(c) for c in word):
            break
        start = word_start
    # a verb glued to the name by jieba (建设青禾桥) is not part of it
    for verb in sorted(lex.stops, key=len, reverse=True):
        if text.startswith(verb, start) and first_sep - start - len(verb) >= 2:
            return start + len(verb)
    return start


def _count_value(numeral: str) -> int:
    numeral = numeral.translate(_FOLD)
    if numeral.isdigit():
        return int(numeral)
    if len(numeral) == 1:
        return _CN_NUMBER.get(numeral, -1)
    if numeral.startswith("十"):
        return 10 + _CN_NUMBER.get(numeral[1:], 0)
    return -1


_RANKS = ("province", "city", "county", "district", "township", "street", "site")


def _rank(level: str | None) -> int:
    return _RANKS.index(level) if level in _RANKS else len(_RANKS)


def _pattern_matches(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of the pattern-file phrases in ``text``, the longest where they overlap."""
    vocab, matcher, _ = _pattern_matcher()
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    # one token per character, built directly (the char segmenter's own alignment step is slow)
    doc = Doc(vocab, words=list(text), spaces=[False] * len(text))
    spans = filter_spans(matcher(doc, as_spans=True))
    return sorted((span.start_char, span.end_char, span.label_) for span in spans)


def _patterns(tx: _Text, places: list[_Candidate], matches: list[tuple[int, int, str]]) -> list[_Candidate]:
    """Pattern-file names; agency types take the level prefix or the place before them."""
    options = _pattern_matcher()[2]
    lex, text = _lexicon(), tx.text
    place_ending = {p.end: p for p in places}
    out = []
    for start, end, entity_type in matches:
        option = options[text[start:end]]
        if tx.inside(start, end) and entity_type != "Agency":
            continue
        canonical, prefix = option["id"], ""
        if option.get("level_prefix"):
            if start in place_ending:
                prefix = place_ending[start].label
            else:
                prefix = next((p for p in lex.level_prefixes if text.startswith(p, start - len(p))), "")
        if option.get("needs_prefix") and not prefix:
            continue
        label = prefix + text[start:end]
        candidate = _Candidate(start - len(prefix), end, entity_type, label, prefix + canonical,
                               f"pattern:{option['id']}", surface=label, via_pattern=True)
        if option.get("short_for"):
            candidate.short_for = (prefix + option["short_for"], option["merge_when"])
        out.append(candidate)
    return out


def _merge_short_forms(candidates: list[_Candidate], text: str) -> None:
    """县人大 → 县人大常委会, only when the full form is named too and the text ties them."""
    keys = {(c.type, c.key) for c in candidates}
    for candidate in candidates:
        if (candidate.short_for and (candidate.type, candidate.short_for[0]) in keys
                and candidate.short_for[1] in text):
            candidate.key = candidate.short_for[0]
            candidate.rule = f"short-form:{candidate.short_for[0]} (text has {candidate.short_for[1]})"


def _headed(tx: _Text) -> list[_Candidate]:
    """Phrases typed by their head word, grown leftwards to a boundary."""
    lex, text = _lexicon(), tx.text
    false_heads = set(lex.heads["false_heads"])
    generic = set(lex.heads["generic_labels"])
    titles = _titles(tx)
    out = []
    for head_start, head_end, head in tx.heads():
        etype = lex.head_type[head]
        if etype == "Place":
            continue
        # agencies named inside a title count (…《某县乡镇执法大队建设方案》); other kinds do not
        title = next(((s, e) for s, e in titles if s <= head_start < e), None)
        if title is not None and etype != "Agency":
            continue
        word = text[tx.word_before(head_end):head_end]
        if word in false_heads:
            continue
        if head in lex.verbal:
            if not _verbal_head_closes(text, head_end):
                continue
            if text.startswith("工作", head_end):
                head_end += 2
        start = _scan_left(tx, head_start, head_end, title[0] + 1 if title else 0)
        bare = start == head_start
        if bare and head not in lex.heads[etype].get("bare_ok", []):
            continue
        label = text[start:head_end]
        if label in generic:
            continue
        out.append(_Candidate(start, head_end, etype, label, _fold(label), f"head:{head}", surface=label))
    return out


def _quoted(tx: _Text, others: list[_Candidate]) -> list[_Candidate]:
    """Quoted names: typed by the head after them, the list head (“甲”“乙”等活动) or the verb before."""
    lex, text = _lexicon(), tx.text
    starting_at = {}
    for candidate in others:
        if candidate.type != "Place":
            starting_at.setdefault(candidate.start, candidate)
    quotes = [m for m in _QUOTE.finditer(text) if not tx.inside(m.start(), m.end())]  # not inside 《…》
    out = []
    index = 0
    while index < len(quotes):
        group = [quotes[index]]
        while index + 1 < len(quotes) and quotes[index + 1].start() == group[-1].end():
            index += 1
            group.append(quotes[index])
        index += 1
        after = group[-1].end()
        if len(group) > 1 and text.startswith("等", after):
            after += 1
            for filler in ("系列", "一系列", "多项", "各类"):
                if text.startswith(filler, after):
                    after += len(filler)
        head = lex.head_re.match(text, after)
        following = starting_at.get(after)
        if head and lex.head_type[head.group(0)] != "Place" and _head_ends_word(tx, head.end()):
            etype, tail_end, bare = lex.head_type[head.group(0)], head.end(), True
            if head.group(0) in lex.verbal and text.startswith("工作", tail_end):
                tail_end += 2
        elif following is not None and following.start == group[-1].end():
            etype, tail_end = following.type, following.end
            # “…”主题活动 names the same thing as “…”活动
            head_word = lex.head_re.search(following.label)
            bare = bool(head_word) and following.label[:head_word.start()] in lex.heads["generic_modifiers"]
        else:
            etype, tail_end, bare = _typed_by_content_or_verb(tx, group[0]), None, True
            if etype is None:
                continue
        for quote in group:
            content = quote.group(1)
            if len(group) == 1 and tail_end is not None:
                tail = text[quote.end():tail_end]
                label = content + tail
                if len(label) > MAX_LABEL:
                    continue
                surface = text[quote.start():tail_end]
                if following is not None and following.via_pattern and not bare:
                    # “一对一”法治体检: a quoted modifier before a known name is that name
                    out.append(_Candidate(quote.start(), tail_end, etype, following.label, following.key,
                                          "quoted-modifier", surface=surface, via_pattern=True))
                    continue
                key = content if bare else label
                out.append(_Candidate(quote.start(), tail_end, etype, label, _fold(key),
                                      "quoted-name", surface=surface))
            else:
                out.append(_Candidate(quote.start(), quote.end(), etype, content, _fold(content),
                                      "quoted-name", surface=quote.group(0)))
    return out


def _typed_by_content_or_verb(tx: _Text, quote: re.Match) -> str | None:
    """A quoted name with no head after it: its own last word, else an organising verb before it."""
    lex, text = _lexicon(), tx.text
    content = quote.group(1)
    inner = [m for m in lex.head_re.finditer(content) if m.end() == len(content)]
    if inner and lex.head_type[inner[-1].group(0)] != "Place" and len(content) > len(inner[-1].group(0)):
        return lex.head_type[inner[-1].group(0)]
    if quote.end() < len(text) and _is_cjk(text[quote.end()]):
        return None  # a slogan qualifying the next word (“一次办”服务)
    before = text[max(0, quote.start() - 4):quote.start()]
    if before.endswith(lex.triggers["organizes"]):
        return "Activity"
    if before.endswith(lex.triggers["establishes"]):
        return "Mechanism"
    return None


def _titles(tx: _Text) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TITLE.finditer(tx.text)]


def _coordinated(candidates: list[_Candidate], text: str) -> list[_Candidate]:
    """Join 甲培训和乙测试 into one activity when the two heads are joined by 和/及/与."""
    by_start = {c.start: c for c in candidates if c.type == "Activity" and c.rule.startswith("head:")}
    out, used = [], set()
    for left in sorted(candidates, key=lambda c: (c.start, c.end)):
        if id(left) in used:
            continue
        if left.type == "Activity" and left.rule.startswith("head:"):
            for conj in ("和", "及", "与"):
                right = by_start.get(left.end + len(conj))
                if (right is not None and text.startswith(conj, left.end)
                        and right.end - left.start <= MAX_LABEL):
                    label = text[left.start:right.end]
                    out.append(_Candidate(left.start, right.end, "Activity", label, _fold(label),
                                          "coordinated", surface=label))
                    used.update((id(left), id(right)))
                    break
        if id(left) not in used:
            out.append(left)
    return out


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Longest name wins; agencies and places may sit inside a longer name, other kinds may not."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), not c.via_pattern, c.start, c.type))
    longest = max((c.end - c.start for c in candidates), default=0)
    kept: list[_Candidate] = []
    kept_starts: list[tuple[int, int]] = []  # (start, index into kept), sorted, to find neighbours fast
    for candidate in ordered:
        if candidate.type != "PolicyDocument" and len(candidate.label) > MAX_LABEL:
            continue
        clash = False
        low = bisect_right(kept_starts, (candidate.start - longest, -1))
        high = bisect_right(kept_starts, (candidate.end, -1))
        for _, index in kept_starts[low:high]:
            other = kept[index]
            if candidate.end <= other.start or other.end <= candidate.start:
                continue
            same_span = (candidate.start, candidate.end) == (other.start, other.end)
            nested = other.start <= candidate.start and candidate.end <= other.end
            if same_span and candidate.type == other.type:
                clash = True
            elif nested and not same_span and (
                    (candidate.type in ("Agency", "Place") and candidate.type != other.type)
                    or (candidate.type == other.type == "Place" and other.rule == "compound")):
                continue
            else:
                clash = True
            if clash:
                break
        if not clash:
            insort(kept_starts, (candidate.start, len(kept)))
            kept.append(candidate)
    return sorted(kept, key=lambda c: (c.start, c.end, c.type))


# ------------------------------------------------------------- entities

def _government(meta: ReportMeta, text: str, candidates: list[_Candidate]) -> _Candidate | None:
    """The default actor of a report's measures: the department that reports on itself
    (石门市市场监督管理局…报告), else the report's own government, 辖区 + 人民政府."""
    if meta.department and meta.title_span and meta.department in meta.title_span.text:
        start = meta.title_span.start + meta.title_span.text.index(meta.department)
        # the same agency found by the patterns or head rules keeps its canonical key
        key = next((c.key for c in candidates if c.type == "Agency" and c.label == meta.department), _fold(meta.department))
        return _Candidate(start, start + len(meta.department), "Agency", meta.department, key,
                          "report-author", surface=meta.department)
    if not meta.jurisdiction:
        return None
    level_char = meta.jurisdiction[-1]
    label = meta.jurisdiction + "人民政府"
    key = meta.jurisdiction + "政府"
    for candidate in candidates:
        # 县政府 / 县人民政府 in a county's own report is that county's government
        if candidate.type == "Agency" and candidate.key in (key, level_char + "政府"):
            if candidate.key != key:
                candidate.rule = "own-government"
            candidate.key = key
    if meta.title_span and meta.jurisdiction in meta.title_span.text:
        start = meta.title_span.start + meta.title_span.text.index(meta.jurisdiction)
    else:
        match = re.search(re.escape(meta.jurisdiction), text)
        if match is None:
            return None
        start = match.start()
    return _Candidate(start, start + len(meta.jurisdiction), "Agency", label, key, "jurisdiction",
                      surface=label)


def _entities(candidates: list[_Candidate], text: str) -> list[Entity]:
    groups: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.id, []).append(candidate)
    entities = []
    for entity_id, group in groups.items():
        first = group[0]
        labels = sorted({c.label for c in group if c.rule != "jurisdiction"} or {first.label},
                        key=lambda label: (-len(label), label))
        label = labels[0] if first.rule != "jurisdiction" else first.label
        if any(c.rule == "jurisdiction" and c.type == "Agency" for c in group):
            label = next(c.label for c in group if c.rule == "jurisdiction")
        alt, merges = [], []
        for candidate in sorted(group, key=lambda c: (c.start, c.end)):
            for form in (candidate.label, candidate.surface):
                if form and form != label and form not in alt and candidate.rule != "jurisdiction":
                    alt.append(form)
                    quoted = _OPEN_QUOTE in form and candidate.rule != "quoted-modifier"
                    rule = "quotes" if quoted else candidate.rule
                    merges.append(Merge(form, rule))
        spans = sorted({(c.start, c.end) for c in group})
        mentions = [Mention(start, end, text[start:end]) for start, end in spans]
        entities.append(Entity(
            id=entity_id, type=first.type, label=label, mentions=mentions, alt_labels=alt, merges=merges,
            key=next((c.key for c in group if c.via_pattern), None),
            level=next((c.level for c in group if c.level), None),
        ))
    return sorted(entities, key=lambda e: (e.mentions[0].start, e.id))


# ------------------------------------------------------------ relations

def _clauses(text: str) -> list[tuple[int, int]]:
    """Clauses split at , ; 。 : and line ends, except inside 《…》 and “…”."""
    protected = sorted([(m.start(), m.end()) for m in _TITLE.finditer(text)]
                       + [(m.start(), m.end()) for m in _QUOTE.finditer(text)])
    protected_starts = [start for start, _ in protected]
    out, start = [], 0
    for match in _CLAUSE_SPLIT.finditer(text):
        index = match.start()
        region = bisect_right(protected_starts, index) - 1
        if region >= 0 and index < protected[region][1]:
            continue
        if index > start:
            out.append((start, index))
        start = index + 1
    if start < len(text):
        out.append((start, len(text)))
    return out


def _relations(text: str, items: list[Item], entities: list[Entity], government: str | None,
               candidates: list[_Candidate]) -> list[Relation]:
    lex = _lexicon()
    relations: dict[tuple[str, str, str], Relation] = {}

    def relate(source: str, name: str, target: str, start: int, end: int) -> None:
        key = (source, name, target)
        if source != target and key not in relations:
            relations[key] = Relation(source, name, target, Span.of(text, start, end))

    mentions = sorted(((m.start, m.end, e) for e in entities for m in e.mentions), key=lambda t: (t[0], t[1], t[2].id))
    mention_starts = [start for start, _, _ in mentions]

    def within(start: int, end: int):
        first = bisect_right(mention_starts, start - 1)
        last = bisect_right(mention_starts, end - 1)
        return [(s, e, entity) for s, e, entity in mentions[first:last] if e <= end]

    item_spans = [(i.span.start, i.span.end, i) for i in sorted(items, key=lambda i: (i.span.start, i.id))]
    item_starts = [start for start, _, _ in item_spans]
    for start, end, item in item_spans:
        for m_start, m_end, entity in within(start, end):
            relate(item.id, "mentions", entity.id, m_start, m_end)
    covered = bytearray(len(text))  # characters inside a name: a trigger verb there is part of the name
    for start, end, _ in mentions:
        covered[start:end] = b"\x01" * (end - start)
    actors_of: dict[str, list[str]] = {}
    for c_start, c_end in _clauses(text):
        inner = within(c_start, c_end)
        if not inner:
            continue
        subject = _subject(text, c_start, inner, lex)
        for s, e, entity in inner:
            relation = _TARGET_RELATION.get(entity.type)
            if relation is None or (entity.type == "Agency" and entity.id == subject):
                continue
            verb = _trigger_before(text, c_start, s, lex.triggers[relation], covered)
            if verb is None:
                continue
            actor = subject or government
            if actor is None or (subject is not None and _start_of(subject, inner) > verb):
                actor = government
            if actor is None:
                continue
            relate(actor, relation, entity.id, c_start, c_end)
            if relation == "issues" and entity.issuer is None:
                entity.issuer = actor
            index = bisect_right(item_starts, s) - 1
            item = item_spans[index][2] if index >= 0 and s < item_spans[index][1] else None
            if item is not None and item.kind != "problem":
                actors_of.setdefault(item.id, []).append(actor)
    for start, end, item in item_spans:
        if item.kind == "problem":
            continue
        for actor in actors_of.get(item.id) or ([government] if government else []):
            relate(item.id, "actor", actor, start, end)
    for entity in entities:
        if entity.type == "PolicyDocument" and entity.issuer is None:
            # a title that opens with a government's name (某县人民政府关于…) was issued by it
            for m_start, m_end, agency in mentions:
                if (agency.type == "Agency" and agency.id.endswith("政府")
                        and m_start == entity.mentions[0].start):
                    entity.issuer = agency.id
                    relate(agency.id, "issues", entity.id, m_start, entity.mentions[0].end)
                    break
    _located(text, entities, candidates, government, relate)
    return list(relations.values())


def _start_of(entity_id: str, inner) -> int:
    return next(s for s, _, entity in inner if entity.id == entity_id)


def _subject(text: str, clause_start: int, inner, lex: _Lexicon) -> str | None:
    """The agency that opens the clause (after adverbs, scope words, 由/经), if any."""
    for s, _, entity in inner:
        if entity.type == "Agency":
            lead = _lead_words().sub("", text[clause_start:s].strip())
            return None if lead else entity.id
    return None


@cache
def _lead_words() -> re.Pattern:
    """Words that may precede a clause's subject: adverbs, scope and time words, 由/经, 一是…"""
    bounds = _json("entity-boundaries.json")
    words = bounds["adverbs"] + bounds["scope_words"] + bounds["enumerators"] + ["由", "经", "此外", "同时"]
    return re.compile(f"(?:{alternation(words)})+")


def _trigger_before(text: str, clause_start: int, target_start: int, verbs, covered) -> int | None:
    """Position of the nearest trigger verb before the target in its clause, outside other names."""
    best = None
    for verb in verbs:
        position = text.rfind(verb, clause_start, target_start)
        while position >= 0:
            if not covered[position]:
                if best is None or position > best:
                    best = position
                break
            position = text.rfind(verb, clause_start, position)
    return best


def _located(text, entities, candidates, government, relate) -> None:
    """Entities named after a place, compound places, and lower-level places in the jurisdiction."""
    by_id = {e.id: e for e in entities}
    place_ids = {c.key: c.id for c in candidates if c.type == "Place"}
    places = [e for e in entities if e.type == "Place"]
    with_parent = set()
    for candidate in candidates:
        if candidate.type == "Place" and candidate.parent in place_ids:
            relate(candidate.id, "locatedIn", place_ids[candidate.parent], candidate.start, candidate.end)
            with_parent.add(candidate.id)
    jurisdiction = next((c for c in candidates if c.rule == "jurisdiction" and c.type == "Place"), None)
    home = by_id.get(jurisdiction.id) if jurisdiction else None
    place_at: dict[int, list[tuple[int, Entity]]] = {}
    for place in places:
        for mention in place.mentions:
            place_at.setdefault(mention.start, []).append((mention.end, place))
    for entity in entities:
        for mention in entity.mentions:
            for end, place in place_at.get(mention.start, ()):
                if place.id != entity.id and end < mention.end:
                    relate(entity.id, "locatedIn", place.id, mention.start, mention.end)
        if entity.type in ("Agency", "Mechanism", "Activity"):
            # named after a place (某县某大队), even where that name sits inside a title
            for place in places:
                if entity.label.startswith(place.label) and len(entity.label) > len(place.label):
                    relate(entity.id, "locatedIn", place.id, entity.mentions[0].start, entity.mentions[0].end)
        if home is None or entity.id == home.id:
            continue
        first = entity.mentions[0]
        if (entity.type == "Place" and entity.id not in with_parent
                and _rank(entity.level) > _rank(home.level) and _rank(entity.level) >= _rank("township")):
            # a township, street or site with no named parent lies in the report's own area
            relate(entity.id, "locatedIn", home.id, first.start, first.end)
        elif entity.type == "Agency" and (entity.id == government or entity.label[:1] == home.label[-1:]):
            # 县法院 in a county's report is that county's court
            relate(entity.id, "locatedIn", home.id, first.start, first.end)


# ------------------------------------------------------------------ main

_LINE_CACHE_SIZE = 4096


def _line_candidates(text: str, meta: ReportMeta):
    """(line start, candidates with offsets relative to the line) for every line of the text.

    Names never cross a line end, so each line is searched on its own; the word
    boundaries come from one ``nlp()`` pass over the whole text, or, for huge
    texts, from one pass per distinct line (repeated lines are searched once).
    """
    nlp = get_nlp()
    whole = len(text) <= ONE_PASS_LIMIT
    token_starts, token_ends = word_spans(text) if whole else ((), ())
    matches = _pattern_matches(text) if whole else []  # patterns hold no line end
    match_starts = [start for start, _, _ in matches]
    cache: dict[str, list[_Candidate]] = {}
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        if line.strip():
            found = cache.get(line)
            if found is None:
                if whole:
                    low = bisect_right(token_starts, line_start - 1)
                    high = bisect_right(token_starts, line_end - 1)
                    starts = [s - line_start for s in token_starts[low:high]]
                    ends = [e - line_start for e in token_ends[low:high]]
                    low, high = bisect_left(match_starts, line_start), bisect_left(match_starts, line_end)
                    line_matches = [(s - line_start, e - line_start, t) for s, e, t in matches[low:high]]
                else:
                    doc = nlp(line)
                    starts = [token.idx for token in doc]
                    ends = [token.idx + len(token.text) for token in doc]
                    line_matches = _pattern_matches(line)
                found = _candidates_in_line(line, starts, ends, meta, line_matches)
                if len(cache) < _LINE_CACHE_SIZE:
                    cache[line] = found
            yield line_start, found
        line_start = line_end + 1


def _candidates_in_line(line: str, starts: list[int], ends: list[int], meta: ReportMeta,
                        pattern_matches: list[tuple[int, int, str]]) -> list[_Candidate]:
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    tx = _Text(line, starts, frozenset(ends))
    tx.protected = _titles(tx)
    documents = _documents(tx)
    places, all_places = _places(tx, meta)
    named = _patterns(tx, all_places, pattern_matches) + _headed(tx)
    quoted = _quoted(tx, named)
    in_quote = bytearray(len(line) + 1)  # names inside a quoted name are part of it
    for c in quoted:
        in_quote[c.start + 1:c.end] = b"\x01" * (c.end - c.start - 1)
    named = [c for c in named if not in_quote[c.start]]
    return _resolve(_coordinated(documents + places + named + quoted, line))


def extract_entities(text: str, items: list[Item], meta: ReportMeta) -> tuple[list[Entity], list[Relation]]:
    """Agencies, mechanisms, activities, documents and places of one report, and their relations.

    >>> from kg.model import ReportMeta
    >>> meta = ReportMeta(id="t", source="t.txt", encoding="utf-8", sha256="", jurisdiction="青禾县")
    >>> entities, relations = extract_entities("县司法局印发《青禾县法治宣传实施方案》;召开季度联席会议。", [], meta)
    >>> [(e.type, e.label) for e in entities]
    [('Agency', '县司法局'), ('Agency', '青禾县人民政府'), ('PolicyDocument', '青禾县法治宣传实施方案'), ('Activity', '季度联席会议')]
    >>> [(r.source, r.relation, r.target) for r in relations]
    [('agency/县司法局', 'issues', 'document/青禾县法治宣传实施方案'), ('agency/青禾县政府', 'organizes', 'activity/季度联席会议')]
    """
    candidates: list[_Candidate] = []
    for line_start, found in _line_candidates(text, meta):
        for c in found:
            candidates.append(_Candidate(c.start + line_start, c.end + line_start, c.type, c.label, c.key, c.rule,
                                         c.surface, c.level, c.via_pattern, c.parent, c.short_for))
    _merge_short_forms(candidates, text)
    government = _government(meta, text, candidates)
    if government is not None:
        candidates.append(government)
    entities = _entities(candidates, text)
    relations = _relations(text, items, entities, government.id if government else None, candidates)
    return entities, relations
