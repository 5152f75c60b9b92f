"""Structure: sections classified under every heading style, items found with exact spans."""
from __future__ import annotations

import pytest

from kg.pipeline import extract
from kg.extraction.structure import classify_heading, segment

from tests.conftest import FIXTURES

# What a careful reader finds in each fixture (written from the fixture, not from the code).
EXPECTED = {
    "structure-a-county.txt": {
        "sections": ["achievements", "achievements", "achievements", "problems", "problems", "problems",
                     "plans", "plans", "plans", "plans"],
        "problems": [("少数单位对合法性审查重视不够", "依法决策仍有薄弱环节"),
                     ("专家论证程序流于形式", "依法决策仍有薄弱环节"),
                     ("乡镇执法人员专业背景单一", "执法队伍素质参差不齐"),
                     ("执法装备保障不足", "执法队伍素质参差不齐")],
        "plans": ["健全决策程序。严格执行重大行政决策程序规定，扩大公众参与范围",
                  "加强执法队伍建设。分批开展乡镇执法人员轮训，配齐执法记录设备",
                  "推进数字政府建设。建设统一的政务数据共享平台"],
        "groups": ["完善依法决策机制", "规范行政执法行为"],
        "measures": 3,
    },
    "structure-b-city.txt": {
        "sections": ["achievements", "achievements", "achievements", "other", "problems", "plans", "plans", "plans"],
        "problems": [("基层法治力量配备不足，部分乡镇没有专职法制审核人员", None),
                     ("行政规范性文件清理不够及时", None),
                     ("法治宣传的针对性有待增强", None)],
        "plans": ["充实基层法治工作力量\n推动乡镇配备专职法制审核人员，实现全覆盖",
                  "开展规范性文件集中清理\n对现行有效的规范性文件逐件评估"],
        "groups": ["深化“放管服”改革", "强化行政复议"],
        "measures": 2,
    },
    "structure-c-district.txt": {
        "sections": ["achievements", "problems", "plans"],
        "problems": [("部分执法人员运用法律的能力不强", None),
                     ("行政争议源头预防工作仍有短板", None),
                     ("政务公开的深度还不够", None)],
        "plans": ["提升执法人员依法履职能力", "完善行政争议多元化解机制", "拓展政务公开的广度和深度"],
        "groups": [None],
        "measures": 2,
    },
    "structure-d-department.txt": {
        "sections": ["achievements", "achievements", "achievements", "problems", "plans"],
        "problems": [("执法办案力量与监管任务不匹配", None),
                     ("部分新业态监管手段不足", None),
                     ("执法人员培训覆盖面不够", None)],
        "plans": ["优化执法力量配置,向一线倾斜", "创新新业态监管方式"],
        "groups": ["加强执法监督", "推进信用监管"],
        "measures": 2,
    },
    "structure-e-bureau.txt": {
        "sections": ["achievements", "achievements", "problems", "plans"],
        "problems": [("统计法治宣传的形式较为单一", None),
                     ("部分统计调查对象依法报送数据的意识淡薄", None)],
        "plans": ["着力丰富统计普法形式", "持续加强对调查对象的指导"],
        "groups": ["开展统计执法检查"],
        "measures": 1,
    },
}


def _check(text: str, items) -> None:
    for item in items:
        assert text[item.span.start:item.span.end] == item.span.text


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("width", ["as written", "ascii", "fullwidth"])
def test_fixture_structure(name, width):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    expected = EXPECTED[name]
    if width == "ascii":
        table = str.maketrans("，（）：；", ",():;")
    elif width == "fullwidth":
        table = str.maketrans(",():;", "，（）：；")
    else:
        table = {}
    # Same length, same offsets: only the punctuation's width changes.
    text = text.translate(table)
    result = segment(text)
    assert [s.kind for s in result.sections] == expected["sections"]
    problems = [i for i in result.items if i.kind == "problem"]
    plans = [i for i in result.items if i.kind == "plan"]
    measures = [i for i in result.items if i.kind == "measure"]
    assert [(p.span.text, p.group) for p in problems] == [
        (t.translate(table), g and g.translate(table)) for t, g in expected["problems"]]
    assert [p.span.text for p in plans] == [t.translate(table) for t in expected["plans"]]
    assert len(measures) == expected["measures"]
    assert sorted({m.group for m in measures}, key=str) == sorted(
        {g and g.translate(table) for g in expected["groups"]}, key=str)
    _check(text, result.items)


def test_text_without_sections_still_gives_metrics_and_a_warning():
    extraction = extract(FIXTURES / "structure-f-nostructure.txt")
    assert extraction.sections == [] and extraction.items == []
    assert any("no sections" in w for w in extraction.warnings)
    assert {m.span.text for m in extraction.metrics} >= {"312件"} or any(
        "312" in m.span.text for m in extraction.metrics)


def test_bundled_structure_matches_gold(bundled_extraction, gold):
    x = bundled_extraction
    groups = []
    for m in x.measures:
        if m.group not in groups:
            groups.append(m.group)
    assert groups == gold["measure_groups"]
    assert len(x.problems) == len(gold["problems"]) == 8
    areas = gold["problem_areas"]
    for predicted, expected in zip(x.problems, gold["problems"]):
        assert expected["text"] in predicted.span.text
        assert predicted.group == areas[expected["area"]]
    assert len(x.plans) == len(gold["plans"]) == 5
    for predicted, expected in zip(x.plans, gold["plans"]):
        assert predicted.title.text == expected
    _check(x.text, x.items)


@pytest.mark.parametrize(
    "heading, kind",
    [
        ("工作开展情况", "achievements"), ("2023年法治政府建设主要举措和成效", "achievements"),
        ("存在问题", "problems"), ("存在的不足和原因", "problems"), ("不足之处", "problems"),
        ("下步安排", "plans"), ("下一步工作计划", "plans"), ("2025年工作打算", "plans"),
        ("党政主要负责人履行推进法治建设第一责任人职责情况", "other"),
        ("深入学习贯彻习近平法治思想", None),
    ],
)
def test_heading_keywords(heading, kind):
    assert classify_heading(heading) == kind


def test_topical_top_level_headings_count_as_achievements():
    text = "一、坚持依法决策\n全年审查文件12件。\n二、加强执法监督\n开展检查5次。\n三、存在问题\n一是人手不够；二是经费紧张。\n四、下一步打算\n补齐人手。"
    result = segment(text)
    assert [s.kind for s in result.sections] == ["achievements", "achievements", "problems", "plans"]
    assert [i.span.text for i in result.items if i.kind == "problem"] == ["人手不够", "经费紧张"]


def test_causes_after_problems_are_not_a_problem():
    text = "一、存在问题\n一是培训不足；二是考核偏软。究其原因，在于重视不够。\n二、下步安排\n加强培训。"
    result = segment(text)
    assert [i.span.text for i in result.items if i.kind == "problem"] == ["培训不足", "考核偏软"]
