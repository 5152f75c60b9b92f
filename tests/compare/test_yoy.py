"""Year-on-year checks: unit cases of the arithmetic, then the bar on the fixture corpus."""
from __future__ import annotations

import json

import pytest

from kg.compare.summary import corpus_summary
from kg.compare.yoy import check_change, half_step, period_key, subject_key, yoy_checks

from tests.fixtures.comparisons import corpus


def metric(mid, text, value, unit, kind="count", subject="行政复议申请", **extra):
    return {"id": mid, "start": 0, "end": len(text), "text": text, "value": value, "unit": unit, "kind": kind,
            "subject": subject, "period": None, "approx": False, **extra}


def report(rid, year, *metrics, jurisdiction="甲县"):
    return {"report": {"id": rid, "year": year, "jurisdiction": jurisdiction}, "metrics": list(metrics)}


def change_of(base, text, value, unit="%"):
    return metric("c", text, value, unit, kind="change", subject=base["subject"] + "同比变化", change_of=base["id"])


def run(base, change, *earlier_metrics):
    later = report("b", 2024, base, change)
    earlier = report("a", 2023, *earlier_metrics)
    rows = yoy_checks(later, earlier)
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("stated, status", [(125, "consistent"), (124, "consistent"), (121, "inconsistent")])
def test_a_relative_change_of_a_count(stated, status):
    base = metric("m1", "135件", 135, "件")
    row = run(base, change_of(base, "同比增长8%", 8), metric("e1", f"{stated}件", stated, "件"))
    assert row["status"] == status
    assert row["implied_previous"] == pytest.approx(125, abs=0.01)
    assert row["stated_previous"] == stated and row["earlier"]["metric"] == "e1"


def test_percentage_points_are_additive():
    base = metric("m1", "7.9%", 7.9, "%", kind="rate", subject="败诉率")
    row = run(base, change_of(base, "同比下降2.6个百分点", -2.6, "百分点"),
              metric("e1", "10.5%", 10.5, "%", kind="rate", subject="败诉率"))
    assert (row["status"], row["reading"], row["implied_previous"]) == ("consistent", "points", 10.5)


@pytest.mark.parametrize("stated, reading", [(50.0, "points"), (56.06, "relative")])
def test_a_rates_change_in_percent_is_read_as_the_earlier_report_decides(stated, reading):
    base = metric("m1", "63.79%", 63.79, "%", kind="rate", subject="一审服判息诉率")
    row = run(base, change_of(base, "同比上升13.79%", 13.79),
              metric("e1", f"{stated}%", stated, "%", kind="rate", subject="一审服判息诉率"))
    assert (row["status"], row["reading"]) == ("consistent", reading)
    assert row["implied_previous"] == pytest.approx(stated, abs=0.01)
    assert set(row["readings"]) == {"points", "relative"}


def test_a_rates_change_that_fits_neither_reading_is_inconsistent_and_says_so():
    base = metric("m1", "63.79%", 63.79, "%", kind="rate", subject="一审服判息诉率")
    row = run(base, change_of(base, "同比上升13.79%", 13.79),
              metric("e1", "40.2%", 40.2, "%", kind="rate", subject="一审服判息诉率"))
    assert (row["status"], row["reading"]) == ("inconsistent", "neither")


def test_tolerance_follows_the_stated_precision():
    # 146 / 1.098 = 132.97: 133 agrees; a change stated as 10% (±0.5) lets 132 agree too, 9.8% (±0.05) does not.
    base = metric("m1", "146件", 146, "件")
    assert run(base, change_of(base, "同比增长9.8%", 9.8), metric("e1", "133件", 133, "件"))["status"] == "consistent"
    assert run(base, change_of(base, "同比增长9.8%", 9.8), metric("e1", "131件", 131, "件"))["status"] == "inconsistent"
    assert run(base, change_of(base, "同比增长10%", 10), metric("e1", "132件", 132, "件"))["status"] == "consistent"
    assert half_step(metric("x", "1.2万件", 12000, "件")) == 500


@pytest.mark.parametrize("later_period, earlier_period", [("1-10月", None), ("1-10月", "全年"), (None, "1-11月"),
                                                          ("上半年", "1-9月")])
def test_different_periods_are_never_compared(later_period, earlier_period):
    base = metric("m1", "58件", 58, "件", period=later_period)
    row = run(base, change_of(base, "同比下降12%", -12), metric("e1", "80件", 80, "件", period=earlier_period))
    assert row["status"] == "cannot_check" and row["earlier"] is None
    assert "period" in row["reason"]


def test_the_same_partial_period_is_compared():
    base = metric("m1", "58件", 58, "件", period="今年1-10月")
    row = run(base, change_of(base, "同比下降12%", -12), metric("e1", "66件", 66, "件", period="1-10月"))
    assert row["status"] == "consistent"


@pytest.mark.parametrize("other", [
    metric("e1", "80件", 80, "件", subject="行政诉讼案件"),  # another subject
    metric("e1", "80次", 80, "次"),  # another unit
    metric("e1", "同比增长3%", 80, "件", kind="previous", derived=True, derived_from="x"),  # our own derived value
])
def test_an_unrelated_number_is_never_a_counterpart(other):
    base = metric("m1", "146件", 146, "件")
    row = run(base, change_of(base, "同比增长9.8%", 9.8), other)
    assert row["status"] == "cannot_check" and row["earlier"] is None


def test_an_approximate_figure_can_confirm_but_never_accuse():
    base = metric("m1", "120余场", 120, "场", subject="普法活动", approx=True)
    change = change_of(base, "同比增长20%", 20)
    assert run(base, change, metric("e1", "100场", 100, "场", subject="普法活动"))["status"] == "consistent"
    row = run(base, change, metric("e1", "90场", 90, "场", subject="普法活动"))
    assert row["status"] == "cannot_check" and "approximate" in row["reason"]


def test_several_different_counterparts_are_not_guessed_between():
    base = metric("m1", "146件", 146, "件")
    row = run(base, change_of(base, "同比增长9.8%", 9.8), metric("e1", "133件", 133, "件"),
              metric("e2", "150件", 150, "件"))
    assert row["status"] == "cannot_check" and "several" in row["reason"]


def test_among_several_values_of_one_indicator_the_same_subject_decides():
    base = metric("m1", "1364件", 1364, "件", subject="复议申请", indicator="ind/review-cases")
    received = metric("e1", "1240件", 1240, "件", subject="复议申请", indicator="ind/review-cases")
    accepted = metric("e2", "1186件", 1186, "件", subject="受理复议申请", indicator="ind/review-cases")
    row = run(base, change_of(base, "同比增长10%", 10), received, accepted)
    assert (row["status"], row["earlier"]["metric"]) == ("consistent", "e1")
    # Without one of the same words, several values stay undecided.
    other = metric("m1", "1364件", 1364, "件", subject="新收复议申请", indicator="ind/review-cases")
    assert run(other, change_of(other, "同比增长10%", 10), received, accepted)["status"] == "cannot_check"


def test_indicators_decide_when_both_sides_have_one():
    base = metric("m1", "146件", 146, "件", subject="新收复议案件", indicator="ind/review-cases")
    same = metric("e1", "133件", 133, "件", subject="受理行政复议申请", indicator="ind/review-cases")
    other = metric("e1", "133件", 133, "件", subject="新收复议案件", indicator="ind/review-concluded")
    assert run(base, change_of(base, "同比增长9.8%", 9.8), same)["status"] == "consistent"
    assert run(base, change_of(base, "同比增长9.8%", 9.8), other)["status"] == "cannot_check"
    # One indicator, but subjects without a word in common (lectures are a part of all 普法 events): not compared.
    part = metric("e1", "200场", 200, "场", subject="法治讲座", indicator="ind/publicity-events")
    events = metric("m1", "260场", 260, "场", subject="普法活动", indicator="ind/publicity-events")
    assert run(events, change_of(events, "同比增长30%", 30), part)["status"] == "cannot_check"
    # Without an indicator on one side, the subjects must be equal.
    plain = metric("e1", "133件", 133, "件", subject="新收复议案件")
    assert run(base, change_of(base, "同比增长9.8%", 9.8), plain)["status"] == "consistent"


def test_a_change_without_year_on_year_words_or_derived_value_is_not_checked():
    base = metric("m1", "146件", 146, "件")
    change = change_of(base, "增加13件", 13, "件")
    assert yoy_checks(report("b", 2024, base, change), report("a", 2023, metric("e1", "133件", 133, "件"))) == []
    change["text"] = "比上年增加13件"
    assert yoy_checks(report("b", 2024, base, change), report("a", 2023, metric("e1", "133件", 133, "件")))[0][
        "reading"] == "absolute"


def test_no_earlier_report_gives_cannot_check_with_the_implied_value():
    base = metric("m1", "135件", 135, "件")
    row = check_change(change_of(base, "同比增长8%", 8), base, report("b", 2024), None)
    assert row["status"] == "cannot_check" and row["implied_previous"] == 125 and row["earlier"] is None


def test_subject_and_period_keys():
    assert subject_key("全县行政复议申请", ["甲县"]) == subject_key("甲县行政复议申请", ["甲县"]) == "行政复议申请"
    assert subject_key("“法律明白人”", []) == "法律明白人"
    assert period_key("1—10月") == period_key("1-10月") == "1-10"
    assert period_key("截至10月底") == "1-10"


# ---------------------------------------------------------------------------
# The bar, on the fixture corpus (built through kg.pipeline.extract)


def _without_corpus_identity(extraction):
    """The extraction as it was before identity resolution: no division, no indicators."""
    copy = json.loads(json.dumps(extraction))
    copy["report"]["division"] = None
    for metric in copy["metrics"]:
        for key in ("indicator", "indicator_method", "indicator_confidence"):
            metric.pop(key, None)
    return copy


@pytest.fixture(scope="module", params=["as extracted", "without divisions and indicators"])
def rows(request):
    extractions = list(corpus.extractions())
    if request.param != "as extracted":
        extractions = [_without_corpus_identity(x) for x in extractions]
    return corpus_summary(extractions)["yoy_checks"]


def _find(rows, annotation):
    found = [r for r in rows if r["later"]["report"] == annotation["later"]
             and r["later"]["text"] == annotation["change"] and r["later_value"]["text"] == annotation["value"]]
    return found[0] if len(found) == 1 else None


def test_yoy_statuses_on_the_fixture_corpus(rows):
    annotated = corpus.expected()["yoy"]
    right = [a for a in annotated if (row := _find(rows, a)) and row["status"] == a["status"]
             and a.get("reading", row["reading"]) == row["reading"]]
    wrong = [(a["later"], a["value"], a["status"], (_find(rows, a) or {}).get("status")) for a in annotated
             if a not in right]
    assert len(right) / len(annotated) >= 0.9, wrong
    assert len(annotated) >= 10


def test_no_false_inconsistent_on_the_fixture_corpus(rows):
    annotated = {(a["later"], a["change"], a["value"]): a["status"] for a in corpus.expected()["yoy"]}
    alarms = [(r["later"]["report"], r["later"]["text"], r["later_value"]["text"]) for r in rows
              if r["status"] == "inconsistent"]
    assert alarms and all(annotated.get(alarm) == "inconsistent" for alarm in alarms), alarms


def test_no_false_inconsistent_on_the_held_out_corpus():
    rows = corpus_summary(list(corpus.extractions("heldout")))["yoy_checks"]
    annotated = {(a["later"], a["change"], a["value"]): a["status"] for a in corpus.expected("heldout")["yoy"]}
    alarms = [(r["later"]["report"], r["later"]["text"], r["later_value"]["text"]) for r in rows
              if r["status"] == "inconsistent"]
    assert alarms and all(annotated.get(alarm) == "inconsistent" for alarm in alarms), alarms
    found = {(r["later"]["report"], r["later"]["text"], r["later_value"]["text"]): r["status"] for r in rows}
    right = sum(found.get(key) == status for key, status in annotated.items())
    assert right >= len(annotated) - 1  # 7 of 8: 1680人次's subject comes out as "15期" (extraction)


def test_an_inconsistent_row_carries_both_spans_and_both_values(rows):
    texts = {x["report"]["id"]: x for x in corpus.extractions()}
    row = next(r for r in rows if r["status"] == "inconsistent")
    for side in ("later", "later_value", "earlier"):
        ref = row[side]
        metric_json = next(m for m in texts[ref["report"]]["metrics"] if m["id"] == ref["metric"])
        assert (metric_json["start"], metric_json["end"], metric_json["text"]) == (ref["start"], ref["end"], ref["text"])
    assert row["implied_previous"] != row["stated_previous"]
