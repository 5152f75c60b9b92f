"""kg compare: two reports side by side, as a dict and as aligned terminal text."""
from __future__ import annotations

import json
import unicodedata

import pytest

from kg.compare.pair import compare_reports, format_comparison, read_extraction_json
from kg.errors import InputError

from tests.fixtures.comparisons import corpus


@pytest.fixture(scope="module")
def result():
    reports = corpus.by_id()
    return compare_reports(reports["fenghe-2024"], reports["fenghe-2023"])  # given later first


def test_the_earlier_report_is_a_whatever_the_order(result):
    assert (result["earlier"]["id"], result["later"]["id"]) == ("fenghe-2023", "fenghe-2024")
    assert result["same_series"] is True


def test_indicators_stated_in_both_with_their_change(result):
    by_subject = {r["subject"]: r for r in result["indicators"]}
    aid = by_subject["法律援助案件"]
    assert (aid["earlier"]["value"], aid["later"]["value"], aid["change"]) == (390, 512, 122)
    assert "新收行政诉讼案件" not in by_subject  # 1-10月 against a whole year: not the same figure


def test_concepts_new_and_gone(result):
    new = {c["label"] for c in result["concepts_new"]}
    gone = {c["label"] for c in result["concepts_gone"]}
    assert not new & gone
    assert any("执法监督平台" in label for label in new)
    assert all(c["type"] in ("Mechanism", "Activity") for c in result["concepts_new"] + result["concepts_gone"])


def test_promises_and_problems_and_yoy(result):
    assert result["promises_kept"] == 3 and len(result["promises"]) == 4
    assert [r["earlier"]["text"][:4] for r in result["problems_repeated"]] == ["人民调解"]
    assert {r["status"] for r in result["yoy_checks"]} == {"consistent", "inconsistent", "cannot_check"}
    json.dumps(result, ensure_ascii=False)  # JSON-ready for --json


def test_reports_of_different_series_get_no_yoy_checks():
    reports = corpus.by_id()
    other = compare_reports(reports["deqing-2022"], reports["yunxi-sfj-2021"])
    assert other["same_series"] is False and other["yoy_checks"] == []
    assert "not one jurisdiction" in format_comparison(other)


def _width(text):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def test_terminal_columns_line_up_with_cjk_text(result):
    text = format_comparison(result)
    assert "Promises of A kept in B: 3 of 4" in text and "inconsistent" in text
    lines = text.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip().startswith("---") and "Promises" in lines[i - 2])
    starts = [i for i, ch in enumerate(lines[rule]) if ch == "-" and lines[rule][i - 1] == " "]
    for line in lines[rule + 1:rule + 5]:
        # each column starts at the same display column as the rule's dashes
        cells = [c for c in line.split("  ") if c]
        prefix = line[:line.index(cells[1])]
        assert _width(prefix) == starts[1], line


def test_reading_an_extraction_json(tmp_path):
    good = tmp_path / "a.json"
    good.write_text(json.dumps(corpus.by_id()["fenghe-2023"], ensure_ascii=False), encoding="utf-8")
    assert read_extraction_json(good)["report"]["id"] == "fenghe-2023"
    bad = tmp_path / "b.json"
    bad.write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(InputError, match=r"b\.json: not an extraction JSON"):
        read_extraction_json(bad)
    broken = tmp_path / "c.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.json"):
        read_extraction_json(broken)
