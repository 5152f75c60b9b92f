"""Parts without headings: problems and plans found by their discourse markers and position (issue 16).

Each case is a small report in its own words; the expected items are what a reader marks.
"""
from __future__ import annotations

import pytest

from kg.extraction.structure import NO_PROBLEMS, classify_heading, segment

REVIEW = "一、2023年工作回顾\n（一）稳住经济。全年完成投资12亿元。\n"
CASES = {
    "clear-sighted": (REVIEW + "在肯定成绩的同时，我们也清醒地看到，还存在一些问题：一是产业层次不高；二是财政收支矛盾突出。"
                      "对此，我们将认真加以解决。\n二、2024年工作安排\n（一）抓项目。\n（二）惠民生。\n",
                      ["产业层次不高", "财政收支矛盾突出"], ["抓项目", "惠民生"]),
    "marker-then-lines": (REVIEW + "我们也清醒认识到，发展中还面临不少困难，主要是：\n一是产业层次不高；\n二是财政收支矛盾突出。\n"
                          "我们一定正视问题。\n二、今年的主要任务\n（一）抓项目。\n（二）惠民生。\n",
                          ["产业层次不高", "财政收支矛盾突出"], ["抓项目", "惠民生"]),
    "from-angles": (REVIEW + "我们也清醒地看到，当前仍有不少难题。从经济看，产业层次不高；从民生看，就业压力较大。"
                    "我们将直面问题。\n二、2024年重点工作\n（一）抓项目。\n",
                    ["产业层次不高", "就业压力较大"], ["抓项目"]),
    "shortcomings-then-next-year": ("一、工作情况\n全年开展培训5次。\n工作中也存在一些不足，主要表现在：一是人手少；二是经费紧。\n"
                                    "明年，我局将重点抓好以下工作：一是充实人手；二是争取经费。\n",
                                    ["人手少", "经费紧"], ["充实人手", "争取经费"]),
    "next-step-without-heading": ("一、工作情况\n全年开展培训5次。\n二、存在问题\n一是人手少；二是经费紧。\n"
                                  "下一步，我们将从以下方面改进：一是充实人手；二是争取经费。\n",
                                  ["人手少", "经费紧"], ["充实人手", "争取经费"]),
    "a-later-year": ("青石县2023年度法治政府建设工作报告\n一、工作情况\n全年开展培训5次。\n二、存在问题\n一是人手少；二是经费紧。\n"
                     "2024年，我县将着力做好两方面工作：一是充实人手；二是争取经费。\n",
                     ["人手少", "经费紧"], ["充实人手", "争取经费"]),
    "practical-matters": (REVIEW + "二、2024年工作安排\n（一）抓项目。完成投资15亿元。\n（二）办好民生实事。今年将办好三件民生实事："
                          "一是新建幼儿园2所；二是改造老旧小区5个；三是新增停车位300个。\n",
                          [], ["抓项目", "新建幼儿园2所", "改造老旧小区5个", "新增停车位300个"]),
    "topical-after-plans": (REVIEW + "二、2024年工作安排\n（一）抓项目。\n三、加强政府自身建设\n坚持依法行政；坚持勤俭节约。\n"
                            "各位代表，让我们团结奋斗！\n", [], ["抓项目", "坚持依法行政", "坚持勤俭节约"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unheaded_parts(name):
    text, problems, plans = CASES[name]
    items = segment(text).items
    for kind, expected in (("problem", problems), ("plan", plans)):
        found = [i.span.text for i in items if i.kind == kind]
        assert len(found) == len(expected), (kind, found)
        for item, words in zip(found, expected):
            assert words in item, (kind, found)
    for item in items:
        assert text[item.span.start:item.span.end] == item.span.text


def test_the_unheaded_part_is_a_section_of_its_own_and_leaves_the_measures_alone():
    text = CASES["clear-sighted"][0]
    result = segment(text)
    part = next(s for s in result.sections if s.kind == "problems")
    assert part.heading.text.startswith("在肯定成绩的同时") and part.parent is not None
    measures = [i.span.text for i in result.items if i.kind == "measure"]
    assert measures == ["全年完成投资12亿元"]


def test_this_year_is_the_plan_year_only_in_a_government_work_report():
    body = "\n一、工作回顾\n全年完成投资12亿元。\n今年，我们将重点抓好两件事：一是稳增长；二是保安全。\n"
    assert [i.kind for i in segment("云溪区政府工作报告" + body).items] == ["measure", "plan", "plan"]
    # in a report on the year itself, 今年 is the year reported on
    other = segment("云溪区2023年法治政府建设年度报告\n一、工作情况\n今年以来，我区将法治建设纳入考核，开展培训3次。\n")
    assert [i.kind for i in other.items] == ["measure"]


def test_a_shufa_report_reports_its_duties_as_its_work():
    text = ("县长2023年度述法报告\n一、履行推进法治建设第一责任人职责情况\n主持学法8次。\n二、存在的不足\n一是学得不够；二是督促不够。\n"
            "三、下一步工作打算\n一是抓学法；二是抓督促。\n")
    result = segment(text)
    assert [s.kind for s in result.sections] == ["achievements", "problems", "plans"]
    assert [i.kind for i in result.items] == ["measure", "problem", "problem", "plan", "plan"]
    # in another report the same heading is neither achievements, problems nor plans
    assert classify_heading("履行推进法治建设第一责任人职责情况") == "other"


@pytest.mark.parametrize("heading,kind", [
    ("2024年工作安排", "plans"), ("今年的主要任务", "plans"), ("2024年重点工作", "plans"), ("2024年民生实事项目", "plans"),
    ("2023年工作回顾", "achievements"), ("过去一年的工作", "achievements"), ("2023年工作总结", "achievements"),
    ("2023年重点工作完成情况", "achievements"), ("工作中的差距", "problems"), ("今后努力方向", "plans"),
])
def test_year_named_and_genre_headings(heading, kind):
    assert classify_heading(heading) == kind


def test_no_problems_part_is_said_not_invented():
    result = segment("一、工作情况\n全年开展培训5次。\n二、下一步打算\n一是充实人手；二是争取经费。\n")
    assert [i.kind for i in result.items] == ["measure", "plan", "plan"]
    assert result.warnings == [NO_PROBLEMS]
    assert segment(CASES["clear-sighted"][0]).warnings == []


@pytest.mark.parametrize("text", [
    "一、工作情况\n针对群众反映的问题，全年开展培训5次。\n",  # 问题 in a measure is no problems part
    "一、工作情况\n我们帮助企业解决面临的困难，走访企业20家。\n",
])
def test_a_measure_that_names_a_problem_is_still_a_measure(text):
    assert [i.kind for i in segment(text).items] == ["measure"]
