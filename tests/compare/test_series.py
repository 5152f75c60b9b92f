"""Series: one jurisdiction (and department), oldest first; pairs of consecutive years only."""
from __future__ import annotations

import pytest

from kg.compare.series import group_series, series_key, year_pairs

from tests.fixtures.comparisons import corpus


def x(rid, year, jurisdiction="甲县", department=None, division=None, published=None):
    return {"report": {"id": rid, "year": year, "jurisdiction": jurisdiction, "department": department,
                       "division": division, "published": published}}


def test_fixture_corpus_forms_its_three_series_oldest_first():
    series = group_series(list(corpus.extractions()))
    assert sorted([m["report"]["id"] for m in s["members"]] for s in series) == sorted(corpus.expected()["series"])
    department = next(s for s in series if s["department"])
    assert department["jurisdiction"] == "云溪区" and department["key"][1] == "司法局"


@pytest.mark.parametrize("a, b", [
    (x("a", 2023, department="云溪区司法局", jurisdiction="云溪区"), x("b", 2024, department="区司法局", jurisdiction="云溪区")),
    (x("a", 2023, jurisdiction="甲县"), x("b", 2024, jurisdiction="甲县 ")),
])
def test_same_series(a, b):
    assert series_key(a["report"]) == series_key(b["report"])


@pytest.mark.parametrize("a, b", [
    (x("a", 2023), x("b", 2024, department="甲县司法局")),  # the government and its department
    (x("a", 2023, jurisdiction="西湖区", division={"code": "330106000000", "name": "西湖区"}),
     x("b", 2024, jurisdiction="西湖区", division={"code": "360103000000", "name": "西湖区"})),  # two 西湖区
])
def test_different_series(a, b):
    assert series_key(a["report"]) != series_key(b["report"])


def test_division_code_wins_over_the_name():
    a = x("a", 2023, jurisdiction="梁平县", division={"code": "500155000000", "name": "梁平区"})
    b = x("b", 2024, jurisdiction="梁平区", division={"code": "500155000000", "name": "梁平区"})
    assert series_key(a["report"]) == series_key(b["report"])
    (series,) = group_series([b, a])
    assert series["division_code"] == "500155000000" and [m["report"]["id"] for m in series["members"]] == ["a", "b"]


def test_only_consecutive_years_are_paired():
    members = [x("a", 2020), x("b", 2021), x("c", 2023), x("d", None)]
    assert [(e["report"]["id"], l["report"]["id"]) for e, l in year_pairs(members)] == [("a", "b")]


def test_a_report_without_a_place_joins_no_series():
    assert group_series([x("a", 2023, jurisdiction=None)]) == []
