"""Metrics mapped to the comparable indicators of ``ontology/indicators.ttl``.

The scheme is data: each indicator carries its matching cues (``fz:cueUnit``,
``fz:cueKind``, ``fz:cueMatter``, ``fz:cueAll``, ``fz:cueNone``), read once per
process with pyoxigraph. A metric maps to an indicator when its unit and kind
fit, its matter is named — by its subject, or (for a subject such as 办结率 that
names none) by the nearest matter word of its sentence before the number —, a
word of every ``fz:cueAll`` stands in the subject or the sentence, and no word
of ``fz:cueNone`` stands in the subject. The most specific indicator wins; a
tie maps to none, so a metric is never forced onto a matter it is not about.

Methods and confidences: ``subject`` (every cue in the subject, 0.9),
``subject+sentence`` (the matter in the subject, another cue in the sentence,
0.75), ``sentence`` (the matter from the sentence, 0.6).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg import iris
from kg.errors import DataError
from kg.model import Metric

__all__ = ["Indicator", "indicator_scheme", "map_metric", "map_metrics", "INDICATOR_NS", "MAPPED_KINDS"]

INDICATOR_NS = iris.INDICATOR
_FZ = iris.FZ
_SKOS = iris.SKOS
MAPPED_KINDS = ("count", "rate")  # changes and derived previous values follow the metric they qualify
_CONFIDENCE = {"subject": 0.9, "subject+sentence": 0.75, "sentence": 0.6}
_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_CLAUSE_END = re.compile(r"[，,、。；;！？!?\n]")


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per indicator
class Indicator:
    id: str  # the concept's skos:notation, also the last part of its IRI
    iri: str
    label: str  # zh
    label_en: str
    definition: str  # zh
    definition_en: str
    unit: str  # the unit it is counted in (a fz:Unit's IRI)
    matter: str  # IRI of the broader matter concept
    kind: str
    units: frozenset[str]
    matter_words: tuple[str, ...]
    all_words: tuple[tuple[str, ...], ...]
    none_words: tuple[str, ...]
    # The same words as patterns: one search instead of a loop over words.
    all_patterns: tuple[re.Pattern, ...] = ()
    none_pattern: re.Pattern | None = None


def _scheme_file():
    from kg.resources import ontology_dir

    return ontology_dir() / "indicators.ttl"


@cache
def indicator_scheme() -> dict[str, Indicator]:
    """Every indicator of the scheme by id, read once per process."""
    import pyoxigraph as ox

    path = _scheme_file()
    try:
        quads = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        facts: dict[str, dict[str, list]] = {}
        for quad in quads:
            facts.setdefault(quad.subject.value, {}).setdefault(quad.predicate.value, []).append(quad.object)
    except (OSError, SyntaxError, ValueError) as err:
        raise DataError(f"ontology/indicators.ttl: cannot be read ({err})") from None
    out = {}
    for iri, props in facts.items():
        if not any(t.value == _FZ + "Indicator" for t in props.get(_RDF_TYPE, [])):
            continue
        indicator = _indicator(iri, props)
        out[indicator.id] = indicator
    return dict(sorted(out.items()))


_RDF_TYPE = iris.RDF + "type"


def _indicator(iri: str, props: dict[str, list]) -> Indicator:
    def one(prop: str, lang: str | None = None) -> str:
        values = [v for v in props.get(prop, []) if lang is None or getattr(v, "language", None) == lang]
        if len(values) != 1:
            raise DataError(f"ontology/indicators.ttl: <{iri}> needs exactly one {prop.rsplit('#', 1)[-1]}"
                            + (f"@{lang}" if lang else ""))
        return values[0].value

    def words(value: str) -> tuple[str, ...]:
        return tuple(w for w in value.split("|") if w)

    all_words = tuple(sorted(words(v.value) for v in props.get(_FZ + "cueAll", [])))
    none_words = tuple(w for v in props.get(_FZ + "cueNone", []) for w in words(v.value))
    return Indicator(
        all_patterns=tuple(_words_pattern(g) for g in all_words),
        none_pattern=_words_pattern(none_words) if none_words else None,
        id=one(_SKOS + "notation"), iri=iri, label=one(_SKOS + "prefLabel", "zh"),
        label_en=one(_SKOS + "prefLabel", "en"), unit=one(_FZ + "indicatorUnit"),
        definition=one(_SKOS + "definition", "zh"), definition_en=one(_SKOS + "definition", "en"),
        matter=one(_SKOS + "broader"), kind=one(_FZ + "cueKind"),
        units=frozenset(words(one(_FZ + "cueUnit"))), matter_words=words(one(_FZ + "cueMatter")),
        all_words=all_words, none_words=none_words,
    )


def _words_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(sorted(map(re.escape, words), key=lambda w: (-len(w), w))))


@cache
def _index() -> tuple[re.Pattern, dict[str, tuple[Indicator, ...]]]:
    """A pattern of every matter word, and for each word the indicators it names."""
    by_word: dict[str, list[Indicator]] = {}
    for indicator in indicator_scheme().values():
        for word in indicator.matter_words:
            by_word.setdefault(word, []).append(indicator)
    pattern = re.compile("|".join(sorted(map(re.escape, by_word), key=lambda w: (-len(w), w))))
    return pattern, {word: tuple(found) for word, found in by_word.items()}


@cache
def _kinds_and_units() -> frozenset[tuple[str, str]]:
    return frozenset((i.kind, u) for i in indicator_scheme().values() for u in i.units)


def _sentence_before(text: str, start: int) -> str:
    window = text[max(0, start - 160):start]
    last_end = _SENTENCE_END.search(window[::-1])
    return window[len(window) - last_end.start():] if last_end else window


def _clause_of(sentence: str) -> str:
    """The last clause of the text before the number (after its last comma)."""
    return sentence[max(sentence.rfind("，"), sentence.rfind(","), sentence.rfind("、")) + 1:]


class _Sentence:
    """The text of a metric's sentence before its number, cut only when a cue needs it."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.source, self.start, self.end, self._text, self._clause, self._after = text, start, end, None, None, None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = _sentence_before(self.source, self.start)
        return self._text

    @property
    def clause(self) -> str:
        """The number's own clause, before and after it (对23件规范性文件进行合法性审核)."""
        if self._clause is None:
            self._clause = _clause_of(self.text) + self.after
        return self._clause

    @property
    def after(self) -> str:
        if self._after is None:
            tail = self.source[self.end:self.end + 40]
            cut = _CLAUSE_END.search(tail)
            self._after = tail[:cut.start()] if cut else tail
        return self._after


def _score(indicator: Indicator, subject: str, sentence: _Sentence, from_sentence: bool) -> tuple[int, str] | None:
    """(specificity, method) when the indicator fits, else None.

    Each cue counts 3 in the subject, 2 in the number's own clause, 1 elsewhere in the sentence.
    """
    if indicator.none_pattern is not None and indicator.none_pattern.search(subject):
        return None
    score, method = 3 if not from_sentence else 1, "subject"
    for group in indicator.all_patterns:
        if group.search(subject):
            score += 3
            continue
        # A rate is named by its subject (办结率), and so is a count whose matter only the
        # sentence names: their own words must be in the subject.
        if indicator.kind == "rate" or from_sentence:
            return None
        if group.search(sentence.clause):
            score += 2
        elif group.search(sentence.text):
            score += 1
        else:
            return None
        method = "subject+sentence"
    return score, "sentence" if from_sentence else method


def _candidates(subject: str, sentence: _Sentence, kind: str) -> tuple[tuple[Indicator, ...], bool]:
    """The indicators whose matter the subject names (or else the sentence), and whether the sentence did."""
    pattern, by_word = _index()
    words = pattern.findall(subject)
    if words:
        return (by_word[words[0]] if len(words) == 1 else tuple(i for w in dict.fromkeys(words) for i in by_word[w])), False
    mentions = list(pattern.finditer(sentence.text))
    if not mentions:
        return (), True
    nearest = mentions[-1]
    if kind != "rate" and nearest.start() < len(sentence.text) - len(sentence.clause):
        # A count's matter must be in its own clause (调解各类纠纷7742件) unless its subject
        # names what is counted (受教育群众 after 普法活动…).
        return tuple(i for i in by_word[nearest.group()] if _names_kind(i, subject)), True
    return by_word[nearest.group()], True


def _names_kind(indicator: Indicator, subject: str) -> bool:
    return bool(indicator.all_patterns) and all(g.search(subject) for g in indicator.all_patterns)


def map_metric(metric: Metric, text: str) -> tuple[str, str, float] | None:
    """``(indicator id, method, confidence)`` for one metric, or None."""
    if metric.derived or (metric.kind, metric.unit) not in _kinds_and_units():
        return None
    subject = metric.subject
    sentence = _Sentence(text, metric.span.start, metric.span.end)
    candidates, from_sentence = _candidates(subject, sentence, metric.kind)
    best: list[tuple[int, str, str]] = []
    kind, unit = metric.kind, metric.unit
    for indicator in candidates if len(candidates) < 2 else dict.fromkeys(candidates):
        if indicator.kind != kind or unit not in indicator.units:
            continue
        scored = _score(indicator, subject, sentence, from_sentence)
        if scored:
            best.append((scored[0], indicator.id, scored[1]))
    if not best:
        return None
    best.sort(key=lambda b: (-b[0], b[1]))
    if len(best) > 1 and best[1][0] == best[0][0]:
        return None  # two indicators fit equally: not a guess
    _, indicator_id, method = best[0]
    return indicator_id, method, _CONFIDENCE[method]


def map_metrics(metrics: list[Metric], text: str) -> None:
    """Set ``indicator``, ``indicator_method`` and ``indicator_confidence`` of each metric, in place."""
    for metric in metrics:
        found = map_metric(metric, text)
        if found:
            metric.indicator, metric.indicator_method, metric.indicator_confidence = found
