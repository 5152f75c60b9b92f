"""Stage 3a, metrics: every quantity a report states, normalised, with its subject, period and checks.

The quantities are found by :mod:`kg.extraction.quantities` (numbers, units,
what is not a quantity), their subjects read by :mod:`kg.extraction.subjects`,
and the arithmetic they allow done by :mod:`kg.extraction.arithmetic`; this
module reads each quantity's context (approximation, change, period, kind)
and turns the quantities into :class:`~kg.model.Metric` objects.

Metric kinds:

``count``    a number of things or events (``62件``, ``1500余人``, ``三个``)
``amount``   money, in 元 (``1.5亿元`` → 150000000 元)
``rate``     a percentage that is a level (``败诉率1.61%``)
``change``   a difference: ``同比下降29.67%`` (negative), ``提高7.6个百分点``
``average``  a mean (``平均1.6人``)
``measure``  a physical quantity: length, area, volume, mass, energy, concentration (``12.5万平方米``)
``previous`` the value before a change: stated (``由38微克/立方米降至33微克/立方米``: the 38,
             linked to the 33 by a derived change) or derived by us, the previous
             year's value implied by a ``同比`` change (``derived=True``,
             ``derived_from`` = the change; for a change in % of a rate, only when
             the figures decide between percentage points and a relative change —
             a ``change_reading`` check says which and why)

A range (``3-5年``) gives two metrics with one span, its lower and upper end.

>>> metrics, checks = extract_metrics("受理案件62件,其中败诉1件,败诉率1.61%。", [])
>>> [(m.value, m.unit, m.kind, m.subject) for m in metrics]
[(62.0, '件', 'count', '案件'), (1.0, '件', 'count', '败诉案件'), (1.61, '%', 'rate', '败诉率')]
>>> checks[0].status, checks[0].computed
('consistent', 1.6129)
"""
from __future__ import annotations

import bisect

from kg.extraction.arithmetic import pair_change, previous_year, rate_checks
from kg.extraction.quantities import Lexicon, Quantity, find_quantities, metric_lexicon
from kg.extraction.subjects import read_subject
from kg.extraction.text import Layout, fold
from kg.model import Check, Entity, Item, Metric, Relation, Span

__all__ = ["extract_metrics", "attach_entities", "KINDS"]

KINDS = ("count", "amount", "rate", "change", "average", "previous", "measure")

_ABOUT_TYPES = ("Agency", "Mechanism", "Activity")


# --- reading each quantity ----------------------------------------------------------------------

def _read_context(quantities: list[Quantity], text: str, folded: str, layout: Layout,
                  lex: Lexicon) -> list[Quantity]:
    out: list[Quantity] = []
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
        elif previous and previous.change_verb and before.strip() in lex.conjunctions:
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
        read_subject(q, before, left_edge, out, folded, layout, lex)
        if previous is not None:
            _pair(previous, q, folded, lex)
        out.append(q)
    _pair_respectively(out, lex)
    return out


def _pair(before: Quantity, after: Quantity, folded: str, lex: Lexicon) -> None:
    """由38微克/立方米降至33微克/立方米: the first is the value before, the second after; one subject."""
    between = folded[before.end:after.start].strip()
    if (before.unit != after.unit or before.kind == "change" or after.kind == "change" or before.low is not None
            or not lex.transition_to.fullmatch(between)
            or not lex.transition_from.search(folded, max(0, before.start - 6), before.start)):
        return
    before.kind = "previous"
    after.before_of = before
    after.subject, after.noun, after.subject_span = before.subject, before.noun, before.subject_span
    after.part_of = after.part_of if after.part_of is not before else None


def _pair_respectively(quantities: list[Quantity], lex: Lexicon) -> None:
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
                change.subject = change.noun = base.subject + lex.labels[
                    "year_on_year_change" if change.year_on_year else "change"]
        i += len(group)


def _period(text: str, folded: str, bounds: tuple[int, int], lex: Lexicon) -> str | None:
    """The reporting period a sentence names (今年1-10月), which qualifies all its metrics."""
    if not lex.period_cue.search(folded, *bounds):
        return None
    for pattern in lex.periods:
        m = pattern.search(folded, *bounds)
        if m:
            return text[m.start():m.end()].strip()
    return None


def _kind(q: Quantity, clause_before: str, lex: Lexicon) -> str:
    if q.unit_class == "points" or q.change_verb:
        return "change"
    if q.unit_class == "rate":
        return "rate"
    if q.unit_class == "measure":
        return "measure"
    if lex.average.search(clause_before[-8:]):
        return "average"
    return "amount" if q.unit_class == "amount" else "count"


def _falls(clause_before: str, lex: Lexicon) -> bool:
    """For 个百分点 with no verb right before it: does the nearest change word say down?"""
    best, falls = -1, False
    for word in lex.up | lex.down | lex.compare_down | lex.compare_up:
        at = clause_before.rfind(word)
        if at > best:
            best, falls = at, word in lex.down or word in lex.compare_down
    return falls


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
    lex = metric_lexicon()
    folded = fold(text)
    layout = Layout(folded)
    quantities = _read_context(find_quantities(text, folded, lex), text, folded, layout, lex)
    ordered = _with_derived(quantities, lex)
    ids = {id(q): f"metric-{n}" for n, q in enumerate(ordered, 1)}
    item_of = _item_finder(items)
    metrics = []
    clauses: dict[int, Span] = {}  # one Span a clause: the metrics of a clause share it
    for q in ordered:
        if q.clause not in clauses:
            clauses[q.clause] = Span.of(text, *layout.clause_bounds(q.clause))
        metrics.append(Metric(
            id=ids[id(q)], span=Span.of(text, q.start, q.end), value=q.value, unit=q.unit,
            approx=q.approx, kind=q.kind, subject=_in_own_words(q, text, folded), period=q.period,
            subject_span=Span.of(text, *q.subject_span) if q.subject_span else None, item=item_of(q.num_start),
            part_of=ids.get(id(q.part_of)) if q.part_of else None,
            change_of=ids.get(id(q.change_of)) if q.change_of else None,
            derived=q.derived_from is not None,
            derived_from=ids.get(id(q.derived_from)) if q.derived_from else None,
            clause=clauses[q.clause], reading=q.reading, reading_why=q.reading_why or None,
        ))
    return metrics, _checks(quantities, ordered, ids, lex)


def _with_derived(quantities: list[Quantity], lex: Lexicon) -> list[Quantity]:
    """The quantities in order, each followed by what it implies: a range's lower end (first), the further
    subjects of one value, the previous year's value of a change, the change between a before and an after."""
    ordered: list[Quantity] = []
    for q in quantities:
        if q.low is not None:  # 3-5年: two metrics, one span
            ordered.append(Quantity(**{**q.__dict__, "value": q.low, "low": None, "siblings": []}))
        ordered.append(q)
        for sibling in q.siblings:  # 答复率、采纳率均为100%: one value, two subjects, one span
            ordered.append(Quantity(**{**q.__dict__, "subject": sibling, "noun": sibling, "siblings": [],
                                       "subject_span": None, "low": None}))
        previous = previous_year(q, lex) if q.kind == "change" else None
        if previous:
            ordered.append(previous)
        if q.before_of is not None:
            ordered.append(pair_change(q.before_of, q, lex))
    return ordered


def _in_own_words(q: Quantity, text: str, folded: str) -> str:
    """The subject as the report writes it (full-width brackets kept) where it is a stretch of the text."""
    if q.subject_span:
        start, end = q.subject_span
        if folded[start:end] == q.subject:
            return text[start:end]
    return q.subject


def _checks(quantities: list[Quantity], ordered: list[Quantity], ids: dict[int, str], lex: Lexicon) -> list[Check]:
    """The rates recomputed from their counts, then how each change in % of a rate reads (when decided)."""
    checks = []
    for rate, numerator, denominator, computed, method in rate_checks(quantities, lex):
        tolerance = 0.5 * 10 ** -rate.decimals + 1e-9
        checks.append(Check(
            id=f"check-{len(checks) + 1}", kind="rate",
            status="consistent" if abs(computed - rate.value) <= tolerance else "inconsistent",
            metrics=[ids[id(rate)], ids[id(numerator)], ids[id(denominator)]],
            stated=rate.value, computed=round(computed, 4), method=method))
    for previous in ordered:
        change = previous.derived_from if previous.kind == "previous" else None
        if change is None or change.reading not in ("points", "relative"):
            continue
        checks.append(Check(
            id=f"check-{len(checks) + 1}", kind="change_reading", status="consistent",
            metrics=[ids[id(change)], ids[id(change.change_of)], ids[id(previous)]],
            stated=change.value, computed=previous.value, method=change.reading_why))
    return checks


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
