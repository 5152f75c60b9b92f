"""Whole reports of the genre and of its sibling genres, annotated by hand: the quality bars of issue 16.

``tests/fixtures/genres/*.txt`` are reports written for these tests in four
genres — 法治政府建设年度报告 (``fz-*``), 政府工作报告 (``gov-*``), department
work summaries (``summary-*``) and 述法 reports (``shufa-*``) — with the
variants real reports show: problems stated in an unheaded paragraph, plans
under year-named headings or introduced by 下一步/明年, numbered lists of
实事, a report without a problems part, units of length, area, mass,
concentration and time, values given as a range or as a before/after pair.
The ``.json`` beside each is a person's annotation in the gold format of
``docs``/``../shared/contract.md`` (``genre`` names the genre; ``no_problems``
marks a report that states none). Scores are pooled per genre.
"""
from __future__ import annotations

import json
from functools import cache

import pytest

from kg.evaluate import evaluate
from kg.extraction.structure import NO_PROBLEMS, segment
from kg.pipeline import extract_text

from tests.conftest import FIXTURES

GENRES = FIXTURES / "genres"
NAMES = sorted(p.stem for p in GENRES.glob("*.txt"))
# issue 16: problems and plans items F1 ≥ 0.95 in this genre, ≥ 0.8 in government work reports
# (and, here, in the other sibling genres); metrics F1 ≥ 0.98 in this genre, ≥ 0.95 in the siblings.
ITEM_BAR = {"fazhi": 0.95, "government_work": 0.8, "department_summary": 0.8, "shufa": 0.8}
METRIC_BAR = {"fazhi": 0.98, "government_work": 0.95, "department_summary": 0.95, "shufa": 0.95}
SUBJECT_BAR = 0.85


def _gold(name: str) -> dict:
    return json.loads((GENRES / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _scores(name: str) -> dict:
    return evaluate(GENRES / f"{name}.txt", GENRES / f"{name}.json")


def _pooled(genre: str, key: str) -> dict:
    tp = fp = fn = 0
    for name in NAMES:
        if _gold(name)["genre"] == genre:
            s = _scores(name)[key]
            tp, fp, fn = tp + s["tp"], fp + s["fp"], fn + s["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "f1": f1}


def _misses(genre: str, key: str) -> list:
    out = []
    for name in NAMES:
        if _gold(name)["genre"] == genre:
            s = _scores(name)[key]
            out.append((name, s.get("missing"), s.get("extra")))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_annotation_offsets_hold(name):
    text = (GENRES / f"{name}.txt").read_text(encoding="utf-8")
    gold = _gold(name)
    assert gold["genre"] in ITEM_BAR
    for item in gold["metrics"] + gold["not_metrics"] + gold.get("optional_metrics", []):
        assert text[item["start"]:item["end"]] == item["text"], item
    for item in [p["text"] for p in gold["problems"]] + gold["plans"]:
        assert text.count(item) == 1, item


@pytest.mark.parametrize("genre", sorted(ITEM_BAR))
@pytest.mark.parametrize("key", ["problems", "plans"])
def test_problems_and_plans_per_genre(genre, key):
    pooled = _pooled(genre, key)
    assert pooled["f1"] >= ITEM_BAR[genre], (pooled, _misses(genre, key))


@pytest.mark.parametrize("genre", sorted(METRIC_BAR))
def test_metrics_per_genre(genre):
    pooled = _pooled(genre, "metrics")
    assert pooled["f1"] >= METRIC_BAR[genre], (pooled, _misses(genre, "metrics"))


@pytest.mark.parametrize("genre", sorted(METRIC_BAR))
def test_subjects_per_genre(genre):
    pairs = total = 0.0
    for name in NAMES:
        if _gold(name)["genre"] == genre:
            s = _scores(name)["metrics"]
            pairs, total = pairs + s["tp"], total + s["subject_f1"] * s["tp"]
    assert total / pairs >= SUBJECT_BAR, {n: _scores(n)["metrics"]["subject_f1"] for n in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_a_report_without_problems_says_so_and_invents_none(name):
    result = segment((GENRES / f"{name}.txt").read_text(encoding="utf-8"))
    problems = [i for i in result.items if i.kind == "problem"]
    if _gold(name).get("no_problems"):
        assert problems == [] and result.warnings == [NO_PROBLEMS]
    else:
        assert problems and NO_PROBLEMS not in result.warnings


@pytest.mark.parametrize("name", NAMES)
def test_no_not_metric_is_extracted(name):
    gold = _gold(name)
    extraction = extract_text((GENRES / f"{name}.txt").read_text(encoding="utf-8"))
    for bad in gold["not_metrics"]:
        for m in extraction.metrics:
            overlaps = m.span.start < bad["end"] and bad["start"] < m.span.end
            explained = any(m.span.start < g["end"] and g["start"] < m.span.end and m.unit == g["unit"]
                            and abs(m.value - g["value"]) < 1e-6 for g in gold["metrics"])
            assert not overlaps or explained, (bad, m.span.text, m.value, m.unit)
