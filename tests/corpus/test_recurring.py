"""Recurring problems on the fixture corpus: at least two of the three found, at most one spurious pair."""
from __future__ import annotations

import pytest

from kg.corpus.summary import corpus_summary

from tests.fixtures.comparisons import corpus


@pytest.fixture(scope="module")
def rows():
    return corpus_summary(list(corpus.extractions()))["recurring_problems"]


def _text(ref):
    return next(p["text"] for p in corpus.by_id()[ref["report"]]["problems"] if p["id"] == ref["problem"])


def _is(row, annotation):
    return (row["earlier"]["report"] == annotation["earlier"] and annotation["problem"] in _text(row["earlier"])
            and row["later"]["report"] == annotation["later"] and annotation["again"] in _text(row["later"]))


def test_recurring_problems_found(rows):
    annotated = corpus.expected()["recurring"]
    found = [a for a in annotated if any(_is(r, a) for r in rows)]
    assert len(found) >= 2, [a["problem"] for a in annotated if a not in found]


def test_at_most_one_spurious_pair(rows):
    spurious = [(_text(r["earlier"]), _text(r["later"])) for r in rows
                if not any(_is(r, a) for a in corpus.expected()["recurring"])]
    assert len(spurious) <= 1, spurious


def test_pairs_are_one_to_one_and_within_a_series(rows):
    assert len({(r["earlier"]["report"], r["earlier"]["problem"]) for r in rows}) == len(rows)
    assert len({(r["later"]["report"], r["later"]["problem"]) for r in rows}) == len(rows)
    series = [set(s) for s in corpus.expected()["series"]]
    assert all(any({r["earlier"]["report"], r["later"]["report"]} <= s for s in series) for r in rows)
    assert all(r["terms"] for r in rows)
