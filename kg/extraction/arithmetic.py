"""The arithmetic a report allows: previous years' values implied by changes, rates recomputed from counts.

>>> from kg.extraction.metrics import extract_metrics
>>> metrics, checks = extract_metrics("调解纠纷200件,调解成功190件,调解成功率95%。", [])
>>> checks[0].method
'direct: 190 / 200 × 100 = 95.0000%, compared with the stated 95% at 0 decimal(s)'
"""
from __future__ import annotations

from kg.extraction.quantities import Lexicon, Quantity

__all__ = ["previous_year", "change_reading", "pair_change", "rate_checks", "PERCENT", "POINTS"]

PERCENT, POINTS = "%", "百分点"  # the contract's units of a percentage and of percentage points


def change_reading(change: Quantity, base: Quantity, lex: Lexicon) -> tuple[str, float | None, str]:
    """How a change stated in % of a rate stated in % reads: ``points``, ``relative`` or ``ambiguous``.

    Both readings are tried with the report's figures: a previous value a rate
    cannot have (under 0, or over 100 for a share) rules a reading out, and of
    two possible ones a reading whose previous value is a whole number at the
    stated precision (63.79 − 13.79 = 50.00) is the one the figures were made
    with. Returns the reading, the previous value it gives (None when
    ambiguous) and why.

    >>> from kg.extraction.quantities import metric_lexicon
    >>> lex = metric_lexicon()
    >>> rate = Quantity(0, 0, 0, 63.79, "%", "rate", False, 2, subject="一审服判息诉率")
    >>> change_reading(Quantity(0, 0, 0, 13.79, "%", "rate", False, 2), rate, lex)[:2]
    ('points', 50.0)
    >>> change_reading(Quantity(0, 0, 0, 1.2, "%", "rate", False, 1), Quantity(0, 0, 0, 45.6, "%", "rate", False, 1,
    ...                subject="森林覆盖率"), lex)[:2]
    ('ambiguous', None)
    """
    x, c = base.value, change.value
    points = x - c
    relative = x / (1 + c / 100) if c > -100 else None
    high = 100.0 if base.subject.endswith(lex.bounded_rates) and not base.subject.endswith(lex.unbounded_rates) \
        else float("inf")
    possible = {name: value for name, value in (("points", points), ("relative", relative))
                if value is not None and 0 <= value <= high + 1e-9}
    shown = f"{_fmt(x)}% with a change of {_fmt(c)}"
    if len(possible) == 1:
        (name, value), = possible.items()
        return name, value, f"{name}: the only reading that leaves a possible previous rate ({shown})"
    if not possible:
        return "ambiguous", None, f"neither reading leaves a possible previous rate ({shown})"
    decimals = min(change.decimals, base.decimals)  # one decimal makes a whole result a 1-in-10 chance: no evidence
    tolerance = 0.5 * 10 ** -base.decimals / (1 + c / 100) + relative * 0.5 * 10 ** -change.decimals / 100
    whole = {"points": decimals >= 2 and abs(points - round(points)) < 1e-9,
             "relative": decimals >= 2 and abs(relative - round(relative)) <= tolerance}
    if whole["points"] != whole["relative"]:
        name = "points" if whole["points"] else "relative"
        other = "relative" if name == "points" else "points"
        return name, possible[name], (f"{name}: {_fmt(x)} and {_fmt(c)} give a whole previous rate "
                                      f"{possible[name]:.{decimals}f}% ({other} would give {possible[other]:.4g}%)")
    return "ambiguous", None, (f"both readings fit ({shown}): points {points:.4g}%, relative {relative:.4g}%")


def pair_change(before: Quantity, after: Quantity, lex: Lexicon) -> Quantity:
    """The change from a value before to the value after (由38降至33): a derived metric linking the two."""
    unit = POINTS if after.unit == PERCENT else after.unit
    decimals = max(before.decimals, after.decimals)
    return Quantity(
        start=after.start, end=after.end, num_start=after.num_start, value=round(after.value - before.value, decimals),
        unit=unit, unit_class="points" if unit == POINTS else after.unit_class, approx=before.approx or after.approx,
        decimals=decimals, clause=after.clause, sentence=after.sentence, kind="change",
        subject=after.subject + lex.labels["change"], noun=after.noun, change_of=after, derived_from=before,
        period=after.period)


def previous_year(change: Quantity, lex: Lexicon) -> Quantity | None:
    """The previous year's value a 同比 change implies, or None when it cannot be computed (or read)."""
    base = change.change_of
    if base is None or not change.year_on_year:
        return None
    if change.unit == POINTS and base.unit == PERCENT or change.unit == base.unit and change.unit != PERCENT:
        raw = base.value - change.value
    elif change.unit == PERCENT and base.unit == PERCENT:
        change.reading, raw, change.reading_why = change_reading(change, base, lex)
        if raw is None:
            return None
    elif change.unit == PERCENT and change.value > -100:
        raw = base.value / (1 + change.value / 100)
    else:
        return None
    # no more precision than the stated value has (2456.8万元 → 2012.1万元), whole things counted whole
    value = float(f"{raw:.{max(base.significant, 2)}g}")
    if base.kind == "count":
        value = float(round(value))
    return Quantity(
        start=change.start, end=change.end, num_start=change.num_start, value=value, unit=base.unit,
        unit_class=base.unit_class, approx=base.approx or change.approx or abs(value - raw) > 1e-9,
        decimals=base.decimals, clause=change.clause, sentence=change.sentence, kind="previous",
        subject=lex.labels["previous"] + base.subject, noun=base.noun, derived_from=change,
        period=f"{lex.labels['previous_period']}({base.period})" if base.period else lex.labels["previous"])


def _direction(rate: Quantity, numerator: Quantity, lex: Lexicon) -> str | None:
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


def rate_checks(quantities: list[Quantity], lex: Lexicon) -> list[tuple[Quantity, Quantity, Quantity, float, str]]:
    """Each stated rate with the part and whole counts it is computed from, and the recomputed rate."""
    found = []
    for i, rate in enumerate(quantities):
        if rate.kind != "rate" or rate.unit != PERCENT:
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
