"""Metrics: every quantity, its unit, subject, period and change, and the report's arithmetic checked."""
from __future__ import annotations

import json
import random
import re

import pytest

from kg.evaluate import score_metrics
from kg.extraction.metrics import KINDS, attach_entities, extract_metrics
from kg.model import Entity, Item, Mention, Span
from kg.rdf.triples import to_graph

from tests.conftest import FIXTURES
METRIC_FIXTURES = ("metrics-county", "metrics-bureau")

# Same length, same offsets: the two punctuation widths of the genre notes (and ../shared/tools/score.py).
_TO_FULL = {",": "，", "(": "（", ")": "）", ":": "：", ";": "；", **{str(d): chr(0xFF10 + d) for d in range(10)}}
_TO_ASCII = {full: ascii_ for ascii_, full in _TO_FULL.items()}


def to_fullwidth(text: str) -> str:
    return "".join(_TO_FULL.get(ch, ch) for ch in text)


def to_ascii(text: str) -> str:
    return "".join(_TO_ASCII.get(ch, ch) for ch in text)


def _as_dicts(metrics):
    return [{"start": m.span.start, "end": m.span.end, "text": m.span.text, "value": m.value, "unit": m.unit,
             "approx": m.approx, "subject": m.subject, "kind": m.kind} for m in metrics]


def _one(text: str):
    metrics, _ = extract_metrics(text, [])
    stated = [m for m in metrics if not m.derived]
    assert len(stated) == 1, [(m.span.text, m.value, m.unit) for m in metrics]
    return stated[0]


# --- the bundled report against its gold ----------------------------------------------------------

@pytest.fixture(scope="module")
def bundled_metrics(bundled_extraction):
    return bundled_extraction.to_contract()["metrics"]


def test_bundled_precision_and_recall(bundled_metrics, gold):
    scores = score_metrics(bundled_metrics, gold["metrics"], gold["optional_metrics"])
    assert scores["precision"] >= 0.98, scores["extra"]
    assert scores["recall"] >= 0.98, scores["missing"]


def test_bundled_approx_flag_right_on_every_match(bundled_metrics, gold):
    scores = score_metrics(bundled_metrics, gold["metrics"], gold["optional_metrics"])
    assert scores["approx_wrong"] == []


def _not_metric_hits(predicted, gold_metrics, not_metrics):
    """Predictions over a not-metric that no gold metric with the same value/unit explains."""
    hits = []
    for bad in not_metrics:
        for p in predicted:
            if not (p["start"] < bad["end"] and bad["start"] < p["end"]):
                continue
            explained = any(p["start"] < g["end"] and g["start"] < p["end"]
                            and abs(float(p["value"]) - float(g["value"])) < 1e-6 and p["unit"] == g["unit"]
                            for g in gold_metrics)
            if not explained:
                hits.append((bad["text"], p["text"], p["value"], p["unit"]))
    return hits


def test_bundled_no_not_metric_extracted(bundled_metrics, gold):
    assert _not_metric_hits(bundled_metrics, gold["metrics"], gold["not_metrics"]) == []


def test_bundled_every_metric_has_a_subject(bundled_metrics):
    assert all(m["subject"].strip() for m in bundled_metrics)


@pytest.mark.parametrize("rate", ["败诉率", "调解成功率", "服判息诉率"])
def test_bundled_rate_checks_consistent(bundled_extraction, rate):
    by_id = {m.id: m for m in bundled_extraction.metrics}
    checks = [c for c in bundled_extraction.checks if c.kind == "rate" and rate in by_id[c.metrics[0]].subject]
    assert len(checks) == 1, bundled_extraction.checks
    (check,) = checks
    assert check.status == "consistent", check
    numerator, denominator = by_id[check.metrics[1]], by_id[check.metrics[2]]
    assert numerator.part_of == denominator.id


def test_bundled_relations(bundled_extraction):
    """The part-of and change-of links the issue names, found by value in the bundled report."""
    metrics = [m for m in bundled_extraction.metrics if not m.derived]
    by_value = {}
    for m in metrics:
        by_value.setdefault((m.value, m.unit), m)
    assert by_value[(1, "件")].part_of == by_value[(62, "件")].id
    assert by_value[(182, "件")].part_of == by_value[(269, "件")].id
    assert by_value[(7707, "件")].part_of == by_value[(7742, "件")].id
    assert by_value[(-29.67, "%")].change_of == by_value[(64, "件")].id
    assert "行政复议申请" in by_value[(182, "件")].subject
    assert by_value[(62, "件")].period == "今年1-10月"
    assert all(m.item for m in metrics if m.span.start > bundled_extraction.text.index("一、"))


def test_bundled_previous_year_values(bundled_extraction):
    derived = [m for m in bundled_extraction.metrics if m.derived]
    by_id = {m.id: m for m in bundled_extraction.metrics}
    assert derived
    for m in derived:
        change = by_id[m.derived_from]
        assert change.kind == "change" and m.span == change.span and m.kind == "previous"
    cases = next(m for m in derived if m.unit == "件")
    assert cases.value == 91  # 64 / (1 - 29.67%) = 91.0


# --- synthetic fixtures in both punctuation widths --------------------------------------------------

def _fixture(name: str, width: str):
    text = (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")
    gold = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    convert = to_fullwidth if width == "full" else to_ascii
    text = convert(text)
    for key in ("metrics", "not_metrics", "checks"):
        gold[key] = [dict(item, text=convert(item["text"])) for item in gold[key]]
    return text, gold


@pytest.fixture(scope="module", params=[(n, w) for n in METRIC_FIXTURES for w in ("ascii", "full")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def fixture_run(request):
    text, gold = _fixture(*request.param)
    metrics, checks = extract_metrics(text, [])
    return text, gold, metrics, checks


def test_fixture_gold_offsets_hold(fixture_run):
    text, gold, _, _ = fixture_run
    for item in gold["metrics"] + gold["not_metrics"]:
        assert text[item["start"]:item["end"]] == item["text"]


def test_fixture_precision_recall_approx(fixture_run):
    _, gold, metrics, _ = fixture_run
    scores = score_metrics(_as_dicts(metrics), gold["metrics"], gold["optional_metrics"])
    assert scores["precision"] >= 0.98, scores["extra"]
    assert scores["recall"] >= 0.98, scores["missing"]
    assert scores["approx_wrong"] == []


def test_fixture_kinds(fixture_run):
    """Kinds agree with the annotation on every matched metric, and stay in the documented set."""
    _, gold, metrics, _ = fixture_run
    assert {m.kind for m in metrics} <= set(KINDS)
    for g in gold["metrics"]:
        match = [m for m in metrics if m.span.start < g["end"] and g["start"] < m.span.end
                 and abs(m.value - g["value"]) < 1e-6 and m.unit == g["unit"] and not m.derived]
        assert match and match[0].kind == g["kind"], (g, [(m.kind, m.span.text) for m in match])


def test_fixture_no_not_metric(fixture_run):
    _, gold, metrics, _ = fixture_run
    assert _not_metric_hits(_as_dicts(metrics), gold["metrics"], gold["not_metrics"]) == []


def test_fixture_subjects(fixture_run):
    _, gold, metrics, _ = fixture_run
    assert all(m.subject.strip() for m in metrics)
    scores = score_metrics(_as_dicts(metrics), gold["metrics"], gold["optional_metrics"])
    assert scores["subject_f1"] >= 0.7


def test_fixture_checks_exactly_as_annotated(fixture_run):
    """Each annotated rate is checked with its status; no other rate is checked (or flagged)."""
    text, gold, metrics, checks = fixture_run
    by_id = {m.id: m for m in metrics}
    found = {}
    for check in checks:
        rate = by_id[check.metrics[0]]
        where = next((g["text"] for g in gold["checks"] if rate.span.text in g["text"]), rate.span.text)
        found[where] = check.status
    assert found == {g["text"]: g["status"] for g in gold["checks"]}


# --- formats, one at a time, in both widths -----------------------------------------------------------

FORMATS = [
    # text, value, unit, approx, kind
    ("受理复议申请269件。", 269, "件", False, "count"),
    ("收到群众来信3.2万件。", 32000, "件", False, "count"),
    ("受教育群众达30万余人。", 300000, "人", True, "count"),
    ("惠及群众12万余人。", 120000, "人", True, "count"),
    ("挽回损失1.5亿元。", 150000000, "元", False, "amount"),
    ("处理信息127.84万件。", 1278400, "件", False, "count"),
    ("开展培训30余场。", 30, "场", True, "count"),
    ("走访企业4余次。", 4, "次", True, "count"),
    ("培训人员300多人。", 300, "人", True, "count"),
    ("召开座谈会近20次。", 20, "次", True, "count"),
    ("减免费用约980万元。", 9800000, "元", True, "amount"),
    ("浏览量逾50万人次。", 500000, "人次", True, "count"),
    ("整改时限10天以上。", 10, "天", True, "count"),
    ("打造示范点三个。", 3, "个", False, "count"),
    ("开展评查两轮。", 2, "轮", False, "count"),
    ("出台制度五项。", 5, "项", False, "count"),
    ("召开会议十余次。", 10, "次", True, "count"),
    ("开展宣传二十余次。", 20, "次", True, "count"),
    ("建立市、县两级平台。", 2, "级", False, "count"),
    ("审核合同 118 份。", 118, "份", False, "count"),
    ("走访企业260家次。", 260, "家次", False, "count"),
    ("举办讲座15场次。", 15, "场次", False, "count"),
    ("核查线索45件次。", 45, "件次", False, "count"),
    ("败诉率1.61%。", 1.61, "%", False, "rate"),
    ("满意率达百分之九十五。", 95, "%", False, "rate"),
    ("案件数同比下降29.67%。", -29.67, "%", False, "change"),
    ("工单量同比上升13.79%。", 13.79, "%", False, "change"),
    ("罚没款同比增长8%。", 8, "%", False, "change"),
    ("投诉量较上年减少12件。", -12, "件", False, "change"),
    ("出庭率提高7.6个百分点。", 7.6, "百分点", False, "change"),
    ("差错率下降2个百分点。", -2, "百分点", False, "change"),
    ("每个调委会平均1.6人。", 1.6, "人", False, "average"),
    ("补助每户500元。", 500, "元", False, "amount"),
    ("办理积案1,126件。", 1126, "件", False, "count"),
]


def _both_widths(cases):
    """Each case as written and in full width; a thousands separator (1,126) stays ASCII."""
    out = []
    for case in cases:
        out.append(pytest.param(*case, id=f"{case[0]}-ascii"))
        if not re.search(r"\d,\d", case[0]):
            out.append(pytest.param(to_fullwidth(case[0]), *case[1:], id=f"{case[0]}-full"))
    return out


@pytest.mark.parametrize("text,value,unit,approx,kind", _both_widths(FORMATS))
def test_format(text, value, unit, approx, kind):
    metric = _one(text)
    assert (metric.value, metric.unit, metric.approx, metric.kind) == (pytest.approx(value), unit, approx, kind)
    assert text[metric.span.start:metric.span.end] == metric.span.text
    assert metric.subject


NOT_METRICS = [
    "依据县政办〔2023〕12号文件部署。",
    "在第二次推进会上作发言。",
    "参加首届技能大赛获得二等奖。",
    "开通12345热线和12348热线。",
    "提供24小时在线服务。",
    "谋划“十四五”规划收官。",
    "完成七五普法验收。",
    "学习二十届三中全会精神。",
    "印发《关于做好3项重点工作的通知》。",
    "开展“两个条例”执法检查。",
    "推行“一次办”服务。",
    "推进“最多跑一次”改革。",
    "服务覆盖千家万户。",
    "2023年以来,工作稳步推进。",
    "入选2023—2024年度优秀案例。",
    "于3月15日召开会议。",
    "今年1-10月,工作持续推进。",
    "发布于2024-12-31 17:00。",
    "落实中央八项规定精神。",
    "统一部署一件事改革。",
]


@pytest.mark.parametrize("width", ["ascii", "full"])
@pytest.mark.parametrize("text", NOT_METRICS)
def test_not_a_metric(text, width):
    text = to_fullwidth(text) if width == "full" else text
    metrics, _ = extract_metrics(text, [])
    assert [m.span.text for m in metrics] == []


# --- structure of what is read ----------------------------------------------------------------------

def test_one_value_two_subjects_share_a_span():
    metrics, _ = extract_metrics("承办建议80件,办结率、满意率均达100%。", [])
    rates = [m for m in metrics if m.unit == "%"]
    assert [m.subject for m in rates] == ["办结率", "满意率"]
    assert rates[0].span == rates[1].span and rates[0].id != rates[1].id


def test_adjacent_quantities():
    metrics, _ = extract_metrics("开展联合检查19次26件。", [])
    assert [(m.value, m.unit) for m in metrics] == [(19, "次"), (26, "件")]
    assert metrics[0].subject == metrics[1].subject == "联合检查"


def test_elliptical_count_inherits_subject_and_is_part_of():
    metrics, _ = extract_metrics("接收信访事项120件,办结98件,其中按期办结90件。", [])
    whole, done, on_time = metrics
    assert done.part_of == whole.id and "信访事项" in done.subject
    assert on_time.part_of == done.id


def test_period_qualifies_its_sentence_only():
    metrics, _ = extract_metrics("今年1-11月,受理案件62件;审结58件。另办理咨询30次。", [])
    assert [m.period for m in metrics] == ["今年1-11月", "今年1-11月", None]


def test_previous_year_from_change():
    metrics, _ = extract_metrics("受理案件80件,同比增长25%。", [])
    count, change, previous = metrics
    assert change.change_of == count.id
    assert previous.derived and previous.derived_from == change.id and previous.value == 64
    assert previous.kind == "previous" and previous.unit == "件" and not previous.approx


def test_previous_year_from_points():
    metrics, _ = extract_metrics("群众满意率96.5%,同比提高1.5个百分点。", [])
    previous = metrics[-1]
    assert previous.derived and previous.value == pytest.approx(95.0) and previous.unit == "%"


@pytest.mark.parametrize("stated,status", [("4.76%", "consistent"), ("4.8%", "consistent"),
                                           ("5%", "consistent"), ("6.25%", "inconsistent")])
def test_rate_checked_at_its_stated_precision(stated, status):
    metrics, checks = extract_metrics(f"应诉案件42件,其中败诉2件,败诉率{stated}。", [])
    (check,) = checks
    assert check.status == status
    assert check.computed == pytest.approx(4.7619, abs=1e-4)
    assert check.metrics == [metrics[2].id, metrics[1].id, metrics[0].id]


def test_complementary_rate_checked():
    _, checks = extract_metrics("审结一审案件40件,其中上诉10件,服判息诉率75%。", [])
    (check,) = checks
    assert check.status == "consistent" and check.computed == 75 and check.method.startswith("complement")


def test_rate_without_counts_is_not_checked():
    _, checks = extract_metrics("培训人员200人,考试合格率达92%。", [])
    assert checks == []


def test_items_and_entities_attached():
    text = "县司法局受理案件10件,办结8件;组织培训3场。"
    items = [Item(id="measure-1", kind="measure", span=Span.of(text, 0, len(text)))]
    metrics, _ = extract_metrics(text, items)
    agency = Entity(id="agency-1", type="Agency", label="县司法局", mentions=[Mention(0, 4, "县司法局")])
    place = Entity(id="place-1", type="Place", label="县", mentions=[Mention(0, 1, "县")])
    attach_entities(metrics, [agency, place], [])
    assert [m.item for m in metrics] == ["measure-1"] * 3
    assert [m.about for m in metrics] == [["agency-1"], ["agency-1"], []]  # 办结8件 inherits from its whole


def test_offsets_and_determinism_on_noisy_text():
    rng = random.Random(7)
    pool = list("受理案件办结率同比下降上升万亿余多近约第《》“”〔〕,，;；。、%０１２３4567.89 件次人个元项场两三十百")
    for _ in range(200):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 60)))
        first = extract_metrics(text, [])
        second = extract_metrics(text, [])
        assert repr(first) == repr(second)
        for m in first[0]:
            assert text[m.span.start:m.span.end] == m.span.text and m.subject


def test_rate_not_checked_against_counts_it_does_not_name():
    """纠错率 is not made of 审结 cases: no check rather than a false alarm."""
    _, checks = extract_metrics("受理复议案件236件,审结221件,纠错率12.6%。", [])
    assert checks == []


def test_changes_stated_respectively():
    metrics, _ = extract_metrics("查处案件1362起,罚没款2456.8万元,同比分别增长15.3%和22.1%。", [])
    cases, fines = metrics[0], metrics[1]
    changes = [m for m in metrics if m.kind == "change"]
    assert [(c.value, c.change_of) for c in changes] == [(15.3, cases.id), (22.1, fines.id)]
    previous = [m for m in metrics if m.derived]
    # no more precision than stated: 1362 / 1.153 = 1181.3 → 1181; 2456.8万 / 1.221 → 2012.1万
    assert [(p.value, p.unit) for p in previous] == [(1181, "起"), (20121000, "元")]


@pytest.mark.parametrize("name,width", [("metrics-county", "ascii"), ("metrics-bureau", "full")])
def test_fixture_metrics_and_checks_conform_in_rdf(name, width):
    """Metrics, their part-of/change-of/derived links and the checks, as RDF, conform to the shapes."""
    from pyshacl import validate
    from rdflib import Graph, Literal, Namespace
    from rdflib.namespace import RDF

    from kg.rdf.namespaces import DEFAULT_BASE
    from kg.pipeline import extract_text
    from kg.resources import ontology_file, shapes_file

    import hashlib

    from kg.extraction.metadata import report_metadata

    text, _ = _fixture(name, width)
    meta = report_metadata(text)
    meta.id, meta.source, meta.encoding = name, f"{name}.txt", "utf-8"
    meta.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    extraction = extract_text(text, meta)
    graph = to_graph(extraction, DEFAULT_BASE)
    fz = Namespace("http://example.org/fzzf#")
    assert len(set(graph.subjects(RDF.type, fz.Metric))) == len(extraction.metrics)
    statuses = sorted(str(o) for o in graph.objects(None, fz.checkStatus))
    assert statuses == sorted(c.status for c in extraction.checks) and statuses
    assert (None, fz.derived, Literal(True)) in graph and (None, fz.partOf, None) in graph
    assert (None, fz.changeOf, None) in graph
    data = graph + Graph().parse(ontology_file(), format="turtle")
    conforms, _, report = validate(data, shacl_graph=Graph().parse(shapes_file(), format="turtle"),
                                   inference="none")
    assert conforms, report
