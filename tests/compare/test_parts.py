"""Required parts of the 2019 规定, from headings or from the text."""
from __future__ import annotations

import json

import pytest

from kg.compare.parts import part_evidence, report_parts
from kg.compare.rules import supervision_rules
from kg.errors import DataError

from tests.fixtures.comparisons import corpus


@pytest.mark.parametrize("name, report_id", [(name, rid) for name in ("tuning", "heldout")
                                              for rid in sorted(corpus.expected(name)["parts"])])
def test_parts_exactly_right_on_every_fixture_report(name, report_id):
    assert report_parts(corpus.by_id(name)[report_id]) == corpus.expected(name)["parts"][report_id]


def test_the_leaders_duty_found_in_the_text_when_no_heading_names_it():
    evidence = part_evidence(corpus.by_id()["yunxi-sfj-2021"])["first_responsible"]
    assert evidence["how"] == "text" and "第一责任人" in evidence["text"]


def test_a_problem_admitting_the_duty_was_neglected_is_not_the_part():
    report = corpus.by_id()["deqing-2023"]
    assert any("第一责任人" in p["text"] for p in report["problems"])
    assert report_parts(report)["first_responsible"] is False


def test_parts_without_headings_come_from_items():
    bare = {"sections": [], "measures": [{"id": "m1", "start": 0, "end": 5, "text": "开展培训3次"}],
            "problems": [], "plans": [{"id": "p1", "start": 9, "end": 20, "text": "明年将继续推进"}]}
    assert report_parts(bare) == {"measures": True, "problems": False, "first_responsible": False, "plans": True}


def test_a_sub_heading_with_a_problem_word_is_not_a_problems_part():
    report = {"sections": [{"id": "s1", "kind": "achievements", "level": 1, "heading": "工作情况", "start": 0},
                           {"id": "s2", "kind": "achievements", "level": 2, "heading": "补齐法治短板", "start": 9}],
              "measures": [{"id": "m1", "start": 10, "end": 20, "text": "补齐短板"}], "problems": [], "plans": []}
    assert report_parts(report)["problems"] is False


def test_every_rule_records_its_article_and_how_it_is_applied():
    rules = supervision_rules()
    assert all(rule["article"] and rule["applied_as"] and rule["requirement"] for rule in rules["parts"].values())
    assert rules["deadline_rule"]["article"] and rules["regulation"]["title"] == "法治政府建设与责任落实督察工作规定"


def test_a_bad_rules_file_names_itself(tmp_path, monkeypatch):
    import kg.compare.rules as rules_module

    bad = tmp_path / "rules"
    bad.mkdir()
    data = json.loads(rules_module.rules_file("supervision-2019.json").read_text(encoding="utf-8"))
    data["parts"][0]["heading_cues"] = "主要举措"
    (bad / "supervision-2019.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(rules_module, "rules_file", lambda name: bad / name)
    rules_module.supervision_rules.cache_clear()
    try:
        with pytest.raises(DataError, match=r"supervision-2019\.json.*heading_cues"):
            rules_module.supervision_rules()
    finally:
        rules_module.supervision_rules.cache_clear()
