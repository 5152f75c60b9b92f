"""Stage 3a, metrics: every quantity a report states, normalised, with its subject, period and checks.

A quantity is a number (Arabic, full-width or Chinese numerals; 万/亿 folded
in) followed by a measure word from ``data/lexicon/units.json``. What is not
a quantity (years, dates, periods, document numbers, ordinals, ranks,
hotlines, numbers inside titles, quoted names, slogans and idioms) is listed
in ``data/lexicon/not_metrics.json``; the words that say how to read a number
(approximation, change, rate, average, subject boundaries) are in
``data/lexicon/quantities.json``. All regexes run over a copy of the text
with full-width digits and punctuation folded to ASCII, which keeps offsets.

Metric kinds:

``count``    a number of things or events (``62件``, ``1500余人``, ``三个``)
``amount``   money, in 元 (``1.5亿元`` → 150000000 元)
``rate``     a percentage that is a level (``败诉率1.61%``)
``change``   a difference: ``同比下降29.67%`` (negative), ``提高7.6个百分点``
``average``  a mean (``平均1.6人``)
``previous`` derived by us, never stated: the previous year's value implied by
             a ``同比`` change (``derived=True``, ``derived_from`` = the change)

>>> metrics, checks = extract_metrics("受理案件62件,其中败诉1件,败诉率1.61%。", [])
>>> [(m.value, m.unit, m.kind, m.subject) for m in metrics]
[(62.0, '件', 'count', '案件'), (1.0, '件', 'count', '败诉案件'), (1.61, '%', 'rate', '败诉率')]
>>> checks[0].status, checks[0].computed
('consistent', 1.6129)
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.model import Check, Entity, Item, Metric, Relation, Span
from kg.resources import alternation, lexicon_file

__all__ = ["extract_metrics", "attach_entities", "fold", "KINDS"]

KINDS = ("count", "amount", "rate", "change", "average", "previous")

_FOLD = {
    **{chr(0xFF10 + d): str(d) for d in range(10)},
    "，": ",", "；": ";", "：": ":", "（": "(", "）": ")", "！": "!", "？": "?",
    "\u3000": " ", "％": "%", "．": ".", "～": "~", "－": "-", "／": "/", "\r": "\n", "\t": " ",
}
_FOLDABLE = re.compile("[" + re.escape("".join(_FOLD)) + "]")
_CLAUSE_END = re.compile(r"[;:。!?\n]|(?<!\d),|,(?!\d{3}(?!\d))")  # not the comma of 1,126
_SENTENCE_END = re.compile(r"[。!?\n]")
_ABOUT_TYPES = ("Agency", "Mechanism", "Activity")
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_CONJUNCTIONS = ("和", "及", "与", "、", "或")


def fold(text: str) -> str:
    """Full-width digits and punctuation to ASCII, one character for one, so offsets still hold."""
    return _FOLDABLE.sub(lambda m: _FOLD[m.group()], text)  # faster than str.translate here


@dataclass(frozen=True)
class _Lexicon:
    units: dict[str, str]  # surface form → unit class: count, amount, rate, points, level
    aliases: dict[str, str]
    scales: dict[str, float]
    blockers: dict[str, tuple[str, ...]]
    level_chars: str
    quantity: re.Pattern
    percent: re.Pattern
    exclusions: tuple[re.Pattern, ...]
    quotes: tuple[tuple[str, str], ...]
    title_quotes: tuple[str, str]
    max_quote: int
    fixed: re.Pattern
    approx_before: re.Pattern
    change: re.Pattern
    yoy: re.Pattern
    up: frozenset
    down: frozenset
    rate_suffixes: tuple[str, ...]
    rate_links: re.Pattern
    average: re.Pattern
    part_markers: frozenset
    strip_left: re.Pattern
    verbs: frozenset
    verb_in: re.Pattern
    modifiers: frozenset
    head_nouns: tuple[str, ...]
    strip_right: re.Pattern
    protect_right: tuple[str, ...]
    after_stop: re.Pattern
    after_cut: re.Pattern
    complements: dict[str, tuple[str, ...]]
    periods: tuple[re.Pattern, ...]
    period_cue: re.Pattern


def _load(name: str) -> dict:
    return json.loads(lexicon_file(name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    u, q, n = _load("units.json"), _load("quantities.json"), _load("not_metrics.json")
    units = {}
    for unit_class in ("count", "amount", "rate", "points", "level"):
        for surface in u[unit_class]:
            units[surface] = unit_class
    number = (r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
              rf"|[{_CN_DIGITS[:-2]}][{_CN_DIGITS}]*)")
    scales = alternation(u["scales"])
    inner = alternation(q["approx_inner"])
    quantity = re.compile(
        number + rf" ?(?P<scale1>{scales})?(?P<inner>{inner})?(?P<scale2>{scales})? ?"
        rf"(?P<unit>{alternation(units)})(?P<after> ?(?:{alternation(q['approx_after'])}))?")
    percent = re.compile(rf"(?:{alternation(u['percent_words'])})(?P<num>\d+(?:\.\d+)?|[{_CN_DIGITS}]+)")
    yoy = "|".join([alternation(q["year_on_year"])] + q["year_on_year_patterns"])
    change = re.compile(
        rf"(?P<yoy>(?:{yoy}|{alternation(q['period_on_period'])}) ?,? ?)?"
        rf"(?P<each>{alternation(q['respectively'])})?"
        rf"(?P<verb>{alternation(q['change_up'] + q['change_down'])})了?$")
    return _Lexicon(
        units=units, aliases=u["aliases"], scales={k: float(v) for k, v in u["scales"].items()},
        blockers={k: tuple(v) for k, v in u["blockers"].items()}, level_chars=u["level_chars"],
        quantity=quantity, percent=percent,
        exclusions=tuple(re.compile(p["regex"]) for p in n["patterns"]),
        quotes=tuple(tuple(pair) for pair in n["quotes"]), title_quotes=tuple(n["title_quotes"]),
        max_quote=int(n["max_quote_length"]),
        fixed=re.compile(alternation(n["names"] + n["idioms"])),
        approx_before=re.compile(rf"(?:{alternation(q['approx_before'])})$"),
        change=change, yoy=re.compile(yoy),
        up=frozenset(q["change_up"]), down=frozenset(q["change_down"]),
        rate_suffixes=tuple(q["rate_suffixes"]),
        rate_links=re.compile(rf"(?:{alternation(q['rate_links'])})$"),
        average=re.compile(alternation(q["average_markers"])),
        part_markers=frozenset(q["part_markers"]),
        strip_left=re.compile(rf"^(?:{alternation(q['strip_left'] + q['verbs'] + q['part_markers'])})"),
        verbs=frozenset(q["verbs"]),
        verb_in=re.compile(alternation(v for v in q["verbs"] if len(v) > 1)),
        head_nouns=tuple(q["head_nouns"]), modifiers=frozenset(q["modifiers"]),
        strip_right=re.compile(rf"(?:{alternation(q['strip_right'])})$"),
        protect_right=tuple(q["protect_right"]),
        after_stop=re.compile(rf"^(?:{alternation(q['after_stops'])})"),
        after_cut=re.compile(alternation(q["after_cuts"])),
        complements={k: tuple(v) for k, v in q["complements"].items()},
        periods=tuple(re.compile(p) for p in q["periods"]),
        period_cue=re.compile(alternation(q["period_cues"])),
    )


# --- what is not a quantity -------------------------------------------------------------------

def _excluded(folded: str, lex: _Lexicon) -> bytearray:
    """A mask over the text: 1 where a number must not start."""
    mask = bytearray(len(folded))

    def cover(start: int, end: int) -> None:
        mask[start:end] = b"\x01" * (end - start)

    for pattern in lex.exclusions:  # one by one: faster than one alternation in Python's re
        for m in pattern.finditer(folded):
            cover(m.start(), m.end())
    for m in lex.fixed.finditer(folded):
        cover(m.start(), m.end())
    for opener, closer in lex.quotes:
        start = folded.find(opener)
        while start >= 0:
            end = folded.find(closer, start + 1, start + lex.max_quote + 1)
            if end >= 0:
                cover(start, end + 1)
                start = folded.find(opener, end + 1)
            else:  # an unbalanced or overlong quote: skip it rather than mask a paragraph
                start = folded.find(opener, start + 1)
    opener, closer = lex.title_quotes
    depth, title_start = 0, 0
    for m in re.finditer(f"[{opener}{closer}]", folded):  # 《…》 may nest, so track depth
        i, ch = m.start(), m.group()
        if ch == opener:
            depth += 1
            if depth == 1:
                title_start = i
        elif ch == closer and depth:
            depth -= 1
            if depth == 0:
                cover(title_start, i + 1)
    return mask


# --- numbers ----------------------------------------------------------------------------------

def _number(raw: str) -> float | None:
    if raw[0].isdigit():
        return float(raw.replace(",", ""))
    import cn2an  # imported only when a Chinese numeral occurs: it is slow to import

    try:
        return float(cn2an.cn2an(raw, "smart"))
    except (ValueError, KeyError, IndexError):
        return None


def _significant(raw: str) -> int:
    """Significant digits as written: 2456.8 → 5, 64 → 2, 三百 → 1."""
    if raw[0].isdigit():
        return max(1, len(raw.replace(",", "").replace(".", "").lstrip("0")))
    value = _number(raw)
    return max(1, len(str(int(value)).rstrip("0"))) if value else 1


def _decimals(raw: str) -> int:
    return len(raw.split(".", 1)[1]) if "." in raw else 0


@dataclass
class _Quantity:
    """A quantity while it is being read; becomes a :class:`Metric` at the end."""

    start: int  # span start (with approximation and change words)
    end: int
    num_start: int
    value: float
    unit: str
    unit_class: str
    approx: bool
    decimals: int
    significant: int = 1
    clause: int = 0  # index of the clause
    sentence: int = 0
    kind: str = "count"
    subject: str = ""
    noun: str = ""  # the thing counted, inherited by elliptical counts
    action: str = ""  # verbs stripped before the subject (办结, 败诉)
    elliptical: bool = False
    change_verb: str = ""
    year_on_year: bool = False
    part_of: "_Quantity | None" = None
    change_of: "_Quantity | None" = None
    derived_from: "_Quantity | None" = None
    period: str | None = None
    subject_span: tuple[int, int] | None = None
    consumed: int = 0  # end of the words read as subject after the unit (18家单位), else ``end``
    respectively: bool = False  # 分别: several changes, one for each quantity before them
    siblings: list = field(default_factory=list)  # further subjects of one stated value


def _find_quantities(text: str, folded: str, lex: _Lexicon) -> list[_Quantity]:
    mask = _excluded(folded, lex)
    found: list[_Quantity] = []
    for m in lex.quantity.finditer(folded):
        raw, start = m["num"], m.start("num")
        if mask[start]:
            continue
        if "," in raw and "," not in text[start:m.end("num")]:
            continue  # a full-width comma separates clauses, never thousands
        if start and (folded[start - 1].isdigit() or folded[start - 1] == "."):
            continue
        unit_surface = m["unit"]
        unit_class = lex.units[unit_surface]
        following = folded[m.end("unit"):m.end("unit") + 1]
        if following and following in lex.blockers.get(unit_surface, ()):
            continue
        scaled = bool(m["scale1"] or m["scale2"])
        if raw == "一" and not scaled:
            continue  # a bare 一 is nearly always part of a word (一次性, 一件事)
        if not raw[0].isdigit() and start and folded[start - 1] in _CN_DIGITS:
            continue
        if unit_class == "level" and not (start and folded[start - 1] in lex.level_chars):
            continue
        value = _number(raw)
        if value is None:
            continue
        for scale in (m["scale1"], m["scale2"]):
            if scale:
                value *= lex.scales[scale]
        unit = lex.aliases.get(unit_surface, unit_surface)
        found.append(_Quantity(
            start=start, end=m.end(), num_start=start, value=value, unit=unit, unit_class=unit_class,
            approx=bool(m["inner"] or m["after"]), decimals=_decimals(raw),
            significant=_significant(raw)))
    starts = [q.start for q in found]
    for m in lex.percent.finditer(folded):
        start = m.start()
        before = bisect.bisect_right(starts, m.start("num")) - 1
        if mask[start] or before >= 0 and found[before].end > m.start("num"):
            continue
        value = _number(m["num"])
        if value is not None:
            found.append(_Quantity(start=start, end=m.end(), num_start=m.start("num"), value=value,
                                   unit="%", unit_class="rate", approx=False, decimals=_decimals(m["num"]),
                                   significant=_significant(m["num"])))
    found.sort(key=lambda q: q.start)
    return found


# --- clauses and words around a number ---------------------------------------------------------

class _Layout:
    """Clause and sentence boundaries of the folded text, for quick look-ups."""

    def __init__(self, folded: str):
        self.text = folded
        self.clause_ends = [m.start() for m in _CLAUSE_END.finditer(folded)]
        self.sentence_ends = [m.start() for m in _SENTENCE_END.finditer(folded)]

    def clause(self, pos: int) -> int:
        return _index_of(self.clause_ends, pos)

    def clause_bounds(self, index: int) -> tuple[int, int]:
        return _bounds(self.clause_ends, index, len(self.text))

    def sentence(self, pos: int) -> int:
        return _index_of(self.sentence_ends, pos)

    def sentence_bounds(self, index: int) -> tuple[int, int]:
        return _bounds(self.sentence_ends, index, len(self.text))


def _index_of(ends: list[int], pos: int) -> int:
    """Which stretch (between consecutive ``ends``) holds ``pos``."""
    return bisect.bisect_right(ends, pos - 1) if pos else 0


def _bounds(ends: list[int], index: int, length: int) -> tuple[int, int]:
    return (ends[index - 1] + 1 if index else 0), (ends[index] if index < len(ends) else length)


def _strip_left(words: str, lex: _Lexicon) -> tuple[str, list[str], bool]:
    """Drop leading adverbs, determiners and verbs; return the rest, the verbs, and 其中."""
    verbs, part = [], False
    while words:
        m = lex.strip_left.match(words)
        if not m:
            break
        word, rest = m.group(), words[m.end():]
        if word in lex.modifiers and rest:
            break
        if word in lex.verbs:
            # a verb that begins a compound noun (调解组织) is part of the noun
            if rest and (len(rest) < 2 or rest.startswith(lex.head_nouns)):
                break
            verbs.append(word)
        elif rest and len(rest) < 2 and word not in lex.part_markers:
            break
        part = part or word in lex.part_markers
        words = rest
    return words, verbs, part


def _strip_right(words: str, pattern: re.Pattern, protect: tuple[str, ...] = ()) -> str:
    while words:
        m = pattern.search(words)
        if not m or m.start() == 0 or words.endswith(protect):
            break
        words = words[:m.start()]
    return words


def _object_of_last_verb(words: str, lex: _Lexicon) -> str:
    """``律师服务团为企业提供法治体检`` → ``法治体检``; ``宣讲、讲座等活动`` → ``活动``."""
    if "等" in words[:-1]:
        words = words[words.rindex("等") + 1:]
    for m in reversed(list(lex.verb_in.finditer(words))):
        rest = words[m.end():]
        # a verb before a head noun or a conjunction modifies the noun (调解组织, 废止和失效文件)
        if len(rest) >= 3 and not rest.startswith(lex.head_nouns + _CONJUNCTIONS):
            rest, _, _ = _strip_left(rest, lex)
            return rest or words
    return words


def _after_subject(folded: str, start: int, end: int, lex: _Lexicon) -> str:
    after = folded[start:end].strip()
    if not after or lex.after_stop.match(after):
        return ""
    cut = lex.after_cut.search(after)
    if cut:
        after = after[:cut.start()]
    for m in lex.verb_in.finditer(after):  # the predicate begins at the first verb (单位进行…)
        if m.start() and not after[m.end():].startswith(lex.head_nouns):
            after = after[:m.start()]
            break
    digit = re.search(rf"[\d{_CN_DIGITS[:-2]}]", after)
    if digit:  # 19次26件: the next quantity is not this one's subject
        after = after[:digit.start()]
    after = after[:16].strip(" 的、和及与")
    return after if any("\u4e00" <= ch <= "\u9fff" for ch in after) else ""


def _split_rates(subject: str, lex: _Lexicon) -> list[str]:
    """``办结率、满意率`` → two subjects when every part is itself a rate."""
    parts = [p for p in subject.split("、") if p]
    if len(parts) > 1 and all(p.endswith(lex.rate_suffixes) for p in parts):
        return parts
    return [subject]


# --- reading each quantity ----------------------------------------------------------------------

def _read_context(quantities: list[_Quantity], text: str, folded: str, layout: _Layout,
                  lex: _Lexicon) -> list[_Quantity]:
    out: list[_Quantity] = []
    periods: dict[int, str | None] = {}
    for q in quantities:
        q.clause, q.sentence = layout.clause(q.num_start), layout.sentence(q.num_start)
        clause_start, clause_end = layout.clause_bounds(q.clause)
        previous = out[-1] if out and out[-1].clause == q.clause else None
        left_edge = max(clause_start, max(previous.end, previous.consumed) if previous else clause_start)
        before = folded[left_edge:q.start]
        approx = lex.approx_before.search(before)
        if approx:
            q.approx, q.start = True, left_edge + approx.start()
            before = before[:approx.start()]
        change = lex.change.search(before)
        if change:
            q.change_verb = change["verb"]
            q.start = left_edge + change.start()
            before = before[:change.start()]
            q.year_on_year = bool(change["yoy"] and lex.yoy.search(change["yoy"]))
            q.respectively = bool(change["each"])
        elif previous and previous.change_verb and before.strip() in _CONJUNCTIONS:
            # 分别增长15.3%和22.1%: the second value is a change like the first
            q.change_verb, q.year_on_year = previous.change_verb, previous.year_on_year
            q.respectively = previous.respectively
        q.year_on_year = q.year_on_year or bool(q.change_verb and lex.yoy.search(folded[clause_start:q.start]))
        q.kind = _kind(q, folded[clause_start:q.num_start], lex)
        if q.kind == "change" and q.change_verb in lex.down or (
                q.unit_class == "points" and not q.change_verb and _falls(folded[clause_start:q.num_start], lex)):
            q.value = -q.value
        if q.sentence not in periods:
            periods[q.sentence] = _period(text, folded, layout.sentence_bounds(q.sentence), lex)
        q.period = periods[q.sentence]
        _subject(q, before, left_edge, out, folded, layout, lex)
        out.append(q)
    _pair_respectively(out)
    return out


def _pair_respectively(quantities: list[_Quantity]) -> None:
    """``案件1362起,罚没款2456.8万元,同比分别增长15.3%和22.1%``: the n changes go to the n quantities before."""
    i = 0
    while i < len(quantities):
        q = quantities[i]
        if not (q.kind == "change" and q.respectively):
            i += 1
            continue
        group = [q]
        while i + len(group) < len(quantities):
            nxt = quantities[i + len(group)]
            if not (nxt.kind == "change" and nxt.respectively and nxt.clause == q.clause):
                break
            group.append(nxt)
        bases = [p for p in quantities[:i] if p.sentence == q.sentence and p.kind != "change"][-len(group):]
        if len(bases) == len(group):
            for change, base in zip(group, bases):
                change.change_of = base
                change.subject = change.noun = base.subject + ("同比变化" if change.year_on_year else "变化")
        i += len(group)


def _period(text: str, folded: str, bounds: tuple[int, int], lex: _Lexicon) -> str | None:
    """The reporting period a sentence names (今年1-10月), which qualifies all its metrics."""
    if not lex.period_cue.search(folded, *bounds):
        return None
    for pattern in lex.periods:
        m = pattern.search(folded, *bounds)
        if m:
            return text[m.start():m.end()].strip()
    return None


def _kind(q: _Quantity, clause_before: str, lex: _Lexicon) -> str:
    if q.unit_class == "points" or q.change_verb:
        return "change"
    if q.unit_class == "rate":
        return "rate"
    if lex.average.search(clause_before[-8:]):
        return "average"
    return "amount" if q.unit_class == "amount" else "count"


def _falls(clause_before: str, lex: _Lexicon) -> bool:
    """For 个百分点 with no verb right before it: does the nearest change word say down?"""
    best, falls = -1, False
    for word in lex.up | lex.down | {"低于", "高于"}:
        at = clause_before.rfind(word)
        if at > best:
            best, falls = at, word in lex.down or word == "低于"
    return falls


def _subject(q: _Quantity, before: str, left_edge: int, done: list[_Quantity], folded: str,
             layout: _Layout, lex: _Lexicon) -> None:
    clause_start, clause_end = layout.clause_bounds(q.clause)
    same_sentence = []
    for p in reversed(done):  # walk back only as far as the sentence goes: linear in the report
        if p.sentence != q.sentence:
            break
        same_sentence.append(p)
    same_sentence.reverse()
    raw = before.strip()
    if q.kind == "change":
        own, _, _ = _strip_left(_strip_right(raw, lex.strip_right, lex.protect_right), lex)
        base = next((p for p in reversed(same_sentence)
                     if p.kind != "change" and q.clause - p.clause <= 1), None)
        if own:
            q.subject = own
            base = next((p for p in reversed(same_sentence) if p.clause == q.clause and p.kind != "change"), None)
        elif base:
            q.subject = base.subject
        else:
            q.subject = q.change_verb
        q.change_of = base
        q.subject += "同比变化" if q.year_on_year else "变化"
        q.noun = q.subject
        return
    if q.kind == "rate":
        words = _strip_right(raw, lex.rate_links)
        words = _strip_right(words, lex.strip_right, lex.protect_right)
        stripped = words
        while True:  # adverbs only: 审查通过率 keeps its verb
            m = lex.strip_left.match(stripped)
            if not m or m.group() in lex.verbs or m.end() == len(stripped):
                break
            stripped = stripped[m.end():]
        subject = stripped or _after_subject(folded, q.end, clause_end, lex)
        if not subject:
            subject = same_sentence[-1].noun if same_sentence else "比率"
        parts = _split_rates(subject, lex)
        q.subject, q.noun, q.siblings = parts[0], parts[0], parts[1:]
        if stripped:
            at = folded.rfind(stripped, left_edge, q.start)
            q.subject_span = (at, at + len(parts[0])) if at >= 0 else None
        return
    words = _strip_right(raw, lex.strip_right, lex.protect_right)
    own, verbs, part = _strip_left(words, lex)
    if q.kind != "average":  # 每组平均配备: the whole phrase says what is averaged
        own = _object_of_last_verb(own, lex)
    q.action = "".join(verbs)
    after = _after_subject(folded, q.end, clause_end, lex)
    siblings = [p for p in reversed(same_sentence) if p.unit == q.unit and p.kind in ("count", "amount")
                and q.clause - p.clause <= 4]
    if part and siblings:
        q.part_of = siblings[0]
    if after:
        q.subject = q.noun = after
        at = q.end + folded[q.end:clause_end].find(after)
        q.subject_span, q.consumed = (at, at + len(after)), at + len(after)
    elif own:
        q.subject = q.noun = own
        at = folded.rfind(own, left_edge, q.start)
        q.subject_span = (at, at + len(own)) if at >= 0 else None
    elif done and done[-1].end == q.start and done[-1].clause == q.clause:
        q.subject, q.noun = done[-1].subject, done[-1].noun  # 19次26件: the same thing, counted twice
    elif verbs and siblings:
        # 受理148件,审结131件: parts listed one after another share the whole of the first
        base = siblings[0].part_of or siblings[0]
        q.elliptical = True
        q.part_of = q.part_of or base
        q.noun = base.noun
        q.subject = q.action + base.noun
    else:
        q.subject = q.noun = _fallback_subject(q, raw, folded, layout, lex)
    if q.part_of is None and not q.elliptical:
        _subset_of(q, siblings)
    if q.kind == "average" and lex.average.fullmatch(q.subject) and same_sentence:
        q.subject = same_sentence[-1].noun + q.subject


def _subset_of(q: _Quantity, siblings: list[_Quantity]) -> None:
    """抽查案卷120份,优良案卷102份: a count of a qualified kind of the thing just counted is part of it."""
    if not siblings or q.clause - siblings[0].clause > 1:
        return
    whole = siblings[0]
    head = whole.noun[-2:]
    if len(head) == 2 and q.noun != whole.noun and q.noun.endswith(head) and len(q.noun) > 2 \
            and whole.value > q.value:
        q.part_of = whole


def _fallback_subject(q: _Quantity, raw: str, folded: str, layout: _Layout, lex: _Lexicon) -> str:
    """No subject beside the number (全区合计800余人到场): borrow the previous clause's object."""
    clause_start, clause_end = layout.clause_bounds(q.clause)
    following = lex.after_stop.match(folded[q.end:clause_end].strip())
    verb = following.group() if following and following.group() in lex.verbs else ""
    if q.clause and layout.sentence(layout.clause_bounds(q.clause - 1)[0]) == q.sentence:
        start, end = layout.clause_bounds(q.clause - 1)
        previous, _, _ = _strip_left(folded[start:end].strip(), lex)
        previous = _object_of_last_verb(previous, lex)
        if previous:
            return previous[-16:] + verb
    return raw or q.action or verb or q.unit


# --- derived values and checks -----------------------------------------------------------------

def _previous_year(change: _Quantity) -> _Quantity | None:
    """The previous year's value a 同比 change implies, or None when it cannot be computed."""
    base = change.change_of
    if base is None or not change.year_on_year:
        return None
    if change.unit == "百分点" and base.unit == "%" or change.unit == base.unit and change.unit != "%":
        raw = base.value - change.value
    elif change.unit == "%" and change.value > -100:
        raw = base.value / (1 + change.value / 100)
    else:
        return None
    # no more precision than the stated value has (2456.8万元 → 2012.1万元), whole things counted whole
    value = float(f"{raw:.{max(base.significant, 2)}g}")
    if base.kind == "count":
        value = float(round(value))
    return _Quantity(
        start=change.start, end=change.end, num_start=change.num_start, value=value, unit=base.unit,
        unit_class=base.unit_class, approx=base.approx or change.approx or abs(value - raw) > 1e-9,
        decimals=base.decimals, clause=change.clause, sentence=change.sentence, kind="previous",
        subject="上年" + base.subject, noun=base.noun, derived_from=change,
        period=f"上年同期({base.period})" if base.period else "上年")


def _direction(rate: _Quantity, numerator: _Quantity, lex: _Lexicon) -> str | None:
    """'direct' when the rate names what the numerator counts, 'complement' when its opposite."""
    stem = rate.subject
    for suffix in lex.rate_suffixes:
        if stem.endswith(suffix):
            stem = stem[:-len(suffix)]
            break
    action = numerator.action or numerator.subject
    if stem and action and (action in stem or stem in action or stem.endswith(action[-2:])):
        return "direct"
    for word, opposites in lex.complements.items():
        if word in action and any(o in stem for o in opposites):
            return "complement"
    return None


def _checks(quantities: list[_Quantity], lex: _Lexicon) -> list[tuple[_Quantity, _Quantity, _Quantity, float, str]]:
    """Each stated rate with the part and whole counts it is computed from, and the recomputed rate."""
    found = []
    for i, rate in enumerate(quantities):
        if rate.kind != "rate" or rate.unit != "%":
            continue
        numerator = direction = None
        for p in reversed(quantities[max(0, i - 12):i]):  # a rate's counts stand just before it
            if p.sentence != rate.sentence or rate.clause - p.clause > 2:
                break
            if p.part_of is not None and p.kind == "count" and p.part_of.value > 0:
                direction = _direction(rate, p, lex)
                if direction:  # only counts the rate's own words name: 纠错率 is not made of 审结
                    numerator = p
                    break
        if numerator is None:
            continue
        denominator = numerator.part_of
        direct = numerator.value / denominator.value * 100
        complement = (denominator.value - numerator.value) / denominator.value * 100
        computed = direct if direction == "direct" else complement
        if direction == "direct":
            formula = f"{_fmt(numerator.value)} / {_fmt(denominator.value)}"
        else:
            formula = f"({_fmt(denominator.value)} - {_fmt(numerator.value)}) / {_fmt(denominator.value)}"
        method = (f"{direction}: {formula} × 100 = {computed:.4f}%, "
                  f"compared with the stated {_fmt(rate.value)}% at {rate.decimals} decimal(s)")
        found.append((rate, numerator, denominator, computed, method))
    return found


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def _item_finder(items: list[Item]):
    """A look-up of the innermost item holding a position, for positions that never decrease."""
    pending = sorted(items, key=lambda i: (i.span.start, -i.span.end))
    open_items: list[Item] = []
    cursor = 0

    def item_of(position: int) -> str | None:
        nonlocal cursor
        while cursor < len(pending) and pending[cursor].span.start <= position:
            open_items.append(pending[cursor])
            cursor += 1
        while open_items and open_items[-1].span.end <= position:
            open_items.pop()
        return open_items[-1].id if open_items else None

    return item_of


# --- public functions ---------------------------------------------------------------------------

def extract_metrics(text: str, items: list[Item]) -> tuple[list[Metric], list[Check]]:
    """Every quantity of ``text`` as a :class:`Metric`, and the arithmetic checks its rates allow.

    ``items`` are the report's measures, problems and plans: each metric's
    ``item`` is the innermost one containing it.
    """
    lex = _lexicon()
    folded = fold(text)
    layout = _Layout(folded)
    quantities = _read_context(_find_quantities(text, folded, lex), text, folded, layout, lex)
    ordered: list[_Quantity] = []
    for q in quantities:
        ordered.append(q)
        for sibling in q.siblings:  # 答复率、采纳率均为100%: one value, two subjects, one span
            ordered.append(_Quantity(**{**q.__dict__, "subject": sibling, "noun": sibling, "siblings": [],
                                        "subject_span": None}))
        previous = _previous_year(q) if q.kind == "change" else None
        if previous:
            ordered.append(previous)
    ids = {id(q): f"metric-{n}" for n, q in enumerate(ordered, 1)}
    item_of = _item_finder(items)
    metrics = []
    for q in ordered:
        clause = layout.clause_bounds(q.clause)
        item = item_of(q.num_start)
        metrics.append(Metric(
            id=ids[id(q)], span=Span.of(text, q.start, q.end), value=q.value, unit=q.unit,
            approx=q.approx, kind=q.kind, subject=q.subject, period=q.period,
            subject_span=Span.of(text, *q.subject_span) if q.subject_span else None, item=item,
            part_of=ids.get(id(q.part_of)) if q.part_of else None,
            change_of=ids.get(id(q.change_of)) if q.change_of else None,
            derived=q.derived_from is not None,
            derived_from=ids.get(id(q.derived_from)) if q.derived_from else None,
            clause=Span.of(text, *clause),
        ))
    checks = []
    for n, (rate, numerator, denominator, computed, method) in enumerate(_checks(quantities, lex), 1):
        tolerance = 0.5 * 10 ** -rate.decimals + 1e-9
        checks.append(Check(
            id=f"check-{n}", kind="rate",
            status="consistent" if abs(computed - rate.value) <= tolerance else "inconsistent",
            metrics=[ids[id(rate)], ids[id(numerator)], ids[id(denominator)]],
            stated=rate.value, computed=round(computed, 4), method=method))
    return metrics, checks


def attach_entities(metrics: list[Metric], entities: list[Entity], relations: list[Relation]) -> None:
    """Set each metric's ``about`` to the agencies, mechanisms and activities named in its clause."""
    mentions = sorted((m.start, m.end, e.id) for e in entities if e.type in _ABOUT_TYPES for m in e.mentions)
    starts = [start for start, _, _ in mentions]
    for metric in metrics:
        if metric.clause is None:
            continue
        lo, hi = metric.clause.start, metric.clause.end
        about: list[str] = []
        for index in range(bisect.bisect_left(starts, lo), len(mentions)):
            start, end, entity_id = mentions[index]
            if start >= hi:
                break
            if end <= hi and entity_id not in about:
                about.append(entity_id)
        metric.about = about
    by_id = {metric.id: metric for metric in metrics}
    for metric in metrics:  # 成功化解40件 is about what the 77 cases it is part of are about
        source = by_id.get(metric.part_of or metric.change_of or metric.derived_from or "")
        if not metric.about and source is not None:
            metric.about = list(source.about)
