"""Recurring problems on the fixture corpus: at least two of the three found, at most one spurious pair."""
from __future__ import annotations

import pytest

from kg.compare.summary import corpus_summary

from tests.fixtures.comparisons import corpus


@pytest.fixture(scope="module", params=["tuning", "heldout"])
def named_rows(request):
    return request.param, corpus_summary(list(corpus.extractions(request.param)))["recurring_problems"]


@pytest.fixture(scope="module")
def rows():
    return corpus_summary(list(corpus.extractions()))["recurring_problems"]


def _text(ref, name="tuning"):
    return next(p["text"] for p in corpus.by_id(name)[ref["report"]]["problems"] if p["id"] == ref["problem"])


def _is(row, annotation, name="tuning"):
    return (row["earlier"]["report"] == annotation["earlier"] and annotation["problem"] in _text(row["earlier"], name)
            and row["later"]["report"] == annotation["later"] and annotation["again"] in _text(row["later"], name))


def test_recurring_problems_found(named_rows):
    name, rows = named_rows
    annotated = corpus.expected(name)["recurring"]
    found = [a for a in annotated if any(_is(r, a, name) for r in rows)]
    assert len(found) >= 2 and len(found) / len(annotated) >= 2 / 3, [a["problem"] for a in annotated
                                                                       if a not in found]


def test_at_most_one_spurious_pair(named_rows):
    name, rows = named_rows
    spurious = [(_text(r["earlier"], name), _text(r["later"], name)) for r in rows
                if not any(_is(r, a, name) for a in corpus.expected(name)["recurring"])]
    assert len(spurious) <= 1, spurious


def test_pairs_are_one_to_one_and_within_a_series(rows):
    assert len({(r["earlier"]["report"], r["earlier"]["problem"]) for r in rows}) == len(rows)
    assert len({(r["later"]["report"], r["later"]["problem"]) for r in rows}) == len(rows)
    series = [set(s) for s in corpus.expected()["series"]]
    assert all(any({r["earlier"]["report"], r["later"]["report"]} <= s for s in series) for r in rows)
    assert all(r["terms"] for r in rows)
