"""Quantities: where a report states a number with a unit, and what it is worth.

A quantity is a number (Arabic, full-width or Chinese numerals; 万/亿 folded
in) followed by a measure word from ``data/lexicon/units.json``. What is not
a quantity (years, dates, periods, document numbers, ordinals, ranks,
hotlines, numbers inside titles, quoted names, slogans and idioms) is listed
in ``data/lexicon/not_metrics.json``; the words that say how to read a number
are in ``data/lexicon/quantities.json`` (compiled here into :class:`Lexicon`).
The regexes run over a copy of the text with full-width digits and
punctuation folded to ASCII (:func:`kg.extraction.text.fold`), which keeps offsets.

>>> from kg.extraction.text import fold
>>> text = "培训30余场,受教育群众达30万余人"
>>> [(q.value, q.unit, q.approx) for q in find_quantities(text, fold(text), metric_lexicon())]
[(30.0, '场', True), (300000.0, '人', True)]
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from kg.extraction.rules import compiled, lexicon
from kg.extraction.text import CN_NUMERAL_CHARS, numeral
from kg.resources import alternation

__all__ = ["Lexicon", "Quantity", "metric_lexicon", "find_quantities", "excluded_mask", "significant", "decimals"]


@dataclass(frozen=True)
class Lexicon:
    units: dict[str, str]  # surface form → unit class: count, amount, rate, points, level
    aliases: dict[str, str]
    scales: dict[str, float]
    blockers: dict[str, tuple[str, ...]]
    needs_before: dict[str, re.Pattern]
    range_low: re.Pattern  # the lower end of a range and its mark, right before a quantity (3-5年)
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
    conjunctions: tuple[str, ...]
    list_ends: tuple[str, ...]
    after_trim: str
    compare_down: frozenset
    compare_up: frozenset
    labels: dict[str, str]
    bounded_rates: tuple[str, ...]
    unbounded_rates: tuple[str, ...]
    after_skip: re.Pattern  # words right after a quantity that say how often, not what (3-5年一轮的…)
    transition_from: re.Pattern
    transition_to: re.Pattern


@compiled
def metric_lexicon() -> Lexicon:
    """The metric rules of ``units.json``, ``quantities.json`` and ``not_metrics.json``, compiled once."""
    u, q, n = lexicon("units.json"), lexicon("quantities.json"), lexicon("not_metrics.json")
    units = {}
    for unit_class in ("count", "amount", "rate", "points", "level", "measure"):
        for surface in u[unit_class]:
            units[surface] = unit_class
    number = (r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
              rf"|[{CN_NUMERAL_CHARS[:-2]}][{CN_NUMERAL_CHARS}]*)")
    # a scale word that begins a unit is the unit's (8.5千米 is 8.5 km, not 8,500 m)
    scaled_units = [unit for unit in units if unit[:1] in "".join(u["scales"])]
    scales = (f"(?!{alternation(scaled_units)})" if scaled_units else "") + f"(?:{alternation(u['scales'])})"
    inner = alternation(q["approx_inner"])
    quantity = re.compile(
        number + rf" ?(?P<scale1>{scales})?(?P<inner>{inner})?(?P<scale2>{scales})? ?"
        rf"(?P<unit>{alternation(units)})(?P<after> ?(?:{alternation(q['approx_after'])}))?")
    percent = re.compile(rf"(?:{alternation(u['percent_words'])})(?P<num>\d+(?:\.\d+)?|[{CN_NUMERAL_CHARS}]+)")
    yoy = "|".join([alternation(q["year_on_year"])] + q["year_on_year_patterns"])
    change = re.compile(
        rf"(?P<yoy>(?:{yoy}|{alternation(q['period_on_period'])}) ?,? ?)?"
        rf"(?P<each>{alternation(q['respectively'])})?"
        rf"(?P<verb>{alternation(q['change_up'] + q['change_down'])})了?$")
    return Lexicon(
        units=units, aliases=u["aliases"], scales={k: float(v) for k, v in u["scales"].items()},
        blockers={k: tuple(v) for k, v in u["blockers"].items()}, level_chars=u["level_chars"],
        needs_before={unit: re.compile(rf"(?:{alternation(words)}) ?$") for unit, words in u["needs_before"].items()},
        range_low=re.compile(rf"(?P<low>\d+(?:\.\d+)?|[{CN_NUMERAL_CHARS}]+) ?(?:{alternation(u['range_marks'])}) ?$"),
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
        strip_right=re.compile(rf"(?:{alternation(q['strip_right'] + q['transitions']['from'] + q['transitions']['to'][:-2])})$"),
        protect_right=tuple(q["protect_right"]),
        after_stop=re.compile(rf"^(?:{alternation(q['after_stops'])})"),
        after_cut=re.compile(alternation(q["after_cuts"])),
        complements={k: tuple(v) for k, v in q["complements"].items()},
        periods=tuple(re.compile(p) for p in q["periods"]),
        period_cue=re.compile(alternation(q["period_cues"])),
        conjunctions=tuple(q["conjunctions"]), list_ends=tuple(q["list_ends"]), after_trim=q["after_trim"],
        compare_down=frozenset(q["compare_down"]), compare_up=frozenset(q["compare_up"]), labels=q["labels"],
        bounded_rates=tuple(q["bounded_rates"]), unbounded_rates=tuple(q["unbounded_rates"]),
        after_skip=re.compile(rf"^(?:{alternation(q['after_skips'])})"),
        transition_from=re.compile(rf"(?:{alternation(q['transitions']['from'])})$"),
        transition_to=re.compile(rf"(?:{alternation(q['transitions']['to'])})"),
    )


# --- what is not a quantity -------------------------------------------------------------------

def excluded_mask(folded: str, lex: Lexicon) -> bytearray:
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

def significant(raw: str) -> int:
    """Significant digits as written: 2456.8 → 5, 64 → 2, 三百 → 1."""
    if raw[0].isdigit():
        return max(1, len(raw.replace(",", "").replace(".", "").lstrip("0")))
    value = numeral(raw)
    return max(1, len(str(int(value)).rstrip("0"))) if value else 1


def decimals(raw: str) -> int:
    return len(raw.split(".", 1)[1]) if "." in raw else 0


@dataclass
class Quantity:
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
    part_of: "Quantity | None" = None
    change_of: "Quantity | None" = None
    derived_from: "Quantity | None" = None
    period: str | None = None
    subject_span: tuple[int, int] | None = None
    consumed: int = 0  # end of the words read as subject after the unit (18家单位), else ``end``
    respectively: bool = False  # 分别: several changes, one for each quantity before them
    siblings: list = field(default_factory=list)  # further subjects of one stated value
    low: float | None = None  # the lower end when the quantity is a range (3-5年: 3; the quantity is 5)
    low_start: int = 0
    before_of: "Quantity | None" = None  # 由38降至33: on the 33, the 38 it was before
    own: str = ""  # a change's own words for the thing it changes (刑事立案数 in 刑事立案数同比下降…)
    reading: str | None = None  # a change in % of a rate in %: points, relative or ambiguous
    reading_why: str = ""


def find_quantities(text: str, folded: str, lex: Lexicon) -> list[Quantity]:
    """Every quantity of the text (a range counts once, its lower end in ``low``), in text order."""
    mask = excluded_mask(folded, lex)
    found: list[Quantity] = []
    for m in lex.quantity.finditer(folded):
        quantity = _quantity(m, text, folded, mask, lex)
        if quantity is not None:
            found.append(quantity)
    starts = [q.start for q in found]
    for m in lex.percent.finditer(folded):
        start = m.start()
        before = bisect.bisect_right(starts, m.start("num")) - 1
        if mask[start] or before >= 0 and found[before].end > m.start("num"):
            continue
        value = numeral(m["num"])
        if value is not None:
            found.append(Quantity(start=start, end=m.end(), num_start=m.start("num"), value=value,
                                  unit="%", unit_class="rate", approx=False, decimals=decimals(m["num"]),
                                  significant=significant(m["num"])))
    found.sort(key=lambda q: q.start)
    return found


def _quantity(m: re.Match, text: str, folded: str, mask: bytearray, lex: Lexicon) -> Quantity | None:
    """The quantity a match of the number-and-unit regex states, or None when it is none."""
    raw, start = m["num"], m.start("num")
    if mask[start]:
        return None
    if "," in raw and "," not in text[start:m.end("num")]:
        return None  # a full-width comma separates clauses, never thousands
    if start and (folded[start - 1].isdigit() or folded[start - 1] == "."):
        return None
    unit_surface = m["unit"]
    unit_class = lex.units[unit_surface]
    following = folded[m.end("unit"):m.end("unit") + 1]
    if following and following in lex.blockers.get(unit_surface, ()):
        return None
    scaled = bool(m["scale1"] or m["scale2"])
    if raw == "一" and not scaled:
        return None  # a bare 一 is nearly always part of a word (一次性, 一件事)
    if not raw[0].isdigit() and start and folded[start - 1] in CN_NUMERAL_CHARS:
        return None
    if unit_class == "level" and not (start and folded[start - 1] in lex.level_chars):
        return None
    low = lex.range_low.search(folded, max(0, start - 12), start)
    if low and (mask[low.start()] or low.start() and folded[low.start() - 1].isdigit()):
        low = None
    needs = lex.needs_before.get(unit_surface)
    if needs is not None and low is None and not needs.search(folded, max(0, start - 6), start):
        return None
    value = numeral(raw)
    if value is None:
        return None
    scale = 1.0
    for word in (m["scale1"], m["scale2"]):
        if word:
            scale *= lex.scales[word]
    quantity = Quantity(
        start=start, end=m.end(), num_start=start, value=value * scale, unit=lex.aliases.get(unit_surface, unit_surface),
        unit_class=unit_class, approx=bool(m["inner"] or m["after"]), decimals=decimals(raw),
        significant=significant(raw))
    low_value = numeral(low["low"]) if low else None
    if low_value is not None and low_value < value:
        quantity.low, quantity.low_start = low_value * scale, low.start("low")
        quantity.start = quantity.low_start
    return quantity
