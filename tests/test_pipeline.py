"""kg.pipeline.extract: one report through every stage, whatever its line ends and characters."""
from __future__ import annotations

import pytest

from kg.pipeline import extract_text

from tests.conftest import FIXTURES


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"])
def test_every_line_end_gives_the_same_structure_and_exact_spans(line_end):
    original = (FIXTURES / "structure-a-county.txt").read_text(encoding="utf-8")
    expected = extract_text(original)
    text = original.replace("\n", line_end)
    extraction = extract_text(text)
    assert extraction.text == text  # the report's own line ends are kept
    assert [i.kind for i in extraction.items] == [i.kind for i in expected.items] != []
    assert len(extraction.sections) == len(expected.sections) and len(extraction.metrics) == len(expected.metrics)
    for span in [i.span for i in extraction.items] + [m.span for m in extraction.metrics]:
        assert text[span.start:span.end] == span.text


def test_a_report_that_states_no_problems_says_so():
    text = "梧桐县2023年度法治政府建设工作报告\n一、工作开展情况\n全县召开专题会议3次。\n二、下一步工作打算\n一是加强培训。\n二是完善机制。\n"
    extraction = extract_text(text)
    assert not extraction.problems and extraction.plans
    assert any("no problems part" in warning for warning in extraction.warnings)
