"""Every unit a report uses, ranges, before/after pairs, and how a change in % of a rate reads (issue 16)."""
from __future__ import annotations

import pytest

from kg.extraction.metrics import extract_metrics

from tests.extraction.test_metrics import to_fullwidth

UNITS = [
    # text, value, unit, approx, kind — written as reports write them, normalised as the contract says
    ("新改建农村公路48.6公里。", 48.6, "公里", False, "measure"),
    ("建成绿道12km。", 12, "公里", False, "measure"),
    ("新增城市绿地12.5万平方米。", 125000, "平方米", False, "measure"),
    ("改造棚户区3.2万㎡。", 32000, "平方米", False, "measure"),
    ("新建厂房8000平米。", 8000, "平方米", False, "measure"),
    ("治理水土流失面积16平方公里。", 16, "平方公里", False, "measure"),
    ("完成造林1.5万亩。", 15000, "亩", False, "measure"),
    ("新增绿地面积46公顷。", 46, "公顷", False, "measure"),
    ("新增库容1.2亿立方米。", 120000000, "立方米", False, "measure"),
    ("粮食总产量达到32.4万吨。", 324000, "吨", False, "measure"),
    ("回收农药包装废弃物860公斤。", 860, "公斤", False, "measure"),
    ("光伏装机容量12万千瓦。", 120000, "千瓦", False, "measure"),
    ("年发电量3.6亿千瓦时。", 360000000, "千瓦时", False, "measure"),
    ("PM2.5平均浓度为33微克/立方米。", 33, "微克/立方米", False, "measure"),
    ("出水氨氮浓度1.5毫克/升。", 1.5, "毫克/升", False, "measure"),
    ("生猪出栏28.6万头。", 286000, "头", False, "count"),
    ("上线政务服务小程序2款。", 2, "款", False, "count"),
    ("企业开办压缩至1个工作日。", 1, "工作日", False, "count"),
    ("接种流感疫苗5万剂次。", 50000, "剂次", False, "count"),
    ("县政务服务中心连续3年获评优秀。", 3, "年", False, "count"),
    ("城镇调查失业率控制在5.5%以内。", 5.5, "%", True, "rate"),
    ("PM2.5浓度控制在35微克/立方米以下。", 35, "微克/立方米", True, "measure"),
]


@pytest.mark.parametrize("text,value,unit,approx,kind", [pytest.param(*c, id=c[0]) for c in UNITS]
                         + [pytest.param(to_fullwidth(c[0]), *c[1:], id=c[0] + "-full") for c in UNITS])
def test_unit(text, value, unit, approx, kind):
    metrics, _ = extract_metrics(text, [])
    stated = [m for m in metrics if not m.derived]
    assert [(m.value, m.unit, m.approx, m.kind) for m in stated] == [(pytest.approx(value), unit, approx, kind)]
    assert text[stated[0].span.start:stated[0].span.end] == stated[0].span.text


@pytest.mark.parametrize("text", [
    "实施三年行动计划。", "近三年来成效明显。", "5年规划全面完成。", "两年来群众满意。",  # 年 as a period or a plan's name
    "解决群众两头跑的问题。", "PM2.5治理成效明显。", "新建5G基站。", "区五届人大二次会议确定的任务全面完成。",
])
def test_not_a_quantity(text):
    assert extract_metrics(text, [])[0] == []


@pytest.mark.parametrize("text,low,high,unit", [
    ("完成3-5年一轮的农村公路养护。", 3, 5, "年"),
    ("每场培训20至30人。", 20, 30, "人"),
    ("单笔补助5~8万元。", 50000, 80000, "元"),
])
def test_a_range_is_two_metrics_with_one_span(text, low, high, unit):
    metrics, _ = extract_metrics(text, [])
    assert [(m.value, m.unit) for m in metrics] == [(low, unit), (high, unit)]
    assert metrics[0].span == metrics[1].span and metrics[0].subject == metrics[1].subject


@pytest.mark.parametrize("text,before,after,unit,change,change_unit,subject", [
    ("PM2.5平均浓度由38微克/立方米降至33微克/立方米。", 38, 33, "微克/立方米", -5, "微克/立方米", "PM2.5平均浓度"),
    ("审批时限由20个工作日压缩至5个工作日。", 20, 5, "工作日", -15, "工作日", "审批时限"),
    ("行政诉讼败诉率由12.6%降至8.4%。", 12.6, 8.4, "%", -4.2, "百分点", "行政诉讼败诉率"),
    ("签约律师从120名增加到150名。", 120, 150, "名", 30, "名", "签约律师"),
])
def test_before_and_after_are_two_metrics_linked_by_a_change(text, before, after, unit, change, change_unit, subject):
    metrics, _ = extract_metrics(text, [])
    by_id = {m.id: m for m in metrics}
    stated = [m for m in metrics if not m.derived]
    assert [(m.value, m.unit, m.kind) for m in stated][0] == (before, unit, "previous")
    assert stated[1].value == after and stated[1].unit == unit and stated[1].kind != "previous"
    assert stated[0].subject == stated[1].subject == subject
    (derived,) = [m for m in metrics if m.derived]
    assert derived.kind == "change" and derived.value == pytest.approx(change) and derived.unit == change_unit
    assert by_id[derived.change_of] is stated[1] and by_id[derived.derived_from] is stated[0]


# --- a change in % of a rate: percentage points or relative ----------------------------------------------

@pytest.mark.parametrize("text,reading,previous", [
    # 63.79 − 13.79 = 50.00 exactly: the figures were made in points (relative would give 56.06)
    ("一审服判息诉率63.79%，同比上升13.79%。", "points", 50.0),
    # 52.38 / (1 + 4.76%) = 50.00: a relative change made the figures
    ("群众满意率52.38%，同比提高4.76%。", "relative", 50.0),
    # 30 − 40 < 0: a rate cannot have been below nothing, so the rise is relative (30 / 1.4, to two figures)
    ("案件败诉率30%，同比上升40%。", "relative", 21.0),
])
def test_a_change_of_a_rate_reads_as_the_figures_say(text, reading, previous):
    metrics, checks = extract_metrics(text, [])
    (derived,) = [m for m in metrics if m.derived]
    assert derived.kind == "previous" and derived.value == pytest.approx(previous)
    (check,) = [c for c in checks if c.kind == "change_reading"]
    assert check.status == "consistent" and check.method.startswith(reading) and check.computed == derived.value


@pytest.mark.parametrize("text", [
    "森林覆盖率达到45.6%，同比提高1.2%。",  # points 44.4, relative 45.06: nothing decides
    "行政复议纠错率为12.5%，同比下降2.5%。",  # one decimal: a whole result proves nothing
])
def test_an_undecided_change_of_a_rate_implies_no_previous_value(text):
    metrics, checks = extract_metrics(text, [])
    assert [m for m in metrics if m.derived] == []
    assert [c for c in checks if c.kind == "change_reading"] == []
    change = next(m for m in metrics if m.kind == "change")
    assert change.unit == "%" and change.change_of  # stated as written, still linked to its rate


def test_a_change_of_a_count_stays_relative():
    metrics, _ = extract_metrics("受理案件64件，同比下降29.67%。", [])
    (derived,) = [m for m in metrics if m.derived]
    assert derived.value == 91 and derived.unit == "件"
