"""Publication against the deadline of the 2019 规定: the late report flagged, days counted."""
from __future__ import annotations

import pytest

from kg.compare.summary import corpus_summary
from kg.compare.timeliness import days_after_deadline, publication_deadline, report_level

from tests.fixtures.comparisons import corpus


@pytest.mark.parametrize("name", ["tuning", "heldout"])
def test_the_late_report_is_flagged_and_only_it(name):
    reports = {r["id"]: r for r in corpus_summary(list(corpus.extractions(name)))["reports"]}
    late = {rid: r["days_after_deadline"] for rid, r in reports.items() if (r["days_after_deadline"] or 0) > 0}
    assert late == corpus.expected(name)["late"]
    assert all(r["days_after_deadline"] is not None for r in reports.values())


def test_a_date_given_only_at_the_end_of_the_report_counts():
    report = corpus.by_id()["yunxi-sfj-2022"]["report"]
    assert report["published"] == "2023-03-20" and days_after_deadline(report) < 0


@pytest.mark.parametrize("published, days", [("2024-04-01", 0), ("2024-04-02", 1), ("2024-03-31T23:59", -1),
                                             ("2025-01-10", 284)])
def test_days_after_the_first_of_april_of_the_next_year(published, days):
    assert days_after_deadline({"year": 2023, "jurisdiction": "甲县", "published": published}) == days


@pytest.mark.parametrize("report", [{"year": None, "published": "2024-03-01"}, {"year": 2023, "published": None},
                                    {"year": 2023, "published": "2024-13-45"}])
def test_unknown_when_year_or_date_is_missing(report):
    assert days_after_deadline(report) is None


@pytest.mark.parametrize("report, level", [
    ({"jurisdiction": "甲省"}, "province"), ({"jurisdiction": "乙市"}, "city"), ({"jurisdiction": "丙县"}, "county"),
    ({"jurisdiction": "丁街道"}, "township"), ({"jurisdiction": "丙县", "department": "丙县司法局"}, "department"),
    ({"jurisdiction": "某地", "division": {"code": "1", "level": "county"}}, "county"), ({}, "default"),
])
def test_the_level_whose_deadline_applies(report, level):
    assert report_level(report) == level
    assert publication_deadline({**report, "year": 2023}).isoformat() == "2024-04-01"
