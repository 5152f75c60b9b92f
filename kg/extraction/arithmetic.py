"""The arithmetic a report allows: previous years' values implied by changes, rates recomputed from counts.

>>> from kg.extraction.metrics import extract_metrics
>>> metrics, checks = extract_metrics("调解纠纷200件,调解成功190件,调解成功率95%。", [])
>>> checks[0].method
'direct: 190 / 200 × 100 = 95.0000%, compared with the stated 95% at 0 decimal(s)'
"""
from __future__ import annotations

from kg.extraction.quantities import Lexicon, Quantity

__all__ = ["previous_year", "rate_checks", "PERCENT", "POINTS"]

PERCENT, POINTS = "%", "百分点"  # the contract's units of a percentage and of percentage points


def previous_year(change: Quantity, lex: Lexicon) -> Quantity | None:
    """The previous year's value a 同比 change implies, or None when it cannot be computed."""
    base = change.change_of
    if base is None or not change.year_on_year:
        return None
    if change.unit == POINTS and base.unit == PERCENT or change.unit == base.unit and change.unit != PERCENT:
        raw = base.value - change.value
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
