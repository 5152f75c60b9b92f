"""kg.sparql.query and the competency questions of ontology/queries/.

Two kinds of expectations:
- a tiny report whose model is written here by hand (so the queries are tested
  apart from extraction), with exact answers;
- the bundled report, with facts read from the report itself (robust to
  improvements of extraction: a value, a count, a title that must be there).
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pyoxigraph as ox
import pytest
from hypothesis import given, strategies as st
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import extract
from kg.errors import QueryError
from kg.model import (Check, Entity, Extraction, Gaps, Item, Link, Mention, Metric, Relation, ReportMeta,
                      Section, Span)
from kg.rdf.namespaces import DEFAULT_BASE, UNIT
from kg.sparql.query import (competency_questions, execute, parse_params, questions_help, run_query, to_term,
                             with_values)
from kg.rdf.triples import graph_iri, node_iri, to_ntriples
from kg.resources import bundled_report, queries_dir

from tests.sparql.conftest import busy_thread

# ---- a hand-made report ----------------------------------------------------

TEXT = (
    "松山县2023年度法治政府建设工作报告\n"
    "一、工作情况\n"
    "县法院受理行政诉讼案件40件，败诉2件，败诉率6%，同比下降20%。"
    "县司法局印发《松山县行政执法监督办法》。"
    "推行公证便民机制。\n"
    "二、存在问题\n"
    "一是执法人员不足；二是复议案件增多。\n"
    "三、下步安排\n"
    "一是充实执法人员。\n"
)
RID = "synthetic-2023"


def _span(text: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(text, start + 1)
    return Span.of(TEXT, start, start + len(text))


def _sentence(first: str, last: str) -> Span:
    start = TEXT.index(first)
    return Span.of(TEXT, start, TEXT.index(last, start) + len(last))


def synthetic_extraction() -> Extraction:
    meta = ReportMeta(id=RID, source=f"{RID}.txt", encoding="utf-8", sha256="0" * 64,
                      title="松山县2023年度法治政府建设工作报告", title_span=_span("松山县2023年度法治政府建设工作报告"),
                      jurisdiction="松山县", year=2023)
    sections = [
        Section("section-1", "achievements", 1, _span("工作情况"), 0, 10, 10),
        Section("section-2", "problems", 1, _span("存在问题"), 10, 20, 20),
        Section("section-3", "plans", 1, _span("下步安排"), 20, 30, 30),
    ]
    items = [
        Item("measure-1", "measure", _sentence("县法院受理", "20%"), "section-1"),
        Item("measure-2", "measure", _sentence("县司法局印发", "》"), "section-1"),
        Item("measure-3", "measure", _span("推行公证便民机制"), "section-1"),
        Item("problem-1", "problem", _span("执法人员不足"), "section-2"),
        Item("problem-2", "problem", _span("复议案件增多"), "section-2"),
        Item("plan-1", "plan", _span("充实执法人员"), "section-3"),
    ]
    metrics = [
        Metric("metric-1", _span("40件"), 40, "件", False, "count", "行政诉讼案件", item="measure-1",
               about=["agency/court"]),
        Metric("metric-2", _span("2件"), 2, "件", False, "count", "败诉案件", item="measure-1",
               part_of="metric-1"),
        Metric("metric-3", _span("6%"), 6, "%", False, "rate", "败诉率", item="measure-1"),
        Metric("metric-4", _span("同比下降20%"), -20, "%", False, "change", "行政诉讼案件同比变化",
               item="measure-1", change_of="metric-1"),
        Metric("metric-5", _span("同比下降20%"), 50, "件", False, "count", "上年行政诉讼案件",
               item="measure-1", derived=True, derived_from="metric-4"),
    ]
    checks = [Check("check-1", "rate", "inconsistent", ["metric-3", "metric-2", "metric-1"], 6, 5, "2/40")]
    entities = [
        Entity("agency/court", "Agency", "县法院", [Mention(*_astuple(_span("县法院")))]),
        Entity("agency/justice", "Agency", "县司法局", [Mention(*_astuple(_span("县司法局")))]),
        Entity("document/supervision", "PolicyDocument", "松山县行政执法监督办法",
               [Mention(*_astuple(_span("松山县行政执法监督办法")))], issuer="agency/justice"),
        Entity("mechanism/notary", "Mechanism", "公证便民机制", [Mention(*_astuple(_span("公证便民机制")))]),
    ]
    relations = [
        Relation("measure-1", "mentions", "agency/court"),
        Relation("measure-2", "mentions", "document/supervision"),
        Relation("measure-3", "mentions", "mechanism/notary"),
        Relation("agency/justice", "issues", "document/supervision"),
    ]
    links = [Link("plan-1", "problem-1", "addresses", 0.8), Link("measure-1", "problem-2", "works_on", 0.5)]
    return Extraction(report=meta, text=TEXT, sections=sections, items=items, metrics=metrics, checks=checks,
                      entities=entities, relations=relations, links=links,
                      gaps=Gaps(problems_without_plan=["problem-2"]))


def _astuple(span: Span) -> tuple[int, int, str]:
    return span.start, span.end, span.text


def _store_of(ntriples: str, report_id: str) -> ox.Store:
    """A store holding one report's statements in its named graph, as ``kg build`` writes them."""
    store = ox.Store()
    graph = ox.NamedNode(graph_iri(DEFAULT_BASE, report_id))
    store.bulk_load(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    return store


@pytest.fixture(scope="module")
def synthetic() -> ox.Store:
    return _store_of(to_ntriples(synthetic_extraction(), DEFAULT_BASE), RID)


@pytest.fixture(scope="module")
def bundled() -> ox.Store:
    extraction = extract(bundled_report())
    return _store_of(to_ntriples(extraction, DEFAULT_BASE), extraction.report.id)


def rows(store, name, **params) -> list[dict]:
    """The answer as dicts of plain Python values (numbers as Decimal, IRIs and text as str)."""
    result = execute(store, name, params)
    names = [v.value for v in result.variables]
    out = []
    for solution in result:
        row = {}
        for key in names:
            term = solution[key]
            if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#decimal", "#integer")):
                row[key] = Decimal(term.value)
            else:
                row[key] = None if term is None else term.value
        out.append(row)
    return out


# ---- the competency questions themselves -------------------------------------

def test_at_least_twelve_questions_each_with_english_chinese_and_documented_params():
    questions = competency_questions()
    assert len(questions) >= 12
    for question in questions:
        assert question.en and question.zh, question.name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in question.zh), question.name
        for name in question.params:
            assert f"?{name}" in question.text, (question.name, name)


@pytest.mark.parametrize("question", competency_questions(), ids=lambda q: q.name)
def test_every_question_parses_and_runs(synthetic, question):
    params = {"report": RID, "node": f"<{node_iri(DEFAULT_BASE, RID, 'metric-3')}>"}
    answer = json.loads(run_query(synthetic, question.name, {k: v for k, v in params.items() if k in question.params},
                                  fmt="json"))
    assert answer["head"]["vars"], question.name  # a SELECT names what it returns
    assert isinstance(answer["results"]["bindings"], list)


def test_synthetic_metrics(synthetic):
    answer = rows(synthetic, "metrics", report=RID)
    assert [(r["value"], r["unit"]) for r in answer] == [
        (40, str(UNIT["件"])), (2, str(UNIT["件"])), (6, str(UNIT["%25"])),
        (50, str(UNIT["件"])), (-20, str(UNIT["%25"]))]  # same span: by subject, 上年… first
    assert all(r["sentence"] == _sentence("县法院受理", "20%").text for r in answer)
    assert rows(synthetic, "metrics", report="no-such-report") == []


def test_synthetic_metrics_of_agency(synthetic):
    assert [(r["name"], r["value"], r["how"]) for r in rows(synthetic, "metrics-of-agency", agency="法院")] == [
        ("县法院", 40, "about")]
    assert rows(synthetic, "metrics-of-agency", agency="司法局") == []


def test_synthetic_checks(synthetic):
    failed = rows(synthetic, "failed-checks")
    assert [(r["subject"], r["stated"], r["computed"]) for r in failed] == [("败诉率", 6, 5)]
    assert sorted(failed[0]["counts"].split(" / ")) == ["2", "40"]
    assert [r["status"] for r in rows(synthetic, "rate-checks")] == ["inconsistent"]


def test_synthetic_problems_plans_and_measures(synthetic):
    assert [r["problem"] for r in rows(synthetic, "problems-without-plan")] == ["复议案件增多"]
    assert [(r["plan_no"], r["problem_no"], r["score"]) for r in rows(synthetic, "plans-and-problems", report=RID)] == [
        (1, 1, Decimal("0.8"))]
    assert [(r["problem_no"], r["measure_no"]) for r in rows(synthetic, "measures-on-problems", report=RID)] == [(2, 1)]


def test_synthetic_entities(synthetic):
    assert [(r["mechanism"], r["measure_no"]) for r in rows(synthetic, "mechanisms-and-measures", report=RID)] == [
        ("公证便民机制", 3)]
    documents = rows(synthetic, "documents", report=RID)
    assert [(d["document"], d["issuer"], d["issued"]) for d in documents] == [
        ("松山县行政执法监督办法", "县司法局", "true")]
    assert documents[0]["sentence"] == "县司法局印发《松山县行政执法监督办法》"
    agencies = rows(synthetic, "agencies", report=RID)
    assert ("县司法局", "issues", "松山县行政执法监督办法") in [(r["agency"], r["relation"], r["target"]) for r in agencies]
    assert ("县法院", None, None) in [(r["agency"], r["relation"], r["target"]) for r in agencies]


def test_synthetic_counts_changes_and_reports(synthetic):
    counts = {r["kind"]: r["count"] for r in rows(synthetic, "counts-by-kind", year="2023")}
    assert counts == {"Measure": 3, "Problem": 2, "Plan": 1, "Metric": 5, "ArithmeticCheck": 1, "Agency": 2,
                      "PolicyDocument": 1, "Mechanism": 1, "Place": 1}
    assert rows(synthetic, "counts-by-kind", year="2024") == []
    changes = rows(synthetic, "changes")
    assert [(c["change"], c["of_subject"], c["of_value"], c["previous"]) for c in changes] == [
        (-20, "行政诉讼案件", 40, 50)]
    report = rows(synthetic, "reports")
    assert [(r["report"], r["place"], r["year"]) for r in report] == [(RID, "松山县", "2023")]


def test_synthetic_subject_and_evidence(synthetic):
    assert [r["value"] for r in rows(synthetic, "metrics-by-subject", term="败诉")] == [2, 6]
    evidence = rows(synthetic, "evidence", node=f"<{node_iri(DEFAULT_BASE, RID, 'metric-3')}>")
    assert [(e["exact"], e["start"], e["sentence"]) for e in evidence] == [
        ("6%", TEXT.index("6%"), _sentence("县法院受理", "20%。").text)]


# ---- the bundled report: facts read from the report ---------------------------

def test_bundled_metrics_include_the_lost_case_rate(bundled):
    answer = rows(bundled, "metrics", report="puyang-2024")
    assert len(answer) >= 40
    rate = [r for r in answer if r["value"] == Decimal("1.61")]
    assert len(rate) == 1 and rate[0]["unit"] == str(UNIT["%25"])
    assert "败诉率1.61%" in rate[0]["sentence"] and "败诉" in rate[0]["subject"]
    assert any(r["value"] == 7742 and r["unit"] == str(UNIT["件"]) for r in answer)


def test_bundled_metrics_of_the_county_court(bundled):
    values = [r["value"] for r in rows(bundled, "metrics-of-agency", agency="县法院")]
    assert 64 in values  # 县法院新收行政诉讼案件64件


def test_bundled_rates_all_agree_with_their_counts(bundled):
    checks = {r["stated"]: r for r in rows(bundled, "rate-checks")}
    # 1/62 = 1.61%; (58-21)/58 = 63.79%; 7707/7742 = 99.5%
    for stated in (Decimal("1.61"), Decimal("63.79"), Decimal("99.5")):
        assert checks[stated]["status"] == "consistent"
    assert rows(bundled, "failed-checks") == []


def test_bundled_plans_answer_the_problems(bundled):
    # Gold: every problem has a plan; the fifth plan (府院联动) answers the last one (行政诉讼发案量).
    assert rows(bundled, "problems-without-plan") == []
    pairs = {(r["plan_no"], r["problem_no"]) for r in rows(bundled, "plans-and-problems", report="puyang-2024")}
    assert (5, 8) in pairs
    assert (3, 5) in pairs  # 乡镇综合行政执法队伍建设 answers 基层执法人员知识储备不足


def test_bundled_measures_and_mechanisms(bundled):
    worked = {r["problem_no"] for r in rows(bundled, "measures-on-problems", report="puyang-2024")}
    assert 8 in worked  # the year's litigation measures work on 行政诉讼发案量居高不下
    mechanisms = rows(bundled, "mechanisms-and-measures", report="puyang-2024")
    assert any("府院联动" in r["mechanism"] and r["measure"] and "府院联动" in r["measure"] for r in mechanisms)


def test_bundled_documents(bundled):
    documents = {r["document"]: r for r in rows(bundled, "documents", report="puyang-2024")}
    assert len(documents) == 6
    issued = {title for title, r in documents.items() if r["issued"] == "true"}
    for core in ("重点任务清单", "重大行政决策事项目录", "规范化建设提升方案", "常态化行政执法监督实施方案"):
        assert any(core in title for title in issued), core  # 印发 / 出台 / 制定 before the title


def test_bundled_counts_changes_subjects_and_evidence(bundled):
    counts = {r["kind"]: r["count"] for r in rows(bundled, "counts-by-kind", year="2024")}
    assert counts["Problem"] == 8 and counts["Plan"] == 5 and counts["PolicyDocument"] == 6
    changes = {r["change"]: r for r in rows(bundled, "changes")}
    assert changes[Decimal("-29.67")]["of_value"] == 64
    assert Decimal("13.79") in changes
    assert [r["value"] for r in rows(bundled, "metrics-by-subject", term="败诉率")] == [Decimal("1.61")]
    rate = next(r for r in rows(bundled, "metrics", report="puyang-2024") if r["value"] == Decimal("1.61"))
    node = next(iter(bundled.query(
        "SELECT ?m WHERE { ?m <http://example.org/fzzf#value> 1.61 }", use_default_graph_as_union=True)))["m"]
    evidence = rows(bundled, "evidence", node=f"<{node.value}>")
    assert evidence and evidence[0]["sentence"].startswith("今年1-10月") and "败诉率1.61%" in evidence[0]["sentence"]
    assert rate["report"] == "puyang-2024"
    report = rows(bundled, "reports")
    assert [(r["report"], r["place"], r["year"]) for r in report] == [("puyang-2024", "濮阳县", "2024")]


# ---- the query command ---------------------------------------------------------

def test_formats(synthetic):
    query = "SELECT ?s ?v WHERE { ?s <http://example.org/fzzf#value> ?v } ORDER BY ?v"
    table = run_query(synthetic, query, fmt="table")
    assert table.splitlines()[0].split() == ["s", "v"] and table.endswith("(5 rows)\n")
    assert "data:synthetic-2023/metric-4" in table
    parsed = list(csv.reader(io.StringIO(run_query(synthetic, query, fmt="csv"))))
    assert parsed[0] == ["s", "v"] and [row[1] for row in parsed[1:]] == ["-20", "2", "6", "40", "50"]
    tsv = run_query(synthetic, query, fmt="tsv").splitlines()
    assert tsv[0] == "?s\t?v" and tsv[1].endswith('\t"-20"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    data = json.loads(run_query(synthetic, query, fmt="json"))
    assert data["head"]["vars"] == ["s", "v"] and len(data["results"]["bindings"]) == 5
    assert run_query(synthetic, "ASK { ?s a <http://example.org/fzzf#Metric> }") == "true\n"
    assert json.loads(run_query(synthetic, "ASK { ?s a <http://example.org/fzzf#Nothing> }", fmt="json"))[
        "boolean"] is False


def test_malformed_query_names_line_and_column(synthetic):
    with pytest.raises(QueryError, match=r"^query: line 4, column \d+: expected"):
        run_query(synthetic, "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTR(?s)\n}")


def test_malformed_query_file_names_the_file(synthetic, tmp_path):
    path = tmp_path / "broken.rq"
    path.write_text("SELECT * WHERE { ?s ?p ?o ", encoding="utf-8")
    with pytest.raises(QueryError, match=rf"^{path}: line 1, column \d+"):
        run_query(synthetic, str(path))


@pytest.mark.parametrize("value", ['x" } ; DROP ALL ; #', "县法院> . } DELETE WHERE { ?s ?p ?o } #", "?agency"])
def test_parameter_carrying_sparql_is_a_literal(synthetic, value):
    answer = run_query(synthetic, "SELECT ?term WHERE {}", {"term": value}, fmt="json")
    binding = json.loads(answer)["results"]["bindings"][0]["term"]
    assert binding == {"type": "literal", "value": value}
    assert rows(synthetic, "metrics-of-agency", agency=value) == []
    assert len(synthetic) > 0 and rows(synthetic, "metrics", report=RID)  # nothing was dropped


@given(st.text(max_size=40))
def test_any_text_stays_one_literal_in_the_values_clause(value):
    """The VALUES clause is written by pyoxigraph: whatever a value holds, it is one literal, itself."""
    store = ox.Store()
    query = with_values("SELECT ?term WHERE { }", {"term": ox.Literal(value)})
    assert [row["term"].value for row in store.query(query)] == [value]


def test_the_values_clause_goes_at_the_head_of_the_outer_group():
    term = {"x": ox.Literal("1")}
    assert with_values("SELECT ?x (COUNT(?y) AS ?n) { { SELECT ?y {} } }", term) == (
        'SELECT ?x (COUNT(?y) AS ?n) { VALUES (?x) { ("1") } { SELECT ?y {} } }')
    assert with_values("# { not here\nASK WHERE { }", term) == '# { not here\nASK WHERE { VALUES (?x) { ("1") } }'
    assert with_values("CONSTRUCT { ?x ?x ?x } WHERE { }", term) == "CONSTRUCT { ?x ?x ?x } WHERE { }"


def test_a_namespaced_parameter_takes_a_bare_local_name(synthetic):
    by_id = run_query(synthetic, "indicator-over-years", {"indicator": "admin-review-received"}, fmt="json")
    by_iri = run_query(synthetic, "indicator-over-years", {"indicator": "ind:admin-review-received"}, fmt="json")
    assert by_id == by_iri
    with pytest.raises(QueryError, match="not a name in <http://example.org/fzzf/indicator/>"):
        run_query(synthetic, "indicator-over-years", {"indicator": "has space"})


def test_parameter_terms():
    assert to_term("<http://example.org/x>") == ox.NamedNode("http://example.org/x")
    assert to_term("fz:Metric") == ox.NamedNode("http://example.org/fzzf#Metric")
    assert to_term("-3").datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert to_term("1.61").datatype == ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    assert to_term('"2024"') == ox.Literal("2024")
    assert to_term("行政复议:申请") == ox.Literal("行政复议:申请")
    with pytest.raises(QueryError):
        to_term("<not an iri>")
    assert parse_params(["a=1", "?b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(QueryError, match="NAME=VALUE"):
        parse_params(["novalue"])


@pytest.fixture(scope="module")
def two_reports() -> ox.Store:
    other = synthetic_extraction()
    other.report.id = "other-2023"
    store = _store_of(to_ntriples(synthetic_extraction(), DEFAULT_BASE), RID)
    graph = ox.NamedNode(graph_iri(DEFAULT_BASE, other.report.id))
    store.bulk_load(to_ntriples(other, DEFAULT_BASE).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    return store


def test_a_parameter_with_one_possible_value_is_taken(synthetic, two_reports):
    assert run_query(synthetic, "metrics", fmt="json") == run_query(synthetic, "metrics", {"report": RID}, fmt="json")
    assert "(5 rows)" in run_query(synthetic, "metrics")
    with pytest.raises(QueryError, match=rf"missing parameter\(s\) report .*the graph has other-2023, {RID}\)"):
        run_query(two_reports, "metrics")
    assert "(5 rows)" in run_query(two_reports, "metrics", {"report": "other-2023"})


def test_parameter_errors(synthetic):
    with pytest.raises(QueryError, match="not a variable of the query"):
        run_query(synthetic, "reports", {"nope": "1"})
    with pytest.raises(QueryError, match="not a competency question; available: .*metrics"):
        run_query(synthetic, "no-such-question")


def test_cli_query_over_a_build_folder(tmp_path, synthetic):
    out = tmp_path / "out"
    out.mkdir()
    (out / "graph.nq").write_bytes(synthetic.dump(format=ox.RdfFormat.N_QUADS))
    runner = CliRunner()
    done = runner.invoke(main, ["query", str(out), "metrics-by-subject", "--param", "term=败诉", "-f", "csv"])
    assert done.exit_code == 0, done.output
    assert [row[4] for row in csv.reader(io.StringIO(done.output))][1:] == ["2", "6"]
    done = runner.invoke(main, ["query", str(out), "SELECT * WHERE {"])
    assert done.exit_code == 2 and "line 1, column" in done.output and "Traceback" not in done.output
    done = runner.invoke(main, ["query", str(out), str(queries_dir() / "reports.rq"), "-f", "json"])
    assert done.exit_code == 0 and json.loads(done.output)["results"]["bindings"][0]["report"]["value"] == RID


def test_a_build_folder_is_answered_from_its_store_not_its_graph_files(tmp_path, built_out):
    out = tmp_path / "out"
    shutil.copytree(built_out, out)
    for name in ("graph.trig", "graph.nq"):  # files that disagree with the store: they must not be read
        (out / name).write_text("", encoding="utf-8")
    done = CliRunner().invoke(main, ["query", str(out), "reports", "-f", "csv"])
    assert done.exit_code == 0, done.output
    assert len(list(csv.reader(io.StringIO(done.output)))) == 2  # the header and the bundled report


def test_a_turtle_union_is_queried_like_one_named_graph(tmp_path, synthetic):
    path = tmp_path / "graph.ttl"
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in synthetic)
    ox.serialize(triples, output=str(path), format=ox.RdfFormat.TURTLE)
    assert [r["value"] for r in rows(_load_path(path), "metrics-by-subject", term="败诉")] == [2, 6]
    # fz: needs no PREFIX line
    assert run_query(path, "SELECT ?c WHERE { ?m a ?c FILTER(?c = fz:Metric) } LIMIT 1").endswith(
        "fz:Metric\n(1 row)\n")


def _load_path(path):
    from kg.sparql.query import _load

    return _load(path)


# ---- what a query may not do, and how it fails --------------------------------

@pytest.mark.parametrize("update", [
    "INSERT DATA { <http://x.org/a> <http://x.org/b> <http://x.org/c> }",
    "PREFIX fz: <http://example.org/fzzf#>\nDELETE WHERE { ?s fz:value ?v }",
    "# a comment first\nLOAD <http://127.0.0.1:9/data.ttl>",
    "drop all",
    "WITH <http://x.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
])
def test_an_update_is_refused_in_one_line(synthetic, update):
    size = len(synthetic)
    with pytest.raises(QueryError, match=r"^query: updates are refused \(\w+ at line \d+, column \d+\)") as refused:
        run_query(synthetic, update)
    assert "\n" not in str(refused.value)
    assert len(synthetic) == size


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT * WHERE { ?s nope:p ?o }", "line 1, column 27: undeclared prefix 'nope:' (add a PREFIX line)"),
    ("SELECT * WHERE { ?s ?p ?o ", "line 1, column 27: expected one of ',', '.', ';', '{', '{|', '}', … "
                                   "at the end of the query"),
    ('SELECT * WHERE { ?s ?p "open }', "line 1, column 31: a string is not closed (a quote is missing)"),
    ("PREFIX a: <http://x.org/>\nSELEC * {}", "line 2, column 1: expected SELECT, ASK, CONSTRUCT or DESCRIBE, "
                                              "not 'SELEC'"),
    ("  ", "the query is empty"),
])
def test_a_malformed_query_is_one_short_line(synthetic, query, expected):
    with pytest.raises(QueryError) as failed:
        run_query(synthetic, query)
    message = str(failed.value)
    assert message.startswith("query: " + expected) and "\n" not in message and len(message) < 160


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ sErViCe SILENT <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICESILENT<{url}>{{ ?s ?p ?o }} }}",  # Oxigraph needs no word boundary
    "PREFIX r: <{url}#>\nSELECT * WHERE {{ SERVICEr:x {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # a comment\r SERVICE <{url}> {{ ?s ?p ?o }} }}",  # CR ends a comment
    "SELECT * WHERE {{ BIND('''it's''' AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ BIND(<http://x.org/\\u0041#> AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_and_never_called(synthetic, recorder, template):
    query = template.format(url=recorder.url)
    with pytest.raises(QueryError, match=r"^query: SERVICE is refused \(line \d+, column \d+\)"):
        run_query(synthetic, query)
    assert recorder.requests == []
    # Without the check, pyoxigraph does call the address: the test would catch a hole.
    answer = synthetic.query(query, use_default_graph_as_union=True)
    bool(answer) if isinstance(answer, ox.QueryBoolean) else list(answer)
    assert recorder.requests


@pytest.mark.parametrize("query", [
    "SELECT ?service WHERE { ?service ?p 'SERVICE <http://127.0.0.1:9/> {}' } LIMIT 1",
    "SELECT * WHERE { ?s <http://x.org/service> ?o } # SERVICE <http://127.0.0.1:9/>",
    'SELECT * WHERE { ?s ?p """\nSERVICE <http://127.0.0.1:9/> { }\n""" }',
])
def test_the_word_service_in_strings_iris_comments_and_variables_is_fine(synthetic, query):
    run_query(synthetic, query)


def test_an_allowed_service_is_called_and_no_other(synthetic, recorder):
    query = f"SELECT * WHERE {{ SERVICE <{recorder.url}> {{ ?s ?p ?o }} }}"
    assert run_query(synthetic, query, fmt="json", allow_service=[recorder.url])
    assert len(recorder.requests) == 1
    other = query.replace("/sparql>", "/other>")
    with pytest.raises(QueryError, match=rf"SERVICE is refused .*\(allowed: {re.escape(recorder.url)}\)"):
        run_query(synthetic, other, allow_service=[recorder.url])
    with pytest.raises(QueryError, match="SERVICE is refused"):  # a variable could name any address
        run_query(synthetic, f"SELECT * WHERE {{ BIND(<{recorder.url}> AS ?x) SERVICE ?x {{ }} }}",
                  allow_service=[recorder.url])
    assert len(recorder.requests) == 1


def test_table_and_csv_show_labels_of_units_and_kinds(synthetic):
    table = run_query(synthetic, "metrics").splitlines()
    header = table[0].split()
    units = [line.split()[header.index("unit")] for line in table[2:-1]]
    assert units == ["件", "件", "%", "件", "%"]
    answer = list(csv.DictReader(io.StringIO(run_query(synthetic, "metrics", fmt="csv"))))
    assert [(row["unit"], row["kind"]) for row in answer][:3] == [("件", "count"), ("件", "count"), ("%", "rate")]
    tsv = run_query(synthetic, "metrics", fmt="tsv")  # the W3C term syntax keeps IRIs
    assert f"<{UNIT['%25']}>" in tsv


def test_the_help_lists_every_question_with_its_parameters():
    text = questions_help()
    assert text.startswith("\b\n")
    for question in competency_questions():
        line = next(line for line in text.splitlines() if line.strip().split(" ")[0] == question.name)
        for name in question.params:
            assert name in line, (question.name, name)
        for name, default in question.defaults.items():
            assert f"{name}={default}" in line
        assert question.en in text


_SLOW = """
import sys
import pyoxigraph as ox
from kg.sparql.query import run_query
store = ox.Store()
for i in range(2000):
    store.add(ox.Quad(ox.NamedNode(f"http://x.org/{i}"), ox.NamedNode("http://x.org/p"), ox.Literal(str(i))))
query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 8e9 rows: hours
try:
    print("ready", flush=True)
    run_query(store, query, timeout=float(sys.argv[1]) if len(sys.argv) > 1 else None)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
except Exception as err:
    print(type(err).__name__, err, flush=True)
    sys.exit(2)
"""


def test_a_query_over_its_timeout_is_an_error(tmp_path):
    done = subprocess.run([sys.executable, "-c", _SLOW, "0.5"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "QueryError query: no answer within 0.5 s" in done.stdout


def test_ctrl_c_stops_a_long_query():
    process = subprocess.Popen([sys.executable, "-c", _SLOW], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "ready\n"
        deadline = time.monotonic() + 60
        while not busy_thread(process.pid) and time.monotonic() < deadline:  # the evaluation has begun
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 130
        assert process.stdout.read() == "interrupted\n"
    finally:
        if process.poll() is None:
            process.kill()
