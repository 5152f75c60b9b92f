"""Traditional characters: a simplified view of the same length, and the report's own characters restored."""
from __future__ import annotations

import pytest

from kg.extraction.script import restore_original, to_simplified
from kg.pipeline import extract_text

from tests.conftest import FIXTURES


@pytest.mark.parametrize("text, simplified", [
    ("臺灣省政府於2023年辦理行政復議案件", "台湾省政府于2023年办理行政复议案件"),
    ("衞生綫裏麪", "卫生线里面"),  # Hong Kong variant forms
    ("乾隆年間的後來發現", "乾隆年间的后来发现"),  # 乾 kept in 乾隆: converted in context, still one for one
    ("「一網通辦」", "「一网通办」"),
])
def test_to_simplified_converts_one_character_for_one(text, simplified):
    view = to_simplified(text)
    assert view == simplified and len(view) == len(text)


@pytest.mark.parametrize("name", ["structure-a-county.txt", "metrics-bureau.txt", "entities-county.txt"])
def test_simplified_reports_are_left_as_they_are(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert to_simplified(text) == text


def test_restore_original_puts_the_traditional_characters_back():
    original = (FIXTURES / "formats" / "report-trad.txt").read_text(encoding="utf-8")
    x = extract_text(original)
    assert x.report.script == "traditional" and x.text == original
    assert x.report.title == "柳溪縣2024年度法治政府建設工作報告" and x.report.jurisdiction == "柳溪县"
    for item in x.items:
        assert original[item.span.start:item.span.end] == item.span.text
    for metric in x.metrics:
        assert original[metric.span.start:metric.span.end] == metric.span.text
    court = [e for e in x.entities if e.label.endswith("司法局")]
    assert court and court[0].label == "柳溪縣司法局" and "柳溪县司法局" in court[0].alt_labels
    for entity in x.entities:
        for mention in entity.mentions:
            assert original[mention.start:mention.end] == mention.text
    subjects = [m.subject for m in x.metrics if m.subject]
    assert subjects and any(s != to_simplified(s) for s in subjects)  # subjects in the report's words


def test_restore_on_simplified_text_changes_nothing(bundled_text):
    x = extract_text(bundled_text)
    before = x.to_contract()
    restore_original(x, bundled_text)
    assert x.to_contract() == before

