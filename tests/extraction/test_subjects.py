"""Subjects a reader accepts: the counted thing in the report's own words, never a clause (issue 16)."""
from __future__ import annotations

import pytest

from kg.extraction.metrics import extract_metrics

from tests.extraction.test_metrics import to_ascii

CASES = [
    # sentence, the subjects a reader writes for its stated figures, in order
    ("全区刑事立案数（同比下降18.2%）为860起。", ["刑事立案数同比变化", "刑事立案数"]),
    ("刑事立案数（同比下降18.2%）、治安案件查处数（同比下降9.6%）均有下降。",
     ["刑事立案数同比变化", "治安案件查处数同比变化"]),
    ("刑事案件发案数同比下降15.3%（降幅全市第一）、刑事立案数860起。", ["刑事案件发案数同比变化", "刑事立案数"]),
    ("主要指标：刑事立案数860起，破案率91.2%。", ["刑事立案数", "破案率"]),
    ("刑事立案数：860起。", ["刑事立案数"]),
    ("受理行政复议、行政诉讼案件120件。", ["行政复议、行政诉讼案件"]),
    ("办结率、满意率均达100%。", ["办结率", "满意率"]),
    ("城乡居民人均可支配收入分别达到4.36万元、2.18万元。", ["城乡居民人均可支配收入", "城乡居民人均可支配收入"]),
    ("办理法律援助案件612件（其中刑事案件210件）。", ["法律援助案件", "刑事案件"]),
    ("一是新建城区公办幼儿园3所；二是改造老旧小区28个。", ["城区公办幼儿园", "老旧小区"]),
    ("查封扣押设备21台（套）。", ["查封扣押设备"]),
    ("开展食品安全专项行动，全年抽检3000批次。", ["抽检"]),
]


@pytest.mark.parametrize("width", ["full", "ascii"])
@pytest.mark.parametrize("text,subjects", CASES, ids=[c[0] for c in CASES])
def test_subject(text, subjects, width):
    if width == "ascii":
        text = to_ascii(text)
        subjects = [to_ascii(s) for s in subjects]
    metrics, _ = extract_metrics(text, [])
    assert [m.subject for m in metrics if not m.derived] == subjects


def test_a_bracketed_change_belongs_to_the_figure_of_its_noun():
    metrics, _ = extract_metrics("全区刑事立案数（同比下降18.2%）为860起。", [])
    change, count = [m for m in metrics if not m.derived]
    assert change.change_of == count.id


@pytest.mark.parametrize("text", [c[0] for c in CASES])
def test_no_subject_is_a_clause(text):
    for metric in extract_metrics(text, [])[0]:
        assert not any(mark in metric.subject for mark in "，,；;：:。)）"), metric.subject
        assert len(metric.subject) <= 20
